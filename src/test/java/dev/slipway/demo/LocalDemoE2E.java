package dev.slipway.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.testenv.TestBed;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The demo as a user runs it: its own JVM with logback-demo.xml, console captured. Once it is up,
 * the scale and machine-deletion commands it printed are pasted into bash as printed, their effects
 * must show on its console, and after SIGTERM (what Ctrl-C does) the whole console must be free of
 * escape codes and stack traces.
 */
class LocalDemoE2E {
  static final String ESC = "\u001B";
  static final Pattern MACHINE = Pattern.compile("^\\[slipway-demo] machine (\\S+): (\\S+)$");

  private final List<String> console = new ArrayList<>();

  @Test
  void theConsoleIsCleanAndThePrintedCommandsDoWhatTheySay() throws Exception {
    Path root = TestBed.repositoryRoot();
    Process demo =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "-Dslipway.root=" + root,
                "-Dslipway.test.fork=" + TestBed.shard(),
                "-Dlogback.configurationFile="
                    + root.resolve("src/test/resources/logback-demo.xml"),
                LocalDemo.class.getName())
            .directory(root.toFile())
            .redirectErrorStream(true)
            .start();
    Thread reader = new Thread(() -> read(demo), "demo-console");
    reader.start();
    try {
      awaitLine(l -> l.equals("Machine changes are reported here as they happen."), 300);
      String export = printed(l -> l.startsWith("  export PATH="));
      List<String> before = machinesRunning();

      shell(export, printed(l -> l.startsWith("  kubectl patch tkc demo -n team-a")));
      String deleted =
          field(printed(l -> l.startsWith("  kubectl delete vsm ")), "delete vsm (\\S+) ");
      shell(export, printed(l -> l.startsWith("  kubectl delete vsm ")));

      awaitLine(l -> l.equals("[slipway-demo] machine " + deleted + ": gone"), 120);
      awaitThat(
          "two general machines and a new batch machine Running",
          () -> {
            List<String> running = machinesRunning();
            return running.stream().filter(m -> m.startsWith("demo-general-")).count() == 2
                && running.stream()
                    .anyMatch(m -> m.startsWith("demo-batch-") && !before.contains(m));
          },
          120);
      String tree = shell(export, printed(l -> l.startsWith("  kubectl slipway describe")));
      assertThat(tree).containsPattern("NodePool/general +True .* 2 of 2 machine\\(s\\) ready");
    } finally {
      // SIGTERM: the demo's shutdown hook runs as on Ctrl-C. Through the handle, because
      // Process.destroy() also closes our end of its stdout, and the last lines would be lost.
      demo.toHandle().destroy();
      assertThat(demo.waitFor(120, TimeUnit.SECONDS)).as("the demo stops").isTrue();
      reader.join(10_000);
    }

    List<String> all = snapshot();
    assertThat(all).contains("[slipway-demo] stopped.");
    assertThat(String.join("\n", all))
        .as("the demo's console")
        .doesNotContain(ESC)
        .doesNotContain("Exception")
        .doesNotContain("Caused by");
    assertThat(all).noneMatch(l -> l.startsWith("\tat ") || l.matches("^\\s+at [\\w.$]+\\(.*"));
  }

  /** Names of the machines the console last said were Running and has not said are gone. */
  private List<String> machinesRunning() {
    Map<String, String> last = new LinkedHashMap<>();
    for (String l : snapshot()) {
      Matcher m = MACHINE.matcher(l);
      if (m.matches()) {
        last.put(m.group(1), m.group(2));
      }
    }
    return last.entrySet().stream()
        .filter(e -> e.getValue().equals("Running"))
        .map(Map.Entry::getKey)
        .toList();
  }

  /** A command line as printed, without its indentation. */
  private String printed(Predicate<String> line) {
    Optional<String> found = snapshot().stream().filter(line).findFirst();
    assertThat(found).as("the demo printed the line; console:\n" + joined()).isPresent();
    return found.get().strip();
  }

  private static String field(String line, String regex) {
    Matcher m = Pattern.compile(regex).matcher(line);
    assertThat(m.find()).as(line).isTrue();
    return m.group(1);
  }

  /** Runs the pasted lines in bash as a user's shell would; returns stdout, fails on an error. */
  private static String shell(String... lines) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("bash", "-c", String.join("\n", lines))
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join("\n", lines) + "\n" + out).isZero();
    return out;
  }

  private void awaitLine(Predicate<String> line, long seconds) throws InterruptedException {
    awaitThat("the line", () -> snapshot().stream().anyMatch(line), seconds);
  }

  private void awaitThat(String what, BooleanSupplier seen, long seconds)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(seconds));
    while (Instant.now().isBefore(deadline)) {
      if (seen.getAsBoolean()) {
        return;
      }
      // The demo keeps waiting for a node that will never come; the test need not.
      if (snapshot().stream().anyMatch(l -> l.contains(" failed to boot: "))) {
        throw new AssertionError(
            "a guest failed to boot, so " + what + " never comes:\n" + joined());
      }
      Thread.sleep(500);
    }
    throw new AssertionError(
        what + " not on the demo's console within " + seconds + " s:\n" + joined());
  }

  private void read(Process demo) {
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8))) {
      for (String l = in.readLine(); l != null; l = in.readLine()) {
        synchronized (console) {
          console.add(l);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private List<String> snapshot() {
    synchronized (console) {
      return List.copyOf(console);
    }
  }

  private String joined() {
    return String.join("\n", snapshot());
  }
}
