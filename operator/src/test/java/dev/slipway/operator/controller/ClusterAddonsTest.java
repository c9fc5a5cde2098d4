package dev.slipway.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterAddonsTest {
  @Test
  void onlyTheClustersOwnEndpointIsEverTargeted() {
    assertThat(ClusterAddons.targets("https://10.0.0.10:6443/", "10.0.0.10", 6443)).isTrue();
    assertThat(ClusterAddons.targets("https://10.0.0.10:6443", "10.0.0.10", 6443)).isTrue();
    // a kubeconfig someone pointed elsewhere (e.g. the management cluster): nothing is applied
    assertThat(ClusterAddons.targets("https://10.0.0.1:6443/", "10.0.0.10", 6443)).isFalse();
    assertThat(ClusterAddons.targets("https://10.0.0.10:443/", "10.0.0.10", 6443)).isFalse();
    assertThat(ClusterAddons.targets("http://10.0.0.10:6443/", "10.0.0.10", 6443)).isFalse();
    assertThat(ClusterAddons.targets("https://kubernetes.default.svc/", "10.0.0.10", 6443))
        .isFalse();
    assertThat(ClusterAddons.targets("not a url", "10.0.0.10", 6443)).isFalse();
  }

  @Test
  void initializedOnceAControlPlaneNodeRegistered() {
    Machine worker = machine(Machine.Role.worker, true);
    Machine cpWithoutNode = machine(Machine.Role.controlPlane, false);
    Machine cpWithNode = machine(Machine.Role.controlPlane, true);
    assertThat(ClusterAddons.initialized(List.of())).isFalse();
    assertThat(ClusterAddons.initialized(List.of(worker, cpWithoutNode))).isFalse();
    assertThat(ClusterAddons.initialized(List.of(cpWithoutNode, cpWithNode))).isTrue();
  }

  private static Machine machine(Machine.Role role, boolean node) {
    Machine m = new Machine();
    m.setSpec(new Machine.Spec());
    m.getSpec().role = role;
    m.setStatus(new Machine.Status());
    if (node) {
      m.getStatus().nodeRef = new Machine.NodeRef();
    }
    return m;
  }
}
