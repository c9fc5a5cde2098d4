package dev.slipway.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.guest.GuestSimulator;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScaleBenchTest {
  static final ScaleBench.BenchRun.Options B1 =
      ScaleBench.BenchRun.Options.parse(
          new String[] {
            "--b1-runs", "10", "--control-planes", "3", "--workers", "3", "--guest-mode", "FULL"
          });

  @Test
  void b1OptionsAreReadAndCountTheMachines() {
    assertThat(B1.b1Runs()).isEqualTo(10);
    assertThat(B1.controlPlanes()).isEqualTo(3);
    assertThat(B1.guestMode()).isEqualTo(GuestSimulator.Mode.FULL);
    assertThat(B1.machines()).isEqualTo(5 * 6);
    assertThat(B1.idleScrapeSeconds()).as("a Prometheus's scrape interval").isEqualTo(30);
    assertThat(
            ScaleBench.BenchRun.Options.parse(new String[] {"--idle-scrape-seconds", "5"})
                .idleScrapeSeconds())
        .isEqualTo(5);
    assertThatThrownBy(
            () -> ScaleBench.BenchRun.Options.parse(new String[] {"--guest-mode", "HEAVY"}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void percentilesAreNearestRankOverTheRunsInAnyOrder() {
    ScaleBench.BenchRun.B1 b1 =
        new ScaleBench.BenchRun.B1(B1, List.of(10.0, 2.0, 9.0, 3.0, 8.0, 4.0, 7.0, 5.0, 6.0, 1.0));
    assertThat(b1.percentile(50)).isEqualTo(5.0);
    assertThat(b1.percentile(95)).isEqualTo(10.0);
    assertThat(new ScaleBench.BenchRun.B1(B1, List.of(4.0)).percentile(95)).isEqualTo(4.0);
  }
}
