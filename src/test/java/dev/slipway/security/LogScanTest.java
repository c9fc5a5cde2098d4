package dev.slipway.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogScanTest {
  @TempDir Path root;

  Path write(String relative, String text) throws IOException {
    Path p = root.resolve(relative);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
    return p;
  }

  @Test
  void findsKeysAndPasswordsInLogsAndReportsButNotElsewhere() throws IOException {
    String password = "pw-" + UUID.randomUUID();
    Path log = write("target/testbed-logs/tests.log", "ok\nlogin with " + password + "\n");
    Path report =
        write(
            "operator/target/failsafe-reports/FooIT.txt",
            "expected x but was -----BEGIN RSA PRIVATE KEY-----\n");
    write("target/testbed-logs/vcsim.pem", "-----BEGIN PRIVATE KEY-----\n");
    write("operator/src/test/resources/key.txt", "-----BEGIN EC PRIVATE KEY-----\n");
    write("target/testbed-logs/clean.log", "-----BEGIN CERTIFICATE-----\npw-not-a-uuid\n");

    assertThat(LogScan.scan(LogScan.files(root)))
        .extracting(Object::toString)
        .containsExactlyInAnyOrder(
            log + ":2: a vCenter (vcsim) password", report + ":1: a PEM private key");
  }
}
