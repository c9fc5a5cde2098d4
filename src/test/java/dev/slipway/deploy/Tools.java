package dev.slipway.deploy;

import dev.slipway.testenv.TestBed;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the test bed's command-line tools (helm, promtool, kstatus, kubectl) and captures output.
 */
public final class Tools {
  private Tools() {}

  /** Exit code and combined output of one run. */
  public record Result(int code, String out) {
    public Result ok() {
      if (code != 0) {
        throw new AssertionError("exit " + code + ":\n" + out);
      }
      return this;
    }
  }

  /** A tool from testenv/build-tools.sh with its arguments, stdin optional. */
  public static Result run(String tool, String stdin, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(TestBed.tool(tool).toString());
    cmd.addAll(List.of(args));
    return exec(cmd, stdin);
  }

  /** Helm with its caches and configuration in target/, never in the user's home. */
  public static Result helm(String... args) {
    Path home = TestBed.repositoryRoot().resolve("target/helm-home");
    List<String> cmd = new ArrayList<>();
    cmd.add(TestBed.tool("helm").toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("HELM_CACHE_HOME", home.resolve("cache").toString());
    pb.environment().put("HELM_CONFIG_HOME", home.resolve("config").toString());
    pb.environment().put("HELM_DATA_HOME", home.resolve("data").toString());
    pb.environment().remove("KUBECONFIG");
    return start(pb, null);
  }

  public static Result kubectl(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(TestBed.get().bin("kubectl").toString());
    cmd.addAll(List.of(args));
    return exec(cmd, null);
  }

  private static Result exec(List<String> cmd, String stdin) {
    return start(new ProcessBuilder(cmd), stdin);
  }

  private static Result start(ProcessBuilder pb, String stdin) {
    pb.redirectErrorStream(true);
    try {
      Path in = null;
      if (stdin != null) {
        in = Files.createTempFile("slipway-tool", ".in");
        Files.writeString(in, stdin);
        pb.redirectInput(in.toFile());
      }
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(5, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError("timed out: " + pb.command());
      }
      if (in != null) {
        Files.deleteIfExists(in);
      }
      return new Result(p.exitValue(), out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
