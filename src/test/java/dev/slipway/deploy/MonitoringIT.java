package dev.slipway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.slipway.testenv.TestBed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/monitoring with Prometheus' own promtool: the rule file is valid, its unit tests pass and
 * cover every alert, and the PrometheusRule carries the same groups. (That every metric the rules
 * and the dashboard use is one a running operator exports: MainIT in the operator module.)
 */
class MonitoringIT {
  static final Path DIR = TestBed.repositoryRoot().resolve("deploy/monitoring");
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @Test
  void rulesAreValid() {
    Tools.Result r =
        Tools.run("promtool", null, "check", "rules", DIR.resolve("slipway.rules.yaml").toString());
    assertThat(r.code()).as(r.out()).isZero();
    assertThat(r.out()).contains("SUCCESS: 11 rules found");
  }

  @Test
  void unitTestsPassAndCoverEveryAlert() throws IOException {
    Path tests = DIR.resolve("tests/slipway.rules.test.yaml");
    Tools.Result r = Tools.run("promtool", null, "test", "rules", tests.toString());
    assertThat(r.code()).as(r.out()).isZero();
    assertThat(r.out()).contains("SUCCESS");

    Set<String> alerts = new TreeSet<>();
    for (JsonNode g : YAML.readTree(DIR.resolve("slipway.rules.yaml").toFile()).path("groups")) {
      for (JsonNode rule : g.path("rules")) {
        alerts.add(rule.path("alert").asText());
      }
    }
    Set<String> firing = new TreeSet<>();
    Set<String> silent = new TreeSet<>();
    for (JsonNode t : YAML.readTree(tests.toFile()).path("tests")) {
      for (JsonNode a : t.path("alert_rule_test")) {
        (a.path("exp_alerts").isEmpty() ? silent : firing).add(a.path("alertname").asText());
      }
    }
    assertThat(alerts).hasSize(11);
    assertThat(firing).as("alerts with a test that makes them fire").isEqualTo(alerts);
    List<String> noQuietCase = new ArrayList<>(alerts);
    noQuietCase.removeAll(silent);
    // the two certificate alerts share one input where the other certificates stay quiet
    assertThat(noQuietCase)
        .as("alerts without a test where they must not fire")
        .containsExactlyInAnyOrder(
            "SlipwayClusterCertificateExpiresSoon", "SlipwayClusterCertificateExpiresVerySoon");
  }

  @Test
  void aBrokenRuleFailsItsUnitTest(@TempDir Path tmp) throws IOException {
    // The unit tests are able to fail: with the cluster-not-ready threshold moved, they do.
    Files.createDirectories(tmp.resolve("tests"));
    Files.writeString(
        tmp.resolve("slipway.rules.yaml"),
        Files.readString(DIR.resolve("slipway.rules.yaml")).replace("for: 30m", "for: 40m"));
    Files.copy(DIR.resolve("tests/slipway.rules.test.yaml"), tmp.resolve("tests/t.yaml"));
    Tools.Result r =
        Tools.run("promtool", null, "test", "rules", tmp.resolve("tests/t.yaml").toString());
    assertThat(r.code()).isNotZero();
    assertThat(r.out()).contains("alertname: SlipwayClusterNotReady");
  }

  @Test
  void prometheusRuleCarriesTheSameGroups() throws IOException {
    JsonNode rule = YAML.readTree(DIR.resolve("prometheusrule.yaml").toFile());
    assertThat(rule.path("kind").asText()).isEqualTo("PrometheusRule");
    assertThat(rule.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(rule.path("spec").path("groups"))
        .isEqualTo(YAML.readTree(DIR.resolve("slipway.rules.yaml").toFile()).path("groups"));
  }

  @Test
  void dashboardIsGrafanaJsonWithAQueryPerPanel() throws IOException {
    JsonNode d = new ObjectMapper().readTree(DIR.resolve("slipway-dashboard.json").toFile());
    assertThat(d.path("uid").asText()).isEqualTo("slipway-operator");
    int queries = 0;
    for (JsonNode p : d.path("panels")) {
      if (p.path("type").asText().equals("row")) {
        continue;
      }
      assertThat(p.path("targets")).as(p.path("title").asText()).isNotEmpty();
      for (JsonNode t : p.path("targets")) {
        assertThat(t.path("expr").asText()).isNotBlank();
        queries++;
      }
      assertThat(p.path("datasource").path("uid").asText()).isEqualTo("${datasource}");
    }
    assertThat(queries).isGreaterThanOrEqualTo(15);
  }
}
