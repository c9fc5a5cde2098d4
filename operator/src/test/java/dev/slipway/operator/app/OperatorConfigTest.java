package dev.slipway.operator.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OperatorConfigTest {
  @TempDir Path dir;
  private Path file;
  private Path ca;

  /** The values of deploy/50-config.yaml, with the CA bundle in the temp dir. */
  private final Map<String, String> good = new HashMap<>();

  @BeforeEach
  void setUp() throws IOException {
    ca = dir.resolve("vcenter-ca.pem");
    Files.writeString(ca, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    good.put("vcenter.url", "https://vcenter.example.com");
    good.put("vcenter.credentialsSecret", "slipway-vcenter-credentials");
    good.put("vcenter.caBundle", ca.toString());
    good.put("placement.datacenter", "/Datacenter");
    good.put("placement.parentResourcePool", "/Datacenter/host/Cluster/Resources");
    good.put("placement.parentFolder", "/Datacenter/vm");
    good.put("placement.templatesFolder", "slipway-templates");
    good.put("placement.mhzPerVcpu", "2000");
    good.put("vip.pool", "192.168.10.200-192.168.10.249");
    good.put("operator.reconcileThreads", "10");
    good.put("log.format", "json");
    file = dir.resolve("slipway.properties");
  }

  private Map<String, String> env(Map<String, String> properties) throws IOException {
    StringBuilder b = new StringBuilder("# a comment\n");
    properties.forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
    Files.writeString(file, b);
    Map<String, String> env = new HashMap<>();
    env.put("SLIPWAY_CONFIG", file.toString());
    env.put("POD_NAMESPACE", "slipway-system");
    env.put("POD_NAME", "slipway-operator-7d9f-abcde");
    return env;
  }

  private ConfigException problems(Map<String, String> env) {
    return catchThrowableOfType(ConfigException.class, () -> OperatorConfig.load(env));
  }

  @Test
  void theDeployedConfigurationLoads() throws IOException {
    OperatorConfig c = OperatorConfig.load(env(good));

    assertThat(c.vcenterUrl()).hasToString("https://vcenter.example.com");
    assertThat(c.credentialsSecret()).isEqualTo("slipway-vcenter-credentials");
    assertThat(c.trust()).isEqualTo(OperatorConfig.Trust.CA_BUNDLE);
    assertThat(c.caBundle()).isEqualTo(ca);
    assertThat(c.placement().datacenter()).isEqualTo("/Datacenter");
    assertThat(c.placement().parentResourcePool()).isEqualTo("/Datacenter/host/Cluster/Resources");
    assertThat(c.placement().parentFolder()).isEqualTo("/Datacenter/vm");
    assertThat(c.placement().templatesFolder()).isEqualTo("slipway-templates");
    assertThat(c.placement().mhzPerVcpu()).isEqualTo(2000);
    assertThat(c.vips().contains("192.168.10.220")).isTrue();
    assertThat(c.reconcileThreads()).isEqualTo(10);
    assertThat(c.logFormat()).isEqualTo("json");
    assertThat(c.namespace()).isEqualTo("slipway-system");
    assertThat(c.identity()).contains("slipway-operator-7d9f-abcde");
    assertThat(c.source()).isEqualTo(file.toString());
  }

  @Test
  void optionalKeysHaveDefaults() throws IOException {
    good.remove("placement.templatesFolder");
    good.remove("placement.mhzPerVcpu");
    good.remove("operator.reconcileThreads");
    good.remove("log.format");
    good.remove("vcenter.caBundle");

    OperatorConfig c = OperatorConfig.load(env(good));

    assertThat(c.placement().templatesFolder()).isEqualTo("slipway-templates");
    assertThat(c.placement().mhzPerVcpu()).isEqualTo(2000);
    assertThat(c.reconcileThreads()).isEqualTo(10);
    assertThat(c.logFormat()).isEqualTo("text");
    assertThat(c.httpPort()).isEqualTo(8080);
    assertThat(c.leaderElection()).isTrue();
    assertThat(c.leaseName()).isEqualTo("slipway-operator");
    assertThat(c.trust()).isEqualTo(OperatorConfig.Trust.SYSTEM);
    assertThat(c.addons().resync()).isEqualTo(java.time.Duration.ofMinutes(10));
  }

  @Test
  void theAddonsResyncIsSecondsWithinBounds() throws IOException {
    good.put("addons.resyncSeconds", "45");
    assertThat(OperatorConfig.load(env(good)).addons().resync())
        .isEqualTo(java.time.Duration.ofSeconds(45));

    good.put("addons.resyncSeconds", "2");
    assertThat(problems(env(good)).problems())
        .containsExactly("addons.resyncSeconds: 2 is out of range 5..86400");
  }

  @Test
  void theEnvironmentOverridesTheFile() throws IOException {
    Map<String, String> env = env(good);
    env.put("SLIPWAY_VCENTER_URL", "https://vc2.example.com:8443");
    env.put("SLIPWAY_VCENTER_CREDENTIALSSECRET", "other-secret");
    env.put("SLIPWAY_PLACEMENT_MHZPERVCPU", "2400");
    env.put("SLIPWAY_VIP_POOL", "10.40.0.0/28");
    env.put("SLIPWAY_LOG_FORMAT", "text");
    env.put("SLIPWAY_HTTP_PORT", "9090");
    env.put("SLIPWAY_OPERATOR_LEADERELECTION", "false");

    OperatorConfig c = OperatorConfig.load(env);

    assertThat(c.vcenterUrl()).hasToString("https://vc2.example.com:8443");
    assertThat(c.credentialsSecret()).isEqualTo("other-secret");
    assertThat(c.placement().mhzPerVcpu()).isEqualTo(2400);
    assertThat(c.vips().contains("10.40.0.5")).isTrue();
    assertThat(c.vips().contains("192.168.10.220")).isFalse();
    assertThat(c.logFormat()).isEqualTo("text");
    assertThat(c.httpPort()).isEqualTo(9090);
    assertThat(c.leaderElection()).isFalse();
    assertThat(c.placement().datacenter()).isEqualTo("/Datacenter");
  }

  @Test
  void everythingMayComeFromTheEnvironmentAlone() {
    Map<String, String> env = new HashMap<>();
    good.forEach((k, v) -> env.put(OperatorConfig.envName(k), v));
    env.put("SLIPWAY_CONFIG", "");
    env.put("POD_NAMESPACE", "slipway-system");
    env.put("HOSTNAME", "pod-from-hostname");

    OperatorConfig c = OperatorConfig.load(env);

    assertThat(c.vcenterUrl()).hasToString("https://vcenter.example.com");
    assertThat(c.source()).isEqualTo("environment");
    assertThat(c.identity()).contains("pod-from-hostname");
  }

  @Test
  void environmentNamesAreUpperCaseWithUnderscores() {
    assertThat(OperatorConfig.envName("vcenter.url")).isEqualTo("SLIPWAY_VCENTER_URL");
    assertThat(OperatorConfig.envName("vcenter.credentialsSecret"))
        .isEqualTo("SLIPWAY_VCENTER_CREDENTIALSSECRET");
    assertThat(OperatorConfig.envName("placement.parentResourcePool"))
        .isEqualTo("SLIPWAY_PLACEMENT_PARENTRESOURCEPOOL");
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "vcenter.url | ftp://vc.example.com | vcenter.url: \"ftp://vc.example.com\" must start with"
            + " https://",
        "vcenter.url | https:// | vcenter.url: \"https://\" is not a URL: Expected authority",
        "vcenter.url | https://vc example.com | vcenter.url: \"https://vc example.com\" is not a"
            + " URL: Illegal character in authority",
        "vcenter.credentialsSecret | Slipway_Creds | vcenter.credentialsSecret: \"Slipway_Creds\""
            + " is not a valid Secret name (lower-case letters, digits, '-' and '.')",
        "vcenter.thumbprint | AB:CD | vcenter.thumbprint: must be the SHA-256 thumbprint of"
            + " vCenter's certificate (64 hex digits, colons allowed)",
        "vcenter.insecure | yes | vcenter.insecure: \"yes\" must be true or false",
        "placement.datacenter | Datacenter | placement.datacenter: \"Datacenter\" must be an"
            + " inventory path like /Datacenter/vm (leading '/')",
        "placement.parentResourcePool | /DC/host/ | placement.parentResourcePool: \"/DC/host/\""
            + " must be an inventory path like /Datacenter/vm (leading '/')",
        "placement.parentFolder | /DC//vm | placement.parentFolder: \"/DC//vm\" must be an"
            + " inventory path like /Datacenter/vm (leading '/')",
        "placement.templatesFolder | a/b | placement.templatesFolder: \"a/b\" must be a folder name"
            + " under placement.parentFolder, without '/'",
        "placement.mhzPerVcpu | 0 | placement.mhzPerVcpu: 0 is out of range 1..1000000",
        "placement.mhzPerVcpu | 2GHz | placement.mhzPerVcpu: \"2GHz\" is not a whole number",
        "vip.pool | 10.0.0.9-10.0.0.1 | vip.pool: range 10.0.0.9-10.0.0.1 ends before it starts",
        "vip.pool | 10.0.0.1-fe80::1 | vip.pool: range 10.0.0.1-fe80::1 mixes IPv4 and IPv6",
        "operator.reconcileThreads | 0 | operator.reconcileThreads: 0 is out of range 1..1000",
        "operator.leaderElection | maybe | operator.leaderElection: \"maybe\" must be true or"
            + " false",
        "operator.leaseName | Lease! | operator.leaseName: \"Lease!\" is not a valid Lease name",
        "log.format | xml | log.format: \"xml\" must be text or json",
        "http.port | 70000 | http.port: 70000 is out of range 0..65535",
      })
  void eachBadValueHasItsMessage(String key, String value, String message) throws IOException {
    if (key.equals("vcenter.thumbprint")) {
      good.remove("vcenter.caBundle");
    }
    good.put(key, value);

    assertThat(problems(env(good)).problems()).containsExactly(message);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "vcenter.url",
    "vcenter.credentialsSecret",
    "placement.datacenter",
    "placement.parentResourcePool",
    "placement.parentFolder",
    "vip.pool"
  })
  void eachRequiredKeyIsNamedWithItsVariable(String key) throws IOException {
    good.remove(key);

    assertThat(problems(env(good)).problems())
        .containsExactly(
            key + ": required (in the file or as " + OperatorConfig.envName(key) + ")");
  }

  @Test
  void aMissingOrEmptyCaBundleIsNamed() throws IOException {
    good.put("vcenter.caBundle", dir.resolve("nope.pem").toString());
    assertThat(problems(env(good)).problems())
        .containsExactly("vcenter.caBundle: " + dir.resolve("nope.pem") + ": no such file");

    Files.writeString(ca, "not a certificate");
    good.put("vcenter.caBundle", ca.toString());
    assertThat(problems(env(good)).problems())
        .containsExactly("vcenter.caBundle: " + ca + ": no PEM certificate in it");
  }

  @Test
  void atMostOneWayToTrustVCenter() throws IOException {
    good.put("vcenter.thumbprint", "ab".repeat(32));
    assertThat(problems(env(good)).problems())
        .containsExactly(
            "vcenter.caBundle, vcenter.thumbprint, vcenter.insecure: give at most one of them");
  }

  @Test
  void thumbprintOrInsecureAlone() throws IOException {
    good.remove("vcenter.caBundle");
    good.put("vcenter.thumbprint", "ab:".repeat(31) + "ab");
    OperatorConfig pinned = OperatorConfig.load(env(good));
    assertThat(pinned.trust()).isEqualTo(OperatorConfig.Trust.THUMBPRINT);
    assertThat(pinned.thumbprint()).isEqualTo("AB".repeat(32));

    good.remove("vcenter.thumbprint");
    good.put("vcenter.insecure", "true");
    assertThat(OperatorConfig.load(env(good)).trust()).isEqualTo(OperatorConfig.Trust.INSECURE);
  }

  @Test
  void plainHttpIsRefusedUnlessInsecureIsSaidOutLoud() throws IOException {
    good.put("vcenter.url", "http://vcenter.example.com");
    assertThat(problems(env(good)).problems())
        .containsExactly(
            "vcenter.url: http://vcenter.example.com is plain http, which would send the vCenter"
                + " password unencrypted; use https:// (only in a lab: vcenter.insecure=true"
                + " allows it)");

    good.remove("vcenter.caBundle");
    good.put("vcenter.insecure", "true");
    assertThat(OperatorConfig.load(env(good)).vcenterUrl().getScheme()).isEqualTo("http");
  }

  @Test
  void unknownKeysAreReportedWithTheLikelyKey() throws IOException {
    good.put("vcenter.credentialssecret", "x");
    good.put("placement.cluster", "/DC/host/C");

    assertThat(problems(env(good)).problems())
        .containsExactly(
            "placement.cluster: unknown key in " + file,
            "vcenter.credentialssecret: unknown key in "
                + file
                + " (did you mean vcenter.credentialsSecret?)");
  }

  @Test
  void aNamedConfigFileMustExist() {
    Map<String, String> env = new HashMap<>();
    env.put("SLIPWAY_CONFIG", dir.resolve("missing.properties").toString());
    env.put("POD_NAMESPACE", "slipway-system");

    assertThat(problems(env).problems())
        .startsWith(
            "SLIPWAY_CONFIG="
                + dir.resolve("missing.properties")
                + ": no such file (unset it to configure by environment only)")
        .contains("vcenter.url: required (in the file or as SLIPWAY_VCENTER_URL)");
  }

  @Test
  void podNamespaceIsRequired() throws IOException {
    Map<String, String> env = env(good);
    env.remove("POD_NAMESPACE");

    assertThat(problems(env).problems())
        .containsExactly(
            "POD_NAMESPACE: not set (the operator's namespace: credentials Secret and leader"
                + " Lease; the Deployment sets it from metadata.namespace)");
  }

  @Test
  void allProblemsAreReportedTogetherOneLineEach() throws IOException {
    good.put("vcenter.url", "vcenter.example.com");
    good.remove("vip.pool");
    good.put("placement.mhzPerVcpu", "-1");
    good.put("log.format", "yaml");
    Map<String, String> env = env(good);
    env.put("SLIPWAY_OPERATOR_RECONCILETHREADS", "many");

    ConfigException e = problems(env);

    assertThat(e.problems())
        .containsExactlyInAnyOrder(
            "vcenter.url: \"vcenter.example.com\" must start with https://",
            "vip.pool: required (in the file or as SLIPWAY_VIP_POOL)",
            "placement.mhzPerVcpu: -1 is out of range 1..1000000",
            "log.format: \"yaml\" must be text or json",
            "operator.reconcileThreads: \"many\" is not a whole number");
    assertThat(e.problems()).allSatisfy(line -> assertThat(line).doesNotContain("\n"));
  }

  @Test
  void aPasswordInTheUrlIsNeverRepeated() throws IOException {
    good.put("vcenter.url", "https://admin:s3cr3t-Pa55@vcenter.example.com");

    ConfigException e = problems(env(good));

    assertThat(e.problems())
        .containsExactly(
            "vcenter.url: must not contain credentials; put them in the Secret named by"
                + " vcenter.credentialsSecret");
    assertThat(e.getMessage()).doesNotContain("s3cr3t-Pa55");
  }

  @Test
  void toStringShowsWhereSettingsCameFromButNoSecret() throws IOException {
    String s = OperatorConfig.load(env(good)).toString();

    assertThat(s)
        .contains("from " + file)
        .contains("vcenter=https://vcenter.example.com")
        .contains("credentialsSecret=slipway-system/slipway-vcenter-credentials")
        .contains("trust=CA_BUNDLE")
        .contains("vip.pool=192.168.10.200-192.168.10.249")
        .doesNotContainIgnoringCase("password");
  }
}
