package dev.slipway.cli;

import static dev.slipway.cli.Fixtures.NOW;
import static dev.slipway.cli.Fixtures.cluster;
import static dev.slipway.cli.Fixtures.cond;
import static dev.slipway.cli.Fixtures.controlPlane;
import static dev.slipway.cli.Fixtures.withConditions;
import static dev.slipway.cli.Fixtures.worker;
import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesClusterStatus.NodePoolStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterTreeTest {

  static String render(TanzuKubernetesCluster tkc, List<Machine> machines) {
    return ClusterTree.render(ClusterTree.build(tkc, machines), NOW);
  }

  static Machine cloning(String cluster, String name, long agoSeconds) {
    return controlPlane(
        cluster,
        name,
        cond("BootstrapReady", "True", "BootstrapDataReady", "", 70),
        cond(
            "VMProvisioned",
            "False",
            "Cloning",
            "cloning ubuntu-2404-kube-v1.37.2 into /DC0/vm/team-a",
            agoSeconds));
  }

  static Machine ready(Machine m, long agoSeconds) {
    m.getStatus()
        .conditions
        .add(
            cond(
                "Ready",
                "True",
                "NodeReady",
                "node " + m.getMetadata().getName() + " is Ready",
                agoSeconds));
    return m;
  }

  @Test
  void controlPlaneComingUpGroupsTheMachinesStillCloning() {
    TanzuKubernetesCluster tkc =
        withConditions(
            cluster("demo", 3, "workers=2", "gpu=1"),
            cond(
                "Ready",
                "False",
                "WaitingForControlPlane",
                "1 of 3 control-plane machine(s) ready",
                252),
            cond(
                "ControlPlaneReady",
                "False",
                "WaitingForControlPlane",
                "1 of 3 control-plane machine(s) ready",
                252));
    List<Machine> machines =
        List.of(
            ready(controlPlane("demo", "demo-control-plane-aaaaa"), 180),
            cloning("demo", "demo-control-plane-ccccc", 65),
            cloning("demo", "demo-control-plane-bbbbb", 40));

    assertThat(render(tkc, machines))
        .isEqualTo(
"""
NAME                                  READY  REASON                  SINCE  MESSAGE
TanzuKubernetesCluster/demo           False  WaitingForControlPlane  4m     1 of 3 control-plane machine(s) ready
├─ControlPlane                        False  WaitingForControlPlane  4m     1 of 3 control-plane machine(s) ready
│ ├─Machine/demo-control-plane-aaaaa  True                           3m     node demo-control-plane-aaaaa is Ready
│ └─2 Machines...                     False  Cloning                 40s    See demo-control-plane-bbbbb, demo-control-plane-ccccc
└─Workers
  ├─NodePool/workers                  False  Scaling                        0 of 2 machine(s) ready, 0 exist
  └─NodePool/gpu                      False  Scaling                        0 of 1 machine(s) ready, 0 exist
""");
  }

  @Test
  void readyClusterIsOneLinePerGroupOfReadyMachines() {
    TanzuKubernetesCluster tkc =
        withConditions(
            cluster("demo", 3, "workers=2", "batch=1"),
            cond("Ready", "True", "Ready", "cluster is ready", 3 * 3600 + 59),
            cond(
                "ControlPlaneReady", "True", "Ready", "3 control-plane machine(s) ready", 4 * 3600),
            cond("NodePoolsReady", "True", "Ready", "every node pool is ready", 3 * 3600 + 100));
    List<Machine> machines =
        List.of(
            ready(controlPlane("demo", "demo-control-plane-x7k2p"), 5 * 3600),
            ready(controlPlane("demo", "demo-control-plane-4tq9d"), 4 * 3600 + 30),
            ready(controlPlane("demo", "demo-control-plane-m2rsl"), 4 * 3600 + 10),
            ready(worker("demo", "workers", "demo-workers-9fz2k"), 3 * 3600 + 400),
            ready(worker("demo", "workers", "demo-workers-bq5xw"), 3 * 3600 + 200),
            ready(worker("demo", "batch", "demo-batch-h8c2n"), 2 * 86400));

    assertThat(render(tkc, machines))
        .isEqualTo(
"""
NAME                            READY  REASON  SINCE  MESSAGE
TanzuKubernetesCluster/demo     True           3h     cluster is ready
├─ControlPlane                  True           4h     3 control-plane machine(s) ready
│ └─3 Machines...               True           4h     See demo-control-plane-4tq9d, demo-control-plane-m2rsl, demo-control-plane-x7k2p
└─Workers
  ├─NodePool/workers            True           3h     2 of 2 machine(s) ready
  │ └─2 Machines...             True           3h     See demo-workers-9fz2k, demo-workers-bq5xw
  └─NodePool/batch              True           2d     1 of 1 machine(s) ready
    └─Machine/demo-batch-h8c2n  True           2d     node demo-batch-h8c2n is Ready
""");
  }

  @Test
  void onlyMachinesInTheSameStateAndReasonShareALine() {
    TanzuKubernetesCluster tkc =
        withConditions(
            cluster("demo", 1, "workers=4"),
            cond("Ready", "False", "Scaling", "workers: 1 of 4 ready", 30));
    List<Machine> machines =
        List.of(
            ready(controlPlane("demo", "demo-control-plane-aaaaa"), 600),
            ready(worker("demo", "workers", "demo-workers-aaaaa"), 100),
            worker(
                "demo",
                "workers",
                "demo-workers-bbbbb",
                cond("VMProvisioned", "False", "PoweringOn", "powering on demo-workers-bbbbb", 20)),
            worker(
                "demo",
                "workers",
                "demo-workers-ccccc",
                cond("VMProvisioned", "True", "PoweredOn", "VM is on", 50),
                cond("Ready", "False", "WaitingForNode", "no Node with its providerID yet", 45)),
            worker(
                "demo",
                "workers",
                "demo-workers-ddddd",
                cond("VMProvisioned", "True", "PoweredOn", "VM is on", 50),
                cond("Ready", "False", "WaitingForNode", "no Node with its providerID yet", 15)));

    assertThat(render(tkc, machines))
        .isEqualTo(
"""
NAME                                  READY  REASON            SINCE  MESSAGE
TanzuKubernetesCluster/demo           False  Scaling           30s    workers: 1 of 4 ready
├─ControlPlane
│ └─Machine/demo-control-plane-aaaaa  True                     10m    node demo-control-plane-aaaaa is Ready
└─Workers
  └─NodePool/workers                  False  MachinesNotReady  15s    1 of 4 machine(s) ready
    ├─Machine/demo-workers-aaaaa      True                     1m     node demo-workers-aaaaa is Ready
    ├─Machine/demo-workers-bbbbb      False  PoweringOn        20s    powering on demo-workers-bbbbb
    └─2 Machines...                   False  WaitingForNode    15s    See demo-workers-ccccc, demo-workers-ddddd
""");
  }

  @Test
  void deletingMachinesRemovedPoolsAndMachinesWithoutStatus() {
    TanzuKubernetesCluster tkc = cluster("demo", 1, "auto=null");
    NodePoolStatus auto = new NodePoolStatus();
    auto.name = "auto";
    auto.desiredReplicas = 1;
    tkc.getStatus().nodePools = List.of(auto);
    Machine deleting = ready(worker("demo", "old", "demo-old-zzzzz"), 900);
    deleting.getMetadata().setDeletionTimestamp(NOW.minusSeconds(5).toString());
    Machine fresh = controlPlane("demo", "demo-control-plane-aaaaa");
    fresh.getStatus().phase = "Pending";
    List<Machine> machines =
        List.of(
            fresh,
            ready(worker("demo", "auto", "demo-auto-aaaaa"), 7200),
            deleting,
            ready(worker("other", "auto", "other-auto-aaaaa"), 60));

    assertThat(render(tkc, machines))
        .isEqualTo(
"""
NAME                                  READY  REASON    SINCE  MESSAGE
TanzuKubernetesCluster/demo
├─ControlPlane
│ └─Machine/demo-control-plane-aaaaa  False            1h     phase Pending
└─Workers
  ├─NodePool/auto                     True             2h     1 of 1 machine(s) ready
  │ └─Machine/demo-auto-aaaaa         True             2h     node demo-auto-aaaaa is Ready
  └─NodePool/old                      False  Deleting  5s     removed from the cluster's spec; 1 machine(s) left
    └─Machine/demo-old-zzzzz          False  Deleting  5s     deleting the machine and its VM
""");
  }

  @Test
  void aClusterWithoutPoolsHasNoWorkersLine() {
    TanzuKubernetesCluster tkc = cluster("solo", 1);
    assertThat(render(tkc, List.of()))
        .isEqualTo(
"""
NAME                         READY  REASON  SINCE  MESSAGE
TanzuKubernetesCluster/solo
└─ControlPlane
""");
  }

  @Test
  void groupsCarryTheMostRecentTransitionAndTheirMembersNames() {
    List<ClusterTree.Node> lines =
        ClusterTree.machineLines(
            List.of(
                cloning("demo", "demo-control-plane-aaaaa", 300),
                cloning("demo", "demo-control-plane-bbbbb", 20),
                cloning("demo", "demo-control-plane-ccccc", 100)));
    assertThat(lines).hasSize(1);
    ClusterTree.Node group = lines.get(0);
    assertThat(group.name()).isEqualTo("3 Machines...");
    assertThat(group.status().since()).isEqualTo(NOW.minusSeconds(20));
    assertThat(group.status().message())
        .isEqualTo(
            "See demo-control-plane-aaaaa, demo-control-plane-bbbbb, demo-control-plane-ccccc");
  }
}
