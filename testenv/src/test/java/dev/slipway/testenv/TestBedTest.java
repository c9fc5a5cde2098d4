package dev.slipway.testenv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TestBedTest {

  @Test
  void theFirstTestJvmKeepsTheRangeAsGiven() {
    assertThat(TestBed.forShard("127.1.0.10-127.1.0.250", 1)).isEqualTo("127.1.0.10-127.1.0.250");
  }

  @Test
  void laterTestJvmsMoveEveryAddressByAHundredPerJvm() {
    assertThat(TestBed.forShard("127.1.0.10-127.1.0.250", 2))
        .isEqualTo("127.101.0.10-127.101.0.250");
    assertThat(TestBed.forShard("127.2.0.1-127.2.3.250", 3)).isEqualTo("127.202.0.1-127.202.3.250");
    assertThat(TestBed.forShard("127.24.0.0/29, 127.24.1.5", 2))
        .isEqualTo("127.124.0.0/29, 127.124.1.5");
  }

  @Test
  void aRangeThatCannotMoveFarEnoughIsAnError() {
    assertThatThrownBy(() -> TestBed.forShard("127.60.0.1-127.60.0.9", 3))
        .isInstanceOf(TestBedException.class)
        .hasMessageContaining("127.260");
  }

  @Test
  void theTestJvmsNumberComesFromFailsafesForkNumberWithinTheProperty() {
    assertThat(TestBed.shard("fork-2")).isEqualTo(2);
    assertThat(TestBed.shard("3")).isEqualTo(3);
    assertThat(TestBed.shard(null)).isEqualTo(1);
    assertThat(TestBed.shard("")).isEqualTo(1);
    assertThat(TestBed.shard("fork-${surefire.forkNumber}")).isEqualTo(1);
  }
}
