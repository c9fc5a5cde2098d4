package dev.slipway.cli;

import dev.slipway.testenv.ControlPlane;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The test bed's kubectl against one control plane, with a discovery cache of its own. */
final class Kubectl {
  record Result(int exitCode, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  private final ControlPlane controlPlane;
  private final Path cacheDir;

  Kubectl(ControlPlane controlPlane) {
    this.controlPlane = controlPlane;
    try {
      this.cacheDir = Files.createTempDirectory("kubectl-cache");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Forgets discovery (after CRDs were added, so kubectl knows their resources). */
  Kubectl fresh() {
    return new Kubectl(controlPlane);
  }

  Result run(String... args) {
    List<String> argv = new ArrayList<>();
    argv.add(controlPlane.testBed().bin("kubectl").toString());
    argv.add("--kubeconfig=" + controlPlane.kubeconfigFile());
    argv.add("--cache-dir=" + cacheDir);
    argv.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(argv).start();
      CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
      String out = read(p.getInputStream().readAllBytes());
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("kubectl " + String.join(" ", args) + " took over 120 s");
      }
      return new Result(p.exitValue(), out, err.join());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** {@code kubectl auth can-i ...}: true for "yes", false for "no", else the test fails. */
  boolean canI(String as, String... args) {
    List<String> argv = new ArrayList<>(List.of("auth", "can-i"));
    argv.addAll(List.of(args));
    argv.add("--as=" + as);
    Result r = run(argv.toArray(String[]::new));
    String answer = r.out().strip();
    if (answer.equals("yes") && r.exitCode() == 0) {
      return true;
    }
    if (answer.startsWith("no") && r.exitCode() == 1) {
      return false;
    }
    throw new AssertionError("kubectl auth can-i " + argv + " gave no answer: " + r);
  }

  private static String read(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static String read(java.io.InputStream in) {
    try {
      return read(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
