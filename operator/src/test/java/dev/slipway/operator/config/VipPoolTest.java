package dev.slipway.operator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VipPoolTest {
  @Test
  void handsOutAddressesInOrderSkippingUsedOnes() {
    VipPool pool = VipPool.parse("10.0.0.10-10.0.0.12");
    assertThat(pool.firstFree(Set.of())).contains("10.0.0.10");
    assertThat(pool.firstFree(Set.of("10.0.0.10"))).contains("10.0.0.11");
    assertThat(pool.firstFree(Set.of("10.0.0.10", "10.0.0.11", "10.0.0.12"))).isEmpty();
  }

  @Test
  void neverHandsOutTheSameAddressTwice() {
    VipPool pool = VipPool.parse("127.1.0.0/29, 127.1.1.5");
    Set<String> used = new HashSet<>();
    for (int i = 0; i < 7; i++) {
      String a = pool.firstFree(used).orElseThrow();
      assertThat(used.add(a)).as("fresh %s", a).isTrue();
    }
    // a /29 has 6 usable hosts (network and broadcast skipped), then the single address
    assertThat(used)
        .contains("127.1.0.1", "127.1.0.6", "127.1.1.5")
        .doesNotContain("127.1.0.0", "127.1.0.7");
    assertThat(pool.firstFree(used)).isEmpty();
  }

  @Test
  void releasedAddressIsReused() {
    VipPool pool = VipPool.parse("10.1.0.1-10.1.0.3");
    assertThat(pool.firstFree(Set.of("10.1.0.2", "10.1.0.3"))).contains("10.1.0.1");
  }

  @Test
  void supportsIpv6AndMembership() {
    VipPool pool = VipPool.parse("fd00::10-fd00::11");
    assertThat(pool.firstFree(Set.of("fd00:0:0:0:0:0:0:10"))).contains("fd00:0:0:0:0:0:0:11");
    assertThat(pool.contains("fd00::11")).isTrue();
    assertThat(pool.contains("fd00::12")).isFalse();
  }

  @Test
  void badSpecsAreRejectedNamingThePart() {
    assertThatThrownBy(() -> VipPool.parse("10.0.0.9-10.0.0.1"))
        .hasMessageContaining("ends before it starts");
    assertThatThrownBy(() -> VipPool.parse("banana"))
        .hasMessageContaining("not an IP address: 'banana'");
    assertThatThrownBy(() -> VipPool.parse("10.0.0.1-fd00::1"))
        .hasMessageContaining("mixes IPv4 and IPv6");
    assertThatThrownBy(() -> VipPool.parse(" ")).hasMessageContaining("vip.pool is empty");
  }
}
