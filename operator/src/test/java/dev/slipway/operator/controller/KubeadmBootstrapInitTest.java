package dev.slipway.operator.controller;

import static dev.slipway.operator.controller.KubeadmBootstrap.InitRole.INIT;
import static dev.slipway.operator.controller.KubeadmBootstrap.InitRole.JOIN;
import static dev.slipway.operator.controller.KubeadmBootstrap.InitRole.TAKE_LOCK;
import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesClusterStatus;
import dev.slipway.operator.status.Conditions;
import dev.slipway.operator.status.Reasons;
import dev.slipway.operator.status.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** Who gets kubeadm init data: only the lock holder of a cluster that never ran init. */
class KubeadmBootstrapInitTest {
  static final Machine.Role CP = Machine.Role.controlPlane;
  static final Predicate<String> EXISTS = Set.of("cp-a", "cp-b")::contains;

  @Test
  void theFirstControlPlaneMachineOfANewClusterTakesTheLock() {
    assertThat(KubeadmBootstrap.initRole(CP, false, null, "cp-a", EXISTS)).isEqualTo(TAKE_LOCK);
  }

  @Test
  void theHolderInitsWhileTheClusterWasNeverInitialized() {
    assertThat(KubeadmBootstrap.initRole(CP, false, "cp-a", "cp-a", EXISTS)).isEqualTo(INIT);
  }

  @Test
  void anotherMachineJoinsWhileTheHolderExists() {
    assertThat(KubeadmBootstrap.initRole(CP, false, "cp-a", "cp-b", EXISTS)).isEqualTo(JOIN);
  }

  @Test
  void aHolderThatIsGoneBeforeInitLeavesTheLockToTheNext() {
    assertThat(KubeadmBootstrap.initRole(CP, false, "cp-gone", "cp-b", EXISTS))
        .isEqualTo(TAKE_LOCK);
  }

  @Test
  void anInitializedClusterNeverGivesInitDataNotEvenToTheHolder() {
    assertThat(KubeadmBootstrap.initRole(CP, true, "cp-a", "cp-a", EXISTS)).isEqualTo(JOIN);
    assertThat(KubeadmBootstrap.initRole(CP, true, "cp-gone", "cp-b", EXISTS)).isEqualTo(JOIN);
    assertThat(KubeadmBootstrap.initRole(CP, true, null, "cp-b", EXISTS)).isEqualTo(JOIN);
  }

  @Test
  void workersAlwaysJoin() {
    assertThat(KubeadmBootstrap.initRole(Machine.Role.worker, false, null, "w", EXISTS))
        .isEqualTo(JOIN);
  }

  @Test
  void initializedIsReadFromTheClustersCondition() {
    TanzuKubernetesCluster tkc = TestObjects.cluster(3);
    assertThat(KubeadmBootstrap.initialized(tkc)).isFalse();
    tkc.setStatus(new TanzuKubernetesClusterStatus());
    tkc.getStatus().conditions =
        new ArrayList<>(
            List.of(
                TestObjects.condition(
                    Types.CONTROL_PLANE_INITIALIZED, Conditions.TRUE, Reasons.READY, "")));
    assertThat(KubeadmBootstrap.initialized(tkc)).isTrue();
  }
}
