package dev.slipway.operator.bootstrap;

import static dev.slipway.operator.bootstrap.Specs.PKI;
import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.testenv.TestBed;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kubeadm configuration Slipway renders, checked by the real kubeadm of the test bed; and
 * kubeadm's own certificate phase run against the CA files the init cloud-config writes.
 */
class KubeadmConfigIT {

  static final BootstrapToken TOKEN = BootstrapToken.generate();

  static String kubeadm;

  @TempDir Path tmp;

  @BeforeAll
  static void testBed() {
    kubeadm = TestBed.get().bin("kubeadm").toString();
  }

  /** Labels, taints (including YAML-ambiguous values), proxy, trust, dual stack, provider ID. */
  static NodeSpec node(String name) {
    Map<String, String> labels = new LinkedHashMap<>(Specs.workerNode(name).labels());
    labels.put("yes", "on");
    List<Taint> taints = new ArrayList<>(Specs.workerNode(name).taints());
    taints.add(new Taint("yaml-bool", "on", "PreferNoSchedule"));
    return new NodeSpec(name, labels, taints, "vsphere://4213a1b2-0000-1111-2222-333344445555");
  }

  static Stream<Arguments> configurations() {
    ClusterSpec c = Specs.full();
    return Stream.of(
        Arguments.of("init", CloudInit.init(c, node("demo-cp-1"), PKI, TOKEN)),
        Arguments.of(
            "join-control-plane", CloudInit.joinControlPlane(c, node("demo-cp-2"), PKI, TOKEN)),
        Arguments.of(
            "join-worker", CloudInit.joinWorker(c, node("demo-w-1"), PKI.ca().certPem(), TOKEN)),
        Arguments.of(
            "init-minimal",
            CloudInit.init(Specs.minimal(), Specs.controlPlaneNode("demo-cp-1"), PKI, TOKEN)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configurations")
  void kubeadmAcceptsTheConfiguration(String role, String cloudConfig) throws Exception {
    Path file = tmp.resolve(role + ".yaml");
    Files.writeString(file, CloudInit.parse(cloudConfig).kubeadmConfig());

    Exec.Result r = Exec.run(tmp, kubeadm, "config", "validate", "--config", file.toString());

    assertThat(r.exitCode()).as(r.describe()).isZero();
    assertThat(r.output()).as(r.describe()).contains("ok");
  }

  @Test
  void kubeadmRejectsABrokenPodSubnet() throws Exception {
    List<Map<String, Object>> docs = initDocuments();
    networking(docs).put("podSubnet", "banana");
    Path file = tmp.resolve("broken.yaml");
    Files.writeString(file, Yaml.dumpAll(docs));

    Exec.Result r = Exec.run(tmp, kubeadm, "config", "validate", "--config", file.toString());

    assertThat(r.exitCode()).as(r.describe()).isNotZero();
    assertThat(r.output()).contains("podSubnet").contains("banana");
  }

  @Test
  void kubeadmRejectsAnUnknownField() throws Exception {
    // Strict decoding is what makes a passing validate prove our field names are kubeadm's.
    List<Map<String, Object>> docs = initDocuments();
    @SuppressWarnings("unchecked")
    Map<String, Object> reg = (Map<String, Object>) docs.get(0).get("nodeRegistration");
    reg.put("kubeletExtraArg", List.of());
    Path file = tmp.resolve("unknown.yaml");
    Files.writeString(file, Yaml.dumpAll(docs));

    Exec.Result r = Exec.run(tmp, kubeadm, "config", "validate", "--config", file.toString());

    assertThat(r.exitCode()).as(r.describe()).isNotZero();
    assertThat(r.output()).contains("unknown field").contains("kubeletExtraArg");
  }

  @Test
  void kubeadmCertPhaseUsesOurCasWithoutReplacingThem() throws Exception {
    CloudInit.Parsed init =
        CloudInit.parse(CloudInit.init(Specs.full(), node("demo-cp-1"), PKI, TOKEN));
    Path pki = tmp.resolve("pki");
    Map<Path, byte[]> ours = new LinkedHashMap<>();
    for (Map.Entry<String, String> f : init.files().entrySet()) {
      if (f.getKey().startsWith(CloudInit.PKI_DIR + "/")) {
        Path p = pki.resolve(f.getKey().substring(CloudInit.PKI_DIR.length() + 1));
        Files.createDirectories(p.getParent());
        Files.writeString(p, f.getValue());
        ours.put(p, Files.readAllBytes(p));
      }
    }
    assertThat(ours).hasSize(8);
    // kubeadm refuses --cert-dir next to --config, so the directory goes into the configuration.
    List<Map<String, Object>> docs = Yaml.loadAll(init.kubeadmConfig());
    docs.get(1).put("certificatesDir", pki.toString());
    Path config = tmp.resolve("init.yaml");
    Files.writeString(config, Yaml.dumpAll(docs));

    Exec.Result r =
        Exec.run(tmp, kubeadm, "init", "phase", "certs", "all", "--config", config.toString());

    assertThat(r.exitCode()).as(r.describe()).isZero();
    assertThat(r.output())
        .as(r.describe())
        .contains("Using existing ca certificate authority")
        .contains("Using existing etcd/ca certificate authority")
        .contains("Using existing front-proxy-ca certificate authority")
        .contains("Using the existing \"sa\" key")
        .doesNotContain("Generating \"ca\"");
    for (Map.Entry<Path, byte[]> e : ours.entrySet()) {
      assertThat(Files.readAllBytes(e.getKey()))
          .as("%s unchanged", e.getKey())
          .isEqualTo(e.getValue());
    }

    X509Certificate apiserver = cert(pki.resolve("apiserver.crt"));
    apiserver.verify(PKI.ca().cert().getPublicKey());
    List<Object> sans = new ArrayList<>();
    apiserver.getSubjectAlternativeNames().forEach(san -> sans.add(san.get(1)));
    assertThat(sans)
        .contains(
            Specs.VIP, "localhost", "127.0.0.1", "demo-cp-1", "kubernetes.default.svc.corp.local");
    cert(pki.resolve("etcd/server.crt")).verify(PKI.etcd().cert().getPublicKey());
    cert(pki.resolve("front-proxy-client.crt")).verify(PKI.frontProxy().cert().getPublicKey());
    cert(pki.resolve("apiserver-kubelet-client.crt")).verify(PKI.ca().cert().getPublicKey());
  }

  @Test
  void caCertHashMatchesOpenssl() throws Exception {
    Path ca = tmp.resolve("ca.crt");
    Files.writeString(ca, PKI.ca().certPem());

    Exec.Result r =
        Exec.run(
            tmp,
            "bash",
            "-c",
            "set -o pipefail; openssl x509 -pubkey -noout -in ca.crt"
                + " | openssl pkey -pubin -outform der | sha256sum");

    assertThat(r.exitCode()).as(r.describe()).isZero();
    assertThat(ClusterPki.caCertHash(PKI.ca().certPem()))
        .isEqualTo("sha256:" + r.output().trim().split("\\s+")[0]);
  }

  private static List<Map<String, Object>> initDocuments() {
    String cc = CloudInit.init(Specs.full(), node("demo-cp-1"), PKI, TOKEN);
    return Yaml.loadAll(CloudInit.parse(cc).kubeadmConfig());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> networking(List<Map<String, Object>> docs) {
    return (Map<String, Object>) docs.get(1).get("networking");
  }

  private static X509Certificate cert(Path p) throws Exception {
    return (X509Certificate)
        CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(p)));
  }
}
