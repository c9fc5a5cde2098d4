package dev.slipway.operator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int execute(Map<String, String> env, String... args) {
    return Main.execute(
        args,
        env,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void versionPrintsTheBuildsVersion() {
    assertThat(execute(Map.of(), "--version")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("slipway-operator 0.1.0-SNAPSHOT\n");
  }

  @Test
  void helpNamesTheSettings() {
    assertThat(execute(Map.of(), "--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("SLIPWAY_CONFIG", "POD_NAMESPACE");
  }

  @Test
  void anUnknownArgumentIsAUsageError() {
    assertThat(execute(Map.of(), "--vcenter")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .startsWith("slipway-operator: unknown argument --vcenter\nUsage:");
  }

  @Test
  void configurationProblemsAreLinesOnStandardErrorAndExitCode2(@TempDir Path dir) {
    int code =
        execute(
            Map.of(
                "SLIPWAY_CONFIG", dir.resolve("slipway.properties").toString(),
                "SLIPWAY_VCENTER_URL", "https://vcenter.example.com",
                "SLIPWAY_LOG_FORMAT", "xml"));

    assertThat(code).isEqualTo(2);
    String[] lines = err.toString(StandardCharsets.UTF_8).split("\n");
    assertThat(lines)
        .contains(
            "slipway-operator: SLIPWAY_CONFIG="
                + dir.resolve("slipway.properties")
                + ": no such file (unset it to configure by environment only)",
            "slipway-operator: vcenter.credentialsSecret: required (in the file or as"
                + " SLIPWAY_VCENTER_CREDENTIALSSECRET)",
            "slipway-operator: log.format: \"xml\" must be text or json",
            "slipway-operator: POD_NAMESPACE: not set (the operator's namespace: credentials"
                + " Secret and leader Lease; the Deployment sets it from metadata.namespace)");
    assertThat(lines[lines.length - 1])
        .isEqualTo("slipway-operator: not started: 8 configuration problems");
    assertThat(err.toString(StandardCharsets.UTF_8)).doesNotContain("Exception", "\tat ");
  }

  /** What {@code probe} prints in a fresh JVM started with {@code flags}. */
  private static String runProbe(Class<?> probe, String... flags) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of(flags));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), probe.getName()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(p.waitFor()).as(out).isZero();
    return out;
  }

  /** The thread an async stage ran on in a fresh JVM of {@code processors} CPUs. */
  private static String asyncStageThread(int processors) throws Exception {
    return runProbe(AsyncStagesProbe.class, "-XX:ActiveProcessorCount=" + processors);
  }

  @Test
  void onTwoProcessorsAsyncStagesRunOnTheCommonPoolNotEachOnANewThread() throws Exception {
    assertThat(asyncStageThread(2)).startsWith("ForkJoinPool.commonPool-worker-");
    assertThat(asyncStageThread(1)).startsWith("ForkJoinPool.commonPool-worker-");
  }

  /** A fresh JVM's idle HTTP selector wait, in ms, after {@link HttpSelectorProbe}; extra flags. */
  private static String httpSelectorWait(String... flags) throws Exception {
    List<String> all =
        new ArrayList<>(List.of("--add-opens=java.net.http/jdk.internal.net.http=ALL-UNNAMED"));
    all.addAll(List.of(flags));
    return runProbe(HttpSelectorProbe.class, all.toArray(String[]::new));
  }

  @Test
  void idleHttpSelectorThreadsWakeEveryMinuteUnlessTheUserSaysOtherwise() throws Exception {
    assertThat(httpSelectorWait()).isEqualTo("60000");
    assertThat(httpSelectorWait("-Djdk.internal.httpclient.selectorTimeout=5000"))
        .isEqualTo("5000");
  }
}
