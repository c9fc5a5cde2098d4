package dev.slipway.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Looks through the test suite's logs for what must never be logged: a private key (PEM) and a
 * vCenter password of the test bed (vcsim's are {@code pw-<uuid>}, see {@code Vcsim}). Read: every
 * {@code *.log} under {@code target/testbed-logs} (the processes' output and {@code tests.log},
 * every test JVM's own logging) and every Surefire/Failsafe report of every module.
 */
final class LogScan {
  static final Pattern PRIVATE_KEY = Pattern.compile("-----BEGIN [A-Z ]*PRIVATE KEY-----");
  static final Pattern VCSIM_PASSWORD =
      Pattern.compile("pw-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  /** One finding: where, and what kind (never the secret itself). */
  record Finding(Path file, int line, String what) {
    @Override
    public String toString() {
      return file + ":" + line + ": " + what;
    }
  }

  private LogScan() {}

  /** The files to read under the repository root {@code root}. */
  static List<Path> files(Path root) {
    List<Path> out = new ArrayList<>();
    try (Stream<Path> s = Files.walk(root, 6)) {
      s.filter(Files::isRegularFile)
          .filter(p -> !p.toString().contains("/.git/"))
          .filter(LogScan::isLog)
          .forEach(out::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private static boolean isLog(Path p) {
    String s = p.toString().replace('\\', '/');
    String name = p.getFileName().toString();
    return (s.contains("/target/testbed-logs/") && name.endsWith(".log"))
        || ((s.contains("/target/surefire-reports/") || s.contains("/target/failsafe-reports/"))
            && (name.endsWith(".txt") || name.endsWith(".xml")));
  }

  static List<Finding> scan(List<Path> files) {
    List<Finding> out = new ArrayList<>();
    for (Path f : files) {
      List<String> lines;
      try {
        lines = new String(Files.readAllBytes(f), StandardCharsets.UTF_8).lines().toList();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      for (int i = 0; i < lines.size(); i++) {
        if (PRIVATE_KEY.matcher(lines.get(i)).find()) {
          out.add(new Finding(f, i + 1, "a PEM private key"));
        }
        Matcher m = VCSIM_PASSWORD.matcher(lines.get(i));
        if (m.find()) {
          out.add(new Finding(f, i + 1, "a vCenter (vcsim) password"));
        }
      }
    }
    return out;
  }
}
