package dev.slipway.guest;

import dev.slipway.operator.bootstrap.CloudInit;
import dev.slipway.operator.bootstrap.ClusterPki;
import dev.slipway.operator.bootstrap.GuestInfo;
import dev.slipway.testenv.ManagedProcess;
import dev.slipway.testenv.TestBed;
import dev.slipway.vsphere.VSphereProvider;
import dev.slipway.vsphere.VmConfigSpec;
import dev.slipway.vsphere.VmRef;
import dev.slipway.vsphere.VmState;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.authentication.SelfSubjectReview;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The guest OS of one VM: reads its guestinfo, runs what its cloud-init asks for as far as a
 * Kubernetes node is concerned, and fails (visibly, in its state and log) when the data is wrong.
 *
 * <p>The init machine runs the real {@code kubeadm init} phases that need no container runtime
 * (certificates from the CAs in its bootstrap data, kubeconfigs, bootstrap tokens, RBAC,
 * cluster-info), then a real etcd and kube-apiserver listening on the control-plane endpoint (the
 * VIP, a loopback address here). It also plays kube-controller-manager's part of approving and
 * signing kubelet client CSRs. Joining machines check the CA hash, authenticate with their
 * bootstrap token, get a kubelet client certificate through a CSR, and register their Node with it,
 * as a kubelet does after TLS bootstrap. What it skips: containers, kubelet, CNI, and the extra API
 * servers and etcd members of joining control-plane machines.
 */
final class Guest {
  private static final Logger LOG = LoggerFactory.getLogger(Guest.class);

  enum Phase {
    BOOTING,
    RUNNING,
    FAILED
  }

  private final String vmName;
  private final VmRef vm;
  private final TestBed bed;
  private final Path root;
  private final String ip;
  private final VSphereProvider vsphere;
  private volatile Phase phase = Phase.BOOTING;
  private volatile String failure;
  private final List<ManagedProcess> processes = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile CsrSigner signer;

  Guest(String vmName, VmRef vm, TestBed bed, Path root, String ip, VSphereProvider vsphere) {
    this.vmName = vmName;
    this.vm = vm;
    this.bed = bed;
    this.root = root;
    this.ip = ip;
    this.vsphere = vsphere;
  }

  Phase phase() {
    return phase;
  }

  String failure() {
    return failure;
  }

  String vmName() {
    return vmName;
  }

  void boot() {
    try {
      VmState state = vsphere.vmState(vm);
      GuestInfo.Decoded data = GuestInfo.decode(state.extraConfig());
      CloudInit.Parsed cloud = CloudInit.parse(data.userdata());
      reportIp();
      writeFiles(cloud);
      String providerId = "vsphere://" + state.biosUuid();
      if (cloud.kubeadmDocument("InitConfiguration") != null) {
        initControlPlane(cloud, providerId);
      } else if (cloud.kubeadmDocument("JoinConfiguration") != null) {
        join(cloud, providerId);
      } else {
        throw new BootFailure("cloud-init has no kubeadm configuration");
      }
      phase = Phase.RUNNING;
      LOG.info("guest {} is a node now", vmName);
    } catch (Exception e) {
      failure = e.getMessage();
      phase = Phase.FAILED;
      LOG.warn("guest {} failed to boot: {}", vmName, e.getMessage(), e);
    }
  }

  /** vcsim sets guest.ipAddress from this extraConfig key, as VMware Tools would report it. */
  private void reportIp() {
    vsphere.reconfigure(vm, VmConfigSpec.builder().extraConfig("SET.guest.ipAddress", ip).build());
  }

  private void writeFiles(CloudInit.Parsed cloud) throws IOException {
    for (Map.Entry<String, String> f : cloud.files().entrySet()) {
      Path p = root.resolve(f.getKey().substring(1));
      Files.createDirectories(p.getParent());
      Files.writeString(p, f.getValue());
    }
  }

  private Path file(String absolute) {
    return root.resolve(absolute.substring(1));
  }

  // ---- the first control-plane machine ---------------------------------------------------

  private void initControlPlane(CloudInit.Parsed cloud, String providerId) throws Exception {
    Map<String, Object> init = cloud.kubeadmDocument("InitConfiguration");
    Map<String, Object> cluster = cloud.kubeadmDocument("ClusterConfiguration");
    String endpoint = (String) cluster.get("controlPlaneEndpoint");
    String host = endpoint.substring(0, endpoint.lastIndexOf(':'));
    int port = Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
    // cloud-init leaves the advertise address for kubeadm to detect from the guest's network;
    // kubeadm refuses loopback ones, so it is told a TEST-NET-2 address nothing ever connects to
    // (the simulated API server itself listens on the VIP).
    init.put(
        "localAPIEndpoint",
        Map.of(
            "advertiseAddress",
            "198.51.100." + ip.substring(ip.lastIndexOf('.') + 1),
            "bindPort",
            port));
    Path pki = file(CloudInit.PKI_DIR);
    // The files cloud-init wrote live under this guest's root, not /etc/kubernetes.
    cluster.put("certificatesDir", pki.toString());
    Path config = root.resolve("kubeadm-guest.yaml");
    Files.writeString(config, dev.slipway.testenv.Manifests.yamlAll(List.of(init, cluster)));
    Path kubeconfigs = file("/etc/kubernetes");
    // A CA that does not parse or does not match its key stops kubeadm here, as on a real VM.
    kubeadm("init", "phase", "certs", "all", "--config", config.toString(), "--v=1");
    kubeadm(
        "init",
        "phase",
        "kubeconfig",
        "super-admin",
        "--config",
        config.toString(),
        "--kubeconfig-dir",
        kubeconfigs.toString());
    kubeadm(
        "init",
        "phase",
        "kubeconfig",
        "kubelet",
        "--config",
        config.toString(),
        "--kubeconfig-dir",
        kubeconfigs.toString());

    startEtcdAndApiServer(cluster, pki, host, port);
    Path superAdmin = kubeconfigs.resolve("super-admin.conf");
    awaitApi(superAdmin);
    // Tokens from the InitConfiguration, their RBAC and cluster-info, by kubeadm itself.
    kubeadm(
        "init",
        "phase",
        "bootstrap-token",
        "--config",
        config.toString(),
        "--kubeconfig",
        superAdmin.toString());
    signer =
        new CsrSigner(
            client(Config.fromKubeconfig(Files.readString(superAdmin))),
            Files.readString(pki.resolve("ca.crt")),
            Files.readString(pki.resolve("ca.key")));
    signer.start();

    // kubeadm points a control-plane kubelet at its own advertise address; this guest's API
    // server is on the endpoint only, so the kubelet talks to that (never to the made-up address).
    Config kubeletConfig =
        Config.fromKubeconfig(Files.readString(kubeconfigs.resolve("kubelet.conf")));
    kubeletConfig.setMasterUrl("https://" + endpoint);
    try (KubernetesClient kubelet = client(kubeletConfig)) {
      registerNode(kubelet, registration(init), providerId);
    }
  }

  private void startEtcdAndApiServer(Map<String, Object> cluster, Path pki, String host, int port)
      throws Exception {
    Path data = Files.createDirectories(root.resolve("var/lib/etcd"));
    int client = freePort();
    int peer = freePort();
    processes.add(
        ManagedProcess.start(
            "etcd",
            List.of(
                bed.bin("etcd").toString(),
                "--name=" + vmName,
                "--data-dir=" + data,
                "--listen-client-urls=http://127.0.0.1:" + client,
                "--advertise-client-urls=http://127.0.0.1:" + client,
                "--listen-peer-urls=http://127.0.0.1:" + peer,
                "--initial-advertise-peer-urls=http://127.0.0.1:" + peer,
                "--initial-cluster=" + vmName + "=http://127.0.0.1:" + peer,
                "--listen-metrics-urls=http://127.0.0.1:" + freePort()),
            bed.logDir().resolve("guest-" + vmName + "-etcd.log")));
    @SuppressWarnings("unchecked")
    Map<String, Object> net = (Map<String, Object>) cluster.getOrDefault("networking", Map.of());
    String services = (String) net.getOrDefault("serviceSubnet", "10.96.0.0/12");
    String domain = (String) net.getOrDefault("dnsDomain", "cluster.local");
    // The flags kubeadm's kube-apiserver static pod carries, bound to the endpoint (the VIP).
    processes.add(
        ManagedProcess.start(
            "kube-apiserver",
            List.of(
                bed.bin("kube-apiserver").toString(),
                "--bind-address=" + host,
                "--advertise-address=" + host,
                "--secure-port=" + port,
                "--endpoint-reconciler-type=none",
                "--etcd-servers=http://127.0.0.1:" + client,
                "--service-cluster-ip-range=" + services,
                "--client-ca-file=" + pki.resolve("ca.crt"),
                "--tls-cert-file=" + pki.resolve("apiserver.crt"),
                "--tls-private-key-file=" + pki.resolve("apiserver.key"),
                "--kubelet-client-certificate=" + pki.resolve("apiserver-kubelet-client.crt"),
                "--kubelet-client-key=" + pki.resolve("apiserver-kubelet-client.key"),
                "--proxy-client-cert-file=" + pki.resolve("front-proxy-client.crt"),
                "--proxy-client-key-file=" + pki.resolve("front-proxy-client.key"),
                "--requestheader-client-ca-file=" + pki.resolve("front-proxy-ca.crt"),
                "--requestheader-allowed-names=front-proxy-client",
                "--requestheader-extra-headers-prefix=X-Remote-Extra-",
                "--requestheader-group-headers=X-Remote-Group",
                "--requestheader-username-headers=X-Remote-User",
                "--service-account-issuer=https://kubernetes.default.svc." + domain,
                "--service-account-key-file=" + pki.resolve("sa.pub"),
                "--service-account-signing-key-file=" + pki.resolve("sa.key"),
                "--authorization-mode=Node,RBAC",
                "--enable-admission-plugins=NodeRestriction",
                "--enable-bootstrap-token-auth=true",
                "--allow-privileged=true"),
            bed.logDir().resolve("guest-" + vmName + "-kube-apiserver.log")));
  }

  private void awaitApi(Path kubeconfig) throws Exception {
    Instant deadline = Instant.now().plusSeconds(90);
    try (KubernetesClient c = client(Config.fromKubeconfig(Files.readString(kubeconfig)))) {
      while (Instant.now().isBefore(deadline)) {
        for (ManagedProcess p : processes) {
          if (!p.isAlive()) {
            throw new BootFailure(p + " exited");
          }
        }
        try {
          if ("ok".equals(c.raw("/readyz"))) {
            return;
          }
        } catch (KubernetesClientException e) {
          // not serving yet
        }
        Thread.sleep(300);
      }
    }
    throw new BootFailure("the workload kube-apiserver did not become ready within 90 s");
  }

  // ---- joining machines -----------------------------------------------------------------

  @SuppressWarnings("unchecked")
  private void join(CloudInit.Parsed cloud, String providerId) throws Exception {
    Map<String, Object> join = cloud.kubeadmDocument("JoinConfiguration");
    Map<String, Object> discovery =
        (Map<String, Object>) ((Map<String, Object>) join.get("discovery")).get("bootstrapToken");
    String endpoint = (String) discovery.get("apiServerEndpoint");
    String token = (String) discovery.get("token");
    List<String> hashes = (List<String>) discovery.get("caCertHashes");
    String ca = Files.readString(file(CloudInit.PKI_DIR + "/ca.crt"));
    // kubeadm's discovery pins the CA by hash before trusting anything the endpoint says.
    if (!hashes.contains(ClusterPki.caCertHash(ca))) {
      throw new BootFailure(
          "the CA in the bootstrap data does not match caCertHashes "
              + hashes
              + ": refusing to join");
    }
    Config tokenConfig =
        new ConfigBuilder()
            .withMasterUrl("https://" + endpoint)
            .withCaCertData(b64(ca))
            .withOauthToken(token)
            // Over HTTP/2 the API server answers a bad token with GOAWAY, which hides the 401.
            .withHttp2Disable(true)
            .withConnectionTimeout(3_000)
            .withRequestTimeout(10_000)
            .withRequestRetryBackoffLimit(0)
            .build();
    Map<String, Object> registration = registration(join);
    String name = (String) registration.get("name");
    try (KubernetesClient bootstrap = client(tokenConfig)) {
      String user = authenticate(bootstrap, endpoint);
      LOG.info("guest {} authenticated to {} as {}", vmName, endpoint, user);
      Pki.ClientCert cert = requestKubeletCertificate(bootstrap, name);
      Config kubelet =
          new ConfigBuilder()
              .withMasterUrl("https://" + endpoint)
              .withCaCertData(b64(ca))
              .withClientCertData(b64(cert.certPem()))
              .withClientKeyData(b64(cert.keyPem()))
              .withRequestRetryBackoffLimit(0)
              .build();
      try (KubernetesClient k = client(kubelet)) {
        registerNode(k, registration, providerId);
      }
    }
  }

  /** Who the token says we are; a revoked or unknown token fails here, visibly. */
  private String authenticate(KubernetesClient bootstrap, String endpoint) throws Exception {
    Instant deadline = Instant.now().plusSeconds(60);
    while (true) {
      try {
        SelfSubjectReview r =
            bootstrap
                .resource(
                    new io.fabric8.kubernetes.api.model.authentication.SelfSubjectReviewBuilder()
                        .build())
                .create();
        return r.getStatus().getUserInfo().getUsername();
      } catch (KubernetesClientException e) {
        if (e.getCode() == 401 || causedBy(e, "401") || causedBy(e, "Unauthorized")) {
          throw new BootFailure("the bootstrap token was rejected by " + endpoint + " (401)");
        }
        if (causedBy(e, javax.net.ssl.SSLException.class)) {
          throw new BootFailure(
              "cannot verify "
                  + endpoint
                  + " against the CA in the bootstrap data: "
                  + e.getMessage());
        }
        if (Instant.now().isAfter(deadline)) {
          throw new BootFailure(
              "cannot reach the control-plane endpoint " + endpoint + ": " + rootMessage(e));
        }
        Thread.sleep(500);
      }
    }
  }

  /** fabric8 wraps what the server or the TLS layer said; look through the whole chain. */
  private static boolean causedBy(Throwable t, String text) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c.getMessage() != null && c.getMessage().contains(text)) {
        return true;
      }
      if (c instanceof KubernetesClientException k && k.getCode() == 401) {
        return true;
      }
    }
    return false;
  }

  private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null) {
      c = c.getCause();
    }
    return c.getClass().getSimpleName() + ": " + c.getMessage();
  }

  private Pki.ClientCert requestKubeletCertificate(KubernetesClient bootstrap, String nodeName)
      throws Exception {
    Pki.ClientRequest req = Pki.kubeletClientRequest(nodeName);
    String csrName = "node-csr-" + vmName;
    bootstrap
        .certificates()
        .v1()
        .certificateSigningRequests()
        .resource(
            new CertificateSigningRequestBuilder()
                .withNewMetadata()
                .withName(csrName)
                .endMetadata()
                .withNewSpec()
                .withRequest(b64(req.csrPem()))
                .withSignerName("kubernetes.io/kube-apiserver-client-kubelet")
                .withUsages("digital signature", "client auth")
                .endSpec()
                .build())
        .create();
    Instant deadline = Instant.now().plusSeconds(60);
    while (Instant.now().isBefore(deadline)) {
      CertificateSigningRequest csr =
          bootstrap.certificates().v1().certificateSigningRequests().withName(csrName).get();
      if (csr != null && csr.getStatus() != null && csr.getStatus().getCertificate() != null) {
        String pem =
            new String(
                Base64.getDecoder().decode(csr.getStatus().getCertificate()),
                StandardCharsets.UTF_8);
        return new Pki.ClientCert(pem, req.keyPem());
      }
      Thread.sleep(300);
    }
    throw new BootFailure("the kubelet client certificate request " + csrName + " was not signed");
  }

  // ---- both --------------------------------------------------------------------------------

  @SuppressWarnings("unchecked")
  private static Map<String, Object> registration(Map<String, Object> kubeadmDoc) {
    return (Map<String, Object>) kubeadmDoc.get("nodeRegistration");
  }

  /** What kubelet does on first start: create its Node (labels, taints, providerID), then Ready. */
  @SuppressWarnings("unchecked")
  private void registerNode(KubernetesClient kubelet, Map<String, Object> reg, String providerId) {
    String name = (String) reg.get("name");
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("kubernetes.io/hostname", name);
    labels.put("kubernetes.io/os", "linux");
    for (Map<String, Object> arg :
        (List<Map<String, Object>>) reg.getOrDefault("kubeletExtraArgs", List.of())) {
      if ("node-labels".equals(arg.get("name"))) {
        for (String pair : ((String) arg.get("value")).split(",")) {
          String[] kv = pair.split("=", 2);
          labels.put(kv[0], kv.length > 1 ? kv[1] : "");
        }
      }
    }
    NodeBuilder node =
        new NodeBuilder()
            .withNewMetadata()
            .withName(name)
            .withLabels(labels)
            .endMetadata()
            .withNewSpec()
            .withProviderID(providerId)
            .endSpec();
    for (Map<String, Object> t :
        (List<Map<String, Object>>) reg.getOrDefault("taints", List.of())) {
      node.editSpec()
          .addToTaints(
              new TaintBuilder()
                  .withKey((String) t.get("key"))
                  .withValue((String) t.get("value"))
                  .withEffect((String) t.get("effect"))
                  .build())
          .endSpec();
    }
    kubelet.nodes().resource(node.build()).create();
    String now =
        DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    kubelet
        .nodes()
        .withName(name)
        .editStatus(
            n -> {
              n.getStatus()
                  .setConditions(
                      List.of(
                          new NodeConditionBuilder()
                              .withType("Ready")
                              .withStatus("True")
                              .withReason("KubeletReady")
                              .withMessage("guest simulator: kubelet is posting ready status")
                              .withLastHeartbeatTime(now)
                              .withLastTransitionTime(now)
                              .build()));
              n.getStatus()
                  .setAddresses(
                      List.of(
                          new io.fabric8.kubernetes.api.model.NodeAddress(ip, "InternalIP"),
                          new io.fabric8.kubernetes.api.model.NodeAddress(name, "Hostname")));
              return n;
            });
  }

  private void kubeadm(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(bed.bin("kubeadm").toString());
    cmd.addAll(List.of(args));
    cmd.add("--v=1");
    Path log =
        bed.logDir()
            .resolve("guest-" + vmName + "-kubeadm-" + args[2] + "-" + System.nanoTime() + ".log");
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new BootFailure("kubeadm " + String.join(" ", args) + " hung; see " + log);
    }
    if (p.exitValue() != 0) {
      List<String> lines = Files.readAllLines(log);
      String tail = String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
      throw new BootFailure(
          "kubeadm " + args[0] + " " + args[1] + " " + args[2] + " failed: " + tail);
    }
  }

  private static KubernetesClient client(Config c) {
    c.setRequestRetryBackoffLimit(0);
    return new KubernetesClientBuilder().withConfig(c).build();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  /** The VM was powered off or destroyed: everything this guest ran stops. */
  synchronized void shutdown() {
    if (signer != null) {
      signer.close();
    }
    processes.forEach(ManagedProcess::close);
    processes.clear();
  }

  static final class BootFailure extends Exception {
    BootFailure(String message) {
      super(message);
    }
  }
}
