package dev.slipway.operator.controller.drain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.operator.controller.drain.PodTriage.Disposition;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The pure parts of {@link NodeDrain}: pod triage, timeouts, messages. */
class NodeDrainTest {
  static final Instant NOW = Instant.parse("2030-01-01T00:00:10Z");

  @Nested
  class Triage {
    @Test
    void aPlainPodIsEvicted() {
      assertThat(PodTriage.of(pod().build(), false, NOW)).isEqualTo(Disposition.EVICT);
    }

    @Test
    void mirrorPodsAreLeftEvenWhenDeleting() {
      Pod p =
          pod()
              .editMetadata()
              .addToAnnotations(PodTriage.MIRROR_ANNOTATION, "x")
              .withDeletionTimestamp("2030-01-01T00:00:00Z")
              .endMetadata()
              .build();
      assertThat(PodTriage.of(p, true, NOW)).isEqualTo(Disposition.MIRROR);
    }

    @Test
    void podsADaemonSetControlsAreLeft() {
      assertThat(PodTriage.of(ownedBy("apps/v1", "DaemonSet", true), false, NOW))
          .isEqualTo(Disposition.DAEMON_SET);
    }

    @Test
    void aDaemonSetThatIsNotTheControllerOrAnotherOwnerKindDoesNotProtectThePod() {
      assertThat(PodTriage.of(ownedBy("apps/v1", "DaemonSet", false), false, NOW))
          .isEqualTo(Disposition.EVICT);
      assertThat(PodTriage.of(ownedBy("apps/v1", "ReplicaSet", true), false, NOW))
          .isEqualTo(Disposition.EVICT);
      assertThat(PodTriage.of(ownedBy("example.com/v1", "DaemonSet", true), false, NOW))
          .isEqualTo(Disposition.EVICT);
    }

    @Test
    void deletingPodsAreWaitedForOnAReachableNodeHoweverLong() {
      Pod p = deleting("2029-12-01T00:00:00Z");
      assertThat(PodTriage.of(p, false, NOW)).isEqualTo(Disposition.TERMINATING);
    }

    @Test
    void onAnUnreachableNodeOnlyTheFirstSecondOfADeletionIsWaitedFor() {
      assertThat(PodTriage.of(deleting("2030-01-01T00:00:09Z"), true, NOW))
          .isEqualTo(Disposition.TERMINATING);
      assertThat(PodTriage.of(deleting("2030-01-01T00:00:08.999Z"), true, NOW))
          .isEqualTo(Disposition.ABANDONED);
      assertThat(PodTriage.of(deleting("2030-01-01T00:00:30Z"), true, NOW))
          .as("deletion due in the future")
          .isEqualTo(Disposition.TERMINATING);
    }

    @Test
    void skippedMeansLeftOnTheNodeOnPurpose() {
      assertThat(Disposition.MIRROR.skipped()).isTrue();
      assertThat(Disposition.DAEMON_SET.skipped()).isTrue();
      assertThat(Disposition.ABANDONED.skipped()).isTrue();
      assertThat(Disposition.TERMINATING.skipped()).isFalse();
      assertThat(Disposition.EVICT.skipped()).isFalse();
    }

    @ParameterizedTest
    @CsvSource({"Unknown,true", "False,false", "True,false"})
    void onlyAnUnknownReadyConditionMakesANodeUnreachable(String status, boolean unreachable) {
      Node n =
          new NodeBuilder()
              .withNewStatus()
              .addNewCondition()
              .withType("Ready")
              .withStatus(status)
              .endCondition()
              .endStatus()
              .build();
      assertThat(PodTriage.unreachable(n)).isEqualTo(unreachable);
    }

    @Test
    void aNodeWithoutConditionsIsReachable() {
      assertThat(PodTriage.unreachable(new NodeBuilder().build())).isFalse();
      assertThat(PodTriage.unreachable(new NodeBuilder().withNewStatus().endStatus().build()))
          .isFalse();
    }

    private PodBuilder pod() {
      return new PodBuilder().withNewMetadata().withNamespace("ns").withName("p").endMetadata();
    }

    private Pod ownedBy(String apiVersion, String kind, boolean controller) {
      return pod()
          .editMetadata()
          .addNewOwnerReference()
          .withApiVersion(apiVersion)
          .withKind(kind)
          .withName("o")
          .withUid("u")
          .withController(controller)
          .endOwnerReference()
          .endMetadata()
          .build();
    }

    private Pod deleting(String at) {
      return pod().editMetadata().withDeletionTimestamp(at).endMetadata().build();
    }
  }

  @Nested
  class Timeouts {
    @Test
    void unsetBlankAndZeroMeanNoLimit() {
      assertThat(NodeDrain.DEFAULT_TIMEOUT).isZero();
      assertThat(NodeDrain.timeoutOf(null)).isZero();
      assertThat(NodeDrain.timeoutOf(" ")).isZero();
      assertThat(NodeDrain.timeoutOf("0s")).isZero();
      assertThat(NodeDrain.timeoutOf("0")).isZero();
    }

    @ParameterizedTest
    @CsvSource({
      "30s,PT30S",
      "5m,PT5M",
      "1h30m,PT1H30M",
      "1.5s,PT1.5S",
      "2h0m0s,PT2H",
      "500ms,PT0.5S",
      "90m,PT1H30M",
      "1m30s250ms,PT1M30.25S"
    })
    void goDurationsParse(String text, String iso) {
      assertThat(NodeDrain.timeoutOf(text)).isEqualTo(Duration.parse(iso));
    }

    @ParameterizedTest
    @ValueSource(strings = {"5", "five minutes", "-5m", "5 m", "m", "5d", "1h-3m"})
    void otherTextIsRefused(String text) {
      assertThatThrownBy(() -> NodeDrain.timeoutOf(text))
          .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource({
      "PT0S,0s",
      "PT0.5S,500ms",
      "PT30S,30s",
      "PT5M,5m0s",
      "PT1H30M,1h30m0s",
      "PT1.5S,1.5s",
      "PT26H,26h0m0s"
    })
    void durationsPrintAsGoPrintsThem(String iso, String go) {
      assertThat(GoDurations.format(Duration.parse(iso))).isEqualTo(go);
    }

    @Test
    void aWaitIsCutShortByTheDeadlineButNeverBelowOneSecond() {
      Optional<Instant> deadline = Optional.of(NOW.plusSeconds(7));
      assertThat(NodeDrain.capped(Duration.ofSeconds(20), deadline, NOW))
          .isEqualTo(Duration.ofSeconds(7));
      assertThat(NodeDrain.capped(Duration.ofSeconds(5), deadline, NOW))
          .isEqualTo(Duration.ofSeconds(5));
      assertThat(NodeDrain.capped(Duration.ofSeconds(5), deadline, NOW.plusMillis(6_800)))
          .isEqualTo(Duration.ofSeconds(1));
      assertThat(NodeDrain.capped(Duration.ofSeconds(20), Optional.empty(), NOW))
          .isEqualTo(Duration.ofSeconds(20));
    }
  }

  @Nested
  class Messages {
    @Test
    void evictingNamesTheBlockedPods() {
      assertThat(DrainMessages.evicting(3, 0, List.of("default/web-0"), List.of(), 0))
          .isEqualTo("evicting 3 pod(s); 1 blocked by a PodDisruptionBudget: default/web-0");
    }

    @Test
    void evictingCountsEverythingElseThatHappened() {
      assertThat(DrainMessages.evicting(6, 2, List.of("a/b"), List.of("a/c (500: two budgets)"), 4))
          .isEqualTo(
              "evicting 6 pod(s); 1 blocked by a PodDisruptionBudget: a/b; 1 refused: a/c (500:"
                  + " two budgets); 2 not tried yet; 4 terminating");
      assertThat(DrainMessages.evicting(2, 0, List.of(), List.of(), 0))
          .isEqualTo("evicting 2 pod(s)");
    }

    @Test
    void longListsAreCut() {
      List<String> seven = List.of("n/1", "n/2", "n/3", "n/4", "n/5", "n/6", "n/7");
      assertThat(DrainMessages.names(seven)).isEqualTo("n/1, n/2, n/3, n/4, n/5 and 2 more");
      assertThat(DrainMessages.names(seven.subList(0, 5))).isEqualTo("n/1, n/2, n/3, n/4, n/5");
    }

    @Test
    void endings() {
      assertThat(DrainMessages.drained(0)).isEqualTo("drained");
      assertThat(DrainMessages.drained(2))
          .isEqualTo("drained (2 DaemonSet or mirror pod(s) stay until the node goes)");
      assertThat(DrainMessages.timedOut(Duration.ofMinutes(5), List.of("default/web-0")))
          .isEqualTo("gave up after 5m0s (nodeDrainTimeout): 1 pod(s) left: default/web-0");
      assertThat(DrainMessages.timedOut(Duration.ofMinutes(5), List.of()))
          .isEqualTo("gave up after 5m0s (nodeDrainTimeout)");
      assertThat(DrainMessages.waiting(List.of("a/b", "a/c")))
          .isEqualTo("waiting for 2 pod(s) to terminate: a/b, a/c");
      assertThat(DrainMessages.withAbandoned("drained", 1))
          .isEqualTo("drained; ignored 1 pod(s) deleting on the unreachable node");
      assertThat(DrainMessages.withAbandoned("drained", 0)).isEqualTo("drained");
    }

    @Test
    void firstLineDropsWhatFollows() {
      assertThat(DrainMessages.firstLine(new RuntimeException("refused\ncaused by x")))
          .isEqualTo("refused");
      assertThat(DrainMessages.firstLine(new IllegalStateException()))
          .isEqualTo("IllegalStateException");
    }
  }
}
