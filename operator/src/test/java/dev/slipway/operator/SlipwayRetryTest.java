package dev.slipway.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.javaoperatorsdk.operator.processing.retry.RetryExecution;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SlipwayRetryTest {

  @Test
  void aReconcileThatKeepsThrowingIsRetriedForeverBackingOffToTwoMinutes() {
    RetryExecution r = Slipway.retry().initExecution();
    List<Long> delays = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      delays.add(r.nextDelay().orElseThrow(() -> new AssertionError("gave up")));
    }
    assertThat(r.isLastAttempt()).isFalse();
    assertThat(delays.get(0)).isEqualTo(2_000L);
    assertThat(delays).isSorted().allMatch(d -> d <= 120_000L);
    assertThat(delays.get(99)).isEqualTo(120_000L);
  }
}
