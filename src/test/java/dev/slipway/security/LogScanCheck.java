package dev.slipway.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.testenv.TestBed;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs last in {@code mvn verify} (its own Failsafe execution, after every *IT and *E2E of every
 * module): no private key and no vCenter password in any test log or report of the suite.
 */
class LogScanCheck {
  @Test
  void noPrivateKeyAndNoPasswordInAnyLogOfTheSuite() {
    Path root = TestBed.repositoryRoot();
    List<Path> files = LogScan.files(root);
    assertThat(files)
        .as("the suite's logs (is target/testbed-logs/tests.log written?)")
        .anySatisfy(p -> assertThat(p.getFileName().toString()).isEqualTo("tests.log"));
    assertThat(LogScan.scan(files)).as("read %d files", files.size()).isEmpty();
  }
}
