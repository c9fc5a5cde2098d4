package dev.slipway.testenv;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.LocalTime;
import org.junit.jupiter.api.Test;

class ControlPlaneTest {
  static final Duration TIMEOUT = Duration.ofMinutes(2);

  @Test
  void aStartWhoseDeadlineWouldCrossMidnightWaitsUntilJustAfterIt() {
    Duration wait = ControlPlane.midnightWait(LocalTime.of(23, 58, 48), TIMEOUT);
    assertThat(wait).isBetween(Duration.ofSeconds(72), Duration.ofSeconds(73));
    assertThat(ControlPlane.midnightWait(LocalTime.of(23, 59, 59, 500_000_000), TIMEOUT))
        .isBetween(Duration.ZERO.plusMillis(1), Duration.ofSeconds(2));
  }

  @Test
  void anyOtherStartGoesAtOnce() {
    assertThat(ControlPlane.midnightWait(LocalTime.of(23, 57, 0), TIMEOUT)).isZero();
    assertThat(ControlPlane.midnightWait(LocalTime.MIDNIGHT, TIMEOUT)).isZero();
    assertThat(ControlPlane.midnightWait(LocalTime.NOON, TIMEOUT)).isZero();
  }
}
