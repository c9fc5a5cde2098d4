package dev.slipway.operator.bootstrap;

import static dev.slipway.operator.bootstrap.Specs.PKI;
import static dev.slipway.operator.bootstrap.Specs.VIP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CloudInitTest {

  static final BootstrapToken TOKEN = new BootstrapToken("abcdef", "0123456789abcdef");

  static final List<String> CA_FILES =
      List.of(
          "/etc/kubernetes/pki/ca.crt",
          "/etc/kubernetes/pki/ca.key",
          "/etc/kubernetes/pki/sa.pub",
          "/etc/kubernetes/pki/sa.key",
          "/etc/kubernetes/pki/front-proxy-ca.crt",
          "/etc/kubernetes/pki/front-proxy-ca.key",
          "/etc/kubernetes/pki/etcd/ca.crt",
          "/etc/kubernetes/pki/etcd/ca.key");

  static String init(ClusterSpec c) {
    return CloudInit.init(c, Specs.controlPlaneNode("demo-cp-1"), PKI, TOKEN);
  }

  static String joinCp(ClusterSpec c) {
    return CloudInit.joinControlPlane(c, Specs.controlPlaneNode("demo-cp-2"), PKI, TOKEN);
  }

  static String worker(ClusterSpec c) {
    return CloudInit.joinWorker(c, Specs.workerNode("demo-w-1"), PKI.ca().certPem(), TOKEN);
  }

  static Stream<Arguments> renderings() {
    List<Arguments> out = new ArrayList<>();
    for (ClusterSpec c : List.of(Specs.minimal(), Specs.full())) {
      String which = c.proxy() == null ? "minimal" : "full";
      out.add(Arguments.of("init/" + which, init(c)));
      out.add(Arguments.of("join-control-plane/" + which, joinCp(c)));
      out.add(Arguments.of("join-worker/" + which, worker(c)));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renderings")
  void everyRenderingIsACloudConfigThatParses(String name, String doc) {
    assertThat(doc).startsWith("#cloud-config\n");

    CloudInit.Parsed p = CloudInit.parse(doc);

    assertThat(p.kubeadmConfig())
        .isEqualTo(p.files().get(CloudInit.KUBEADM_CONFIG_PATH))
        .isNotBlank();
    assertThat(p.kubeadmDocuments())
        .allSatisfy(d -> assertThat(d).containsEntry("apiVersion", "kubeadm.k8s.io/v1beta4"));
    assertThat(p.runcmd().get(0)).isEqualTo("set -e");
    assertThat(p.runcmd()).noneMatch(c -> c.contains("--upload-certs"));
    assertThat(p.runcmd().get(p.runcmd().size() - 1))
        .isIn("touch " + CloudInit.INIT_DONE_PATH, "touch " + CloudInit.JOIN_DONE_PATH);
    // Every write_files entry: plain content, owner and an octal mode given as a string.
    for (Object o : (List<?>) Yaml.load(doc).get("write_files")) {
      Map<String, Object> f = map(o);
      assertThat(f.keySet()).containsExactlyInAnyOrder("path", "owner", "permissions", "content");
      assertThat(f.get("permissions")).isIn("0644", "0600");
      assertThat(f.get("owner")).isEqualTo("root:root");
      if (String.valueOf(f.get("content")).contains("PRIVATE KEY")
          || f.get("path").equals(CloudInit.KUBEADM_CONFIG_PATH)) {
        assertThat(f.get("permissions")).as("mode of %s", f.get("path")).isEqualTo("0600");
      }
    }
  }

  @Test
  void initWritesTheClustersCaFilesAndRunsKubeadmInit() {
    CloudInit.Parsed p = CloudInit.parse(init(Specs.minimal()));

    assertThat(p.files()).containsKeys(CA_FILES.toArray(String[]::new));
    assertThat(p.files().get("/etc/kubernetes/pki/ca.crt")).isEqualTo(PKI.ca().certPem());
    assertThat(p.files().get("/etc/kubernetes/pki/ca.key")).isEqualTo(PKI.ca().keyPem());
    assertThat(p.files().get("/etc/kubernetes/pki/sa.pub"))
        .isEqualTo(PKI.serviceAccount().certPem());
    assertThat(p.files().get("/etc/kubernetes/pki/sa.key"))
        .isEqualTo(PKI.serviceAccount().keyPem());
    assertThat(p.files().get("/etc/kubernetes/pki/front-proxy-ca.crt"))
        .isEqualTo(PKI.frontProxy().certPem());
    assertThat(p.files().get("/etc/kubernetes/pki/front-proxy-ca.key"))
        .isEqualTo(PKI.frontProxy().keyPem());
    assertThat(p.files().get("/etc/kubernetes/pki/etcd/ca.crt")).isEqualTo(PKI.etcd().certPem());
    assertThat(p.files().get("/etc/kubernetes/pki/etcd/ca.key")).isEqualTo(PKI.etcd().keyPem());
    assertThat(p.runcmd())
        .containsExactly(
            "set -e",
            "kubeadm init --config /run/kubeadm/kubeadm.yaml",
            "mv /etc/kubernetes/kube-vip.after-init.yaml /etc/kubernetes/manifests/kube-vip.yaml",
            "touch /run/kubeadm/kubeadm-init.done");
  }

  @Test
  void initConfigurationListsTheTokenAndTheNode() {
    Map<String, Object> init =
        CloudInit.parse(init(Specs.minimal())).kubeadmDocument("InitConfiguration");

    Map<String, Object> token = first(init.get("bootstrapTokens"));
    assertThat(token)
        .containsEntry("token", "abcdef.0123456789abcdef")
        .as("used by no join: short-lived, not kubeadm's 24 h default")
        .containsEntry("ttl", "0h15m0s")
        .containsEntry("usages", List.of("signing", "authentication"))
        .containsEntry("groups", List.of("system:bootstrappers:kubeadm:default-node-token"));
    Map<String, Object> reg = map(init.get("nodeRegistration"));
    assertThat(reg).containsEntry("name", "demo-cp-1");
    assertThat(map(init.get("localAPIEndpoint"))).containsEntry("bindPort", 6443);
  }

  @Test
  void clusterConfigurationCarriesVersionEndpointNetworksAndSans() {
    Map<String, Object> cc =
        CloudInit.parse(init(Specs.full())).kubeadmDocument("ClusterConfiguration");

    assertThat(cc)
        .containsEntry("kubernetesVersion", "v1.37.2")
        .containsEntry("controlPlaneEndpoint", "10.20.30.40:6443")
        .containsEntry("clusterName", "demo")
        .containsEntry("imageRepository", "registry.example.com/tkg");
    assertThat(map(cc.get("networking")))
        .containsEntry("podSubnet", "192.168.0.0/16,fd00:10::/56")
        .containsEntry("serviceSubnet", "10.96.0.0/12,fd00:20::/108")
        .containsEntry("dnsDomain", "corp.local");
    assertThat(map(cc.get("apiServer")))
        .containsEntry("certSANs", List.of(VIP, "localhost", "127.0.0.1"));
    assertThat(map(map(cc.get("etcd")).get("local"))).containsEntry("dataDir", "/var/lib/etcd");

    Map<String, Object> minimal =
        CloudInit.parse(init(Specs.minimal())).kubeadmDocument("ClusterConfiguration");
    assertThat(minimal).doesNotContainKey("imageRepository");
    assertThat(map(minimal.get("networking"))).containsEntry("dnsDomain", "cluster.local");
  }

  @Test
  void joinControlPlaneSharesTheCasAndJoinsAsControlPlane() {
    CloudInit.Parsed p = CloudInit.parse(joinCp(Specs.minimal()));

    for (String f : CA_FILES) {
      assertThat(p.files().get(f))
          .as(f)
          .isEqualTo(CloudInit.parse(init(Specs.minimal())).files().get(f));
    }
    Map<String, Object> join = p.kubeadmDocument("JoinConfiguration");
    assertThat(p.kubeadmDocuments()).hasSize(1);
    assertThat(map(map(join.get("controlPlane")).get("localAPIEndpoint")))
        .containsEntry("bindPort", 6443);
    assertThat(map(map(join.get("discovery")).get("bootstrapToken")))
        .containsEntry("apiServerEndpoint", "10.20.30.40:6443")
        .containsEntry("token", "abcdef.0123456789abcdef")
        .containsEntry("caCertHashes", List.of(ClusterPki.caCertHash(PKI.ca().certPem())));
    assertThat(map(join.get("nodeRegistration"))).doesNotContainKey("ignorePreflightErrors");
    assertThat(p.files()).containsKey(CloudInit.KUBE_VIP_MANIFEST_PATH);
    assertThat(p.files()).doesNotContainKey(CloudInit.KUBE_VIP_AFTER_INIT_PATH);
    assertThat(p.runcmd())
        .containsExactly(
            "set -e",
            "kubeadm join --config /run/kubeadm/kubeadm.yaml",
            "touch /run/kubeadm/kubeadm-join.done");
  }

  @Test
  void workersGetTheCaCertificateButNoKeyAndNoKubeVip() {
    CloudInit.Parsed p = CloudInit.parse(worker(Specs.full()));

    assertThat(p.files().keySet().stream().filter(f -> f.startsWith("/etc/kubernetes/")))
        .containsExactlyInAnyOrder("/etc/kubernetes/pki/ca.crt");
    assertThat(p.files().get("/etc/kubernetes/pki/ca.crt")).isEqualTo(PKI.ca().certPem());
    assertThat(p.files().values()).noneMatch(c -> c.contains("PRIVATE KEY"));
    Map<String, Object> join = p.kubeadmDocument("JoinConfiguration");
    assertThat(join).doesNotContainKey("controlPlane");
    assertThat(map(map(join.get("discovery")).get("bootstrapToken")))
        .containsEntry("caCertHashes", List.of(ClusterPki.caCertHash(PKI.ca().certPem())));
    assertThat(map(join.get("nodeRegistration")))
        .containsEntry(
            "ignorePreflightErrors", List.of("FileAvailable--etc-kubernetes-pki-ca.crt"));
    assertThat(p.runcmd()).contains("kubeadm join --config /run/kubeadm/kubeadm.yaml");
  }

  @Test
  void labelsTaintsAndProviderIdReachTheKubelet() {
    Map<String, Object> reg =
        map(
            CloudInit.parse(worker(Specs.minimal()))
                .kubeadmDocument("JoinConfiguration")
                .get("nodeRegistration"));

    assertThat(reg).containsEntry("name", "demo-w-1");
    Map<String, String> args = kubeletArgs(reg);
    assertThat(parseLabels(args.get("node-labels")))
        .isEqualTo(Specs.workerNode("demo-w-1").labels());
    assertThat(args).containsEntry("provider-id", "vsphere://4213a1b2-9999-8888-7777-666655554444");
    assertThat(taints(reg))
        .containsExactly(new Taint("dedicated", "gpu", "NoSchedule"), Specs.TRICKY_TAINT);
  }

  @Test
  void controlPlaneNodesAlwaysCarryTheControlPlaneTaintOnce() {
    NodeSpec n =
        new NodeSpec(
            "demo-cp-1",
            Map.of(),
            List.of(new Taint("node-role.kubernetes.io/control-plane", null, "NoSchedule")));
    Map<String, Object> reg =
        map(
            CloudInit.parse(CloudInit.init(Specs.minimal(), n, PKI, TOKEN))
                .kubeadmDocument("InitConfiguration")
                .get("nodeRegistration"));

    assertThat(taints(reg)).containsExactly(Taint.CONTROL_PLANE);
    assertThat(reg).doesNotContainKey("kubeletExtraArgs");
    Map<String, Object> joinReg =
        map(
            CloudInit.parse(joinCp(Specs.minimal()))
                .kubeadmDocument("JoinConfiguration")
                .get("nodeRegistration"));
    assertThat(taints(joinReg)).containsExactly(Taint.CONTROL_PLANE);
  }

  @Test
  void workersWithoutTaintsSayExplicitlySo() {
    NodeSpec n = new NodeSpec("demo-w-2", null, null);
    Map<String, Object> reg =
        map(
            CloudInit.parse(CloudInit.joinWorker(Specs.minimal(), n, PKI.ca().certPem(), TOKEN))
                .kubeadmDocument("JoinConfiguration")
                .get("nodeRegistration"));
    // An absent list would let kubeadm choose; an empty one means none.
    assertThat(reg).containsEntry("taints", List.of());
  }

  @Test
  void yamlSpecialCharactersRoundTripExactly() {
    List<Taint> taints =
        List.of(
            Specs.TRICKY_TAINT,
            new Taint("yaml-bool", "on", "NoSchedule"),
            new Taint("yaml-octal", "0644", "NoSchedule"),
            new Taint("multi", "a: b # c 'd' \\ e", "PreferNoSchedule"));
    Map<String, String> labels = Map.of("yes", "no", "example.com/octal", "0644");
    NodeSpec n = new NodeSpec("demo-w-3", labels, taints);

    CloudInit.Parsed p =
        CloudInit.parse(CloudInit.joinWorker(Specs.full(), n, PKI.ca().certPem(), TOKEN));
    Map<String, Object> reg = map(p.kubeadmDocument("JoinConfiguration").get("nodeRegistration"));

    assertThat(taints(reg)).containsExactlyElementsOf(taints);
    assertThat(parseLabels(kubeletArgs(reg).get("node-labels"))).isEqualTo(labels);
    Map<String, String> env =
        SystemdDropIns.parseEnvironment(p.files().get(CloudInit.CONTAINERD_PROXY_PATH));
    assertThat(env.get("NO_PROXY").split(","))
        .startsWith(Specs.TRICKY_NO_PROXY.toArray(String[]::new));
    assertThat(env).containsEntry("HTTPS_PROXY", "http://user:p%40ss@proxy:3128");
    // cloud-init (PyYAML) and kubeadm (go-yaml) read YAML 1.1, where these unquoted are not text.
    assertThat(p.kubeadmConfig()).contains("value: \"on\"").contains("value: \"0644\"");
    assertThat(CloudInit.joinWorker(Specs.full(), n, PKI.ca().certPem(), TOKEN))
        .contains("permissions: \"0644\"");
  }

  @Test
  void proxyDropInsForContainerdAndKubelet() {
    CloudInit.Parsed p = CloudInit.parse(init(Specs.full()));

    String dropIn = p.files().get(CloudInit.CONTAINERD_PROXY_PATH);
    assertThat(p.files().get(CloudInit.KUBELET_PROXY_PATH)).isEqualTo(dropIn);
    assertThat(dropIn)
        .startsWith("[Service]\n")
        .contains("Environment=\"HTTP_PROXY=http://proxy.example.com:3128\"\n")
        // systemd expands % specifiers in unit files, so a literal % must be doubled.
        .contains("Environment=\"HTTPS_PROXY=http://user:p%%40ss@proxy:3128\"\n");
    Map<String, String> env = SystemdDropIns.parseEnvironment(dropIn);
    assertThat(env).containsEntry("HTTP_PROXY", "http://proxy.example.com:3128");
    assertThat(List.of(env.get("NO_PROXY").split(",")))
        .containsSequence(Specs.TRICKY_NO_PROXY)
        .contains(
            VIP,
            "localhost",
            "127.0.0.1",
            "192.168.0.0/16",
            "fd00:10::/56",
            "10.96.0.0/12",
            "fd00:20::/108",
            ".svc",
            ".svc.corp.local")
        .doesNotHaveDuplicates();
    assertThat(p.runcmd())
        .containsSubsequence(
            "systemctl daemon-reload",
            "systemctl restart containerd",
            "kubeadm init --config /run/kubeadm/kubeadm.yaml");

    CloudInit.Parsed none = CloudInit.parse(init(Specs.minimal()));
    assertThat(none.files())
        .doesNotContainKeys(CloudInit.CONTAINERD_PROXY_PATH, CloudInit.KUBELET_PROXY_PATH);
    assertThat(none.runcmd())
        .doesNotContain("systemctl daemon-reload", "systemctl restart containerd");
  }

  @Test
  void systemdQuotingRoundTripsBackslashesQuotesAndPercent() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("A", "back\\slash \"quoted\" 100% #x: y");
    String text = SystemdDropIns.environment(env);
    assertThat(text)
        .isEqualTo("[Service]\nEnvironment=\"A=back\\\\slash \\\"quoted\\\" 100%% #x: y\"\n");
    assertThat(SystemdDropIns.parseEnvironment(text)).isEqualTo(env);
  }

  @Test
  void trustedCasAreInstalledBeforeKubeadmRuns() {
    for (String doc : List.of(init(Specs.full()), joinCp(Specs.full()), worker(Specs.full()))) {
      CloudInit.Parsed p = CloudInit.parse(doc);
      assertThat(p.files())
          .containsEntry("/usr/local/share/ca-certificates/corp-root.crt", PKI.etcd().certPem())
          .containsEntry(
              "/usr/local/share/ca-certificates/registry.crt", PKI.frontProxy().certPem());
      int update = p.runcmd().indexOf("update-ca-certificates");
      int kubeadm = indexOfStart(p.runcmd(), "kubeadm ");
      assertThat(update).isPositive().isLessThan(kubeadm);
    }
    CloudInit.Parsed none = CloudInit.parse(worker(Specs.minimal()));
    assertThat(none.files().keySet())
        .noneMatch(f -> f.startsWith("/usr/local/share/ca-certificates/"));
    assertThat(none.runcmd()).doesNotContain("update-ca-certificates");
  }

  @Test
  void vmwareSystemUserGetsTheKeyAndPasswordlessSudo() {
    CloudInit.Parsed p = CloudInit.parse(worker(Specs.full()));
    assertThat(p.sshAuthorizedKeys()).containsExactly(Specs.full().sshAuthorizedKey());

    List<?> users = (List<?>) Yaml.load(worker(Specs.full())).get("users");
    assertThat(users.get(0)).isEqualTo("default");
    assertThat(map(users.get(1)))
        .containsEntry("name", "vmware-system-user")
        .containsEntry("sudo", "ALL=(ALL) NOPASSWD:ALL")
        .containsEntry("lock_passwd", true);

    assertThat(CloudInit.parse(worker(Specs.minimal())).sshAuthorizedKeys()).isEmpty();
  }

  @Test
  void kubeVipServesTheEndpointFromEveryControlPlaneMachine() {
    CloudInit.Parsed initP = CloudInit.parse(init(Specs.minimal()));
    Pod during = pod(initP.files().get(CloudInit.KUBE_VIP_MANIFEST_PATH));
    Pod after = pod(initP.files().get(CloudInit.KUBE_VIP_AFTER_INIT_PATH));
    Pod joined =
        pod(CloudInit.parse(joinCp(Specs.minimal())).files().get(CloudInit.KUBE_VIP_MANIFEST_PATH));

    for (Pod p : List.of(during, after, joined)) {
      assertThat(p.getMetadata().getNamespace()).isEqualTo("kube-system");
      assertThat(p.getSpec().getHostNetwork()).isTrue();
      var c = p.getSpec().getContainers().get(0);
      assertThat(c.getImage()).startsWith("ghcr.io/kube-vip/kube-vip:v");
      Map<String, String> env =
          c.getEnv().stream()
              .filter(e -> e.getValue() != null)
              .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
      assertThat(env)
          .containsEntry("address", VIP)
          .containsEntry("port", "6443")
          .containsEntry("vip_arp", "true")
          .containsEntry("cp_enable", "true")
          .containsEntry("vip_leaderelection", "true");
      assertThat(c.getVolumeMounts().get(0).getMountPath()).isEqualTo("/etc/kubernetes/admin.conf");
    }
    assertThat(hostPath(during)).isEqualTo("/etc/kubernetes/super-admin.conf");
    assertThat(hostPath(after)).isEqualTo("/etc/kubernetes/admin.conf");
    assertThat(hostPath(joined)).isEqualTo("/etc/kubernetes/admin.conf");
  }

  @Test
  void ipv6EndpointIsBracketedAndKubeVipUsesA128Subnet() {
    ClusterSpec c =
        new ClusterSpec(
            "demo",
            "v1.37.2",
            "fd00::40",
            6443,
            List.of("fd00:10::/56"),
            List.of("fd00:20::/108"),
            null,
            null,
            null,
            null,
            null);
    CloudInit.Parsed p =
        CloudInit.parse(CloudInit.init(c, Specs.controlPlaneNode("demo-cp-1"), PKI, TOKEN));
    assertThat(p.kubeadmDocument("ClusterConfiguration"))
        .containsEntry("controlPlaneEndpoint", "[fd00::40]:6443");
    Pod vip = pod(p.files().get(CloudInit.KUBE_VIP_MANIFEST_PATH));
    assertThat(vip.getSpec().getContainers().get(0).getEnv())
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("vip_subnet");
              assertThat(e.getValue()).isEqualTo("128");
            });
  }

  @Test
  void kubernetesVersionLosesItsBuildMetadata() {
    assertThat(Specs.minimal().kubeadmKubernetesVersion()).isEqualTo("v1.37.2");
    assertThat(withVersion("1.37.2").kubeadmKubernetesVersion()).isEqualTo("v1.37.2");
    assertThat(withVersion("v1.37.0-rc.1+vmware.2").kubeadmKubernetesVersion())
        .isEqualTo("v1.37.0-rc.1");
    assertThatThrownBy(() -> withVersion("latest"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("latest");
  }

  @Test
  void renderingIsDeterministicForTheSameInputs() {
    assertThat(init(Specs.full())).isEqualTo(init(Specs.full()));
    assertThat(worker(Specs.full())).isEqualTo(worker(Specs.full()));
  }

  @Test
  void inputThatWouldBreakTheNodeIsRejected() {
    assertThatThrownBy(() -> new NodeSpec("w", Map.of("node-role.kubernetes.io/worker", ""), null))
        .hasMessageContaining("node-role.kubernetes.io/worker");
    assertThatThrownBy(() -> new NodeSpec("w", Map.of("a", "x,b=y"), null))
        .hasMessageContaining("invalid value");
    assertThatThrownBy(() -> new NodeSpec("W_1", null, null)).hasMessageContaining("W_1");
    assertThatThrownBy(() -> new Taint("k", "v", "Sometimes")).hasMessageContaining("Sometimes");
    assertThatThrownBy(() -> new TrustedCa("../etc/passwd", PKI.ca().certPem()))
        .hasMessageContaining("file name");
    assertThatThrownBy(() -> new TrustedCa("corp", "garbage"))
        .hasMessageContaining("not a PEM certificate");
    assertThatThrownBy(() -> new Proxy("http://p\nEnvironment=X=1", null, null))
        .hasMessageContaining("line break");
    assertThatThrownBy(() -> new Proxy(null, null, List.of("a,b"))).hasMessageContaining("comma");
    assertThatThrownBy(
            () ->
                new ClusterSpec(
                    "demo",
                    "v1.37.2",
                    VIP,
                    6443,
                    List.of("banana"),
                    List.of(),
                    null,
                    null,
                    null,
                    List.of(
                        new TrustedCa("a", PKI.ca().certPem()),
                        new TrustedCa("a", PKI.ca().certPem())),
                    null))
        .hasMessageContaining("banana");
    assertThat(
            new NodeSpec(
                    "w", Map.of("node.kubernetes.io/pool", "a", "kubernetes.io/os", "linux"), null)
                .labels())
        .hasSize(2);
  }

  @Test
  void parseReadsOtherWritersForms() {
    String doc =
        "#cloud-config\n"
            + "ssh_authorized_keys: [\"ssh-rsa AAAA root@x\"]\n"
            + "write_files:\n"
            + "- path: /a\n  encoding: b64\n  content: aGVsbG8=\n"
            + "- path: /b\n  content: plain\n"
            + "runcmd:\n- [kubeadm, join, --config, /x]\n- echo hi\n";
    CloudInit.Parsed p = CloudInit.parse(doc);
    assertThat(p.files()).containsEntry("/a", "hello").containsEntry("/b", "plain");
    assertThat(p.runcmd()).containsExactly("kubeadm join --config /x", "echo hi");
    assertThat(p.sshAuthorizedKeys()).containsExactly("ssh-rsa AAAA root@x");
    assertThat(p.kubeadmConfig()).isNull();
    assertThat(p.kubeadmDocuments()).isEmpty();
  }

  @Test
  void parseRejectsWhatCloudInitWouldNotRun() {
    assertThatThrownBy(() -> CloudInit.parse("write_files: []\n"))
        .hasMessageContaining("#cloud-config");
    assertThatThrownBy(() -> CloudInit.parse("#cloud-config\nwrite_files: [\n  secret-line\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not valid YAML")
        .hasMessageNotContaining("secret-line");
    assertThatThrownBy(() -> CloudInit.parse("#cloud-config\nwrite_files: {a: 1}\n"))
        .hasMessageContaining("write_files is not a list");
  }

  private static ClusterSpec withVersion(String v) {
    return new ClusterSpec("demo", v, VIP, 6443, null, null, null, null, null, null, null);
  }

  private static int indexOfStart(List<String> cmds, String prefix) {
    for (int i = 0; i < cmds.size(); i++) {
      if (cmds.get(i).startsWith(prefix)) {
        return i;
      }
    }
    return -1;
  }

  private static Pod pod(String yaml) {
    return new KubernetesSerialization().unmarshal(yaml, Pod.class);
  }

  private static String hostPath(Pod p) {
    return p.getSpec().getVolumes().get(0).getHostPath().getPath();
  }

  static Map<String, String> kubeletArgs(Map<String, Object> reg) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Object o : (List<?>) reg.get("kubeletExtraArgs")) {
      Map<?, ?> a = (Map<?, ?>) o;
      out.put((String) a.get("name"), (String) a.get("value"));
    }
    return out;
  }

  static Map<String, String> parseLabels(String nodeLabels) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : nodeLabels.split(",")) {
      int eq = pair.indexOf('=');
      out.put(pair.substring(0, eq), pair.substring(eq + 1));
    }
    return out;
  }

  static List<Taint> taints(Map<String, Object> reg) {
    List<Taint> out = new ArrayList<>();
    for (Object o : (List<?>) reg.get("taints")) {
      Map<?, ?> t = (Map<?, ?>) o;
      out.add(new Taint((String) t.get("key"), (String) t.get("value"), (String) t.get("effect")));
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o) {
    assertThat(o).isInstanceOf(Map.class);
    return (Map<String, Object>) o;
  }

  static Map<String, Object> first(Object list) {
    assertThat(list).isInstanceOf(List.class);
    return map(((List<?>) list).get(0));
  }
}
