package dev.slipway.operator.bootstrap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a real binary for the integration tests and keeps what it printed. */
final class Exec {

  record Result(List<String> command, int exitCode, String output) {
    /** For assertion messages: what ran and everything it said. */
    String describe() {
      return String.join(" ", command) + " exited " + exitCode + ":\n" + output;
    }
  }

  private Exec() {}

  static Result run(Path dir, String... command) throws IOException, InterruptedException {
    Path log = Files.createTempFile("slipway-exec", ".log");
    try {
      Process p =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      if (!p.waitFor(2, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish in 2 minutes");
      }
      return new Result(
          List.of(command), p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
