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
    assertThat(B1.heapDump()).as("a dump is hundreds of MB: only when asked").isFalse();
    assertThat(ScaleBench.BenchRun.Options.parse(new String[] {"--heap-dump", "true"}).heapDump())
        .isTrue();
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

  @Test
  void threadCpuIsSummedByNameWithItsNumbersFoldedAndEndedThreadsLeftOut() {
    var before =
        java.util.Map.of(
            1L, new ScaleBench.BenchRun.ThreadCpu("pool-1-thread-1", 5.0),
            2L, new ScaleBench.BenchRun.ThreadCpu("pool-1-thread-2", 1.0),
            3L, new ScaleBench.BenchRun.ThreadCpu("ended", 9.0),
            4L, new ScaleBench.BenchRun.ThreadCpu("quiet", 2.0));
    var after =
        java.util.Map.of(
            1L, new ScaleBench.BenchRun.ThreadCpu("pool-1-thread-1", 5.5),
            2L, new ScaleBench.BenchRun.ThreadCpu("pool-1-thread-2", 1.25),
            5L, new ScaleBench.BenchRun.ThreadCpu("C2 CompilerThre", 0.5),
            4L, new ScaleBench.BenchRun.ThreadCpu("quiet", 2.0));
    assertThat(ScaleBench.BenchRun.byThreadName(before, after))
        .containsExactlyInAnyOrderEntriesOf(
            java.util.Map.of("pool-#-thread-#", 0.75, "C# CompilerThre", 0.5));
  }

  @Test
  void threadCpuReadsThisProcessesThreadsFromProc() throws Exception {
    var done = new java.util.concurrent.CountDownLatch(1);
    var started = new java.util.concurrent.CountDownLatch(1);
    Thread probe =
        new Thread(
            () -> {
              // 50 ms of this thread's own CPU, however loaded the machine: 5 of /proc's ticks.
              var cpu = java.lang.management.ManagementFactory.getThreadMXBean();
              long until = cpu.getCurrentThreadCpuTime() + 50_000_000L;
              long x = 0;
              while (cpu.getCurrentThreadCpuTime() < until) {
                x += Long.numberOfTrailingZeros(x + System.nanoTime());
              }
              started.countDown();
              try {
                done.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "bench-probe-7");
    probe.start();
    try {
      started.await();
      var threads = ScaleBench.BenchRun.threadCpu(ProcessHandle.current().pid());
      assertThat(threads.values())
          .filteredOn(t -> t.name().equals("bench-probe-7"))
          .singleElement()
          .satisfies(t -> assertThat(t.seconds()).isGreaterThanOrEqualTo(0.03));
      assertThat(ScaleBench.BenchRun.threadCpu(-5)).isEmpty();
    } finally {
      done.countDown();
      probe.join();
    }
  }
}
