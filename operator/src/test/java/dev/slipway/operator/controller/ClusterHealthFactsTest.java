package dev.slipway.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.status.Conditions;
import dev.slipway.operator.status.Reasons;
import dev.slipway.operator.status.Types;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What the health check learns from a Machine whose Node joined once. */
class ClusterHealthFactsTest {

  static Machine joined(String nodeHealthy, String reason) {
    Machine m = TestObjects.machine("w-1", Machine.Role.worker, "workers");
    TestObjects.withCondition(m, Types.NODE_HEALTHY, nodeHealthy, reason);
    Machine.NodeRef ref = new Machine.NodeRef();
    ref.name = "w-1";
    m.getStatus().nodeRef = ref;
    return m;
  }

  @Test
  void aNodeThatIsNotReadyStartsTheUnhealthyTimeoutFromItsCondition() {
    Machine m = joined(Conditions.FALSE, Reasons.NODE_NOT_READY);
    Instant since =
        Instant.parse(
            m.getStatus().conditions.stream()
                .filter(c -> c.getType().equals(Types.NODE_HEALTHY))
                .findFirst()
                .orElseThrow()
                .getLastTransitionTime());

    assertThat(ClusterHealth.facts(m).nodeJoined()).isTrue();
    assertThat(ClusterHealth.facts(m).nodeNotReadySince()).isEqualTo(since);
  }

  @Test
  void anUnreachableWorkloadApiStartsNoTimeout() {
    // The workload API does not answer: the Node's health is not known, so nothing may be
    // remediated on that alone (remediation waits for the Node's own NotReady).
    Machine m = joined(Conditions.UNKNOWN, Reasons.WORKLOAD_UNREACHABLE);

    assertThat(ClusterHealth.facts(m).nodeJoined()).isTrue();
    assertThat(ClusterHealth.facts(m).nodeNotReadySince()).isNull();
  }

  @Test
  void aNotReadyNodeIsNotTimedBeforeTheClustersAddonsAreAppliedAndFromThenAfter() {
    Machine m = joined(Conditions.FALSE, Reasons.NODE_NOT_READY);
    Instant since = Instant.parse("2029-12-31T00:00:00Z"); // TestObjects' transition time

    assertThat(ClusterHealth.facts(m, null).nodeNotReadySince())
        .as("no CNI yet: no node can be Ready")
        .isNull();
    assertThat(ClusterHealth.facts(m, since.plusSeconds(420)).nodeNotReadySince())
        .isEqualTo(since.plusSeconds(420));
    assertThat(ClusterHealth.facts(m, since.minusSeconds(60)).nodeNotReadySince()).isEqualTo(since);
  }
}
