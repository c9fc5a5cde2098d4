package dev.slipway.operator.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** When Slipway's servers keep connections alive (JdkHttpServers). */
class JdkHttpServersTest {

  @Test
  void keptAliveOnlyWithNoDelayAndAnIdleTimeLongerThanTheApiServers() {
    assertThat(JdkHttpServers.safe("true", "120")).isTrue();
    assertThat(JdkHttpServers.safe("true", " 91 ")).isTrue();
    assertThat(JdkHttpServers.safe("false", "120")).isFalse();
    assertThat(JdkHttpServers.safe("true", "90")).isFalse();
    assertThat(JdkHttpServers.safe("true", "30")).isFalse();
    assertThat(JdkHttpServers.safe("true", "two minutes")).isFalse();
    assertThat(JdkHttpServers.safe(null, null)).isFalse();
  }

  @Test
  void thisJvmHasTheSettings() {
    assertThat(JdkHttpServers.keepAlive()).isTrue();
    assertThat(System.getProperty(JdkHttpServers.NO_DELAY)).isEqualTo("true");
    assertThat(System.getProperty(JdkHttpServers.IDLE_INTERVAL)).isEqualTo("120");
  }
}
