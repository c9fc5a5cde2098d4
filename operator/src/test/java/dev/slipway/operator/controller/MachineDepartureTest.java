package dev.slipway.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.controller.drain.NodeDrain;
import dev.slipway.operator.controller.etcd.EtcdClient;
import dev.slipway.operator.controller.steps.Next;
import dev.slipway.operator.status.Conditions;
import dev.slipway.operator.status.Reasons;
import dev.slipway.operator.status.Types;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * When a leaving machine drains and removes its etcd member, and when it must not. The drain and
 * the etcd calls themselves are proven against real servers (NodeDrainIT, EtcdClientIT); here the
 * workload cluster is a stub that records what was asked of it.
 */
class MachineDepartureTest {
  final List<String> asked = new ArrayList<>();
  TanzuKubernetesCluster cluster = TestObjects.cluster(1);
  boolean kubeconfig = true;

  final MachineDeparture.Workload workload =
      new MachineDeparture.Workload() {
        @Override
        public Optional<TanzuKubernetesCluster> liveCluster(Machine m) {
          asked.add("cluster");
          return Optional.ofNullable(cluster)
              .filter(c -> c.getMetadata().getDeletionTimestamp() == null);
        }

        @Override
        public Optional<KubernetesClient> client(Machine m) {
          asked.add("client");
          return kubeconfig ? Optional.of(unusable()) : Optional.empty();
        }

        @Override
        public EtcdClient etcd(TanzuKubernetesCluster tkc, List<URI> endpoints) {
          asked.add("etcd");
          throw new AssertionError("no etcd call expected here");
        }

        @Override
        public List<Machine> controlPlane(Machine m) {
          return List.of();
        }
      };

  final MachineDeparture departure = new MachineDeparture(workload, new NodeDrain());

  static KubernetesClient unusable() {
    return (KubernetesClient)
        java.lang.reflect.Proxy.newProxyInstance(
            MachineDepartureTest.class.getClassLoader(),
            new Class<?>[] {KubernetesClient.class},
            (p, method, args) -> {
              throw new AssertionError("no workload API call expected: " + method.getName());
            });
  }

  static Machine joined(Machine.Role role) {
    Machine m = TestObjects.machine("m1", role, role == Machine.Role.worker ? "np1" : null);
    m.setStatus(new Machine.Status());
    m.getStatus().nodeRef = new Machine.NodeRef();
    m.getStatus().nodeRef.name = "m1";
    return m;
  }

  static Conditions cond(Machine m) {
    return Conditions.of(m.getStatus() == null ? null : m.getStatus().conditions, 1L);
  }

  @Test
  void aMachineWhoseNodeNeverJoinedLeavesWithoutAsking() {
    Machine m = TestObjects.machine("m1", Machine.Role.worker, "np1");
    m.setStatus(new Machine.Status());
    assertThat(departure.beforeVmGoes(m, cond(m), Instant.now()).proceeds()).isTrue();
    assertThat(departure.afterVmGone(m).proceeds()).isTrue();
    assertThat(asked).isEmpty();
  }

  @Test
  void machinesOfAClusterBeingDeletedAreNotDrained() {
    cluster.getMetadata().setDeletionTimestamp("2030-01-01T00:00:00Z");
    Machine m = joined(Machine.Role.controlPlane);
    assertThat(departure.beforeVmGoes(m, cond(m), Instant.now()).proceeds()).isTrue();
    assertThat(departure.afterVmGone(m).proceeds()).isTrue();
    assertThat(asked).containsOnly("cluster");
  }

  @Test
  void withoutAKubeconfigTheMachineWaitsAndSaysWhy() {
    kubeconfig = false;
    Machine m = joined(Machine.Role.worker);
    Conditions c = cond(m);
    Next next = departure.beforeVmGoes(m, c, Instant.now());
    assertThat(next.proceeds()).isFalse();
    assertThat(c.get(Types.NODE_DRAINED).orElseThrow().getReason())
        .isEqualTo(Reasons.WORKLOAD_UNREACHABLE);
  }

  @Test
  void aDrainedWorkerDoesNotDrainAgainAndHasNoEtcdMember() {
    Machine m = joined(Machine.Role.worker);
    Conditions c = cond(m);
    c.setTrue(Types.NODE_DRAINED, Reasons.DRAINED, "drained");
    assertThat(departure.beforeVmGoes(m, c, Instant.now()).proceeds()).isTrue();
    assertThat(asked).containsExactly("cluster", "client");
  }

  @Test
  void aDrainedControlPlaneMachineWithoutAnAddressWaitsForEtcd() {
    Machine m = joined(Machine.Role.controlPlane);
    Conditions c = cond(m);
    c.setTrue(Types.NODE_DRAINED, Reasons.DRAINED, "drained");
    Next next = departure.beforeVmGoes(m, c, Instant.now());
    assertThat(next.proceeds()).isFalse();
    assertThat(c.get(Types.ETCD_MEMBER_REMOVED).orElseThrow().getReason())
        .isEqualTo(Reasons.ETCD_UNREACHABLE);
    assertThat(asked).doesNotContain("etcd");
  }
}
