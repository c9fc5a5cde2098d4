package dev.slipway.operator.controller;

import static dev.slipway.operator.controller.TestObjects.CLASS;
import static dev.slipway.operator.controller.TestObjects.CLUSTER;
import static dev.slipway.operator.controller.TestObjects.DATASTORE;
import static dev.slipway.operator.controller.TestObjects.ITEM;
import static dev.slipway.operator.controller.TestObjects.LIB;
import static dev.slipway.operator.controller.TestObjects.NS;
import static dev.slipway.operator.controller.TestObjects.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesClusterStatus;
import dev.slipway.operator.api.vmoperator.v1alpha1.VSphereNamespace;
import dev.slipway.operator.bootstrap.GuestInfo;
import dev.slipway.operator.config.Placement;
import dev.slipway.operator.controller.fake.InMemoryVSphere;
import dev.slipway.operator.controller.steps.Next;
import dev.slipway.operator.controller.steps.Pipeline;
import dev.slipway.operator.status.Conditions;
import dev.slipway.operator.status.Reasons;
import dev.slipway.operator.status.Types;
import dev.slipway.vsphere.CloneSpec;
import dev.slipway.vsphere.FaultKind;
import dev.slipway.vsphere.FolderRef;
import dev.slipway.vsphere.PowerState;
import dev.slipway.vsphere.TaskRef;
import dev.slipway.vsphere.VSphereException;
import dev.slipway.vsphere.VSphereFault;
import dev.slipway.vsphere.VmConfigSpec;
import dev.slipway.vsphere.VmRef;
import dev.slipway.vsphere.VmState;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Machine pipeline's steps on the in-memory vCenter. A "reconcile" here is what {@link
 * MachineReconciler#reconcile} does without the API server: run the pipeline on a fresh pass over
 * the machine, hand a {@link VSphereException} to {@link MachineFaults#failed}, and put the
 * conditions and phase into the machine's status (which the next pass starts from).
 */
class MachineStepsTest {
  static final Duration BASE = Duration.ofSeconds(5);
  static final Duration CAP = Duration.ofMinutes(5);
  static final String NS_FOLDER = "/DC0/vm/" + NS;
  static final String NS_POOL = "/DC0/host/DC0_C0/Resources/" + NS;
  static final String TEMPLATES_FOLDER = "/DC0/vm/slipway-templates";
  static final String TEMPLATE_NAME = Templates.templateName(LIB, ITEM);
  static final String NAME = CLUSTER + "-control-plane-bcdfg";
  static final String FAULT = "vCenter fault";

  /** Port methods that change something in vCenter. */
  static final Set<String> MUTATING =
      Set.of(
          "cloneVm",
          "deployOvf",
          "reconfigure",
          "powerOn",
          "powerOff",
          "destroy",
          "markAsTemplate",
          "setCustomAttributes",
          "ensureFolder");

  final Placement placement = Placement.vcsimDefaults();
  final Requeue.Backoff backoff = new Requeue.Backoff(BASE, CAP, 0, () -> 0.5);
  final List<Machine> specWrites = new ArrayList<>();

  InMemoryVSphere vs;
  MapLookups lookups;
  RecordingEvents recorded;
  StubNodes nodes;
  MachineFaults faults;
  MachineSteps steps;
  Pipeline<MachinePass> pipeline;
  VSphereNamespace namespace;
  String folderMoref;
  String poolMoref;
  Machine machine;
  Instant now = T0;

  /** A NodeObserver that plays a Node: ready or not, and when to look again. */
  static final class StubNodes implements NodeObserver {
    long again;
    boolean nodeReady;
    int observed;

    @Override
    public long observe(Machine m, Conditions c) {
      observed++;
      if (nodeReady) {
        m.getStatus().nodeRef = new Machine.NodeRef();
        m.getStatus().nodeRef.name = m.getMetadata().getName();
        c.setTrue(Types.NODE_HEALTHY, Reasons.NODE_READY, "");
        c.setTrue(Types.READY, Reasons.NODE_READY, "");
      } else {
        c.setFalse(Types.NODE_HEALTHY, Reasons.WAITING_FOR_NODE, "no node yet");
      }
      return again;
    }
  }

  /**
   * The VM watch as the steps see it: out of step (every look-up asks vCenter) unless a test puts
   * it in step; then it answers from the fake vCenter's VMs, without those it has not seen yet and
   * with those it has not seen go.
   */
  static final class KnownFromTheFake implements MachineSteps.KnownVms {
    final java.util.function.Supplier<List<VmState>> vms;
    final Set<VmRef> unseen = new java.util.HashSet<>();
    final List<VmState> stale = new ArrayList<>();
    boolean inStep;
    int answered;

    KnownFromTheFake(java.util.function.Supplier<List<VmState>> vms) {
      this.vms = vms;
    }

    private Optional<Optional<VmRef>> find(java.util.function.Predicate<VmState> p) {
      if (!inStep) {
        return Optional.empty();
      }
      answered++;
      List<VmState> all = new ArrayList<>(vms.get());
      all.removeIf(v -> unseen.contains(v.ref()));
      all.addAll(stale);
      return Optional.of(all.stream().filter(p).map(VmState::ref).findFirst());
    }

    @Override
    public Optional<Optional<VmRef>> byInstanceUuid(String instanceUuid) {
      return find(v -> instanceUuid.equals(v.instanceUuid()));
    }

    @Override
    public Optional<Optional<VmRef>> inFolder(FolderRef folder, String name) {
      return find(v -> folder.equals(v.folder()) && name.equals(v.name()));
    }
  }

  KnownFromTheFake knownVms;

  @BeforeEach
  void setUp() {
    vs = InMemoryVSphere.standard();
    knownVms = new KnownFromTheFake(vs::vms);
    vs.addFolder(NS_FOLDER);
    vs.addResourcePool(NS_POOL);
    vs.addOvfItem(LIB, ITEM, 2, 2048, List.of(20480L));
    folderMoref = vs.findFolder(NS_FOLDER).orElseThrow().moref();
    poolMoref = vs.findResourcePool(NS_POOL).orElseThrow().moref();
    namespace = TestObjects.namespace(NS, folderMoref, poolMoref);
    machine = TestObjects.machine(NAME, Machine.Role.controlPlane, null);
    machine.getSpec().volumes = List.of(TestObjects.volume("etcd", "10Gi"));
    lookups =
        new MapLookups()
            .add(namespace, TestObjects.vmClass(CLASS, 4, "8Gi"))
            .add(TestObjects.bootstrapSecret(machine));
    recorded = new RecordingEvents();
    nodes = new StubNodes();
    faults = new MachineFaults(backoff, recorded.events);
    steps =
        new MachineSteps(
            vs,
            knownVms,
            vs,
            vs,
            new Templates(vs, vs, vs, vs, placement, new VSphereTags(vs, recorded.events)),
            placement,
            nodes,
            recorded.events,
            faults,
            p -> etcdProblem,
            new VSphereTags(vs, recorded.events));
    pipeline = steps.pipeline();
    vs.resetCalls();
  }

  /** What the etcd check of a joined control-plane machine says (empty: healthy member). */
  java.util.Optional<String> etcdProblem = java.util.Optional.empty();

  // ---- helpers ----------------------------------------------------------------------------------

  MachinePass pass() {
    return new MachinePass(machine, lookups, now, specWrites::add);
  }

  /** One reconcile as MachineReconciler runs it; a fault's outcome is named {@link #FAULT}. */
  Pipeline.Outcome reconcile() {
    MachinePass p = pass();
    Pipeline.Outcome o;
    try {
      o = pipeline.run(p);
    } catch (VSphereException e) {
      o = new Pipeline.Outcome(FAULT, steps.fault(p, e));
    }
    finish(p);
    return o;
  }

  /** What StatusFinisher keeps of a pass: conditions, observedGeneration, phase. */
  void finish(MachinePass p) {
    p.status.observed(p.cond.list(), machine.getMetadata().getGeneration());
    p.status.phase = MachineReconciler.phase(machine, p.cond);
  }

  /** Reconciles until the pass ends in {@code step} (at most 20 passes); the steps it ended in. */
  List<String> reconcileUntil(String step) {
    List<String> seen = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      Pipeline.Outcome o = reconcile();
      seen.add(o.step());
      if (step.equals(o.step())) {
        return seen;
      }
    }
    throw new AssertionError("never reached " + step + ": " + seen);
  }

  Condition condition(String type) {
    return Conditions.of(machine.getStatus().conditions, null)
        .get(type)
        .orElseThrow(() -> new AssertionError("no condition " + type));
  }

  static Condition condition(MachinePass p, String type) {
    return p.cond.get(type).orElseThrow(() -> new AssertionError("no condition " + type));
  }

  VmRef seedTemplate() {
    vs.addFolder(TEMPLATES_FOLDER);
    VmRef t =
        vs.vm(TEMPLATES_FOLDER, TEMPLATE_NAME)
            .template()
            .cpus(2)
            .memoryMiB(2048)
            .disksMiB(20480L)
            .create();
    vs.resetCalls();
    return t;
  }

  /** The machine's own VM, as it would be after the clone step and its reconfigure. */
  VmRef seedMachineVm(PowerState power, Long... disks) {
    VmRef vm =
        vs.vm(NS_FOLDER, NAME)
            .pool(NS_POOL)
            .instanceUuid(machine.getMetadata().getUid())
            .powerState(power)
            .disksMiB(disks)
            .extraConfig(MachineSteps.TEMPLATE_DISKS_KEY, "1")
            .annotation(MachineSteps.annotation(machine))
            .create();
    vs.resetCalls();
    return vm;
  }

  List<VmState> machineVms() {
    return vs.vms().stream().filter(v -> !v.template()).toList();
  }

  VmState theMachineVm() {
    assertThat(machineVms()).hasSize(1);
    return machineVms().get(0);
  }

  List<String> mutatingCalls() {
    return vs.calls().stream()
        .map(InMemoryVSphere.Call::method)
        .filter(MUTATING::contains)
        .toList();
  }

  static void assertWait(Next next, String reason, Duration after) {
    assertThat(next.proceeds()).as("%s waits", next).isFalse();
    assertThat(next.reason()).hasValueSatisfying(r -> assertThat(r).contains(reason));
    assertThat(next.after())
        .as("when to look again")
        .isEqualTo(java.util.Optional.ofNullable(after));
  }

  static void assertCondition(Condition c, String status, String reason) {
    assertThat(c.getStatus()).as("%s status (%s)", c.getType(), c.getMessage()).isEqualTo(status);
    assertThat(c.getReason()).as("%s reason (%s)", c.getType(), c.getMessage()).isEqualTo(reason);
  }

  // ---- the whole pipeline -----------------------------------------------------------------------

  static Stream<Arguments> pollsAndSequences() {
    return Stream.of(
        Arguments.of(0, List.of("template", "clone", "hardware", "power", "etcd-member")),
        Arguments.of(
            1, List.of("template", "template", "clone", "hardware", "power", "etcd-member")),
        Arguments.of(
            2,
            List.of(
                "template",
                "template",
                "template",
                "clone",
                "follow-task",
                "hardware",
                "follow-task",
                "power",
                "follow-task",
                "etcd-member")));
  }

  @ParameterizedTest(name = "tasks finishing after {0} poll(s): {1}")
  @MethodSource("pollsAndSequences")
  void aFreshMachineGoesFromNothingToItsNodeWithOneCloneAndOneDeploy(
      int polls, List<String> expected) {
    vs.tasksCompleteAfterPolls(polls);
    nodes.nodeReady = true;

    assertThat(reconcileUntil("etcd-member")).containsExactlyElementsOf(expected);

    assertThat(vs.callCount("deployOvf")).isEqualTo(1);
    assertThat(vs.callCount("markAsTemplate")).isEqualTo(1);
    assertThat(vs.callCount("cloneVm")).isEqualTo(1);
    assertThat(vs.callCount("reconfigure")).as("volumes, then the guestinfo scrub").isEqualTo(2);
    assertThat(vs.callCount("powerOn")).isEqualTo(1);
    assertThat(vs.callCount("setCustomAttributes")).isEqualTo(1);
    assertThat(machine.getStatus().taskRef).as("the scrub's reconfigure").isNotNull();
    for (int i = 0; i < 5 && machine.getStatus().taskRef != null; i++) {
      assertThat(reconcile().step()).isIn("follow-task", "etcd-member");
    }

    VmState vm = theMachineVm();
    assertThat(vm.name()).isEqualTo(NAME);
    assertThat(vm.instanceUuid()).isEqualTo(machine.getMetadata().getUid());
    assertThat(vm.powerState()).isEqualTo(PowerState.ON);
    assertThat(vm.cpus()).isEqualTo(4);
    assertThat(vm.memoryMiB()).isEqualTo(8192);
    assertThat(vm.diskCapacitiesMiB())
        .as("template disk + etcd volume")
        .containsExactly(20480L, 10240L);
    assertThat(vm.folder().moref()).isEqualTo(folderMoref);
    assertThat(vm.resourcePool().moref()).isEqualTo(poolMoref);
    assertThat(vm.annotation()).contains("machine " + NAME).contains(NS + "/" + CLUSTER);
    assertThat(vm.customAttributes())
        .containsEntry(MachineReconciler.ATTR_CLUSTER, CLUSTER)
        .containsEntry(MachineReconciler.ATTR_NAMESPACE, NS)
        .containsEntry(MachineReconciler.ATTR_MACHINE, NAME);
    assertThat(vm.extraConfig())
        .containsEntry(MachineSteps.TEMPLATE_DISKS_KEY, "1")
        .containsKey(GuestInfo.METADATA)
        .as("the bootstrap data is gone once the Node joined")
        .doesNotContainKeys(GuestInfo.USERDATA, GuestInfo.USERDATA_ENCODING);
    VmConfigSpec cloned = ((CloneSpec) vs.calls("cloneVm").get(0).args().get(0)).config();
    GuestInfo.Decoded guest = GuestInfo.decode(cloned.extraConfig());
    assertThat(guest.userdata()).contains("kubeadm init");
    assertThat(guest.metadata())
        .containsEntry("instance-id", machine.getMetadata().getUid())
        .containsEntry("local-hostname", NAME);

    Machine.Status s = machine.getStatus();
    assertThat(s.vmRef).isEqualTo(vm.ref().moref());
    assertThat(s.biosUUID).isEqualTo(vm.biosUuid());
    assertThat(s.instanceUUID).isEqualTo(machine.getMetadata().getUid());
    assertThat(s.taskRef).isNull();
    assertThat(s.retry).isNull();
    assertThat(s.phase).isEqualTo("Running");
    assertThat(machine.getSpec().providerID).isEqualTo("vsphere://" + vm.biosUuid());
    assertThat(specWrites).hasSize(1);
    assertCondition(condition(Types.VM_PROVISIONED), Conditions.TRUE, Reasons.POWERED_ON);
    assertCondition(
        condition(Types.BOOTSTRAP_READY), Conditions.TRUE, Reasons.BOOTSTRAP_DATA_READY);
    assertCondition(condition(Types.READY), Conditions.TRUE, Reasons.NODE_READY);
    assertThat(recorded.reasons()).containsExactly("VMCreated", "VMPoweredOn");
  }

  @Test
  void aMachineAtItsNodeChangesNothingInVCenter() {
    nodes.nodeReady = true;
    reconcileUntil("etcd-member");
    vs.resetCalls();
    recorded.created.clear();

    for (int i = 0; i < 3; i++) {
      assertThat(reconcile().step()).isEqualTo("etcd-member");
    }

    assertThat(mutatingCalls()).isEmpty();
    assertThat(vs.callCount("cloneVm")).isZero();
    assertThat(specWrites).hasSize(1);
    assertThat(recorded.created).isEmpty();
  }

  @Test
  void theStepsAreInTheDocumentedOrder() {
    assertThat(pipeline.names())
        .containsExactly(
            "retry-gate",
            "follow-task",
            "namespace-placement",
            "find-vm",
            "bootstrap-data",
            "grants",
            "template",
            "clone",
            "identity",
            "hardware",
            "power",
            "addresses",
            "node",
            "scrub-guestinfo",
            "etcd-member");
  }

  // ---- scrub-guestinfo --------------------------------------------------------------------------

  /** The machine's running VM with its bootstrap data, as cloned. */
  VmRef seedVmWithUserdata() {
    VmRef vm =
        vs.vm(NS_FOLDER, NAME)
            .pool(NS_POOL)
            .instanceUuid(machine.getMetadata().getUid())
            .powerState(PowerState.ON)
            .disksMiB(20480L, 10240L)
            .extraConfig(MachineSteps.TEMPLATE_DISKS_KEY, "1")
            .extraConfig(GuestInfo.USERDATA, "I2Nsb3VkLWNvbmZpZw==")
            .extraConfig(GuestInfo.USERDATA_ENCODING, "base64")
            .extraConfig(GuestInfo.METADATA, "bWQ=")
            .annotation(MachineSteps.annotation(machine))
            .create();
    vs.resetCalls();
    return vm;
  }

  @Test
  void onceTheNodeJoinedTheUserDataLeavesTheVmAndThePassGoesOn() {
    VmRef vm = seedVmWithUserdata();
    nodes.nodeReady = true;
    nodes.again = Duration.ofMinutes(10).toMillis();

    Pipeline.Outcome o = reconcile();

    assertThat(o.step()).as("the etcd check still runs in this pass").isEqualTo("etcd-member");
    assertWait(o.next(), "clearing the VM's user data", Requeue.TASK_POLL);
    VmConfigSpec change = (VmConfigSpec) vs.calls("reconfigure").get(0).args().get(1);
    assertThat(change.extraConfig())
        .containsOnly(
            Map.entry(GuestInfo.USERDATA, ""), Map.entry(GuestInfo.USERDATA_ENCODING, ""));
    assertThat(machine.getStatus().taskRef).isNotNull();
    assertCondition(condition(Types.READY), Conditions.TRUE, Reasons.NODE_READY);

    vs.resetCalls();
    for (int i = 0; i < 4; i++) {
      reconcile();
    }
    assertThat(machine.getStatus().taskRef).as("the reconfigure was followed").isNull();
    assertThat(vs.vmState(vm).extraConfig())
        .containsKey(GuestInfo.METADATA)
        .doesNotContainKeys(GuestInfo.USERDATA, GuestInfo.USERDATA_ENCODING);
    assertThat(vs.callCount("reconfigure")).as("a scrubbed VM is not reconfigured again").isZero();
  }

  @Test
  void userDataIsKeptWhileTheNodeHasNotJoined() {
    VmRef vm = seedVmWithUserdata();
    reconcile();
    reconcile();
    assertThat(vs.callCount("reconfigure")).isZero();
    assertThat(GuestInfo.holdsUserdata(vs.vmState(vm).extraConfig())).isTrue();
  }

  @Test
  void userDataTheGuestClearedItselfCostsNoReconfigure() {
    VmRef vm = seedVmWithUserdata();
    TaskRef guestClears =
        vs.reconfigure(
            vm,
            VmConfigSpec.builder()
                .extraConfig(GuestInfo.USERDATA, GuestInfo.CLEARED)
                .extraConfig(GuestInfo.USERDATA_ENCODING, "")
                .build());
    assertThat(vs.taskState(guestClears).isDone()).isTrue();
    vs.resetCalls();
    nodes.nodeReady = true;

    reconcile();
    reconcile();

    assertThat(vs.callCount("reconfigure")).isZero();
    assertThat(vs.vmState(vm).extraConfig()).containsEntry(GuestInfo.USERDATA, GuestInfo.CLEARED);
  }

  // ---- etcd-member ------------------------------------------------------------------------------

  @Test
  void aJoinedControlPlaneMachineIsNotReadyWhileItsEtcdMemberIsStillJoining() {
    machine.getSpec().role = Machine.Role.controlPlane;
    MachinePass p = pass();
    p.status.nodeRef = new Machine.NodeRef();
    p.status.nodeRef.name = NAME;
    p.cond.setTrue(Types.READY, Reasons.READY, "Node is Ready");
    etcdProblem = java.util.Optional.of("etcd member " + NAME + " is still joining (learner)");

    Next next = steps.etcdMember(p);

    assertThat(next.after()).contains(Requeue.GUEST_POLL);
    assertCondition(
        p.cond.get(Types.READY).orElseThrow(), Conditions.FALSE, Reasons.ETCD_MEMBER_NOT_READY);
    assertThat(p.cond.get(Types.ETCD_MEMBER_HEALTHY).orElseThrow().getMessage())
        .contains("learner");

    etcdProblem = java.util.Optional.empty();
    steps.etcdMember(p);
    assertCondition(
        p.cond.get(Types.ETCD_MEMBER_HEALTHY).orElseThrow(), Conditions.TRUE, Reasons.READY);
  }

  @Test
  void workersAndMachinesWithoutANodeAreNotAskedAboutEtcd() {
    etcdProblem = java.util.Optional.of("must not be asked");
    MachinePass p = pass();
    steps.etcdMember(p);
    assertThat(p.cond.get(Types.ETCD_MEMBER_HEALTHY)).isEmpty();
    machine.getSpec().role = Machine.Role.controlPlane;
    steps.etcdMember(p);
    assertThat(p.cond.get(Types.ETCD_MEMBER_HEALTHY)).as("no nodeRef yet").isEmpty();
  }

  // ---- follow-task ------------------------------------------------------------------------------

  @Nested
  class FollowTask {
    VmRef vm;

    @BeforeEach
    void vmWithATask() {
      vm = seedMachineVm(PowerState.OFF, 20480L, 10240L);
    }

    TaskRef startTask() {
      TaskRef t = vs.reconfigure(vm, VmConfigSpec.builder().annotation("x").build());
      vs.resetCalls();
      machine.setStatus(new Machine.Status());
      machine.getStatus().taskRef = t.id();
      return t;
    }

    @Test
    void waitsWhileTheTaskRuns() {
      vs.holdTasks(true);
      TaskRef t = startTask();

      MachinePass p = pass();
      assertWait(steps.followTask(p), "task " + t.id() + " running", Requeue.TASK_POLL);
      assertThat(p.status.taskRef).isEqualTo(t.id());
    }

    @Test
    void aFinishedTaskIsClearedAndThePassGoesOn() {
      startTask();
      MachinePass p = pass();
      assertThat(steps.followTask(p).proceeds()).isTrue();
      assertThat(p.status.taskRef).isNull();
    }

    @Test
    void aTaskVCenterForgotIsOverAndTheLookUpDecides() {
      TaskRef t = startTask();
      vs.forgetTask(t);
      MachinePass p = pass();
      assertThat(steps.followTask(p).proceeds()).isTrue();
      assertThat(p.status.taskRef).isNull();
      assertThat(p.status.retry).isNull();
    }

    @Test
    void aFailedTaskIsAFault() {
      vs.failTask("reconfigure", FaultKind.INSUFFICIENT_RESOURCES, "no room on the host");
      startTask();
      MachinePass p = pass();
      assertThatThrownBy(() -> steps.followTask(p))
          .isInstanceOfSatisfying(
              VSphereException.class,
              e -> assertThat(e.kind()).isEqualTo(FaultKind.INSUFFICIENT_RESOURCES));
      assertThat(p.status.taskRef).as("the task is over either way").isNull();
    }

    @ParameterizedTest
    @EnumSource(
        value = FaultKind.class,
        names = {"ALREADY_EXISTS", "INVALID_POWER_STATE"})
    void aTaskThatFoundTheWorkDoneIsNotAFailure(FaultKind kind) {
      vs.failTask("reconfigure", kind, "done already");
      startTask();
      MachinePass p = pass();
      assertThat(steps.followTask(p).proceeds()).isTrue();
      assertThat(p.status.taskRef).isNull();
    }

    @Test
    void aFaultReadingTheTaskOtherThanNotFoundIsRethrownAndKeepsTheTask() {
      TaskRef t = startTask();
      vs.failNext("taskState", FaultKind.TRANSIENT, "connection reset");
      MachinePass p = pass();
      assertThatThrownBy(() -> steps.followTask(p))
          .isInstanceOfSatisfying(
              VSphereException.class, e -> assertThat(e.kind()).isEqualTo(FaultKind.TRANSIENT));
      assertThat(p.status.taskRef).isEqualTo(t.id());
    }

    @Test
    void noTaskNoCall() {
      assertThat(steps.followTask(pass()).proceeds()).isTrue();
      assertThat(vs.calls()).isEmpty();
    }

    @Test
    void aStatusOlderThanTheLastWrittenStillFollowsTheTaskThisProcessStarted() {
      vs.holdTasks(true);
      TaskRef t = startTask();
      MachinePass started = pass();
      steps.followTask(started);
      steps.passEnded(started);
      // The informer shows the next pass the status from before the task.
      machine.getStatus().taskRef = null;

      MachinePass stale = pass();
      assertWait(steps.followTask(stale), "task " + t.id() + " running", Requeue.TASK_POLL);
      assertThat(stale.status.taskRef).isEqualTo(t.id());
      steps.passEnded(stale);

      vs.holdTasks(false);
      MachinePass done = pass();
      assertThat(steps.followTask(done).proceeds()).isTrue();
      assertThat(done.status.taskRef).isNull();
      steps.passEnded(done);
      vs.resetCalls();
      assertThat(steps.followTask(pass()).proceeds()).as("a task seen ended is forgotten").isTrue();
      assertThat(vs.calls()).isEmpty();
    }
  }

  // ---- namespace-placement ----------------------------------------------------------------------

  @Test
  void waitsForAMissingNamespace() {
    lookups.namespaces.clear();
    MachinePass p = pass();
    assertWait(steps.namespacePlacement(p), "namespace not ready", Requeue.DEPENDENCY);
    assertCondition(
        condition(p, Types.VM_PROVISIONED), Conditions.FALSE, Reasons.WAITING_FOR_NAMESPACE);
    assertThat(condition(p, Types.VM_PROVISIONED).getMessage()).contains("VSphereNamespace " + NS);
  }

  @Test
  void waitsForANamespaceWithoutItsFolder() {
    namespace.getStatus().folder = null;
    assertWait(steps.namespacePlacement(pass()), "namespace not ready", Requeue.DEPENDENCY);
    namespace.setStatus(null);
    assertWait(steps.namespacePlacement(pass()), "namespace not ready", Requeue.DEPENDENCY);
  }

  @Test
  void aNamespaceNotReadyStopsThePassBeforeVCenter() {
    lookups.namespaces.clear();
    Pipeline.Outcome o = reconcile();
    assertThat(o.step()).isEqualTo("namespace-placement");
    assertThat(vs.calls()).isEmpty();
    assertThat(machine.getStatus().phase).isEqualTo("Pending");
  }

  @Test
  void aReadyNamespaceIsKeptForTheNextSteps() {
    MachinePass p = pass();
    assertThat(steps.namespacePlacement(p).proceeds()).isTrue();
    assertThat(p.namespace).isSameAs(namespace);
  }

  // ---- find-vm ----------------------------------------------------------------------------------

  @Test
  void findsTheVmByInstanceUuidFirstWhereverItIs() {
    VmRef vm =
        vs.vm("/DC0/vm", "renamed-by-an-admin")
            .instanceUuid(machine.getMetadata().getUid())
            .create();
    MachinePass p = pass();
    p.namespace = namespace;
    assertThat(steps.findVm(p).proceeds()).isTrue();
    assertThat(p.vm).contains(vm);
    assertThat(p.vmState.name()).isEqualTo("renamed-by-an-admin");
    assertThat(vs.callCount("findVmByPath")).isZero();
  }

  @Test
  void aRecordedVmIsReadByItsReferenceWithoutASearch() {
    VmRef vm = vs.vm(NS_FOLDER, NAME).instanceUuid(machine.getMetadata().getUid()).create();
    MachinePass p = pass();
    p.namespace = namespace;
    p.status.vmRef = vm.moref();
    vs.resetCalls();
    assertThat(steps.findVm(p).proceeds()).isTrue();
    assertThat(p.vm).contains(vm);
    assertThat(p.vmState.ref()).isEqualTo(vm);
    assertThat(vs.callCounts()).containsExactly(java.util.Map.entry("vmState", 1L));
  }

  @Test
  void aRecordedReferenceThatNamesAnotherVmIsNotTakenForTheMachines() {
    VmRef other = vs.vm(NS_FOLDER, "someone-else").instanceUuid("someone-elses").create();
    VmRef own =
        vs.vm("/DC0/vm", "moved-by-an-admin").instanceUuid(machine.getMetadata().getUid()).create();
    MachinePass p = pass();
    p.namespace = namespace;
    p.status.vmRef = other.moref();
    assertThat(steps.findVm(p).proceeds()).isTrue();
    assertThat(p.vm).contains(own);
    assertThat(p.vmState.name()).isEqualTo("moved-by-an-admin");
  }

  @Test
  void thenByNameInTheNamespacesFolder() {
    VmRef vm = vs.vm(NS_FOLDER, NAME).instanceUuid("someone-elses").create();
    MachinePass p = pass();
    p.namespace = namespace;
    steps.findVm(p);
    assertThat(p.vm).contains(vm);
    assertThat(vs.calls("findVmInFolder"))
        .singleElement()
        .satisfies(c -> assertThat(c.args()).containsExactly(new FolderRef(folderMoref), NAME));
    assertThat(vs.callCount("findVmByPath")).as("no SearchIndex walk into the folder").isZero();
  }

  @Test
  void theFolderTheNamespaceReportsIsWhereItLooks() {
    vs.addFolder("/DC0/vm/tenants");
    FolderRef tenantFolder = vs.addFolder("/DC0/vm/tenants/" + NS);
    VmRef elsewhere = vs.vm(NS_FOLDER, NAME).instanceUuid("someone-elses").create();
    namespace.getStatus().folder = tenantFolder.moref();
    MachinePass p = pass();
    p.namespace = namespace;
    steps.findVm(p);
    assertThat(p.vm).as("not %s in another folder", elsewhere).isEmpty();
    assertThat(p.vmState).isNull();
    assertThat(vs.calls("findVmInFolder"))
        .singleElement()
        .satisfies(c -> assertThat(c.args()).containsExactly(tenantFolder, NAME));
  }

  @Test
  void theVmAFinishedCloneReturnedIsReadWithoutASearch() {
    VmRef vm = vs.vm(NS_FOLDER, NAME).instanceUuid(machine.getMetadata().getUid()).create();
    MachinePass p = pass();
    p.namespace = namespace;
    p.taskResult = vm.moref();
    vs.resetCalls();
    assertThat(steps.findVm(p).proceeds()).isTrue();
    assertThat(p.vm).contains(vm);
    assertThat(vs.callCounts()).containsExactly(java.util.Map.entry("vmState", 1L));
  }

  @Test
  void aCloneResultThatIsNotTheMachinesVmFallsBackToTheSearches() {
    VmRef other = vs.vm(NS_FOLDER, "someone-else").instanceUuid("someone-elses").create();
    VmRef own = vs.vm(NS_FOLDER, NAME).instanceUuid(machine.getMetadata().getUid()).create();
    MachinePass p = pass();
    p.namespace = namespace;
    p.taskResult = other.moref();
    assertThat(steps.findVm(p).proceeds()).isTrue();
    assertThat(p.vm).contains(own);
  }

  // ---- bootstrap-data ---------------------------------------------------------------------------

  @Test
  void theBootstrapSecretMakesBootstrapReady() {
    MachinePass p = pass();
    assertThat(steps.bootstrapData(p).proceeds()).isTrue();
    assertThat(p.bootstrap).isNotNull();
    assertCondition(
        condition(p, Types.BOOTSTRAP_READY), Conditions.TRUE, Reasons.BOOTSTRAP_DATA_READY);
  }

  @Test
  void waitsForTheBootstrapSecret() {
    lookups.secrets.clear();
    MachinePass p = pass();
    assertWait(steps.bootstrapData(p), "no bootstrap data", Requeue.USER_FIX);
    assertCondition(
        condition(p, Types.BOOTSTRAP_READY), Conditions.FALSE, Reasons.WAITING_FOR_BOOTSTRAP_DATA);
    assertThat(condition(p, Types.BOOTSTRAP_READY).getMessage())
        .contains(BootstrapData.secretName(NAME));
    assertCondition(
        condition(p, Types.VM_PROVISIONED), Conditions.FALSE, Reasons.WAITING_FOR_BOOTSTRAP_DATA);
  }

  @Test
  void aNewMachinesFirstLookWithoutItsSecretWritesNoStatusTheSecretIsOnItsWay() {
    lookups.secrets.clear();
    MachinePass first = pass();
    assertWait(steps.bootstrapData(first), "no bootstrap data", Requeue.USER_FIX);
    assertThat(first.statusHeld).as("first look, created a moment ago").isTrue();

    machine.setStatus(new Machine.Status());
    machine.getStatus().observedGeneration = 0L;
    MachinePass defaulted = pass();
    steps.bootstrapData(defaulted);
    assertThat(defaulted.statusHeld).as("only the CRD's default status: first look").isTrue();

    now = T0.plus(Requeue.USER_FIX);
    machine.setStatus(null);
    MachinePass late = pass();
    assertWait(steps.bootstrapData(late), "no bootstrap data", Requeue.USER_FIX);
    assertThat(late.statusHeld).as("still missing at the next look: said").isFalse();
  }

  @Test
  void aMachineThatHasAStatusSaysItWaitsForItsSecret() {
    lookups.secrets.clear();
    machine.setStatus(new Machine.Status());
    machine.getStatus().observedGeneration = 1L;
    MachinePass p = pass();
    steps.bootstrapData(p);
    assertThat(p.statusHeld).isFalse();
  }

  @Test
  void aMachineWithoutASecretNameWaitsSayingSo() {
    lookups.secrets.clear();
    machine.getSpec().bootstrap = null;
    MachinePass p = pass();
    assertWait(steps.bootstrapData(p), "no bootstrap data", Requeue.USER_FIX);
    assertThat(condition(p, Types.BOOTSTRAP_READY).getMessage()).contains("(none named)");
  }

  @Test
  void withoutASecretTheClustersBootstrapProblemIsShownOnTheMachine() {
    lookups.secrets.clear();
    TanzuKubernetesCluster tkc = TestObjects.cluster(1);
    tkc.setStatus(new TanzuKubernetesClusterStatus());
    tkc.getStatus()
        .conditions
        .add(
            TestObjects.condition(
                Types.BOOTSTRAP_READY,
                Conditions.FALSE,
                Reasons.ENDPOINT_UNAVAILABLE,
                "no free address in the VIP pool"));
    lookups.add(tkc);

    MachinePass p = pass();
    assertWait(steps.bootstrapData(p), "no bootstrap data", Requeue.USER_FIX);
    Condition b = condition(p, Types.BOOTSTRAP_READY);
    assertCondition(b, Conditions.FALSE, Reasons.ENDPOINT_UNAVAILABLE);
    assertThat(b.getMessage()).isEqualTo("no free address in the VIP pool");
    assertCondition(
        condition(p, Types.VM_PROVISIONED), Conditions.FALSE, Reasons.ENDPOINT_UNAVAILABLE);
    assertThat(p.statusHeld).as("the cluster's reason is written on the first look").isFalse();
  }

  @Test
  void aClusterWhoseBootstrapIsFineMeansTheSecretIsJustLate() {
    lookups.secrets.clear();
    TanzuKubernetesCluster tkc = TestObjects.cluster(1);
    tkc.setStatus(new TanzuKubernetesClusterStatus());
    tkc.getStatus()
        .conditions
        .add(TestObjects.condition(Types.BOOTSTRAP_READY, Conditions.TRUE, Reasons.READY, ""));
    lookups.add(tkc);

    MachinePass p = pass();
    steps.bootstrapData(p);
    assertCondition(
        condition(p, Types.BOOTSTRAP_READY), Conditions.FALSE, Reasons.WAITING_FOR_BOOTSTRAP_DATA);
  }

  @Test
  void withoutBootstrapDataNothingIsDeployedOrCloned() {
    lookups.secrets.clear();
    assertThat(reconcile().step()).isEqualTo("bootstrap-data");
    assertThat(mutatingCalls()).isEmpty();
  }

  @Test
  void aMachineWhoseVmExistsNeedsNoSecretAnyMore() {
    seedMachineVm(PowerState.ON, 20480L, 10240L);
    lookups.secrets.clear();
    Pipeline.Outcome o = reconcile();
    assertThat(o.step()).isEqualTo("etcd-member");
  }

  // ---- grants -----------------------------------------------------------------------------------

  @Test
  void whatTheNamespaceNoLongerGrantsIsNeverCloned() {
    namespace.getSpec().vmClasses.clear();
    namespace.getSpec().contentLibraries.clear();

    assertThat(reconcile().step()).isEqualTo("grants");

    assertCondition(condition(Types.VM_PROVISIONED), Conditions.FALSE, Reasons.NOT_GRANTED);
    assertThat(condition(Types.VM_PROVISIONED).getMessage())
        .contains("does not grant VM class " + CLASS + ", content library " + LIB);
    assertThat(mutatingCalls()).isEmpty();
    assertThat(vs.callCount("cloneVm")).isZero();

    // Granted again: the machine goes on by itself.
    namespace.getSpec().vmClasses.add(CLASS);
    namespace.getSpec().contentLibraries.add(LIB);
    assertThat(reconcileUntil("clone")).isNotEmpty();
  }

  @Test
  void aMachineWithItsVmIsNotStoppedByARevokedGrant() {
    seedMachineVm(PowerState.ON, 20480L, 10240L);
    namespace.getSpec().vmClasses.clear();
    assertThat(reconcile().step()).isEqualTo("etcd-member");
  }

  // ---- template ---------------------------------------------------------------------------------

  @Test
  void waitsWhileTheTemplateIsDeployed() {
    vs.holdTasks(true);
    for (int i = 0; i < 3; i++) {
      Pipeline.Outcome o = reconcile();
      assertThat(o.step()).isEqualTo("template");
      assertWait(o.next(), "template not ready", Requeue.TEMPLATE_POLL);
    }
    assertCondition(condition(Types.VM_PROVISIONED), Conditions.FALSE, Reasons.PREPARING_TEMPLATE);
    assertThat(condition(Types.VM_PROVISIONED).getMessage())
        .contains("deploying " + LIB + "/" + ITEM);
    assertThat(vs.callCount("deployOvf")).isEqualTo(1);
    assertThat(vs.callCount("cloneVm")).isZero();
    assertThat(machine.getStatus().phase).isEqualTo("Pending");
  }

  @Test
  void aReadyTemplateIsUsedAsItIs() {
    VmRef t = seedTemplate();
    MachinePass p = pass();
    assertThat(steps.template(p).proceeds()).isTrue();
    assertThat(p.template.vm()).contains(t);
    assertThat(p.template.disks()).isEqualTo(1);
    assertThat(vs.callCount("deployOvf")).isZero();
  }

  // ---- clone ------------------------------------------------------------------------------------

  @Test
  void waitsForAMissingVmClassWithoutCloning() {
    seedTemplate();
    lookups.classes.clear();
    Pipeline.Outcome o = reconcile();
    assertThat(o.step()).isEqualTo("clone");
    assertWait(o.next(), "no VM class", Requeue.USER_FIX);
    assertCondition(condition(Types.VM_PROVISIONED), Conditions.FALSE, Reasons.VM_CLASS_NOT_FOUND);
    assertThat(condition(Types.VM_PROVISIONED).getMessage()).contains(CLASS);
    assertThat(vs.callCount("cloneVm")).isZero();
  }

  @Test
  void startsTheCloneAndWaitsForItsTask() {
    seedTemplate();
    vs.holdTasks(true);
    machine.setStatus(new Machine.Status());
    machine.getStatus().lastTaskError = "an earlier fault";

    Pipeline.Outcome o = reconcile();

    assertThat(o.step()).isEqualTo("clone");
    assertWait(o.next(), "clone started", Requeue.TASK_POLL);
    assertThat(machine.getStatus().taskRef).isEqualTo(vs.pendingTasks().get(0).id());
    assertThat(machine.getStatus().lastTaskError).isNull();
    assertThat(machine.getStatus().phase).isEqualTo("Provisioning");
    assertCondition(condition(Types.VM_PROVISIONED), Conditions.FALSE, Reasons.CLONING);

    Pipeline.Outcome again = reconcile();
    assertThat(again.step()).isEqualTo("follow-task");
    assertWait(again.next(), "running", Requeue.TASK_POLL);
    assertThat(vs.callCount("cloneVm")).isEqualTo(1);
  }

  @Test
  void aNewMachineAsksTheVmWatchInStepNotVcenterWhetherItHasAVm() {
    seedTemplate();
    knownVms.inStep = true;

    Pipeline.Outcome o = reconcile();

    assertThat(o.step()).isEqualTo("clone");
    assertThat(knownVms.answered).as("by instance UUID, then by name").isEqualTo(2);
    assertThat(vs.callCount("findVmByInstanceUuid")).isZero();
    assertThat(vs.calls("findVmInFolder"))
        .as("only the template's look-up")
        .extracting(c -> c.args().get(1))
        .containsExactly(TEMPLATE_NAME);
    assertThat(vs.callCount("cloneVm")).isEqualTo(1);
  }

  @Test
  void aVmTheWatchHasNotSeenYetMakesTheCloneADuplicateThenVcenterIsAsked() {
    seedTemplate();
    VmRef made = seedMachineVm(PowerState.OFF, 20480L);
    knownVms.inStep = true;
    knownVms.unseen.add(made);

    reconcileUntil("etcd-member");

    assertThat(vs.callCount("cloneVm")).as("refused: the name is taken").isEqualTo(1);
    assertThat(vs.callCount("findVmByInstanceUuid")).isPositive();
    assertThat(machineVms()).extracting(VmState::ref).containsExactly(made);
    assertThat(machine.getStatus().vmRef).isEqualTo(made.moref());
  }

  @Test
  void aMachineThatHadAVmAsksVcenterNotAWatchThatHasNotSeenItGo() {
    seedTemplate();
    nodes.nodeReady = true;
    reconcileUntil("etcd-member");
    for (int i = 0; i < 5 && machine.getStatus().taskRef != null; i++) {
      reconcile(); // the guestinfo scrub's task
    }
    assertThat(machine.getStatus().taskRef).isNull();
    VmState vm = theMachineVm();
    knownVms.inStep = true;
    knownVms.stale.add(vm);
    vs.deleteVm(vm.ref());
    vs.resetCalls();

    reconcile();

    assertCondition(condition(Types.VM_PROVISIONED), Conditions.FALSE, Reasons.VM_MISSING);
    assertThat(vs.callCount("findVmByInstanceUuid")).isEqualTo(1);
    assertThat(knownVms.answered).isZero();
    assertThat(vs.callCount("cloneVm")).isZero();
  }

  @Test
  void withoutVolumesTheCloneBootsTheVmAndNoPowerOnFollows() {
    machine.getSpec().volumes = null;
    seedTemplate();
    nodes.nodeReady = true;

    reconcileUntil("etcd-member");

    CloneSpec spec = (CloneSpec) vs.calls("cloneVm").get(0).args().get(0);
    assertThat(spec.powerOn()).as("nothing to add before the first boot").isTrue();
    assertThat(vs.callCount("powerOn")).isZero();
    assertThat(theMachineVm().powerState()).isEqualTo(PowerState.ON);
    assertThat(theMachineVm().annotation()).isEqualTo(MachineSteps.annotation(machine));
    assertThat(theMachineVm().customAttributes())
        .containsAllEntriesOf(MachineSteps.attributes(machine));
    assertCondition(condition(Types.VM_PROVISIONED), Conditions.TRUE, Reasons.POWERED_ON);
    assertThat(recorded.messages("VMPoweredOn")).hasSize(1);
  }

  @Test
  void theStorageClassDatastoreIsLookedUpOncePerMinuteNotPerClone() {
    seedTemplate();
    List<String> clonedAt = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      machine = TestObjects.machine(CLUSTER + "-workers-" + i, Machine.Role.worker, "workers");
      lookups.add(TestObjects.bootstrapSecret(machine));
      now = T0.plus(i < 2 ? Duration.ofSeconds(i) : MachineSteps.DATASTORE_KEPT.plusSeconds(1));
      reconcile();
      clonedAt.add(vs.callCount("cloneVm") + " clones, " + vs.callCount("findDatastore"));
    }
    assertThat(clonedAt)
        .as("clones made, datastore look-ups")
        .containsExactly("1 clones, 1", "2 clones, 1", "3 clones, 2");
    for (var c : vs.calls("cloneVm")) {
      assertThat(((CloneSpec) c.args().get(0)).datastore())
          .contains(vs.findDatastore(DATASTORE).orElseThrow());
    }
  }

  @Test
  void theCloneCarriesIdentitySizeBootstrapDataAndPlacement() {
    VmRef template = seedTemplate();
    reconcile();

    CloneSpec spec = (CloneSpec) vs.calls("cloneVm").get(0).args().get(0);
    assertThat(spec.source()).isEqualTo(template);
    assertThat(spec.name()).isEqualTo(NAME);
    assertThat(spec.folder().moref()).isEqualTo(folderMoref);
    assertThat(spec.pool().moref()).isEqualTo(poolMoref);
    assertThat(spec.datastore()).contains(vs.findDatastore(DATASTORE).orElseThrow());
    assertThat(spec.powerOn()).as("volumes come before the first boot").isFalse();
    VmConfigSpec c = spec.config();
    assertThat(c.instanceUuid()).contains(machine.getMetadata().getUid());
    assertThat(c.cpus()).hasValue(4);
    assertThat(c.memoryMiB()).hasValue(8192);
    assertThat(c.annotation()).contains(MachineSteps.annotation(machine));
    assertThat(c.addDisksMiB()).isEmpty();
    assertThat(c.extraConfig())
        .containsEntry(MachineSteps.TEMPLATE_DISKS_KEY, "1")
        .containsEntry(GuestInfo.USERDATA_ENCODING, "base64")
        .containsKeys(GuestInfo.USERDATA, GuestInfo.METADATA);
  }

  @Test
  void theCloudConfigIsReadOnceForTheCloneNotFromTheCache() {
    seedTemplate();
    assertThat(
            lookups
                .secret(machine.getMetadata().getNamespace(), BootstrapData.secretName(NAME))
                .orElseThrow()
                .getData())
        .as("the cache's copy")
        .isNull();

    reconcile();

    CloneSpec spec = (CloneSpec) vs.calls("cloneVm").get(0).args().get(0);
    assertThat(GuestInfo.decode(spec.config().extraConfig()).userdata()).contains("kubeadm init");
    assertThat(lookups.bootstrapReads).isEqualTo(1);
    reconcile();
    assertThat(lookups.bootstrapReads).as("not again while the clone runs").isEqualTo(1);
  }

  @Test
  void aBootstrapSecretGoneBetweenCacheAndReadIsWaitedForWithoutCloning() {
    seedTemplate();
    lookups.bootstrapDataGone = true; // deleted after the cache saw it

    Pipeline.Outcome o = reconcile();

    assertThat(o.step()).isEqualTo("clone");
    assertWait(o.next(), "no bootstrap data", Requeue.USER_FIX);
    assertThat(condition(Types.VM_PROVISIONED).getMessage()).contains("has no cloud-config");
    assertThat(vs.callCount("cloneVm")).isZero();
  }

  @Test
  void aStorageClassWhoseDatastoreVCenterLacksClonesToTheDefault() {
    seedTemplate();
    VSphereNamespace.StorageClass bare = new VSphereNamespace.StorageClass();
    bare.name = "elsewhere";
    bare.datastore = "/DC0/datastore/not-here";
    namespace.getSpec().storageClasses.add(bare);
    machine.getSpec().storageClass = "elsewhere";
    reconcile();
    CloneSpec spec = (CloneSpec) vs.calls("cloneVm").get(0).args().get(0);
    assertThat(spec.datastore()).isEmpty();
  }

  // ---- identity ---------------------------------------------------------------------------------

  @Test
  void recordsWhoTheVmIsOnceAndWritesTheProviderId() {
    VmRef vm = seedMachineVm(PowerState.ON, 20480L, 10240L);
    VmState state = vs.inspect(vm).orElseThrow();

    reconcile();
    reconcile();

    Machine.Status s = machine.getStatus();
    assertThat(s.vmRef).isEqualTo(vm.moref());
    assertThat(s.biosUUID).isEqualTo(state.biosUuid());
    assertThat(s.instanceUUID).isEqualTo(machine.getMetadata().getUid());
    assertThat(machine.getSpec().providerID).isEqualTo("vsphere://" + state.biosUuid());
    assertThat(specWrites).as("the spec is written once").hasSize(1);
    assertThat(vs.callCount("setCustomAttributes")).isEqualTo(1);
    assertThat(recorded.messages("VMCreated")).hasSize(1);
  }

  @Test
  void aVmOfAnotherInstanceUuidAtTheMachinesPathFailsTheMachineAndIsNotTouched() {
    seedTemplate();
    VmRef foreign =
        vs.vm(NS_FOLDER, NAME)
            .instanceUuid("4212d0c4-0000-0000-0000-000000000001")
            .annotation("an admin's VM")
            .create();
    vs.resetCalls();

    Pipeline.Outcome o = reconcile();

    assertThat(o.step()).isEqualTo("identity");
    assertThat(o.next().after()).as("waits for a person").isEmpty();
    assertCondition(condition(Types.VM_PROVISIONED), Conditions.FALSE, Reasons.PERMANENT_FAILURE);
    assertThat(condition(Types.VM_PROVISIONED).getMessage())
        .contains("already exists")
        .contains("4212d0c4-0000-0000-0000-000000000001");
    assertCondition(condition(Types.READY), Conditions.FALSE, Reasons.PERMANENT_FAILURE);
    assertThat(machine.getStatus().phase).isEqualTo("Failed");
    assertThat(machine.getStatus().vmRef).isNull();
    assertThat(machine.getSpec().providerID).isNull();
    assertThat(mutatingCalls()).isEmpty();
    assertThat(vs.inspect(foreign).orElseThrow().annotation()).isEqualTo("an admin's VM");
    assertThat(recorded.reasons()).containsExactly("MachineFailed");

    vs.resetCalls();
    Pipeline.Outcome later = reconcile();
    assertThat(later.step()).isEqualTo("retry-gate");
    assertThat(vs.calls()).isEmpty();
  }

  // ---- machines are cattle ----------------------------------------------------------------------

  @Test
  void aMachineWhoseVmIsGoneIsFailedVmMissingAndNeverClonedAgain() {
    seedTemplate();
    nodes.nodeReady = true;
    reconcileUntil("etcd-member");
    VmState vm = theMachineVm();
    vs.deleteVm(vm.ref());
    vs.resetCalls();
    recorded.created.clear();

    Pipeline.Outcome o = reconcile();

    assertThat(o.step()).isEqualTo("find-vm");
    assertThat(o.next().after()).as("waits for a person or remediation").isEmpty();
    assertCondition(condition(Types.VM_PROVISIONED), Conditions.FALSE, Reasons.VM_MISSING);
    assertThat(condition(Types.VM_PROVISIONED).getMessage())
        .contains("VM " + NAME)
        .contains(vm.ref().moref())
        .contains(NS_FOLDER)
        .contains("last seen at " + now);
    assertCondition(condition(Types.READY), Conditions.FALSE, Reasons.VM_MISSING);
    assertThat(machine.getStatus().phase).isEqualTo("Failed");
    assertThat(mutatingCalls()).isEmpty();
    assertThat(recorded.reasons()).containsExactly("MachineFailed");

    // Failed for good: no vCenter call, and a retry request finds the VM missing again.
    vs.resetCalls();
    assertThat(reconcile().step()).isEqualTo("retry-gate");
    assertThat(vs.calls()).isEmpty();
    machine.getMetadata().setAnnotations(Map.of(MachineFaults.RETRY_ANNOTATION, "1"));
    assertThat(reconcile().step()).isEqualTo("find-vm");
    assertCondition(condition(Types.VM_PROVISIONED), Conditions.FALSE, Reasons.VM_MISSING);
    assertThat(vs.callCount("cloneVm")).isZero();
    assertThat(machineVms()).isEmpty();
  }

  @Test
  void aReadyNodeIsReadAgainWithinHalfItsClustersUnhealthyTimeoutAndAtMostEveryFiveMinutes() {
    seedTemplate();
    nodes.nodeReady = true;
    nodes.again = 1;
    reconcileUntil("etcd-member");

    assertThat(reconcile().next().after())
        .as("no cluster in the cache: half the default timeout of 5 min, ±10 %")
        .hasValueSatisfying(
            d -> assertThat(d).isBetween(Duration.ofSeconds(135), Duration.ofSeconds(165)));

    TanzuKubernetesCluster tkc = TestObjects.cluster(1);
    tkc.getMetadata().setAnnotations(Map.of(ClusterHealth.UNHEALTHY_TIMEOUT, "30s"));
    lookups.add(tkc);
    assertThat(reconcile().next().after())
        .hasValueSatisfying(
            d -> assertThat(d).isBetween(Duration.ofMillis(13_500), Duration.ofMillis(16_500)));

    tkc.getMetadata().setAnnotations(Map.of(ClusterHealth.UNHEALTHY_TIMEOUT, "30m"));
    assertThat(reconcile().next().after())
        .as("a long timeout: at most 5 minutes, ±10 %")
        .hasValueSatisfying(
            d -> assertThat(d).isBetween(Duration.ofSeconds(270), Duration.ofSeconds(330)));

    tkc.getMetadata().setAnnotations(Map.of(ClusterHealth.UNHEALTHY_TIMEOUT, "soon"));
    assertThat(reconcile().next().after())
        .as("an annotation that does not parse: the default")
        .hasValueSatisfying(
            d -> assertThat(d).isBetween(Duration.ofSeconds(135), Duration.ofSeconds(165)));

    nodes.nodeReady = false;
    nodes.again = 3_000;
    assertThat(reconcile().next().after())
        .as("a node that is not Ready: the observer's own wait")
        .contains(Duration.ofSeconds(3));
  }

  @Test
  void aVmDeletedBetweenItsLookUpAndThePowerOnIsVmMissingNotTheCallsFault() {
    seedTemplate();
    nodes.nodeReady = true;
    reconcileUntil("etcd-member");
    VmState vm = theMachineVm();
    vs.setPowerState(vm.ref(), PowerState.OFF);
    vs.beforeNext("powerOn", () -> vs.deleteVm(vm.ref()));
    vs.resetCalls();

    Pipeline.Outcome o = reconcile();

    assertThat(o.step()).isEqualTo(FAULT);
    assertThat(vs.callCount("powerOn")).isEqualTo(1);
    assertCondition(condition(Types.VM_PROVISIONED), Conditions.FALSE, Reasons.VM_MISSING);
    assertThat(condition(Types.VM_PROVISIONED).getMessage())
        .contains("VM " + NAME)
        .contains("is gone from")
        .doesNotContain("NOT_FOUND");
    assertThat(o.next().after()).as("waits for a person or remediation").isEmpty();
    assertThat(recorded.reasons()).contains("MachineFailed").doesNotContain("TaskFailed");
  }

  @Test
  void aNotFoundFromAPowerOnWhileTheVmIsThereIsStillTheCallsFault() {
    seedTemplate();
    nodes.nodeReady = true;
    reconcileUntil("etcd-member");
    vs.setPowerState(theMachineVm().ref(), PowerState.OFF);
    vs.failNext("powerOn", FaultKind.NOT_FOUND, "the host is gone");

    Pipeline.Outcome o = reconcile();

    assertThat(o.step()).isEqualTo(FAULT);
    assertCondition(condition(Types.VM_PROVISIONED), Conditions.FALSE, Reasons.PERMANENT_FAILURE);
    assertThat(condition(Types.VM_PROVISIONED).getMessage()).contains("the host is gone");
    assertThat(machineVms()).hasSize(1);
  }

  @Test
  void afterARestartTheMessageSaysWhenTheVmWasLastKnownToBeOn() {
    seedTemplate();
    nodes.nodeReady = true;
    reconcileUntil("etcd-member");
    vs.deleteVm(theMachineVm().ref());
    // A new operator process: nothing in memory; the machine's status is what is left.
    steps =
        new MachineSteps(
            vs,
            knownVms,
            vs,
            vs,
            new Templates(vs, vs, vs, vs, placement, new VSphereTags(vs, recorded.events)),
            placement,
            nodes,
            recorded.events,
            faults,
            p -> etcdProblem,
            new VSphereTags(vs, recorded.events));
    pipeline = steps.pipeline();

    reconcile();

    assertCondition(condition(Types.VM_PROVISIONED), Conditions.FALSE, Reasons.VM_MISSING);
    assertThat(condition(Types.VM_PROVISIONED).getMessage())
        .contains("on since")
        .contains("not seen since this operator process started");
  }

  @Test
  void initDataIsNeverClonedForAnInitializedCluster() {
    seedTemplate();
    lookups.add(initializedCluster());
    lookups.add(bootstrapSecretOfKind(KubeadmBootstrap.KIND_INIT));

    Pipeline.Outcome o = reconcile();

    assertThat(o.step()).isEqualTo("clone");
    assertCondition(condition(Types.VM_PROVISIONED), Conditions.FALSE, Reasons.STALE_INIT_DATA);
    assertThat(condition(Types.VM_PROVISIONED).getMessage()).contains("already initialized");
    assertThat(machine.getStatus().phase).isEqualTo("Failed");
    assertThat(vs.callCount("cloneVm")).isZero();
  }

  @Test
  void joinDataIsClonedForAnInitializedCluster() {
    seedTemplate();
    lookups.add(initializedCluster());
    lookups.add(bootstrapSecretOfKind(KubeadmBootstrap.KIND_JOIN));

    assertThat(reconcile().step()).isEqualTo("clone");

    assertThat(vs.callCount("cloneVm")).isEqualTo(1);
    assertCondition(condition(Types.VM_PROVISIONED), Conditions.FALSE, Reasons.CLONING);
  }

  TanzuKubernetesCluster initializedCluster() {
    TanzuKubernetesCluster c = TestObjects.cluster(3);
    c.setStatus(new TanzuKubernetesClusterStatus());
    c.getStatus().conditions =
        new ArrayList<>(
            List.of(
                TestObjects.condition(
                    Types.CONTROL_PLANE_INITIALIZED, Conditions.TRUE, Reasons.READY, "")));
    return c;
  }

  io.fabric8.kubernetes.api.model.Secret bootstrapSecretOfKind(String kind) {
    var s = TestObjects.bootstrapSecret(machine);
    s.getMetadata().setAnnotations(Map.of(KubeadmBootstrap.KIND_ANNOTATION, kind));
    return s;
  }

  // ---- hardware ---------------------------------------------------------------------------------

  @Test
  void addsTheVolumeDisksBeforeTheFirstBoot() {
    seedMachineVm(PowerState.OFF, 20480L);
    Pipeline.Outcome o = reconcile();
    assertThat(o.step()).isEqualTo("hardware");
    assertWait(o.next(), "reconfigure started", Requeue.TASK_POLL);
    VmConfigSpec spec = (VmConfigSpec) vs.calls("reconfigure").get(0).args().get(1);
    assertThat(spec.addDisksMiB()).containsExactly(10240L);
    assertThat(spec.annotation()).as("the notes are right already").isEmpty();
    assertThat(machine.getStatus().taskRef).isNotNull();
    assertCondition(condition(Types.VM_PROVISIONED), Conditions.FALSE, Reasons.CLONING);

    assertThat(reconcile().step()).as("then it powers on").isEqualTo("power");
    assertThat(vs.callCount("reconfigure")).isEqualTo(1);
  }

  @Test
  void onlyTheMissingVolumesAreAdded() {
    machine.getSpec().volumes =
        List.of(TestObjects.volume("etcd", "10Gi"), TestObjects.volume("containerd", "20Gi"));
    seedMachineVm(PowerState.OFF, 20480L, 10240L);
    reconcile();
    VmConfigSpec spec = (VmConfigSpec) vs.calls("reconfigure").get(0).args().get(1);
    assertThat(spec.addDisksMiB()).containsExactly(20480L);
  }

  @Test
  void setsTheNotesEvenOnARunningVmButNoDisks() {
    VmRef vm = seedMachineVm(PowerState.ON, 20480L);
    vs.reconfigure(vm, VmConfigSpec.builder().annotation("edited by hand").build());
    vs.completeAll();
    vs.resetCalls();

    Pipeline.Outcome o = reconcile();

    assertThat(o.step()).isEqualTo("hardware");
    VmConfigSpec spec = (VmConfigSpec) vs.calls("reconfigure").get(0).args().get(1);
    assertThat(spec.annotation()).contains(MachineSteps.annotation(machine));
    assertThat(spec.addDisksMiB()).as("no disks are added to a running VM").isEmpty();
  }

  @Test
  void aVmClonedBeforeTheDiskCountWasRecordedAsksTheTemplate() {
    seedTemplate();
    VmRef vm =
        vs.vm(NS_FOLDER, NAME)
            .pool(NS_POOL)
            .instanceUuid(machine.getMetadata().getUid())
            .disksMiB(20480L)
            .annotation(MachineSteps.annotation(machine))
            .create();
    vs.resetCalls();
    MachinePass p = pass();
    p.vmState = vs.inspect(vm).orElseThrow();
    assertWait(steps.hardware(p), "reconfigure started", Requeue.TASK_POLL);
    VmConfigSpec spec = (VmConfigSpec) vs.calls("reconfigure").get(0).args().get(1);
    assertThat(spec.addDisksMiB()).containsExactly(10240L);
  }

  @Test
  void aVmClonedBeforeTheDiskCountWasRecordedIsNotBootedWhileTheTemplateIsAway() {
    // No template (deleted, or being deployed again): nothing says how many of the VM's disks
    // came from it, so whether the etcd volume is there is unknown.
    vs.holdTasks(true);
    vs.vm(NS_FOLDER, NAME)
        .pool(NS_POOL)
        .instanceUuid(machine.getMetadata().getUid())
        .disksMiB(20480L)
        .annotation(MachineSteps.annotation(machine))
        .create();
    vs.resetCalls();

    Pipeline.Outcome o = reconcile();

    assertThat(vs.callCount("powerOn")).as("never booted without its volume disk").isZero();
    assertThat(o.step()).isEqualTo("hardware");
    assertWait(o.next(), "template not ready", Requeue.TEMPLATE_POLL);

    vs.holdTasks(false);
    vs.completeAll();
    reconcileUntil("hardware");
    VmConfigSpec spec = (VmConfigSpec) vs.calls("reconfigure").get(0).args().get(1);
    assertThat(spec.addDisksMiB()).containsExactly(10240L);
  }

  @Test
  void aVmWithEverythingGoesOn() {
    VmRef vm = seedMachineVm(PowerState.OFF, 20480L, 10240L);
    MachinePass p = pass();
    p.vmState = vs.inspect(vm).orElseThrow();
    assertThat(steps.hardware(p).proceeds()).isTrue();
    assertThat(vs.calls()).isEmpty();
  }

  // ---- power ------------------------------------------------------------------------------------

  @Test
  void powersOnAndWaits() {
    seedMachineVm(PowerState.OFF, 20480L, 10240L);
    Pipeline.Outcome o = reconcile();
    assertThat(o.step()).isEqualTo("power");
    assertWait(o.next(), "power-on started", Requeue.TASK_POLL);
    assertCondition(condition(Types.VM_PROVISIONED), Conditions.FALSE, Reasons.POWERING_ON);
    assertThat(machine.getStatus().phase).isEqualTo("Provisioning");
    assertThat(vs.callCount("powerOn")).isEqualTo(1);
  }

  @Test
  void aRunningVmIsProvisionedAndItsBackOffForgotten() {
    seedMachineVm(PowerState.ON, 20480L, 10240L);
    machine.setStatus(new Machine.Status());
    machine.getStatus().retry = new Machine.Retry();
    machine.getStatus().retry.attempts = 3;
    machine.getStatus().retry.notBefore = T0.minusSeconds(1).toString();

    reconcile();
    reconcile();

    assertCondition(condition(Types.VM_PROVISIONED), Conditions.TRUE, Reasons.POWERED_ON);
    assertThat(machine.getStatus().retry).isNull();
    assertThat(machine.getStatus().phase).isEqualTo("Provisioned");
    assertThat(recorded.messages("VMPoweredOn")).hasSize(1);
    assertThat(vs.callCount("powerOn")).isZero();
  }

  @Test
  void anAcknowledgedRetryRequestIsKeptWhenTheBackOffIsForgotten() {
    seedMachineVm(PowerState.ON, 20480L, 10240L);
    machine.setStatus(new Machine.Status());
    machine.getStatus().retry = new Machine.Retry();
    machine.getStatus().retry.attempts = 2;
    machine.getStatus().retry.acknowledgedRequest = "1";
    reconcile();
    assertThat(machine.getStatus().retry.attempts).isNull();
    assertThat(machine.getStatus().retry.acknowledgedRequest).isEqualTo("1");
  }

  // ---- addresses and node -----------------------------------------------------------------------

  @Test
  void theGuestsAddressesBecomeInternalIps() {
    VmRef vm = seedMachineVm(PowerState.ON, 20480L, 10240L);
    reconcile();
    assertThat(machine.getStatus().addresses).isNull();

    vs.setIpAddresses(vm, "10.0.0.7", "fd00::7");
    reconcile();
    assertThat(machine.getStatus().addresses)
        .extracting(a -> a.type + " " + a.address)
        .containsExactly("InternalIP 10.0.0.7", "InternalIP fd00::7");
  }

  @Test
  void theNodeStepWaitsAsTheObserverSays() {
    seedMachineVm(PowerState.ON, 20480L, 10240L);
    nodes.again = 3000;
    Pipeline.Outcome o = reconcile();
    assertThat(o.step()).isEqualTo("etcd-member");
    assertWait(o.next(), "watching the node", Duration.ofSeconds(3));
    assertCondition(condition(Types.NODE_HEALTHY), Conditions.FALSE, Reasons.WAITING_FOR_NODE);

    nodes.again = 0;
    nodes.nodeReady = true;
    Pipeline.Outcome ready = reconcile();
    assertWait(ready.next(), "watching the node", null);
    assertCondition(condition(Types.READY), Conditions.TRUE, Reasons.NODE_READY);
    assertThat(machine.getStatus().phase).isEqualTo("Running");
    assertThat(nodes.observed).isEqualTo(2);
  }

  // ---- faults -----------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @EnumSource(FaultKind.class)
  void aCloneRefusedByVCenterBacksOffOrFailsByItsKind(FaultKind kind) {
    seedTemplate();
    vs.failNext("cloneVm", kind, "scripted " + kind);

    Pipeline.Outcome o = reconcile();

    assertThat(o.step()).isEqualTo(FAULT);
    assertThat(machine.getStatus().lastTaskError).contains("scripted " + kind);
    // Faults about Slipway's access to vCenter are no fault of the machine: they back off too.
    boolean access =
        kind == FaultKind.NOT_AUTHENTICATED
            || kind == FaultKind.PERMISSION
            || kind == FaultKind.UNTRUSTED_CERTIFICATE;
    if (kind.isRetryable() || access) {
      assertWait(o.next(), "backing off", backoff.delay(1));
      assertThat(o.next().after()).contains(BASE);
      assertThat(machine.getStatus().retry.attempts).isEqualTo(1);
      assertThat(machine.getStatus().retry.notBefore).isEqualTo("2030-01-01T00:00:05Z");
      assertCondition(condition(Types.VM_PROVISIONED), Conditions.FALSE, Reasons.TASK_FAILED);
      assertThat(condition(Types.VM_PROVISIONED).getMessage()).contains("attempt 1");
      assertThat(machine.getStatus().phase).isNotEqualTo("Failed");
      assertThat(recorded.reasons()).containsExactly("TaskFailed");
    } else {
      assertWait(o.next(), "failed permanently", null);
      assertThat(machine.getStatus().retry).isNull();
      assertCondition(condition(Types.VM_PROVISIONED), Conditions.FALSE, Reasons.PERMANENT_FAILURE);
      assertCondition(condition(Types.READY), Conditions.FALSE, Reasons.PERMANENT_FAILURE);
      assertThat(condition(Types.VM_PROVISIONED).getObservedGeneration()).isEqualTo(1L);
      assertThat(machine.getStatus().phase).isEqualTo("Failed");
      assertThat(recorded.reasons()).containsExactly("MachineFailed");
    }
  }

  @Test
  void theBackOffDoublesAndIsHonouredUntilItsTime() {
    seedTemplate();
    vs.failNext("cloneVm", FaultKind.INSUFFICIENT_RESOURCES, "no room");
    vs.failNext("cloneVm", FaultKind.INSUFFICIENT_RESOURCES, "no room");

    assertThat(reconcile().next().after()).contains(Duration.ofSeconds(5));

    now = T0.plusSeconds(2);
    vs.resetCalls();
    Pipeline.Outcome early = reconcile();
    assertThat(early.step()).isEqualTo("retry-gate");
    assertWait(early.next(), "backing off after 1 failure(s)", Duration.ofSeconds(3));
    assertThat(vs.calls()).as("no vCenter call during the back-off").isEmpty();

    now = T0.plusSeconds(5);
    Pipeline.Outcome second = reconcile();
    assertThat(second.step()).isEqualTo(FAULT);
    assertThat(second.next().after()).contains(backoff.delay(2)).contains(Duration.ofSeconds(10));
    assertThat(machine.getStatus().retry.attempts).isEqualTo(2);
    assertThat(machine.getStatus().retry.notBefore).isEqualTo("2030-01-01T00:00:15Z");

    now = T0.plusSeconds(15);
    assertThat(reconcile().step()).isEqualTo("clone");
    assertThat(machine.getStatus().retry.attempts).as("kept until the VM is on").isEqualTo(2);
    assertThat(reconcileUntil("etcd-member")).endsWith("power", "etcd-member");
    assertThat(machine.getStatus().retry).isNull();
    assertThat(vs.callCount("cloneVm")).as("since the first failure").isEqualTo(2);
    assertThat(machineVms()).hasSize(1);
  }

  @Test
  void anUnreachableVCenterIsTriedAgainWithinTenSecondsHoweverLongTheBackOff() {
    seedTemplate();
    for (int i = 0; i < 6; i++) {
      vs.failNext(
          "cloneVm",
          new VSphereFault(FaultKind.TRANSIENT, "ConnectException", "connection refused"));
    }
    vs.failNext("cloneVm", FaultKind.TRANSIENT, "HTTP 503");
    // vCenter down: 5 s, then never more than 10 s, although the back-off grows to 160 s.
    for (int attempt = 1; attempt <= 6; attempt++) {
      Pipeline.Outcome o = reconcile();
      assertThat(o.step()).isEqualTo(FAULT);
      Duration expected = attempt == 1 ? Duration.ofSeconds(5) : Requeue.VCENTER_UNREACHABLE;
      assertThat(o.next().after()).as("attempt %d", attempt).contains(expected);
      now = now.plus(expected);
    }
    assertThat(machine.getStatus().retry.attempts).isEqualTo(6);
    // vCenter answers, with a fault: the back-off has grown meanwhile.
    Pipeline.Outcome answered = reconcile();
    assertThat(answered.step()).isEqualTo(FAULT);
    assertThat(answered.next().after()).contains(backoff.delay(7));
  }

  @Test
  void theBackOffSurvivesARestartBecauseItIsInTheStatus() {
    seedTemplate();
    vs.failNext("cloneVm", FaultKind.TRANSIENT, "vCenter restarting");
    reconcile();

    // A new process: new steps, faults and templates; the machine's status is all that is left.
    faults = new MachineFaults(backoff, recorded.events);
    pipeline =
        new MachineSteps(
                vs,
                knownVms,
                vs,
                vs,
                new Templates(vs, vs, vs, vs, placement, new VSphereTags(vs, recorded.events)),
                placement,
                nodes,
                recorded.events,
                faults,
                p -> etcdProblem,
                new VSphereTags(vs, recorded.events))
            .pipeline();
    now = T0.plusSeconds(1);
    vs.resetCalls();
    Pipeline.Outcome o = reconcile();
    assertThat(o.step()).isEqualTo("retry-gate");
    assertThat(o.next().after()).contains(Duration.ofSeconds(4));
    assertThat(vs.calls()).isEmpty();
  }

  @Test
  void aFailedTaskBacksOffLikeARefusedCall() {
    seedTemplate();
    vs.failTask("cloneVm", FaultKind.INSUFFICIENT_RESOURCES, "not enough memory on the cluster");
    assertThat(reconcile().step()).isEqualTo("clone");

    Pipeline.Outcome o = reconcile();

    assertThat(o.step()).isEqualTo(FAULT);
    assertThat(o.next().after()).contains(BASE);
    assertThat(machine.getStatus().taskRef).isNull();
    assertThat(machine.getStatus().retry.attempts).isEqualTo(1);
    assertThat(machine.getStatus().lastTaskError).contains("not enough memory");
    assertThat(machineVms()).isEmpty();
  }

  @Test
  void aPermanentFaultStopsEveryLaterPassAtTheSameGeneration() {
    seedTemplate();
    vs.failNext("cloneVm", FaultKind.INVALID_ARGUMENT, "bad spec");
    reconcile();
    vs.resetCalls();
    recorded.created.clear();

    for (int i = 0; i < 3; i++) {
      now = now.plus(Duration.ofHours(1));
      Pipeline.Outcome o = reconcile();
      assertThat(o.step()).isEqualTo("retry-gate");
      assertWait(o.next(), "failed permanently", null);
    }

    assertThat(vs.calls()).as("no vCenter call at all").isEmpty();
    assertThat(recorded.created).isEmpty();
    assertThat(machine.getStatus().phase).isEqualTo("Failed");
  }

  @Test
  void aRetryRequestResumesAFailedMachineOncePerValue() {
    seedTemplate();
    vs.failNext("cloneVm", FaultKind.INVALID_ARGUMENT, "bad spec");
    vs.failNext("cloneVm", FaultKind.INVALID_ARGUMENT, "still bad");
    reconcile();

    machine
        .getMetadata()
        .setAnnotations(new HashMap<>(Map.of(MachineFaults.RETRY_ANNOTATION, "1")));
    Pipeline.Outcome retried = reconcile();
    assertThat(retried.step()).as("the gate let it through to vCenter").isEqualTo(FAULT);
    assertThat(machine.getStatus().retry.acknowledgedRequest).isEqualTo("1");
    assertThat(vs.callCount("cloneVm")).isEqualTo(2);
    assertThat(machine.getStatus().phase).isEqualTo("Failed");

    vs.resetCalls();
    assertThat(reconcile().step()).as("the same value asks nothing new").isEqualTo("retry-gate");
    assertThat(vs.calls()).isEmpty();

    machine.getMetadata().getAnnotations().put(MachineFaults.RETRY_ANNOTATION, "2");
    Pipeline.Outcome resumed = reconcile();
    assertThat(resumed.step()).isEqualTo("clone");
    assertThat(machine.getStatus().retry.acknowledgedRequest).isEqualTo("2");
    assertThat(machine.getStatus().phase).isEqualTo("Provisioning");
    assertThat(Conditions.of(machine.getStatus().conditions, null).get(Types.READY))
        .as("Ready no longer says Failed")
        .isEmpty();
  }

  @Test
  void aRetryRequestAlsoClearsARunningBackOff() {
    seedTemplate();
    vs.failNext("cloneVm", FaultKind.INSUFFICIENT_RESOURCES, "no room");
    reconcile();
    machine.getMetadata().setAnnotations(Map.of(MachineFaults.RETRY_ANNOTATION, "now"));

    Pipeline.Outcome o = reconcile();

    assertThat(o.step()).isEqualTo("clone");
    assertThat(machine.getStatus().retry.attempts).isNull();
    assertThat(machine.getStatus().retry.notBefore).isNull();
  }

  @Test
  void aNewGenerationResumesAFailedMachine() {
    seedTemplate();
    vs.failNext("cloneVm", FaultKind.INVALID_ARGUMENT, "bad spec");
    reconcile();
    machine.getMetadata().setGeneration(2L);

    assertThat(reconcile().step()).isEqualTo("clone");
    assertThat(vs.callCount("cloneVm")).isEqualTo(2);
  }

  @Test
  void thePassAfterTheCloneReadsTheVmTheTaskReturnedWithoutASearch() {
    seedTemplate();
    vs.holdTasks(true);
    reconcile();
    vs.holdTasks(false);
    vs.completeAll();
    vs.resetCalls();

    Pipeline.Outcome o = reconcile();

    assertThat(o.step()).isEqualTo("hardware");
    assertThat(machine.getStatus().vmRef).isEqualTo(theMachineVm().ref().moref());
    assertThat(vs.callCount("findVmByInstanceUuid")).isZero();
    assertThat(vs.callCount("findVmInFolder")).isZero();
  }

  @Test
  void aCloneTaskThatFoundItsVmAlreadyThereIsNotAFailure() {
    seedTemplate();
    vs.failTask("cloneVm", FaultKind.ALREADY_EXISTS, "The name '" + NAME + "' already exists.");
    assertThat(reconcile().step()).isEqualTo("clone");
    // The VM is there after all (an earlier clone of this machine made it).
    seedMachineVm(PowerState.OFF, 20480L, 10240L);

    Pipeline.Outcome o = reconcile();

    assertThat(o.step()).isEqualTo("power");
    assertThat(machine.getStatus().retry).isNull();
    assertThat(machine.getStatus().vmRef).isNotNull();
    assertThat(machine.getStatus().phase).isNotEqualTo("Failed");
    assertThat(vs.callCount("cloneVm")).isZero();
  }

  @Test
  void aForgottenCloneTaskIsFollowedByTheLookUpNotBySecondClone() {
    seedTemplate();
    vs.holdTasks(true);
    reconcile();
    TaskRef clone = new TaskRef(machine.getStatus().taskRef);
    vs.forgetTask(clone);
    vs.holdTasks(false);

    Pipeline.Outcome o = reconcile();

    assertThat(machine.getStatus().taskRef).isNotEqualTo(clone.id());
    assertThat(o.step()).isEqualTo("hardware");
    assertThat(vs.callCount("cloneVm")).isEqualTo(1);
    assertThat(theMachineVm().instanceUuid()).isEqualTo(machine.getMetadata().getUid());
  }

  @Test
  void aLostCloneIsClonedAgain() {
    seedTemplate();
    vs.holdTasks(true);
    reconcile();
    vs.loseTask(new TaskRef(machine.getStatus().taskRef));
    vs.holdTasks(false);

    assertThat(reconcile().step()).isEqualTo("clone");
    assertThat(vs.callCount("cloneVm")).isEqualTo(2);
    assertThat(reconcileUntil("etcd-member")).endsWith("etcd-member");
    assertThat(machineVms()).hasSize(1);
  }

  @Test
  void aCrashThatLostTheTaskRefAfterTheCloneFindsTheVmAndDoesNotCloneAgain() {
    seedTemplate();
    reconcile();
    vs.completeAll();
    machine.getStatus().taskRef = null; // the status write after the clone never happened

    Pipeline.Outcome o = reconcile();

    assertThat(o.step()).isEqualTo("hardware");
    assertThat(vs.callCount("cloneVm")).isEqualTo(1);
    assertThat(machine.getStatus().vmRef).isEqualTo(theMachineVm().ref().moref());
    nodes.nodeReady = true;
    reconcileUntil("etcd-member");
    assertThat(vs.callCount("cloneVm")).isEqualTo(1);
    assertThat(machineVms()).hasSize(1);
  }

  @Test
  void aCrashThatLostTheTaskRefDuringTheCloneEndsWithOneVmAndNoFailure() {
    seedTemplate();
    vs.holdTasks(true);
    reconcile();
    machine.getStatus().taskRef = null;

    // The first clone has not made its VM yet, so the look-up finds none and clones again; the
    // second clone then finds the name taken, which is not a failure.
    assertThat(reconcile().step()).isEqualTo("clone");
    vs.holdTasks(false);
    vs.completeAll();
    nodes.nodeReady = true;
    reconcileUntil("etcd-member");

    assertThat(machineVms()).hasSize(1);
    assertThat(theMachineVm().instanceUuid()).isEqualTo(machine.getMetadata().getUid());
    assertThat(machine.getStatus().retry).isNull();
    assertThat(machine.getStatus().phase).isEqualTo("Running");
  }

  @Test
  void aFaultInAnyStepEndsThePassThroughTheBackOff() {
    seedMachineVm(PowerState.OFF, 20480L, 10240L);
    vs.failNext("powerOn", FaultKind.INVALID_STATE, "host in maintenance");
    Pipeline.Outcome o = reconcile();
    assertThat(o.step()).isEqualTo(FAULT);
    assertThat(machine.getStatus().retry.attempts).isEqualTo(1);

    // The VM is recorded now: the look-up reads it by its reference.
    vs.failNext("vmState", FaultKind.TRANSIENT, "timeout");
    now = T0.plusSeconds(5);
    assertThat(reconcile().step()).isEqualTo(FAULT);
    assertThat(machine.getStatus().retry.attempts).isEqualTo(2);
  }

  @Test
  void aTemplateDeployThatFailsIsAFaultOfTheMachine() {
    vs.failTask("deployOvf", FaultKind.INSUFFICIENT_RESOURCES, "datastore full");
    assertThat(reconcile().step()).isEqualTo("template");
    assertThat(reconcile().step()).isEqualTo(FAULT);
    assertThat(machine.getStatus().lastTaskError).contains("datastore full");
    assertThat(machine.getStatus().retry.attempts).isEqualTo(1);
  }
}
