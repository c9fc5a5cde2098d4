package dev.slipway.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The small form of the scale benchmark's B3 and B4 (docs/performance.md) as a regression guard:
 * the real operator process builds two clusters of one control-plane machine and one worker, then
 * stands idle. The bounds are generous (about twice what docs/performance.md reports after the
 * optimisations; the write bound, 32, about half as much again as the 22.25 seen) so that only a
 * real regression fails it: writes and vCenter calls per machine from create to Running, and, idle,
 * no write but the leader's Lease renewals, almost no read but its Lease GETs, and few vCenter
 * calls.
 */
class PerformanceBudgetE2E {
  static final int CLUSTERS = 2;
  static final int IDLE_SECONDS = 30;

  @Test
  void createAndIdleStayWithinTheBudget() throws Exception {
    Path out =
        Files.createDirectories(
            dev.slipway.testenv.TestBed.repositoryRoot().resolve("target/bench/budget-e2e"));
    ScaleBench.BenchRun.Options options =
        ScaleBench.BenchRun.Options.parse(
            new String[] {
              "--clusters", String.valueOf(CLUSTERS),
              "--idle-seconds", String.valueOf(IDLE_SECONDS),
              "--ready-timeout-seconds", "300"
            });
    ScaleBench.BenchRun.Result r;
    try (ScaleBench.BenchRun run = ScaleBench.BenchRun.start(options, out)) {
      r = run.measure();
    }
    r.write(out);
    String seen = r.summary();
    assertThat(r.guestFailures()).as(seen).isEmpty();
    assertThat(r.allReady()).as("all clusters Ready; " + seen).isTrue();
    Map<String, Object> f = r.figures();
    assertThat((double) f.get("vcenterCallsPerMachine"))
        .as("vCenter calls per machine, create -> Running; " + seen)
        .isLessThanOrEqualTo(VCENTER_CALLS_PER_MACHINE);
    assertThat((double) f.get("operatorWritesPerMachine"))
        .as("operator writes per machine (Lease renewals left out), create -> Running; " + seen)
        .isLessThanOrEqualTo(WRITES_PER_MACHINE);
    assertThat((double) f.get("operatorReadsPerMachine"))
        .as("operator reads per machine (Lease GETs included), create -> Running; " + seen)
        .isLessThanOrEqualTo(READS_PER_MACHINE);
    assertThat((double) f.get("operatorStatusConflicts409"))
        .as("status writes refused with 409; " + seen)
        .isZero();
    assertThat((double) f.get("conversionReviewsFailed"))
        .as("the API server's conversion webhook calls that failed; " + seen)
        .isZero();
    assertThat((double) f.get("idleOperatorWritesExceptLeases"))
        .as("writes while idle; " + seen)
        .isZero();
    assertThat((double) f.get("idleOperatorReadsExceptLeases"))
        .as("reads while idle, the leader's Lease left out; " + seen)
        .isLessThanOrEqualTo(IDLE_READS_EXCEPT_LEASES);
    assertThat((double) f.get("idleVcenterCallsPerClusterPerMinute"))
        .as("vCenter calls per cluster per minute while idle; " + seen)
        .isLessThanOrEqualTo(IDLE_VCENTER_CALLS_PER_CLUSTER_MINUTE);
    assertThat(r.idleVcenterCalls().getOrDefault("RetrievePropertiesEx", 0.0))
        .as("VM reads while idle (changes come from the VM watch); " + seen)
        .isLessThanOrEqualTo(IDLE_VM_READS);
  }

  static final double VCENTER_CALLS_PER_MACHINE = 80;
  static final double WRITES_PER_MACHINE = 32;
  static final double READS_PER_MACHINE = 40;

  /** The release sync reads the releases once a minute; Secret reads come from a cache. */
  static final double IDLE_READS_EXCEPT_LEASES = 5;

  static final double IDLE_VCENTER_CALLS_PER_CLUSTER_MINUTE = 10;

  /**
   * A Ready machine's VM is read again only when the VM watch reports a change (or after 10 min):
   * none is expected in the idle window; re-reading every Ready machine's VM each 30 s made 4.
   */
  static final double IDLE_VM_READS = 2;
}
