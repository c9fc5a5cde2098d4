package dev.slipway.operator.controller;

import static dev.slipway.operator.controller.TestObjects.CLASS;
import static dev.slipway.operator.controller.TestObjects.CLUSTER;
import static dev.slipway.operator.controller.TestObjects.ITEM;
import static dev.slipway.operator.controller.TestObjects.LIB;
import static dev.slipway.operator.controller.TestObjects.NS;
import static dev.slipway.operator.controller.TestObjects.STORAGE;
import static dev.slipway.operator.controller.TestObjects.T0;
import static dev.slipway.operator.controller.TestObjects.TKR;
import static dev.slipway.operator.controller.TestObjects.VERSION;
import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesClusterStatus;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesRelease;
import dev.slipway.operator.api.vmoperator.v1alpha1.VSphereNamespace;
import dev.slipway.operator.config.Guardrails;
import dev.slipway.operator.controller.steps.Next;
import dev.slipway.operator.controller.steps.Pipeline;
import dev.slipway.operator.plan.NameSuffixes;
import dev.slipway.operator.status.Conditions;
import dev.slipway.operator.status.Reasons;
import dev.slipway.operator.status.Types;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.NamespaceableResource;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The cluster pipeline's steps without an API server. {@code resolve}, {@code plan} and {@code
 * limits} read only the pass and its {@link Lookups}; {@code apply} gets a client that records the
 * Machines it creates and deletes; {@code bootstrap} gets a stub {@link BootstrapData}. {@code
 * access} (PKI, kubeconfig and SSH Secrets, the VIP claim) is left to the E2E tests.
 */
class ClusterStepsTest {
  final RecordingEvents recorded = new RecordingEvents();
  final MachineExpectations expectations = new MachineExpectations(Clock.fixed(T0, ZoneOffset.UTC));
  final FakeMachineApi api = new FakeMachineApi();
  final StubBootstrap bootstrap = new StubBootstrap();
  final List<Machine> namespaceMachines = new ArrayList<>();

  MapLookups lookups;
  VSphereNamespace namespace;
  TanzuKubernetesCluster tkc;
  ClusterSteps steps;

  @BeforeEach
  void setUp() {
    namespace = TestObjects.namespace(NS, "group-1", "resgroup-1");
    tkc = TestObjects.cluster(1, TestObjects.pool("np1", 2));
    lookups =
        new MapLookups()
            .add(namespace, TestObjects.vmClass(CLASS, 2, "4Gi"))
            .add(TestObjects.release(TKR, VERSION, true));
    steps =
        new ClusterSteps(
            recorded.events,
            counting(),
            bootstrap,
            null,
            expectations,
            Guardrails.defaults(),
            null);
  }

  static NameSuffixes counting() {
    int[] n = {0};
    return () -> String.format("%05d", ++n[0]);
  }

  ClusterPass pass(List<Machine> machines) {
    return new ClusterPass(tkc, api.client(), lookups, machines, namespaceMachines);
  }

  static Condition condition(ClusterPass p, String type) {
    return p.cond.get(type).orElseThrow(() -> new AssertionError("no condition " + type));
  }

  static void assertCondition(Condition c, String status, String reason) {
    assertThat(c.getStatus() + ":" + c.getReason())
        .as("%s (%s)", c.getType(), c.getMessage())
        .isEqualTo(status + ":" + reason);
  }

  /** resolve, plan and limits, as the pipeline runs them when access is fine. */
  ClusterPass planned(List<Machine> machines) {
    ClusterPass p = pass(machines);
    assertThat(steps.resolve(p).proceeds()).isTrue();
    builtFromTheSpec(p);
    assertThat(steps.plan(p).proceeds()).isTrue();
    assertThat(steps.limits(p).proceeds()).isTrue();
    return p;
  }

  /** The given machines were built from the spec as it is (no rollout): they carry its hash. */
  static void builtFromTheSpec(ClusterPass p) {
    for (Machine m : p.machines) {
      if (m.getSpec().templateHash == null) {
        m.getSpec().templateHash =
            ClusterMachines.template(p.tkc, p.resolved, ClusterMachines.groupOf(p.tkc, m)).hash();
      }
    }
  }

  Machine readyControlPlane() {
    Machine m =
        TestObjects.ready(
            TestObjects.machine(CLUSTER + "-control-plane-aaaaa", Machine.Role.controlPlane, null));
    namespaceMachines.add(m);
    return m;
  }

  // ---- resolve ----------------------------------------------------------------------------------

  @Test
  void aClusterNamingOnlyADistributionVersionUsesTheNewestMatchAndKeepsIt() {
    tkc.getSpec().topology.controlPlane.tkr = null;
    tkc.getSpec().distribution = new dev.slipway.operator.api.run.v1alpha3.Distribution();
    tkc.getSpec().distribution.version = "v1.30";

    ClusterPass p = planned(List.of());

    assertCondition(condition(p, Types.RESOURCES_RESOLVED), "True", Reasons.RESOLVED);
    assertThat(p.status.distribution.release).isEqualTo(TKR);
    assertThat(p.status.distribution.fullVersion).isEqualTo(VERSION);
    assertThat(p.toCreate)
        .isNotEmpty()
        .allSatisfy(m -> assertThat(m.getSpec().release).isEqualTo(TKR));

    // A newer match appears; the next pass starts from the status written.
    lookups.add(TestObjects.release("v1.30.2---vmware.1-tkg.1", "v1.30.2+vmware.1-tkg.1", true));
    tkc.setStatus(p.status);
    ClusterPass again = planned(List.of());
    assertThat(again.status.distribution.release).isEqualTo(TKR);

    // Only a change of spec.distribution resolves again.
    tkc.getSpec().distribution.version = "v1.30.2";
    assertThat(planned(List.of()).status.distribution.release)
        .isEqualTo("v1.30.2---vmware.1-tkg.1");
  }

  @Test
  void resolvesEveryReference() {
    ClusterPass p = pass(List.of());

    Next next = steps.resolve(p);

    assertThat(next.proceeds()).isTrue();
    assertCondition(condition(p, Types.RESOURCES_RESOLVED), Conditions.TRUE, Reasons.RESOLVED);
    assertThat(condition(p, Types.RESOURCES_RESOLVED).getMessage()).contains(TKR).contains(NS);
    assertCondition(condition(p, Types.TKR_COMPATIBLE), Conditions.TRUE, "Compatible");
    assertThat(p.resolved.namespace()).isSameAs(namespace);
    assertThat(p.resolved.releases()).containsOnlyKeys(TKR);
    assertThat(p.resolved.classes()).containsOnlyKeys(CLASS);
    assertThat(recorded.created).isEmpty();
  }

  static Stream<Arguments> unresolved() {
    return Stream.of(
        unresolved(
            "namespace missing",
            Reasons.NAMESPACE_NOT_FOUND,
            "create a VSphereNamespace named " + NS,
            t -> t.lookups.namespaces.clear()),
        unresolved(
            "namespace not Ready",
            Reasons.NAMESPACE_NOT_READY,
            "VSphereNamespace " + NS + " is not Ready yet",
            t ->
                t.namespace.getStatus().conditions =
                    List.of(
                        TestObjects.condition(
                            Types.READY, Conditions.FALSE, Reasons.WAITING_FOR_QUOTA, ""))),
        unresolved(
            "namespace without status",
            Reasons.NAMESPACE_NOT_READY,
            "is not Ready yet",
            t -> t.namespace.setStatus(null)),
        unresolved(
            "release missing",
            Reasons.TKR_NOT_FOUND,
            "TanzuKubernetesRelease " + TKR + " does not exist",
            t -> t.lookups.releases.clear()),
        unresolved(
            "no release named",
            Reasons.TKR_NOT_FOUND,
            "tkr.reference.name is not set",
            t -> t.tkc.getSpec().topology.controlPlane.tkr = null),
        unresolved(
            "a pool's own release missing",
            Reasons.TKR_NOT_FOUND,
            "TanzuKubernetesRelease v1.31.0 does not exist",
            t -> {
              var pool = t.tkc.getSpec().topology.nodePools.get(0);
              pool.tkr = new dev.slipway.operator.api.run.v1alpha3.TkrReference();
              pool.tkr.reference =
                  new dev.slipway.operator.api.run.v1alpha3.TkrReference.Reference();
              pool.tkr.reference.name = "v1.31.0";
            }),
        unresolved(
            "release not Ready",
            Reasons.TKR_NOT_READY,
            "no image yet",
            t -> t.lookups.add(TestObjects.release(TKR, VERSION, false))),
        unresolved(
            "downgrade",
            Reasons.VERSION_DOWNGRADE,
            "older than the v1.31.2+vmware.1 the cluster runs",
            t -> {
              t.tkc.setStatus(new TanzuKubernetesClusterStatus());
              t.tkc.getStatus().version = "v1.31.2+vmware.1";
            }),
        unresolved(
            "class not granted",
            Reasons.VM_CLASS_NOT_GRANTED,
            "VirtualMachineClass guaranteed-large is not granted to namespace " + NS,
            t -> t.tkc.getSpec().topology.nodePools.get(0).vmClass = "guaranteed-large"),
        unresolved(
            "class granted but missing",
            Reasons.VM_CLASS_NOT_FOUND,
            "VirtualMachineClass " + CLASS + " does not exist",
            t -> t.lookups.classes.clear()),
        unresolved(
            "storage class not granted",
            Reasons.STORAGE_CLASS_NOT_GRANTED,
            "storage class silver is not granted to namespace "
                + NS
                + " (granted: "
                + STORAGE
                + ")",
            t -> t.tkc.getSpec().topology.controlPlane.storageClass = "silver"),
        unresolved(
            "a volume's storage class not granted",
            Reasons.STORAGE_CLASS_NOT_GRANTED,
            "storage class silver",
            t -> {
              var v = TestObjects.volume("containerd", "20Gi");
              v.storageClass = "silver";
              t.tkc.getSpec().topology.nodePools.get(0).volumes = List.of(v);
            }),
        unresolved(
            "a storage class of settings.storage not granted",
            Reasons.STORAGE_CLASS_NOT_GRANTED,
            "storage class silver of spec.settings.storage is not granted to namespace " + NS,
            t -> t.tkc.getSpec().settings = storage(List.of(STORAGE, "silver"), STORAGE)),
        unresolved(
            "a default class outside settings.storage.classes",
            Reasons.STORAGE_CLASS_NOT_GRANTED,
            "spec.settings.storage.defaultClass " + STORAGE + " is not one of",
            t -> t.tkc.getSpec().settings = storage(List.of(), STORAGE)),
        unresolved(
            "library not granted",
            Reasons.LIBRARY_NOT_GRANTED,
            "content library " + LIB + " of TanzuKubernetesRelease " + TKR + " is not granted",
            t -> t.namespace.getSpec().contentLibraries = List.of()),
        unresolved(
            "the namespace is checked first",
            Reasons.NAMESPACE_NOT_FOUND,
            "is not a vSphere Namespace",
            t -> {
              t.lookups.namespaces.clear();
              t.lookups.releases.clear();
            }));
  }

  static dev.slipway.operator.api.run.v1alpha3.Settings storage(
      List<String> classes, String defaultClass) {
    var settings = new dev.slipway.operator.api.run.v1alpha3.Settings();
    settings.storage = new dev.slipway.operator.api.run.v1alpha3.Storage();
    settings.storage.classes = classes;
    settings.storage.defaultClass = defaultClass;
    return settings;
  }

  static Arguments unresolved(
      String name, String reason, String message, Consumer<ClusterStepsTest> breakIt) {
    return Arguments.of(name, reason, message, breakIt);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unresolved")
  void anUnresolvedReferenceStopsThePassWithItsReason(
      String name, String reason, String message, Consumer<ClusterStepsTest> breakIt) {
    breakIt.accept(this);
    ClusterPass p = pass(List.of());

    Next next = steps.resolve(p);

    assertThat(next.proceeds()).isFalse();
    assertThat(next.reason()).contains("unresolved: " + reason);
    assertThat(next.after()).contains(Requeue.RESOLUTION);
    Condition c = condition(p, Types.RESOURCES_RESOLVED);
    assertCondition(c, Conditions.FALSE, reason);
    assertThat(c.getMessage()).contains(message);
    assertThat(p.resolved).isNull();
    assertThat(recorded.reasons()).containsExactly("ResolutionFailed");
  }

  @Test
  void anUnresolvedClusterPlansNothingAndTouchesNoApi() {
    lookups.releases.clear();
    ClusterPass p = pass(List.of());

    Pipeline.Outcome o = steps.pipeline().run(p);

    assertThat(o.step()).isEqualTo("resolve");
    assertThat(p.toCreate).isEmpty();
    assertThat(api.created).isEmpty();
  }

  // ---- plan and limits --------------------------------------------------------------------------

  @Test
  void aNewClusterPlansItsFirstControlPlaneMachine() {
    ClusterPass p = planned(List.of());

    assertThat(p.toCreate).hasSize(1);
    Machine m = p.toCreate.get(0);
    assertThat(m.getMetadata().getName()).isEqualTo(CLUSTER + "-control-plane-00001");
    assertThat(m.getMetadata().getNamespace()).isEqualTo(NS);
    assertThat(m.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(tkc.getMetadata().getUid()));
    assertThat(m.getMetadata().getLabels())
        .containsEntry(TanzuKubernetesClusterReconciler.CLUSTER_LABEL, CLUSTER)
        .containsEntry(TanzuKubernetesClusterReconciler.ROLE_LABEL, "control-plane");
    Machine.Spec s = m.getSpec();
    assertThat(s.role).isEqualTo(Machine.Role.controlPlane);
    assertThat(s.version).isEqualTo(VERSION);
    assertThat(s.vmClass).isEqualTo(CLASS);
    assertThat(s.storageClass).isEqualTo(STORAGE);
    assertThat(s.image.contentLibrary).isEqualTo(LIB);
    assertThat(s.image.item).isEqualTo(ITEM);
    assertThat(s.bootstrap.dataSecretName)
        .isEqualTo(BootstrapData.secretName(m.getMetadata().getName()));
    assertCondition(
        condition(p, Types.WITHIN_NAMESPACE_LIMITS), Conditions.TRUE, Reasons.WITHIN_LIMITS);
  }

  @Test
  void workersComeOnceTheControlPlaneIsReady() {
    ClusterPass p = planned(List.of(readyControlPlane()));
    assertThat(p.toCreate)
        .extracting(m -> m.getMetadata().getName())
        .containsExactly(CLUSTER + "-np1-00001", CLUSTER + "-np1-00002");
    assertThat(p.toCreate).allSatisfy(m -> assertThat(m.getSpec().pool).isEqualTo("np1"));
  }

  @Test
  void aSpecOverAGuardrailIsRefusedBeforeAnythingIsPlanned() {
    steps =
        new ClusterSteps(
            recorded.events,
            counting(),
            bootstrap,
            null,
            expectations,
            new Guardrails(1, 3, 10, 2),
            null);
    tkc = TestObjects.cluster(1, TestObjects.pool("np1", 2), TestObjects.pool("np2", 1));
    ClusterPass p = pass(List.of());

    assertThat(steps.resolve(p).proceeds()).isFalse();

    Condition c = condition(p, Types.RESOURCES_RESOLVED);
    assertCondition(c, Conditions.FALSE, Reasons.OVER_GUARDRAIL);
    assertThat(c.getMessage())
        .contains("node pool np1 asks for 2 workers; at most 1 per pool")
        .contains("the cluster asks for 4 machines; at most 3 per cluster");
    assertThat(recorded.reasons()).containsExactly("ResolutionFailed");
    assertThat(p.resolved).isNull();
  }

  @Test
  void creationIsPacedByTheMachinesStillProvisioning() {
    steps =
        new ClusterSteps(
            recorded.events,
            counting(),
            bootstrap,
            null,
            expectations,
            new Guardrails(100, 500, 1000, 3),
            null);
    tkc = TestObjects.cluster(1, TestObjects.pool("np1", 6));
    Machine provisioning = TestObjects.machine(CLUSTER + "-np1-zzzzz", Machine.Role.worker, "np1");
    ClusterPass p = planned(List.of(readyControlPlane(), provisioning));

    assertThat(p.toCreate).hasSize(2);
    assertThat(p.heldBack).anySatisfy(h -> assertThat(h).contains("creating 2 of 5 now"));
    assertThat(recorded.messages("CreationPaced")).hasSize(1);

    // Once every machine in flight has settled, the rest may come (at most three at once).
    ClusterPass later = planned(List.of(readyControlPlane(), TestObjects.ready(provisioning)));
    assertThat(later.toCreate).hasSize(3);
  }

  @Test
  void exactlyAtTheLimitIsWithin() {
    namespace.getSpec().objectLimits = new VSphereNamespace.ObjectLimits();
    namespace.getSpec().objectLimits.machines = 3;
    ClusterPass p = planned(List.of(readyControlPlane()));
    assertThat(p.toCreate).hasSize(2);
    assertCondition(
        condition(p, Types.WITHIN_NAMESPACE_LIMITS), Conditions.TRUE, Reasons.WITHIN_LIMITS);
  }

  static Stream<Arguments> limits() {
    return Stream.of(
        Arguments.of(
            "machines",
            (Consumer<VSphereNamespace>)
                n -> {
                  n.getSpec().objectLimits = new VSphereNamespace.ObjectLimits();
                  n.getSpec().objectLimits.machines = 2;
                },
            "allows 2 machines (objectLimits.machines); 1 exist and 2 more are needed"),
        Arguments.of(
            "cpu",
            limit(l -> l.cpu = new Quantity("5")),
            "allows 5 vCPUs (limits.cpu); its machines use 2 and 4 more are needed"),
        Arguments.of(
            "memory",
            limit(l -> l.memory = new Quantity("10Gi")),
            "allows 10Gi of memory (limits.memory); its machines use 4096Mi and 8192Mi more"),
        Arguments.of(
            "storage",
            limit(l -> l.storage = new Quantity("15Gi")),
            "allows 15Gi of volume storage (limits.storage); its machines use 0Gi and 20Gi more"));
  }

  static Consumer<VSphereNamespace> limit(Consumer<VSphereNamespace.Limits> set) {
    return n -> {
      n.getSpec().limits = new VSphereNamespace.Limits();
      set.accept(n.getSpec().limits);
    };
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("limits")
  void overALimitNothingIsCreatedAndTheConditionNamesTheLimit(
      String name, Consumer<VSphereNamespace> setLimit, String message) {
    tkc.getSpec().topology.nodePools.get(0).volumes =
        List.of(TestObjects.volume("containerd", "10Gi"));
    setLimit.accept(namespace);

    ClusterPass p = planned(List.of(readyControlPlane()));

    assertThat(p.toCreate).as("none of the machines").isEmpty();
    Condition c = condition(p, Types.WITHIN_NAMESPACE_LIMITS);
    assertCondition(c, Conditions.FALSE, Reasons.LIMIT_EXCEEDED);
    assertThat(c.getMessage()).contains("namespace " + NS + " " + message);
    assertThat(recorded.reasons()).containsExactly("LimitExceeded");

    steps.apply(p);
    assertThat(api.created).isEmpty();
  }

  @Test
  void otherClustersMachinesInTheNamespaceCount() {
    namespace.getSpec().objectLimits = new VSphereNamespace.ObjectLimits();
    namespace.getSpec().objectLimits.machines = 3;
    namespaceMachines.add(
        TestObjects.machine("c2-control-plane-x", Machine.Role.controlPlane, null));

    ClusterPass p = planned(List.of(readyControlPlane()));

    assertThat(p.toCreate).isEmpty();
    assertThat(condition(p, Types.WITHIN_NAMESPACE_LIMITS).getMessage()).contains("2 exist");
  }

  @Test
  void anExceededLimitIsKeptWhileThePlanHoldsMachinesBack() {
    namespace.getSpec().objectLimits = new VSphereNamespace.ObjectLimits();
    namespace.getSpec().objectLimits.machines = 2;
    Machine cp = readyControlPlane();

    // The control plane stops being ready: the workers are held back, not planned.
    Machine notReady =
        TestObjects.machine(cp.getMetadata().getName(), Machine.Role.controlPlane, null);
    ClusterPass p = pass(List.of(notReady));
    p.cond.setFalse(Types.WITHIN_NAMESPACE_LIMITS, Reasons.LIMIT_EXCEEDED, "earlier verdict");
    steps.resolve(p);
    builtFromTheSpec(p);
    steps.plan(p);
    steps.limits(p);

    assertThat(p.toCreate).isEmpty();
    assertCondition(
        condition(p, Types.WITHIN_NAMESPACE_LIMITS), Conditions.FALSE, Reasons.LIMIT_EXCEEDED);
  }

  @Test
  void anExceededLimitClearsOnceTheSpecAsksForNothingMore() {
    namespace.getSpec().objectLimits = new VSphereNamespace.ObjectLimits();
    namespace.getSpec().objectLimits.machines = 1;
    Machine cp = readyControlPlane();
    ClusterPass over = planned(List.of(cp));
    assertCondition(
        condition(over, Types.WITHIN_NAMESPACE_LIMITS), Conditions.FALSE, Reasons.LIMIT_EXCEEDED);
    over.status.observed(over.cond.list(), 1L); // what StatusFinisher keeps for the next pass

    // The user gives up on the workers: the cluster's spec now fits what exists.
    tkc.getSpec().topology.nodePools.get(0).replicas = 0;
    ClusterPass p = planned(List.of(cp));

    assertThat(p.toCreate).isEmpty();
    assertCondition(
        condition(p, Types.WITHIN_NAMESPACE_LIMITS), Conditions.TRUE, Reasons.WITHIN_LIMITS);
    ClusterStatus.summarize(tkc, p.machines, p.cond, p.status, null);
    assertThat(p.cond.isTrue(Types.READY)).as("%s", p.cond.get(Types.READY)).isTrue();
  }

  // ---- updates available ------------------------------------------------------------------------

  @Test
  void updatesAvailableListsReadyCompatibleReleasesAtMostOneMinorUp() {
    lookups.add(TestObjects.release("v1.30.1---vmware.2-tkg.1", "v1.30.1+vmware.2", true));
    lookups.add(TestObjects.release("v1.31.0---vmware.1-tkg.1", "v1.31.0+vmware.1", true));
    lookups.add(TestObjects.release("v1.32.0---vmware.1-tkg.1", "v1.32.0+vmware.1", true));
    lookups.add(TestObjects.release("v1.31.1---vmware.1-tkg.1", "v1.31.1+vmware.1", false));
    lookups.add(TestObjects.release("v1.29.4---vmware.1-tkg.1", "v1.29.4+vmware.1", true));
    ClusterPass p = pass(List.of());
    assertThat(steps.resolve(p).proceeds()).isTrue();
    Condition c = condition(p, Types.UPDATES_AVAILABLE);
    assertThat(c.getStatus()).isEqualTo(Conditions.TRUE);
    assertThat(c.getMessage()).isEqualTo("[v1.30.1---vmware.2-tkg.1 v1.31.0---vmware.1-tkg.1]");
  }

  @Test
  void noNewerReleaseMeansNoUpdates() {
    ClusterPass p = pass(List.of());
    assertThat(steps.resolve(p).proceeds()).isTrue();
    assertThat(condition(p, Types.UPDATES_AVAILABLE).getStatus()).isEqualTo(Conditions.FALSE);
  }

  // ---- rollout ----------------------------------------------------------------------------------

  @Test
  void newMachinesCarryTheirGroupsTemplateHashAndWhatItWasBuiltFrom() {
    ClusterPass p = planned(List.of());
    Machine cp = p.toCreate.get(0);
    assertThat(cp.getSpec().templateHash)
        .isEqualTo(
            ClusterMachines.template(tkc, p.resolved, ClusterMachines.controlPlane(tkc)).hash())
        .hasSize(16);
    assertThat(cp.getSpec().release).isEqualTo(p.resolved.releases().keySet().iterator().next());
    assertThat(cp.getSpec().hardware.cpus).isPositive();
  }

  @Test
  void newMachinesAreBornWithTheMachineControllersFinalizer() {
    ClusterPass p = planned(List.of());
    assertThat(p.toCreate)
        .isNotEmpty()
        .allSatisfy(
            m ->
                assertThat(m.getMetadata().getFinalizers())
                    .as("the name JOSDK gives the machine controller's finalizer")
                    .containsExactly("machines.cluster.slipway.dev/finalizer"));
  }

  @Test
  void aNewControlPlaneVolumeRollsTheControlPlaneOutSurgeByOneAndStatusSaysSo() {
    Machine cp = readyControlPlane();
    tkc.getSpec().topology.nodePools.get(0).replicas = 0;
    ClusterPass settled = planned(List.of(cp));
    assertThat(settled.toCreate).isEmpty();
    ClusterStatus.summarize(tkc, settled.machines, settled.cond, settled.status, settled.rollout);
    assertCondition(
        condition(settled, Types.MACHINES_UP_TO_DATE), Conditions.TRUE, Reasons.UP_TO_DATE);

    String before = cp.getSpec().templateHash;
    // A volume for etcd: part of what a control-plane machine is built from.
    tkc.getSpec().topology.controlPlane.volumes = List.of(TestObjects.volume("etcd", "4Gi"));
    ClusterPass p = planned(List.of(cp));

    assertThat(p.toCreate).hasSize(1);
    assertThat(p.toCreate.get(0).getSpec().templateHash).isNotEqualTo(before);
    assertThat(p.toDelete).as("the old machine stays until its replacement is Ready").isEmpty();
    ClusterStatus.summarize(tkc, p.machines, p.cond, p.status, p.rollout);
    assertCondition(condition(p, Types.MACHINES_UP_TO_DATE), Conditions.FALSE, Reasons.ROLLING_OUT);
    assertThat(condition(p, Types.MACHINES_UP_TO_DATE).getMessage())
        .startsWith("control plane 0/1 up to date");
    assertCondition(condition(p, Types.READY), Conditions.FALSE, Reasons.ROLLING_OUT);
  }

  // ---- remediate --------------------------------------------------------------------------------

  @Test
  void aFailedWorkerIsDeletedAndItsReplacementCarriesTheRemediationRecord() {
    Machine cp = readyControlPlane();
    Machine healthy =
        TestObjects.ready(TestObjects.machine(CLUSTER + "-np1-a", Machine.Role.worker, "np1"));
    Machine lost =
        TestObjects.withCondition(
            TestObjects.machine(CLUSTER + "-np1-b", Machine.Role.worker, "np1"),
            Types.VM_PROVISIONED,
            Conditions.FALSE,
            Reasons.VM_MISSING);
    lost.getStatus().phase = "Failed";
    List<Machine> cache = List.of(cp, healthy, lost);
    ClusterPass p = planned(expectations.view(NS + "/" + CLUSTER, cache));
    p.cond.setTrue(Types.CONTROL_PLANE_INITIALIZED, Reasons.READY, "");

    assertThat(steps.health().remediate(p).proceeds()).isTrue();
    steps.apply(p);

    assertThat(api.deleted).containsExactly(NS + "/" + CLUSTER + "-np1-b");
    assertCondition(condition(p, Types.MACHINES_HEALTHY), Conditions.FALSE, Reasons.REMEDIATING);
    assertThat(recorded.messages("MachineRemediated"))
        .singleElement()
        .asString()
        .contains("machine " + CLUSTER + "-np1-b is unhealthy (failed");
    assertThat(api.created).isEmpty();

    // The next pass sees it deleting: the planner replaces it, and the new machine says whom for.
    TestObjects.deleting(lost);
    ClusterPass next = planned(expectations.view(p.key(), cache));
    next.cond.setTrue(Types.CONTROL_PLANE_INITIALIZED, Reasons.READY, "");
    steps.health().remediate(next);
    steps.apply(next);

    assertThat(api.created).hasSize(1);
    Machine replacement = api.created.get(0);
    assertThat(replacement.getSpec().pool).isEqualTo("np1");
    assertThat(ClusterHealth.record(replacement))
        .satisfies(
            r -> {
              assertThat(r.machine()).isEqualTo(CLUSTER + "-np1-b");
              assertThat(r.retryCount()).isEqualTo(1);
            });
    assertCondition(condition(next, Types.MACHINES_HEALTHY), Conditions.TRUE, Reasons.READY);
  }

  @Test
  void theOnlyControlPlaneMachineIsNotRemediatedOnceItsNodeJoinedThoughItWasNeverReady() {
    // kubeadm init ran (its Node registered) but the Node never became Ready, so the cluster never
    // got ControlPlaneInitialized: its etcd still holds the cluster (run 4 at 1 000 clusters).
    Machine cp = TestObjects.machine(CLUSTER + "-control-plane-a", Machine.Role.controlPlane, null);
    TestObjects.withCondition(cp, Types.NODE_HEALTHY, Conditions.FALSE, Reasons.NODE_NOT_READY);
    cp.getStatus().conditions.stream()
        .filter(c -> c.getType().equals(Types.NODE_HEALTHY))
        .forEach(c -> c.setLastTransitionTime("2020-01-01T00:00:00Z"));
    cp.getStatus().nodeRef = new Machine.NodeRef();
    cp.getStatus().nodeRef.name = cp.getMetadata().getName();
    tkc.getSpec().topology.nodePools.get(0).replicas = 0;
    ClusterPass p = planned(List.of(cp));
    p.cond.setTrue(Types.ADDONS_READY, Reasons.ADDONS_APPLIED, "");
    p.cond.get(Types.ADDONS_READY).orElseThrow().setLastTransitionTime("2020-01-01T00:01:00Z");
    assertThat(p.cond.isTrue(Types.CONTROL_PLANE_INITIALIZED)).isFalse();

    steps.health().remediate(p);
    steps.apply(p);

    assertThat(api.deleted).isEmpty();
    assertThat(recorded.messages("MachineRemediated")).isEmpty();
    assertThat(condition(p, Types.MACHINES_HEALTHY).getMessage())
        .contains("only control-plane machine of an initialized cluster");
  }

  @Test
  void aBadHealthAnnotationIsAFalseConditionAndAnEventNotAnException() {
    tkc.getMetadata().setAnnotations(Map.of(ClusterHealth.UNHEALTHY_TIMEOUT, "soon"));
    ClusterPass p = planned(List.of(readyControlPlane()));

    assertThat(steps.health().remediate(p).proceeds()).isTrue();

    assertCondition(
        condition(p, Types.MACHINES_HEALTHY), Conditions.FALSE, Reasons.INVALID_HEALTH_CHECK);
    assertThat(condition(p, Types.MACHINES_HEALTHY).getMessage())
        .contains(ClusterHealth.UNHEALTHY_TIMEOUT + "=\"soon\"");
    assertThat(recorded.reasons()).contains("RemediationStopped");
  }

  @Test
  void healthSettingsComeFromTheClustersAnnotationsOverTheDefaults() {
    assertThat(ClusterHealth.settings(tkc)).isEqualTo(ClusterHealth.DEFAULTS);
    tkc.getMetadata()
        .setAnnotations(
            Map.of(
                ClusterHealth.NODE_STARTUP_TIMEOUT, "10m",
                ClusterHealth.UNHEALTHY_TIMEOUT, "45s",
                ClusterHealth.MAX_UNHEALTHY, "40%",
                ClusterHealth.MAX_RETRIES, "5",
                ClusterHealth.RETRY_PERIOD, "10s"));

    var s = ClusterHealth.settings(tkc);

    assertThat(s.nodeStartupTimeout()).isEqualTo(java.time.Duration.ofMinutes(10));
    assertThat(s.unhealthyTimeout()).isEqualTo(java.time.Duration.ofSeconds(45));
    assertThat(s.maxUnhealthy()).hasToString("40%");
    assertThat(s.maxRetries()).isEqualTo(5);
    assertThat(s.retryPeriod()).isEqualTo(java.time.Duration.ofSeconds(10));
    for (var bad :
        List.of(
            Map.of(ClusterHealth.MAX_RETRIES, "-1"),
            Map.of(ClusterHealth.MAX_UNHEALTHY, "half"),
            Map.of(ClusterHealth.NODE_STARTUP_TIMEOUT, "0s"))) {
      tkc.getMetadata().setAnnotations(bad);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> ClusterHealth.settings(tkc))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(bad.keySet().iterator().next());
    }
  }

  // ---- apply ------------------------------------------------------------------------------------

  @Test
  void applyCreatesThePlannedMachinesAndTheNextPassSeesThemBeforeTheCacheDoes() {
    Machine cp = readyControlPlane();
    ClusterPass p = planned(List.of(cp));

    assertThat(steps.apply(p).proceeds()).isTrue();

    assertThat(api.created)
        .extracting(m -> m.getMetadata().getName())
        .containsExactly(CLUSTER + "-np1-00001", CLUSTER + "-np1-00002");
    assertThat(p.machines).hasSize(3);
    assertThat(recorded.messages("MachineCreated"))
        .containsExactly(
            "created machine " + CLUSTER + "-np1-00001 (pool np1)",
            "created machine " + CLUSTER + "-np1-00002 (pool np1)");

    // The informer still shows only the control plane.
    ClusterPass next = planned(expectations.view(p.key(), List.of(cp)));
    steps.apply(next);
    assertThat(next.toCreate).isEmpty();
    assertThat(api.created).hasSize(2);
  }

  @Test
  void applyDeletesTheSurplusAndTheNextPassDoesNotDeleteMore() {
    tkc.getSpec().topology.nodePools.get(0).replicas = 1;
    Machine cp = readyControlPlane();
    List<Machine> cache =
        List.of(
            cp,
            TestObjects.ready(TestObjects.machine(CLUSTER + "-np1-a", Machine.Role.worker, "np1")),
            TestObjects.ready(TestObjects.machine(CLUSTER + "-np1-b", Machine.Role.worker, "np1")));
    ClusterPass p = planned(expectations.view(NS + "/" + CLUSTER, cache));

    steps.apply(p);

    assertThat(api.deleted).containsExactly(NS + "/" + CLUSTER + "-np1-b");
    assertThat(recorded.messages("MachineDeleted")).singleElement().asString().contains("np1-b");

    ClusterPass next = planned(expectations.view(p.key(), cache));
    steps.apply(next);
    assertThat(api.deleted).hasSize(1);
  }

  // ---- bootstrap --------------------------------------------------------------------------------

  @Test
  void bootstrapWaitsForClusterAccess() {
    ClusterPass p = planned(List.of());
    p.accessOk = false;
    Next next = steps.bootstrap(p);
    assertThat(next.reason()).contains("cluster access not ready");
    assertThat(next.after()).contains(Requeue.RESOLUTION);
    assertThat(bootstrap.asked).isEmpty();
  }

  @Test
  void bootstrapDataIsWrittenOnlyForLiveMachinesWithoutIt() {
    Machine needs = TestObjects.machine(CLUSTER + "-np1-a", Machine.Role.worker, "np1");
    Machine hasSecret = TestObjects.machine(CLUSTER + "-np1-b", Machine.Role.worker, "np1");
    lookups.add(TestObjects.bootstrapSecret(hasSecret));
    Machine bootstrapped =
        TestObjects.withCondition(
            TestObjects.machine(CLUSTER + "-np1-c", Machine.Role.worker, "np1"),
            Types.BOOTSTRAP_READY,
            Conditions.TRUE,
            Reasons.BOOTSTRAP_DATA_READY);
    Machine gone =
        TestObjects.deleting(TestObjects.machine(CLUSTER + "-np1-d", Machine.Role.worker, "np1"));
    ClusterPass p = planned(List.of(readyControlPlane(), needs, hasSecret, bootstrapped, gone));
    p.accessOk = true;
    lookups.add(TestObjects.bootstrapSecret(p.machines.get(0)));

    Next next = steps.bootstrap(p);

    assertThat(next.proceeds()).isTrue();
    assertThat(bootstrap.asked).containsExactly(CLUSTER + "-np1-a@" + TKR);
  }

  @Test
  void aMachineWhoseBootstrapDataMustWaitMakesThePassWait() {
    Machine a = TestObjects.machine(CLUSTER + "-np1-a", Machine.Role.worker, "np1");
    Machine b = TestObjects.machine(CLUSTER + "-np1-b", Machine.Role.worker, "np1");
    ClusterPass p = planned(List.of(a, b));
    p.accessOk = true;
    bootstrap.failFor = a.getMetadata().getName();

    Next next = steps.bootstrap(p);

    assertThat(next.reason()).contains("bootstrap data must wait");
    assertThat(next.after()).contains(Requeue.DEPENDENCY);
    assertThat(bootstrap.asked)
        .as("the others still get theirs")
        .contains(CLUSTER + "-np1-b@" + TKR);
  }

  // ---- test doubles -----------------------------------------------------------------------------

  /** BootstrapData that notes which machine asked with which release, or refuses one. */
  static final class StubBootstrap implements BootstrapData {
    final List<String> asked = new ArrayList<>();
    String failFor;

    @Override
    public void ensure(
        KubernetesClient client,
        TanzuKubernetesCluster tkc,
        Machine machine,
        TanzuKubernetesRelease tkr) {
      if (machine.getMetadata().getName().equals(failFor)) {
        throw new IllegalStateException("the workload API server does not answer yet");
      }
      asked.add(machine.getMetadata().getName() + "@" + tkr.getMetadata().getName());
    }
  }

  /**
   * The two calls {@code apply} makes, recorded: {@code client.resource(m).create()} answers like
   * the API server (uid, creation time) and {@code resources(Machine.class).inNamespace(ns)
   * .withName(n).delete()} notes the name. Any other call fails the test.
   */
  static final class FakeMachineApi {
    final List<Machine> created = new ArrayList<>();
    final List<String> deleted = new ArrayList<>();

    KubernetesClient client() {
      return proxy(KubernetesClient.class, Map.of());
    }

    private <T> T proxy(Class<T> type, Map<String, Object> context) {
      return type.cast(
          Proxy.newProxyInstance(
              FakeMachineApi.class.getClassLoader(),
              new Class<?>[] {type},
              (self, method, args) ->
                  switch (method.getName()) {
                    case "resource" -> proxy(NamespaceableResource.class, Map.of("item", args[0]));
                    case "create" -> {
                      Machine m = Statuses.copy((Machine) context.get("item"), Machine.class);
                      m.getMetadata().setUid(TestObjects.uid());
                      m.getMetadata().setCreationTimestamp(T0.toString());
                      m.getMetadata().setGeneration(1L);
                      created.add(m);
                      yield m;
                    }
                    case "resources" -> proxy(MixedOperation.class, Map.of());
                    case "inNamespace" -> proxy(NonNamespaceOperation.class, Map.of("ns", args[0]));
                    case "withName" ->
                        proxy(Resource.class, Map.of("ns", context.get("ns"), "name", args[0]));
                    case "delete" -> {
                      deleted.add(context.get("ns") + "/" + context.get("name"));
                      yield List.of();
                    }
                    case "hashCode" -> System.identityHashCode(self);
                    case "equals" -> self == args[0];
                    case "toString" -> "FakeMachineApi client";
                    default ->
                        throw new UnsupportedOperationException(
                            "the Machine-only client got " + method);
                  }));
    }
  }
}
