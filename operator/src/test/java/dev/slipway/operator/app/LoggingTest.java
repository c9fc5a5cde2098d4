package dev.slipway.operator.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

class LoggingTest {
  private static final Logger LOG = LoggerFactory.getLogger("dev.slipway.test.LoggingTest");
  private final PrintStream stdout = System.out;

  @AfterEach
  void restore() {
    System.setOut(stdout);
    MDC.clear();
    Logging.configure("text");
  }

  /** What the logger writes to standard output while {@code r} runs. */
  private String capture(String format, Map<String, String> mdc, Runnable r) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      Logging.configure(format);
      mdc.forEach(MDC::put);
      r.run();
    } finally {
      MDC.clear();
      System.setOut(stdout);
    }
    return buf.toString(StandardCharsets.UTF_8);
  }

  // JOSDK's MDC keys (io.javaoperatorsdk.operator.processing.MDCUtils in 5.2.3).
  private static final Map<String, String> RECONCILING =
      Map.of(
          "resource.namespace", "team-a",
          "resource.name", "demo",
          "resource.kind", "TanzuKubernetesCluster");

  @Test
  void textLinesCarryNamespaceSlashName() {
    String out = capture("text", RECONCILING, () -> LOG.info("planned {} machines", 3));

    assertThat(out)
        .matches(
            "\\d{4}-\\d\\d-\\d\\dT[0-9:.]+(Z|[+-]\\d\\d:\\d\\d) INFO  team-a/demo"
                + " dev.slipway.test.LoggingTest - planned 3 machines\\R");
  }

  @Test
  void textLinesOfClusterScopedObjectsShowTheNameAlone() {
    String out =
        capture(
            "text",
            Map.of("resource.namespace", "no namespace", "resource.name", "team-a"),
            () -> LOG.info("x"));

    assertThat(out).contains(" INFO  team-a dev.slipway.test.LoggingTest - x");
  }

  @Test
  void textLinesOutsideAReconcileHaveNoResource() {
    String out = capture("text", Map.of(), () -> LOG.warn("vCenter slow"));

    assertThat(out).contains(" WARN  dev.slipway.test.LoggingTest - vCenter slow");
  }

  @Test
  void jsonIsOneObjectPerLineWithTheResourceFields() throws Exception {
    String out =
        capture(
            "json",
            RECONCILING,
            () -> LOG.error("clone failed", new IllegalStateException("no datastore")));

    assertThat(out.lines()).hasSize(1);
    JsonNode line = new ObjectMapper().readTree(out);
    assertThat(line.path("message").asText()).isEqualTo("clone failed");
    assertThat(line.path("level").asText()).isEqualTo("ERROR");
    assertThat(line.path("logger").asText()).isEqualTo("dev.slipway.test.LoggingTest");
    assertThat(line.path("namespace").asText()).isEqualTo("team-a");
    assertThat(line.path("name").asText()).isEqualTo("demo");
    assertThat(line.path("kind").asText()).isEqualTo("TanzuKubernetesCluster");
    assertThat(line.path("stack_trace").asText()).contains("IllegalStateException: no datastore");
    assertThat(line.has("time")).isTrue();
    assertThat(line.has("resource.name")).isFalse();
  }

  @Test
  void jsonOfAClusterScopedObjectHasNoNamespaceField() throws Exception {
    String out =
        capture(
            "json",
            Map.of(
                "resource.namespace", "no namespace",
                "resource.name", "team-a",
                "resource.kind", "VSphereNamespace"),
            () -> LOG.info("namespace ready"));

    JsonNode line = new ObjectMapper().readTree(out);
    assertThat(line.has("namespace")).isFalse();
    assertThat(line.path("name").asText()).isEqualTo("team-a");
  }
}
