package dev.slipway.operator.controller;

import static dev.slipway.operator.controller.TestObjects.T0;
import static dev.slipway.operator.controller.TestObjects.VERSION;
import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.NodePool;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesClusterStatus;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesClusterStatus.ReplicaCounts;
import dev.slipway.operator.status.Conditions;
import dev.slipway.operator.status.Reasons;
import dev.slipway.operator.status.Types;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link ClusterStatus#summarize} as a table. Columns:
 *
 * <ul>
 *   <li><b>topology</b>: {@code cp=N} control-plane replicas, then pools {@code name=replicas}
 *       ({@code -}: no replicas, an autoscaled pool).
 *   <li><b>machines</b>: {@code group:state[:deleting]}, group {@code cp} or a pool name, state
 *       {@code ready}, {@code pending} (no Ready condition yet) or {@code failed}.
 *   <li><b>conditions</b>: set by earlier steps, {@code Type=Status:Reason}.
 *   <li><b>was</b>: the status.version before the pass (the cluster was Ready once at it).
 *   <li><b>Ready</b>: {@code Status:Reason} expected; <b>cp</b> and pools {@code
 *       desired/replicas/ready}; <b>version</b> expected after the pass.
 * </ul>
 */
class ClusterStatusTest {
  static final String NONE = "-";

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      nullValues = NONE,
      textBlock =
"""
# case                              | topology   | machines                                                        | conditions                                                                          | was | Ready                                   | phase        | cp    | pools        | version
no machines yet                     | cp=1 np1=2 | -                                                               | -                                                                                   | -   | False:WaitingForControlPlane            | creating     | 1/0/0 | np1=2/0/0    | -
control plane pending               | cp=1 np1=2 | cp:pending                                                      | -                                                                                   | -   | False:WaitingForControlPlane            | creating     | 1/1/0 | np1=2/0/0    | -
control plane ready, workers not    | cp=1 np1=2 | cp:ready np1:pending np1:pending                                | -                                                                                   | -   | False:Scaling                           | creating     | 1/1/1 | np1=2/2/0    | -
one worker still missing            | cp=1 np1=2 | cp:ready np1:ready                                              | -                                                                                   | -   | False:Scaling                           | creating     | 1/1/1 | np1=2/1/1    | -
all ready                           | cp=1 np1=2 | cp:ready np1:ready np1:ready                                    | -                                                                                   | -   | True:Ready                              | running      | 1/1/1 | np1=2/2/2    | v1.30.1+vmware.1
all ready, steps' conditions True   | cp=1 np1=2 | cp:ready np1:ready np1:ready                                    | ResourcesResolved=True:Resolved BootstrapReady=True:Ready WithinNamespaceLimits=True:WithinLimits | - | True:Ready                  | running      | 1/1/1 | np1=2/2/2    | v1.30.1+vmware.1
upgraded and ready again            | cp=1 np1=2 | cp:ready np1:ready np1:ready                                    | -                                                                                   | v1.29.4+vmware.1 | True:Ready                 | running      | 1/1/1 | np1=2/2/2    | v1.30.1+vmware.1
three control planes, one pending   | cp=3 np1=2 | cp:ready cp:ready cp:pending np1:ready np1:ready                | -                                                                                   | -   | False:WaitingForControlPlane            | creating     | 3/3/2 | np1=2/2/2    | -
two pools, one not ready            | cp=1 np1=1 np2=1 | cp:ready np1:ready np2:pending                            | -                                                                                   | -   | False:Scaling                           | creating     | 1/1/1 | np1=1/1/1 np2=1/1/0 | -
one machine failed                  | cp=1 np1=2 | cp:ready np1:ready np1:failed                                   | -                                                                                   | -   | False:MachineFailed                     | failed       | 1/1/1 | np1=2/2/1    | -
one machine failed after Ready once | cp=1 np1=2 | cp:ready np1:ready np1:failed                                   | -                                                                                   | v1.29.4+vmware.1 | False:MachineFailed        | updateFailed | 1/1/1 | np1=2/2/1    | v1.29.4+vmware.1
a failure outranks the conditions   | cp=1 np1=2 | cp:ready np1:ready np1:failed                                   | ResourcesResolved=False:NamespaceNotReady                                           | -   | False:MachineFailed                     | failed       | 1/1/1 | np1=2/2/1    | -
deleting machines are ignored       | cp=1 np1=2 | cp:ready np1:ready np1:ready np1:ready:deleting np1:failed:deleting cp:pending:deleting | -                                            | -   | True:Ready                              | running      | 1/1/1 | np1=2/2/2    | v1.30.1+vmware.1
surplus workers while scaling in    | cp=1 np1=2 | cp:ready np1:ready np1:ready np1:ready                          | -                                                                                   | -   | False:Scaling                           | creating     | 1/1/1 | np1=2/3/3    | -
pool without replicas, all ready    | cp=1 auto=- | cp:ready auto:ready auto:ready                                 | -                                                                                   | -   | True:Ready                              | running      | 1/1/1 | auto=2/2/2   | v1.30.1+vmware.1
pool without replicas, one not      | cp=1 auto=- | cp:ready auto:ready auto:pending                               | -                                                                                   | -   | False:Scaling                           | creating     | 1/1/1 | auto=2/2/1   | -
pool without replicas and machines  | cp=1 auto=- | cp:ready                                                       | -                                                                                   | -   | True:Ready                              | running      | 1/1/1 | auto=0/0/0   | v1.30.1+vmware.1
references do not resolve           | cp=1 np1=2 | cp:ready np1:ready np1:ready                                    | ResourcesResolved=False:NamespaceNotReady                                           | -   | False:NamespaceNotReady                 | creating     | 1/1/1 | np1=2/2/2    | -
references break after Ready        | cp=1 np1=2 | cp:ready np1:ready np1:ready                                    | ResourcesResolved=False:VersionDowngrade                                            | v1.29.4+vmware.1 | False:VersionDowngrade     | updating     | 1/1/1 | np1=2/2/2    | v1.29.4+vmware.1
no bootstrap data                   | cp=1 np1=2 | cp:pending                                                      | ResourcesResolved=True:Resolved BootstrapReady=False:ControlPlaneEndpointUnavailable | -  | False:ControlPlaneEndpointUnavailable   | creating     | 1/1/0 | np1=2/0/0    | -
bootstrap state unknown             | cp=1 np1=2 | cp:ready np1:ready np1:ready                                    | BootstrapReady=Unknown:Checking                                                     | -   | False:Checking                          | creating     | 1/1/1 | np1=2/2/2    | -
over the namespace's limits         | cp=1 np1=2 | cp:ready np1:ready                                              | ResourcesResolved=True:Resolved WithinNamespaceLimits=False:NamespaceLimitExceeded  | -   | False:NamespaceLimitExceeded            | creating     | 1/1/1 | np1=2/1/1    | -
the first step's condition wins     | cp=1 np1=2 | cp:ready np1:ready np1:ready                                    | WithinNamespaceLimits=False:NamespaceLimitExceeded BootstrapReady=False:InvalidClusterCertificates ResourcesResolved=False:TanzuKubernetesReleaseNotReady | - | False:TanzuKubernetesReleaseNotReady | creating | 1/1/1 | np1=2/2/2 | -
addons before the machines          | cp=1 np1=2 | cp:pending                                                      | ResourcesResolved=True:Resolved AddonsReady=False:AddonManifestNotFound             | -   | False:AddonManifestNotFound             | creating     | 1/1/0 | np1=2/0/0    | -
addons applied, all ready           | cp=1 np1=2 | cp:ready np1:ready np1:ready                                    | AddonsReady=True:AddonsApplied                                                      | -   | True:Ready                              | running      | 1/1/1 | np1=2/2/2    | v1.30.1+vmware.1
limits before the machines          | cp=1 np1=2 | cp:pending                                                      | WithinNamespaceLimits=False:NamespaceLimitExceeded                                  | -   | False:NamespaceLimitExceeded            | creating     | 1/1/0 | np1=2/0/0    | -
a failed machine being replaced     | cp=1 np1=2 | cp:ready np1:ready np1:failed                                   | MachinesHealthy=False:Remediating                                                   | -   | False:Remediating                       | failed       | 1/1/1 | np1=2/2/1    | -
remediation short-circuited         | cp=1 np1=2 | cp:ready np1:ready np1:ready                                    | MachinesHealthy=False:TooManyUnhealthy                                              | -   | False:TooManyUnhealthy                  | creating     | 1/1/1 | np1=2/2/2    | -
short circuit outranks the counts   | cp=1 np1=2 | cp:ready np1:pending np1:pending                                | MachinesHealthy=False:TooManyUnhealthy                                              | -   | False:TooManyUnhealthy                  | creating     | 1/1/1 | np1=2/2/0    | -
""")
  void summarizes(
      String name,
      String topology,
      String machines,
      String conditions,
      String was,
      String ready,
      String phase,
      String cp,
      String pools,
      String version) {
    TanzuKubernetesCluster tkc = cluster(topology);
    TanzuKubernetesClusterStatus status = new TanzuKubernetesClusterStatus();
    status.version = was;
    Conditions cond = Conditions.of(conditions(conditions), 1L, clock(T0));

    ClusterStatus.summarize(tkc, machines(machines), cond, status, null);

    Condition r = cond.get(Types.READY).orElseThrow();
    assertThat(r.getStatus() + ":" + r.getReason())
        .as("Ready (%s)", r.getMessage())
        .isEqualTo(ready);
    assertThat(status.phase).as("phase").isEqualTo(phase);
    assertThat(counts(status.controlPlane)).as("control plane").isEqualTo(cp);
    assertThat(
            status.nodePools.stream()
                .map(p -> p.name + "=" + counts(p))
                .collect(Collectors.joining(" ")))
        .as("pools")
        .isEqualTo(pools);
    assertThat(status.totalWorkerReplicas)
        .as("total workers")
        .isEqualTo(status.nodePools.stream().mapToInt(p -> p.desiredReplicas).sum());
    assertThat(status.version).as("version").isEqualTo(version);
    assertThat(cond.isTrue(Types.CONTROL_PLANE_READY))
        .as("ControlPlaneReady")
        .isEqualTo(status.controlPlane.readyReplicas >= status.controlPlane.desiredReplicas);
  }

  @Test
  void aFailedMachineIsNamedWithItsReason() {
    TanzuKubernetesCluster tkc = cluster("cp=1 np1=2");
    Conditions cond = Conditions.of(List.of(), 1L, clock(T0));
    ClusterStatus.summarize(
        tkc,
        machines("cp:ready np1:ready np1:failed"),
        cond,
        new TanzuKubernetesClusterStatus(),
        null);
    assertThat(cond.get(Types.READY).orElseThrow().getMessage())
        .isEqualTo("machine c1-np1-3 failed: VM c1-np1-3 cannot be built");
  }

  @Test
  void aBlockingConditionLendsReadyItsMessage() {
    Conditions cond =
        Conditions.of(
            List.of(
                TestObjects.condition(
                    Types.RESOURCES_RESOLVED,
                    Conditions.FALSE,
                    Reasons.NAMESPACE_NOT_FOUND,
                    "namespace ns1 is not a vSphere Namespace")),
            1L,
            clock(T0));
    ClusterStatus.summarize(
        cluster("cp=1"), machines("cp:ready"), cond, new TanzuKubernetesClusterStatus(), null);
    assertThat(cond.get(Types.READY).orElseThrow().getMessage())
        .isEqualTo("namespace ns1 is not a vSphere Namespace");
  }

  @Test
  void aDeletedClusterIsDeletingWhateverItsMachines() {
    TanzuKubernetesCluster tkc = cluster("cp=1 np1=2");
    tkc.getMetadata().setDeletionTimestamp(T0.toString());
    TanzuKubernetesClusterStatus status = new TanzuKubernetesClusterStatus();
    ClusterStatus.summarize(
        tkc,
        machines("cp:ready np1:ready np1:failed"),
        Conditions.of(List.of(), 1L, clock(T0)),
        status,
        null);
    assertThat(status.phase).isEqualTo("deleting");
  }

  @Test
  void saysWhenTheClusterJustBecameReadyAndOnlyThen() {
    TanzuKubernetesCluster tkc = cluster("cp=1 np1=1");
    TanzuKubernetesClusterStatus status = new TanzuKubernetesClusterStatus();

    assertThat(pass(tkc, status, "cp:ready np1:pending", T0)).isFalse();
    assertThat(pass(tkc, status, "cp:ready np1:ready", T0.plusSeconds(10))).isTrue();
    assertThat(pass(tkc, status, "cp:ready np1:ready", T0.plusSeconds(20))).isFalse();
    assertThat(pass(tkc, status, "cp:ready np1:pending", T0.plusSeconds(30))).isFalse();
    assertThat(pass(tkc, status, "cp:ready np1:ready", T0.plusSeconds(40))).isTrue();
  }

  @Test
  void lastTransitionTimesAreKeptWhenNothingChanges() {
    TanzuKubernetesCluster tkc = cluster("cp=1 np1=1");
    TanzuKubernetesClusterStatus status = new TanzuKubernetesClusterStatus();
    Instant t1 = T0;
    pass(tkc, status, "cp:ready np1:ready", t1);
    Map<String, String> first = transitions(status);
    assertThat(first)
        .containsEntry(Types.READY, t1.toString())
        .containsEntry(Types.CONTROL_PLANE_READY, t1.toString())
        .containsEntry(Types.NODE_POOLS_READY, t1.toString());

    pass(tkc, status, "cp:ready np1:ready", t1.plusSeconds(60));
    assertThat(transitions(status)).isEqualTo(first);

    Instant t3 = t1.plusSeconds(120);
    pass(tkc, status, "cp:ready np1:pending", t3);
    assertThat(transitions(status))
        .containsEntry(Types.READY, t3.toString())
        .containsEntry(Types.NODE_POOLS_READY, t3.toString())
        .containsEntry(Types.CONTROL_PLANE_READY, t1.toString());

    // The message changes with the count, the transition time does not while it stays False.
    pass(tkc, status, "cp:ready", t3.plusSeconds(60));
    assertThat(transitions(status))
        .containsEntry(Types.READY, t3.toString())
        .containsEntry(Types.NODE_POOLS_READY, t3.toString());
  }

  // ---- helpers ----------------------------------------------------------------------------------

  /** One reconcile's summary at {@code now}, kept in {@code status} as StatusFinisher would. */
  static boolean pass(
      TanzuKubernetesCluster tkc,
      TanzuKubernetesClusterStatus status,
      String machines,
      Instant now) {
    Conditions cond = Conditions.of(status.conditions, 1L, clock(now));
    boolean becameReady = ClusterStatus.summarize(tkc, machines(machines), cond, status, null);
    status.observed(cond.list(), 1L);
    return becameReady;
  }

  static Map<String, String> transitions(TanzuKubernetesClusterStatus status) {
    return status.conditions.stream()
        .collect(Collectors.toMap(Condition::getType, Condition::getLastTransitionTime));
  }

  static Clock clock(Instant now) {
    return Clock.fixed(now, ZoneOffset.UTC);
  }

  static String counts(ReplicaCounts c) {
    return c.desiredReplicas + "/" + c.replicas + "/" + c.readyReplicas;
  }

  static TanzuKubernetesCluster cluster(String topology) {
    int cp = 1;
    List<NodePool> pools = new ArrayList<>();
    for (String part : topology.trim().split("\\s+")) {
      String[] kv = part.split("=");
      if (kv[0].equals("cp")) {
        cp = Integer.parseInt(kv[1]);
      } else {
        pools.add(TestObjects.pool(kv[0], kv[1].equals(NONE) ? null : Integer.parseInt(kv[1])));
      }
    }
    return TestObjects.cluster(cp, pools.toArray(NodePool[]::new));
  }

  static List<Condition> conditions(String spec) {
    List<Condition> out = new ArrayList<>();
    if (spec == null) {
      return out;
    }
    for (String part : spec.trim().split("\\s+")) {
      String[] typeRest = part.split("=");
      String[] statusReason = typeRest[1].split(":");
      out.add(
          TestObjects.condition(
              typeRest[0], statusReason[0], statusReason[1], "set by a step: " + statusReason[1]));
    }
    return out;
  }

  static List<Machine> machines(String spec) {
    List<Machine> out = new ArrayList<>();
    if (spec == null) {
      return out;
    }
    int n = 0;
    for (String part : spec.trim().split("\\s+")) {
      String[] f = part.split(":");
      n++;
      boolean cp = f[0].equals("cp");
      String name = TestObjects.CLUSTER + "-" + (cp ? "control-plane" : f[0]) + "-" + n;
      Machine m =
          TestObjects.machine(
              name, cp ? Machine.Role.controlPlane : Machine.Role.worker, cp ? null : f[0]);
      m.getSpec().version = VERSION;
      STATES.get(f[1]).apply(m);
      if (f.length > 2 && f[2].equals("deleting")) {
        TestObjects.deleting(m);
      }
      out.add(m);
    }
    return out;
  }

  static final Map<String, Function<Machine, Machine>> STATES =
      Map.of(
          "ready",
          TestObjects::ready,
          "pending",
          m -> m,
          "failed",
          m -> {
            TestObjects.withCondition(
                m, Types.VM_PROVISIONED, Conditions.FALSE, Reasons.PERMANENT_FAILURE);
            m.getStatus()
                .conditions
                .add(
                    TestObjects.condition(
                        Types.READY,
                        Conditions.FALSE,
                        Reasons.PERMANENT_FAILURE,
                        "VM " + m.getMetadata().getName() + " cannot be built"));
            m.getStatus().phase = "Failed";
            return m;
          });
}
