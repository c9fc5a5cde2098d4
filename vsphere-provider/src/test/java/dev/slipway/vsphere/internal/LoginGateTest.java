package dev.slipway.vsphere.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.vsphere.FaultKind;
import dev.slipway.vsphere.VSphereException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class LoginGateTest {
  static final Instant T0 = Instant.parse("2026-12-01T12:00:00Z");

  /** A clock the test moves. */
  static final class Hands extends Clock {
    Instant now = T0;

    @Override
    public ZoneId getZone() {
      return ZoneId.of("UTC");
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  final Hands clock = new Hands();
  final LoginGate gate = new LoginGate("slipway", "secret".toCharArray(), clock);
  final VSphereException invalid =
      new VSphereException(FaultKind.NOT_AUTHENTICATED, "InvalidLogin", "Login failure");

  void after(Duration d) {
    clock.now = clock.now.plus(d);
  }

  @Test
  void aRejectedLoginWaitsFifteenSecondsThenDoublesUpToAMinute() {
    assertThatCode(gate::admit).doesNotThrowAnyException();
    for (Duration wait :
        new Duration[] {
          Duration.ofSeconds(15),
          Duration.ofSeconds(30),
          Duration.ofSeconds(60),
          Duration.ofSeconds(60)
        }) {
      gate.rejected(invalid);
      after(wait.minusSeconds(1));
      assertThatThrownBy(gate::admit)
          .isInstanceOfSatisfying(
              VSphereException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(FaultKind.NOT_AUTHENTICATED);
                assertThat(e.faultType()).isEqualTo(LoginGate.BACKED_OFF);
                assertThat(e.getMessage()).contains("user slipway").contains("Login failure");
              });
      after(Duration.ofSeconds(1));
      assertThatCode(gate::admit).as("after %s", wait).doesNotThrowAnyException();
    }
  }

  @Test
  void aSuccessfulLoginResetsTheWait() {
    gate.rejected(invalid);
    gate.rejected(invalid);
    after(Duration.ofSeconds(30));
    gate.succeeded();
    gate.rejected(invalid);
    after(Duration.ofSeconds(15));
    assertThatCode(gate::admit).doesNotThrowAnyException();
  }

  @Test
  void newCredentialsAreTriedAtOnce() {
    gate.rejected(invalid);
    gate.update("slipway2", "rotated".toCharArray());
    assertThatCode(gate::admit).doesNotThrowAnyException();
    assertThat(gate.username()).isEqualTo("slipway2");
    assertThat(new String(gate.password())).isEqualTo("rotated");
  }
}
