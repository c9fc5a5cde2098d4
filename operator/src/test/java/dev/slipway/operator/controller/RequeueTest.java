package dev.slipway.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.time.Duration;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequeueTest {
  static final Duration BASE = Duration.ofSeconds(5);
  static final Duration CAP = Duration.ofMinutes(5);

  static Requeue.Backoff exact(Duration base, Duration cap) {
    return new Requeue.Backoff(base, cap, 0, () -> 0.5);
  }

  @ParameterizedTest(name = "after {0} failure(s): {1}s")
  @CsvSource({
    "1, 5",
    "2, 10",
    "3, 20",
    "4, 40",
    "5, 80",
    "6, 160",
    "7, 300",
    "8, 300",
    "1000, 300"
  })
  void doublesFromBaseUpToCap(int attempts, long seconds) {
    assertThat(exact(BASE, CAP).delay(attempts)).isEqualTo(Duration.ofSeconds(seconds));
  }

  @Test
  void noAttemptsYetCountsAsTheFirst() {
    assertThat(exact(BASE, CAP).delay(0)).isEqualTo(BASE);
    assertThat(exact(BASE, CAP).delay(-3)).isEqualTo(BASE);
  }

  @Test
  void manyAttemptsDoNotOverflowPastTheCap() {
    Requeue.Backoff b = exact(Duration.ofMillis(1), Duration.ofDays(10));
    assertThat(b.delay(Integer.MAX_VALUE)).isEqualTo(Duration.ofDays(10));
    assertThat(b.delay(31)).isEqualTo(b.delay(32)).isPositive();
  }

  @Test
  void baseEqualToCapIsAllowedAndConstant() {
    Requeue.Backoff b = exact(BASE, BASE);
    assertThat(IntStream.rangeClosed(1, 10).mapToObj(b::delay)).containsOnly(BASE);
  }

  @ParameterizedTest(name = "random {0} spreads 10s to {1}ms")
  @CsvSource({"0.0, 8000", "0.25, 9000", "0.5, 10000", "0.75, 11000", "0.99, 11960"})
  void jitterSpreadsByUpToTheFractionEitherWay(double random, long millis) {
    Requeue.Backoff b = new Requeue.Backoff(BASE, CAP, 0.2, () -> random);
    assertThat(b.delay(2)).isEqualTo(Duration.ofMillis(millis));
  }

  @Test
  void randomJitterStaysWithinItsBoundsAroundTheCappedDelay() {
    Random r = new Random(42);
    Requeue.Backoff b = new Requeue.Backoff(BASE, CAP, 0.2, r::nextDouble);
    for (int attempts = 1; attempts <= 12; attempts++) {
      long undisturbed = exact(BASE, CAP).delay(attempts).toMillis();
      for (int i = 0; i < 200; i++) {
        assertThat(b.delay(attempts).toMillis())
            .as("attempt %d", attempts)
            .isBetween(Math.round(undisturbed * 0.8), Math.round(undisturbed * 1.2));
      }
    }
  }

  @Test
  void jitterSpreadsManyMachinesApart() {
    Random r = new Random(7);
    Requeue.Backoff b = new Requeue.Backoff(BASE, CAP, 0.2, r::nextDouble);
    assertThat(IntStream.range(0, 50).mapToObj(i -> b.delay(3)).distinct().count())
        .isGreaterThan(25);
  }

  @Test
  void neverLessThanAMillisecond() {
    Requeue.Backoff b = new Requeue.Backoff(Duration.ofMillis(1), CAP, 0.9, () -> 0.0);
    assertThat(b.delay(1)).isEqualTo(Duration.ofMillis(1));
  }

  @Test
  void defaultsAreFiveSecondsToFiveMinutesWithTwentyPercentJitter() {
    Requeue.Backoff d = Requeue.Backoff.defaults();
    assertThat(d.base()).isEqualTo(Duration.ofSeconds(5));
    assertThat(d.cap()).isEqualTo(Duration.ofMinutes(5));
    assertThat(d.jitter()).isEqualTo(0.2);
    assertThat(Requeue.Backoff.withCap(Duration.ofMinutes(1)).cap())
        .isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void rejectsInvalidArguments() {
    assertThatNullPointerException()
        .isThrownBy(() -> new Requeue.Backoff(null, CAP, 0, () -> 0.5))
        .withMessageContaining("base");
    assertThatNullPointerException()
        .isThrownBy(() -> new Requeue.Backoff(BASE, null, 0, () -> 0.5))
        .withMessageContaining("cap");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new Requeue.Backoff(Duration.ZERO, CAP, 0, () -> 0.5));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new Requeue.Backoff(Duration.ofSeconds(-1), CAP, 0, () -> 0.5));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new Requeue.Backoff(CAP, BASE, 0, () -> 0.5))
        .withMessageContaining("base <= cap");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new Requeue.Backoff(BASE, CAP, -0.1, () -> 0.5))
        .withMessageContaining("jitter");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new Requeue.Backoff(BASE, CAP, 1.0, () -> 0.5))
        .withMessageContaining("jitter");
  }

  @Test
  void atMostKeepsAShorterDelayAndHoldsALongerOneToTheLimitSpreadByTheJitter() {
    Duration limit = Duration.ofSeconds(10);
    Requeue.Backoff high = new Requeue.Backoff(BASE, CAP, 0.2, () -> 1.0);
    Requeue.Backoff low = new Requeue.Backoff(BASE, CAP, 0.2, () -> 0.0);
    assertThat(high.atMost(Duration.ofSeconds(5), limit)).isEqualTo(Duration.ofSeconds(5));
    assertThat(high.atMost(Duration.ofSeconds(300), limit)).isEqualTo(Duration.ofSeconds(12));
    assertThat(low.atMost(Duration.ofSeconds(300), limit)).isEqualTo(Duration.ofSeconds(8));
  }

  @Test
  void aReadyNodeIsReadEveryHalfUnhealthyTimeoutWithinTenSecondsAndTwoMinutes() {
    assertThat(Requeue.readyResync(Duration.ofMinutes(5))).isEqualTo(Duration.ofSeconds(150));
    assertThat(Requeue.readyResync(Duration.ofMinutes(20))).isEqualTo(Duration.ofMinutes(5));
    assertThat(Requeue.readyResync(Duration.ofSeconds(45))).isEqualTo(Duration.ofMillis(22_500));
    assertThat(Requeue.readyResync(Duration.ofSeconds(4))).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void aSpreadStaysWithinItsFraction() {
    for (int i = 0; i < 1000; i++) {
      assertThat(Requeue.spread(Duration.ofSeconds(100), 0.1))
          .isBetween(Duration.ofSeconds(90), Duration.ofSeconds(110));
    }
  }
}
