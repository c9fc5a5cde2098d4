package dev.slipway.guest;

import dev.slipway.operator.bootstrap.CloudInit;
import dev.slipway.operator.bootstrap.ClusterPki;
import dev.slipway.operator.bootstrap.GuestInfo;
import dev.slipway.testenv.ManagedProcess;
import dev.slipway.testenv.Manifests;
import dev.slipway.testenv.TestBed;
import dev.slipway.vsphere.VSphereProvider;
import dev.slipway.vsphere.VmConfigSpec;
import dev.slipway.vsphere.VmRef;
import dev.slipway.vsphere.VmState;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.authentication.SelfSubjectReview;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The guest OS of one VM: reads its guestinfo, runs what its cloud-init asks for as far as a
 * Kubernetes node is concerned, and fails (visibly, in its state and log) when the data is wrong.
 *
 * <p>Each guest has a loopback address of its own ({@link #address()}); everything it serves
 * listens there on kubeadm's usual ports: etcd client 2379, peer 2380, metrics 2381, kube-apiserver
 * on the endpoint's port (6443), kube-controller-manager 10257. The control-plane endpoint (the
 * VIP) is served by {@link VipForwarder}, which plays kube-vip.
 *
 * <p>The init machine runs the real {@code kubeadm init} phases that need no container runtime
 * (certificates from the CAs in its bootstrap data, kubeconfigs, bootstrap tokens, RBAC,
 * cluster-info, the kubeadm-config ConfigMap), then a real etcd (TLS, certificates from the etcd
 * CA) and kube-apiserver. In {@link GuestSimulator.Mode#FULL} every control-plane guest also runs a
 * real kube-controller-manager (leader-elected; CSR approving and signing, disruption, node
 * lifecycle), and joining control-plane guests do what {@code kubeadm join --control-plane} does:
 * read the ClusterConfiguration with their bootstrap token, make their certificates from the CA
 * keys in their bootstrap data, add themselves to etcd as a learner, start etcd, get promoted, then
 * start their own kube-apiserver against their local member. In {@link GuestSimulator.Mode#LIGHT}
 * only the init guest runs processes and plays the CSR signer itself. Every guest registers its
 * Node as a kubelet does after TLS bootstrap, then keeps it alive ({@link Kubelet}); the Node is
 * Ready only once a CNI configuration is on its disk, which {@link GuestSimulator} writes as the
 * CNI's agent would once the CNI's DaemonSet exists in the workload cluster. What it skips:
 * containers, kube-scheduler, kube-proxy.
 */
final class Guest {
  private static final Logger LOG = LoggerFactory.getLogger(Guest.class);
  static final int ETCD_CLIENT_PORT = 2379;
  static final int ETCD_PEER_PORT = 2380;
  static final int ETCD_METRICS_PORT = 2381;
  static final int CONTROLLER_MANAGER_PORT = 10257;

  /** The kube-controller-manager controllers this simulated workload cluster relies on. */
  static final List<String> CONTROLLERS =
      List.of(
          "certificatesigningrequest-approving-controller",
          "certificatesigningrequest-signing-controller",
          "disruption-controller",
          "node-lifecycle-controller",
          // every namespace's "default" ServiceAccount, without which no pod can be created
          "serviceaccount-controller");

  /**
   * kube-apiserver names its identity lease after the host name, so API servers sharing one host
   * would fight over one lease. Each runs in a UTS namespace of its own (host name = node name)
   * where unprivileged user namespaces are allowed; elsewhere the identity feature is off.
   */
  private static final boolean OWN_HOSTNAME = ownHostnamePossible();

  private static boolean ownHostnamePossible() {
    try {
      Process p =
          new ProcessBuilder("unshare", "--user", "--uts", "--map-root-user", "hostname", "x")
              .redirectErrorStream(true)
              .start();
      return p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  enum Phase {
    BOOTING,
    RUNNING,
    FAILED,
    /** The VM is powered off: nothing runs, heartbeats stopped; a power-on resumes it. */
    STOPPED
  }

  /** How a guest offers its API server for the control-plane endpoint (kube-vip's part). */
  interface Vips {
    void serve(String endpoint, Guest guest, InetSocketAddress apiServer) throws IOException;

    void withdraw(Guest guest);
  }

  private record ProcessSpec(String name, List<String> argv) {}

  /**
   * How long a control-plane component (etcd, kube-apiserver) may take to become healthy: kubeadm's
   * default {@code timeouts.controlPlaneComponentHealthCheck} (v1beta4), 4 minutes. (90 s was too
   * short for 20 light-guest clusters booting at once on 2 cores: one API server missed it.)
   */
  static final Duration COMPONENT_HEALTH_WAIT = Duration.ofMinutes(4);

  /** How long an etcd membership call may be retried: kubeadm's {@code etcdAPICall}, 2 minutes. */
  static final Duration ETCD_CALL_WAIT = Duration.ofMinutes(2);

  private final String vmName;
  private final VmRef vm;
  private final TestBed bed;
  private final Path root;
  private final String ip;
  private final VSphereProvider vsphere;
  private final GuestSimulator.Mode mode;
  private final Vips vips;

  /** The multiplexed workload APIs ({@link GuestSimulator.Mode#MUX}); null in the other modes. */
  private final FakeWorkloadApis fakes;

  private volatile FakeWorkloadApis.Cluster fake;
  private volatile Phase phase = Phase.BOOTING;
  private volatile boolean booted;
  private volatile String failure;
  private volatile boolean stopped;
  private final List<ProcessSpec> specs = new CopyOnWriteArrayList<>();
  private final List<ManagedProcess> processes = new CopyOnWriteArrayList<>();
  private volatile CsrSigner signer;
  private volatile Kubelet kubelet;
  private volatile Config kubeletConfig;
  private volatile String nodeName;
  private volatile String endpoint;
  private volatile int apiPort;
  private volatile boolean controlPlane;
  private volatile Path pki;
  private volatile Path signerKubeconfig;

  Guest(
      String vmName,
      VmRef vm,
      TestBed bed,
      Path root,
      String ip,
      VSphereProvider vsphere,
      GuestSimulator.Mode mode,
      Vips vips,
      FakeWorkloadApis fakes) {
    this.fakes = fakes;
    this.vmName = vmName;
    this.vm = vm;
    this.bed = bed;
    this.root = root;
    this.ip = ip;
    this.vsphere = vsphere;
    this.mode = mode;
    this.vips = vips;
  }

  Phase phase() {
    return phase;
  }

  String failure() {
    return failure;
  }

  /** Stops the kubelet's heartbeats while everything else runs on; false without a kubelet yet. */
  boolean silenceKubelet() {
    Kubelet k = kubelet;
    if (k == null) {
      return false;
    }
    k.silence();
    return true;
  }

  String vmName() {
    return vmName;
  }

  /** This guest's own loopback address, where its etcd and kube-apiserver listen. */
  String address() {
    return ip;
  }

  /**
   * Whether this guest's etcd member and API server exist (a control-plane guest that runs them).
   */
  boolean runsEtcd() {
    return specs.stream().anyMatch(s -> s.name().equals("etcd"));
  }

  /** Where a CNI's agent writes its configuration (kubelet's {@code --cni-conf-dir}). */
  private Path cniConfDir() {
    return file("/etc/cni/net.d");
  }

  /** Whether a CNI configuration is on this machine: the kubelet's network is ready. */
  boolean cniConfigured() {
    try (var files = Files.list(cniConfDir())) {
      return files.anyMatch(
          f -> f.toString().endsWith(".conflist") || f.toString().endsWith(".conf"));
    } catch (IOException e) {
      return false;
    }
  }

  /** What a CNI's agent does on its node: writes its configuration (it stays on the disk). */
  void configureCni(String name) throws IOException {
    Files.createDirectories(cniConfDir());
    Files.writeString(
        cniConfDir().resolve("10-" + name + ".conflist"),
        "{\"cniVersion\": \"1.0.0\", \"name\": \""
            + name
            + "\", \"plugins\": [{\"type\": \""
            + name
            + "\"}]}\n");
  }

  /** The control-plane endpoint this guest's node belongs to, once it knows it. */
  String endpoint() {
    return endpoint;
  }

  /** The node's name, once registered; null before. */
  String nodeName() {
    return nodeName;
  }

  /**
   * The workload cluster's admin kubeconfig that kubeadm wrote on this machine, when it is a
   * control-plane machine running its API server.
   */
  java.util.Optional<Path> adminKubeconfig() {
    Path p = file("/etc/kubernetes/admin.conf");
    return runsEtcd() && phase == Phase.RUNNING && Files.isRegularFile(p)
        ? java.util.Optional.of(p)
        : java.util.Optional.empty();
  }

  /** Whether the boot finished, so that a power-on resumes instead of booting again. */
  boolean booted() {
    return booted;
  }

  void boot() {
    try {
      VmState state = vsphere.vmState(vm);
      GuestInfo.Decoded data = GuestInfo.decode(state.extraConfig());
      clearGuestinfo(data.metadata());
      CloudInit.Parsed cloud = CloudInit.parse(data.userdata());
      reportIp();
      writeFiles(cloud);
      String providerId = "vsphere://" + state.biosUuid();
      if (fakes != null) {
        muxBoot(cloud, providerId);
      } else if (cloud.kubeadmDocument("InitConfiguration") != null) {
        initControlPlane(cloud, providerId);
      } else if (cloud.kubeadmDocument("JoinConfiguration") != null) {
        join(cloud, providerId);
      } else {
        throw new BootFailure("cloud-init has no kubeadm configuration");
      }
      booted = true;
      phase = Phase.RUNNING;
      LOG.info("guest {} is a node now ({})", vmName, ip);
    } catch (Exception e) {
      if (stopped) {
        failure = null;
        LOG.info("guest {} stopped during boot: {}", vmName, e.getMessage());
        return;
      }
      failure = e.getMessage();
      phase = Phase.FAILED;
      LOG.warn("guest {} failed to boot: {}", vmName, e.getMessage(), e);
    }
  }

  /**
   * Whether this guest's cloud-init clears the guestinfo keys its metadata lists once read; false
   * plays an image whose cloud-init is too old to know {@link GuestInfo#CLEANUP}.
   */
  volatile boolean clearsGuestinfo = true;

  /**
   * The VM's last power-on as vCenter reported it when this guest (re)started; a later one means
   * the VM was powered off and on again in between.
   */
  volatile Instant poweredOnAt;

  /**
   * What cloud-init's VMware datasource does right after reading its data: each key listed under
   * {@link GuestInfo#CLEANUP} is overwritten with {@link GuestInfo#CLEARED} and its encoding
   * emptied ({@code vmware-rpctool "info-set guestinfo.<key> ---"}); here through the vSphere API.
   */
  private void clearGuestinfo(Map<String, Object> metadata) {
    if (!clearsGuestinfo || !(metadata.get(GuestInfo.CLEANUP) instanceof List<?> keys)) {
      return;
    }
    VmConfigSpec.Builder b = VmConfigSpec.builder();
    for (Object key : keys) {
      b.extraConfig("guestinfo." + key, GuestInfo.CLEARED);
      b.extraConfig("guestinfo." + key + ".encoding", "");
    }
    vsphere.reconfigure(vm, b.build());
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

  /**
   * kubeadm refuses loopback advertise addresses, so it is told a TEST-NET-2 address that nothing
   * connects to; the guest's real (loopback) address goes into the certificates as an extra SAN
   * instead, and every process is told it directly.
   */
  private String kubeadmAdvertiseAddress() {
    return "198.51.100." + ip.substring(ip.lastIndexOf('.') + 1);
  }

  /**
   * The guest's view of the ClusterConfiguration: its own certificate directory (cloud-init's files
   * live under this guest's root, not /etc/kubernetes) and its own address in the API server and
   * etcd certificates.
   */
  @SuppressWarnings("unchecked")
  private void localize(Map<String, Object> cluster) {
    cluster.put("certificatesDir", pki.toString());
    Map<String, Object> api =
        new LinkedHashMap<>((Map<String, Object>) cluster.getOrDefault("apiServer", Map.of()));
    List<String> sans = new ArrayList<>((List<String>) api.getOrDefault("certSANs", List.of()));
    sans.add(ip);
    api.put("certSANs", sans);
    cluster.put("apiServer", api);
    Map<String, Object> etcd =
        new LinkedHashMap<>((Map<String, Object>) cluster.getOrDefault("etcd", Map.of()));
    Map<String, Object> local =
        new LinkedHashMap<>((Map<String, Object>) etcd.getOrDefault("local", Map.of()));
    local.put("serverCertSANs", List.of(ip));
    local.put("peerCertSANs", List.of(ip));
    local.put("dataDir", root.resolve("var/lib/etcd").toString());
    etcd.put("local", local);
    cluster.put("etcd", etcd);
  }

  private static String hostOf(String endpoint) {
    return endpoint.substring(0, endpoint.lastIndexOf(':'));
  }

  private static int portOf(String endpoint) {
    return Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
  }

  // ---- the first control-plane machine ---------------------------------------------------

  private void initControlPlane(CloudInit.Parsed cloud, String providerId) throws Exception {
    Map<String, Object> init = cloud.kubeadmDocument("InitConfiguration");
    Map<String, Object> cluster = cloud.kubeadmDocument("ClusterConfiguration");
    controlPlane = true;
    endpoint = (String) cluster.get("controlPlaneEndpoint");
    apiPort = portOf(endpoint);
    nodeName = (String) registration(init).get("name");
    init.put(
        "localAPIEndpoint",
        Map.of("advertiseAddress", kubeadmAdvertiseAddress(), "bindPort", apiPort));
    pki = file(CloudInit.PKI_DIR);
    localize(cluster);
    Path config = root.resolve("kubeadm-guest.yaml");
    Files.writeString(config, Manifests.yamlAll(List.of(init, cluster)));
    Path kubeconfigs = file("/etc/kubernetes");
    // A CA that does not parse or does not match its key stops kubeadm here, as on a real VM.
    kubeadm("init", "phase", "certs", "all", "--config", config.toString());
    for (String k : List.of("super-admin", "admin", "kubelet", "controller-manager")) {
      kubeadm(
          "init",
          "phase",
          "kubeconfig",
          k,
          "--config",
          config.toString(),
          "--kubeconfig-dir",
          kubeconfigs.toString());
    }

    startEtcd(List.of(nodeName + "=" + peerUrl()), "new");
    awaitEtcd();
    startApiServer(cluster);
    Path superAdmin = kubeconfigs.resolve("super-admin.conf");
    awaitApi(superAdmin);
    vips.serve(endpoint, this, new InetSocketAddress(ip, apiPort));
    // Tokens from the InitConfiguration, their RBAC and cluster-info, by kubeadm itself; then the
    // ClusterConfiguration that joining control-plane machines read.
    for (List<String> phase :
        List.of(List.of("bootstrap-token"), List.of("upload-config", "kubeadm"))) {
      List<String> args = new ArrayList<>(List.of("init", "phase"));
      args.addAll(phase);
      args.addAll(List.of("--config", config.toString(), "--kubeconfig", superAdmin.toString()));
      kubeadm(args.toArray(String[]::new));
    }
    try (KubernetesClient admin = client(Config.fromKubeconfig(Files.readString(superAdmin)))) {
      // What kubeadm init does for admin.conf's group (kubeadm:cluster-admins) with super-admin.
      if (admin.rbac().clusterRoleBindings().withName("kubeadm:cluster-admins").get() == null) {
        admin
            .rbac()
            .clusterRoleBindings()
            .resource(
                new ClusterRoleBindingBuilder()
                    .withNewMetadata()
                    .withName("kubeadm:cluster-admins")
                    .endMetadata()
                    .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "cluster-admin")
                    .addNewSubject()
                    .withApiGroup("rbac.authorization.k8s.io")
                    .withKind("Group")
                    .withName("kubeadm:cluster-admins")
                    .endSubject()
                    .build())
            .create();
      }
    }
    if (mode == GuestSimulator.Mode.FULL) {
      startControllerManager(kubeconfigs, (String) cluster.get("clusterName"));
    } else {
      signerKubeconfig = superAdmin;
      startSigner();
    }

    // kubeadm's kubelet.conf names the control-plane endpoint, as on a real machine.
    kubeletConfig = Config.fromKubeconfig(Files.readString(kubeconfigs.resolve("kubelet.conf")));
    startKubelet(registration(init), providerId);
  }

  /** kube-controller-manager's CSR approving and signing, in process (light mode). */
  private void startSigner() throws IOException {
    signer =
        new CsrSigner(
            client(Config.fromKubeconfig(Files.readString(signerKubeconfig))),
            Files.readString(pki.resolve("ca.crt")),
            Files.readString(pki.resolve("ca.key")));
    signer.start();
  }

  private String peerUrl() {
    return "https://" + ip + ":" + ETCD_PEER_PORT;
  }

  private String clientUrl() {
    return "https://" + ip + ":" + ETCD_CLIENT_PORT;
  }

  /** etcd with the flags of kubeadm's static pod, on this guest's own address. */
  private void startEtcd(List<String> initialCluster, String state) throws Exception {
    Path data = Files.createDirectories(root.resolve("var/lib/etcd"));
    Path etcdPki = pki.resolve("etcd");
    run(
        "etcd",
        List.of(
            bed.bin("etcd").toString(),
            "--name=" + nodeName,
            "--data-dir=" + data,
            "--advertise-client-urls=" + clientUrl(),
            "--listen-client-urls=" + clientUrl(),
            "--initial-advertise-peer-urls=" + peerUrl(),
            "--listen-peer-urls=" + peerUrl(),
            "--listen-metrics-urls=http://" + ip + ":" + ETCD_METRICS_PORT,
            "--initial-cluster=" + String.join(",", initialCluster),
            "--initial-cluster-state=" + state,
            "--cert-file=" + etcdPki.resolve("server.crt"),
            "--key-file=" + etcdPki.resolve("server.key"),
            "--client-cert-auth=true",
            "--trusted-ca-file=" + etcdPki.resolve("ca.crt"),
            "--peer-cert-file=" + etcdPki.resolve("peer.crt"),
            "--peer-key-file=" + etcdPki.resolve("peer.key"),
            "--peer-client-cert-auth=true",
            "--peer-trusted-ca-file=" + etcdPki.resolve("ca.crt"),
            "--snapshot-count=10000"));
  }

  /** kubeadm's own etcd health check, with its healthcheck-client certificate. */
  private EtcdClient etcdHealthClient() throws Exception {
    Path etcdPki = pki.resolve("etcd");
    return new EtcdClient(
        Files.readString(etcdPki.resolve("ca.crt")),
        Files.readString(etcdPki.resolve("healthcheck-client.crt")),
        Files.readString(etcdPki.resolve("healthcheck-client.key")));
  }

  private void awaitEtcd() throws Exception {
    EtcdClient etcd = etcdHealthClient();
    Instant deadline = Instant.now().plus(COMPONENT_HEALTH_WAIT);
    while (Instant.now().isBefore(deadline)) {
      checkProcesses();
      if (etcd.healthy(clientUrl())) {
        return;
      }
      Thread.sleep(300);
    }
    throw new BootFailure(
        "etcd on " + clientUrl() + " was not healthy within " + COMPONENT_HEALTH_WAIT);
  }

  /** The flags kubeadm's kube-apiserver static pod carries, bound to this guest's address. */
  @SuppressWarnings("unchecked")
  private void startApiServer(Map<String, Object> cluster) throws Exception {
    Map<String, Object> net = (Map<String, Object>) cluster.getOrDefault("networking", Map.of());
    String services = (String) net.getOrDefault("serviceSubnet", "10.96.0.0/12");
    String domain = (String) net.getOrDefault("dnsDomain", "cluster.local");
    List<String> argv = new ArrayList<>();
    if (OWN_HOSTNAME) {
      argv.addAll(
          List.of(
              "unshare",
              "--user",
              "--uts",
              "--map-root-user",
              "sh",
              "-c",
              "hostname \"$0\" && exec \"$@\"",
              nodeName));
    }
    argv.addAll(
        List.of(
            bed.bin("kube-apiserver").toString(),
            "--bind-address=" + ip,
            "--advertise-address=" + ip,
            "--secure-port=" + apiPort,
            // Loopback may only be advertised without the endpoint reconciler.
            "--endpoint-reconciler-type=none",
            "--etcd-servers=" + clientUrl(),
            "--etcd-cafile=" + pki.resolve("etcd/ca.crt"),
            "--etcd-certfile=" + pki.resolve("apiserver-etcd-client.crt"),
            "--etcd-keyfile=" + pki.resolve("apiserver-etcd-client.key"),
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
            "--allow-privileged=true"));
    if (!OWN_HOSTNAME) {
      argv.add("--feature-gates=APIServerIdentity=false");
    }
    run("kube-apiserver", argv);
  }

  /**
   * kube-controller-manager with kubeadm's flags, on this guest's address and its local API server,
   * leader-elected among the control-plane guests; only the controllers in {@link #CONTROLLERS}.
   * The node monitor is quicker than the default so that a stopped guest's Node turns NotReady in
   * about 20 s.
   */
  private void startControllerManager(Path kubeconfigs, String clusterName) throws Exception {
    // kubeadm writes controller-manager.conf for the advertise address; the guest's is its own.
    Path conf = kubeconfigs.resolve("controller-manager.conf");
    Files.writeString(
        conf,
        Files.readString(conf)
            .replace(
                "https://" + kubeadmAdvertiseAddress() + ":" + apiPort,
                "https://" + ip + ":" + apiPort));
    run(
        "kube-controller-manager",
        List.of(
            bed.bin("kube-controller-manager").toString(),
            "--kubeconfig=" + conf,
            "--authentication-kubeconfig=" + conf,
            "--authorization-kubeconfig=" + conf,
            "--bind-address=" + ip,
            "--secure-port=" + CONTROLLER_MANAGER_PORT,
            "--client-ca-file=" + pki.resolve("ca.crt"),
            "--requestheader-client-ca-file=" + pki.resolve("front-proxy-ca.crt"),
            "--cluster-name=" + clusterName,
            "--cluster-signing-cert-file=" + pki.resolve("ca.crt"),
            "--cluster-signing-key-file=" + pki.resolve("ca.key"),
            "--controllers=" + String.join(",", CONTROLLERS),
            "--leader-elect=true",
            "--root-ca-file=" + pki.resolve("ca.crt"),
            "--service-account-private-key-file=" + pki.resolve("sa.key"),
            "--use-service-account-credentials=true",
            "--node-monitor-period=2s",
            "--node-monitor-grace-period=20s"));
  }

  private void awaitApi(Path kubeconfig) throws Exception {
    Instant deadline = Instant.now().plus(COMPONENT_HEALTH_WAIT);
    Config own = Config.fromKubeconfig(Files.readString(kubeconfig));
    own.setMasterUrl("https://" + ip + ":" + apiPort);
    try (KubernetesClient c = client(own)) {
      while (Instant.now().isBefore(deadline)) {
        checkProcesses();
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
    throw new BootFailure(
        "the kube-apiserver on " + ip + " did not become ready within " + COMPONENT_HEALTH_WAIT);
  }

  private void checkProcesses() throws BootFailure {
    for (ManagedProcess p : processes) {
      if (!p.isAlive()) {
        throw new BootFailure(p + " exited");
      }
    }
  }

  // ---- the light mode: one multiplexed fake per cluster ----------------------------------

  /**
   * {@link GuestSimulator.Mode#MUX}: what kubeadm and the kubelet would leave behind, written into
   * the cluster's in-process fake ({@link FakeWorkloadApis}) instead of real processes. The checks
   * that make bad bootstrap data fail stay: the CA pairs must match (kubeadm's certificate phase),
   * a joining machine pins the cluster CA by hash and needs a bootstrap token the cluster knows.
   */
  @SuppressWarnings("unchecked")
  private void muxBoot(CloudInit.Parsed cloud, String providerId) throws Exception {
    Map<String, Object> init = cloud.kubeadmDocument("InitConfiguration");
    Map<String, Object> join = cloud.kubeadmDocument("JoinConfiguration");
    Map<String, Object> reg;
    if (init != null) {
      Map<String, Object> cluster = cloud.kubeadmDocument("ClusterConfiguration");
      controlPlane = true;
      endpoint = (String) cluster.get("controlPlaneEndpoint");
      reg = registration(init);
      nodeName = (String) reg.get("name");
      FakeWorkloadApis.Cluster c =
          fakes.init(
              endpoint, caPair(CloudInit.PKI_DIR + "/ca"), caPair(CloudInit.PKI_DIR + "/etcd/ca"));
      for (Map<String, Object> t :
          (List<Map<String, Object>>) init.getOrDefault("bootstrapTokens", List.of())) {
        Secret token =
            dev.slipway.operator.bootstrap.BootstrapToken.parse((String) t.get("token"))
                .toSecret(Duration.ofHours(24), Instant.now());
        c.kube.put(FakeKube.JSON.valueToTree(token));
      }
      c.kube.put(
          FakeKube.JSON.valueToTree(
              new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                  .withNewMetadata()
                  .withName("kubeadm-config")
                  .withNamespace("kube-system")
                  .endMetadata()
                  .addToData("ClusterConfiguration", Manifests.yamlAll(List.of(cluster)))
                  .build()));
      fake = c;
      c.etcd.add(nodeName, ip, false);
    } else if (join != null) {
      Map<String, Object> discovery =
          (Map<String, Object>) ((Map<String, Object>) join.get("discovery")).get("bootstrapToken");
      endpoint = (String) discovery.get("apiServerEndpoint");
      List<String> hashes = (List<String>) discovery.get("caCertHashes");
      pinnedCa(hashes);
      reg = registration(join);
      nodeName = (String) reg.get("name");
      controlPlane = join.get("controlPlane") != null;
      FakeWorkloadApis.Cluster c = muxDiscover((String) discovery.get("token"), hashes);
      fake = c;
      if (controlPlane) {
        // kubeadm join --control-plane: the CA keys must be in the bootstrap data and match.
        caPair(CloudInit.PKI_DIR + "/ca");
        caPair(CloudInit.PKI_DIR + "/etcd/ca");
        c.etcd.promote(c.etcd.add(nodeName, ip, true));
      }
    } else {
      throw new BootFailure("cloud-init has no kubeadm configuration");
    }
    io.fabric8.kubernetes.api.model.Node node = node(reg, providerId);
    node.setStatus(
        new io.fabric8.kubernetes.api.model.NodeStatusBuilder()
            .addNewCondition()
            .withType("Ready")
            .withStatus("False")
            .withReason("KubeletNotReady")
            .withMessage(Kubelet.NETWORK_NOT_READY)
            .withLastHeartbeatTime(Instant.now().toString())
            .withLastTransitionTime(Instant.now().toString())
            .endCondition()
            .addNewAddress(ip, "InternalIP")
            .addNewAddress(nodeName, "Hostname")
            .build());
    fake.kube.put(FakeKube.JSON.valueToTree(node));
    if (cniConfigured()) {
      muxNetworkReady(); // the CNI's agent was quicker than the registration
    }
    muxServe();
  }

  /** A control-plane guest's etcd member and its share of the endpoint answer. */
  private void muxServe() throws Exception {
    synchronized (this) {
      if (stopped) {
        throw new BootFailure("the VM was powered off during boot");
      }
    }
    if (controlPlane) {
      fakes.serveMember(fake, ip);
      fakes.holdEndpoint(fake, vmName);
    }
  }

  /**
   * kubeadm's token discovery against the fake: the endpoint must answer with the CA pinned by
   * hash, and the token must be one of the cluster's bootstrap tokens; both are waited for (the API
   * may not answer yet, the token may not be written yet) as long as kubeadm's discovery would.
   */
  private FakeWorkloadApis.Cluster muxDiscover(String token, List<String> hashes) throws Exception {
    var wanted = dev.slipway.operator.bootstrap.BootstrapToken.parse(token);
    Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
    String why = "nothing answers at " + endpoint;
    while (Instant.now().isBefore(deadline)) {
      if (stopped) {
        throw new BootFailure("the VM was powered off during boot");
      }
      Optional<FakeWorkloadApis.Cluster> c = fakes.find(endpoint);
      if (c.isPresent() && c.get().serving()) {
        if (!hashes.contains(ClusterPki.caCertHash(c.get().ca.certPem()))) {
          throw new BootFailure(
              "cannot verify " + endpoint + " against the CA in the bootstrap data");
        }
        Optional<String> secret =
            c.get()
                .kube
                .get("secrets", "kube-system", wanted.secretName())
                .map(s -> s.path("data").path("token-secret").asText(""))
                .map(b -> new String(Base64.getDecoder().decode(b), StandardCharsets.UTF_8));
        if (secret.isPresent() && secret.get().equals(wanted.secret())) {
          return c.get();
        }
        why = "the bootstrap token " + wanted.id() + " is not one of the cluster's";
      }
      Thread.sleep(1000);
    }
    throw new BootFailure("could not join " + endpoint + ": " + why);
  }

  /**
   * The cluster CA from the bootstrap data, once it matches one of the join's {@code caCertHashes}:
   * kubeadm's discovery pins the CA by hash before trusting anything the endpoint says.
   */
  private String pinnedCa(List<String> hashes) throws Exception {
    String ca = Files.readString(file(CloudInit.PKI_DIR + "/ca.crt"));
    if (!hashes.contains(ClusterPki.caCertHash(ca))) {
      throw new BootFailure(
          "the CA in the bootstrap data does not match caCertHashes "
              + hashes
              + ": refusing to join");
    }
    return ca;
  }

  /**
   * A CA certificate and key from the bootstrap data; a pair that does not match fails the boot.
   */
  private dev.slipway.operator.bootstrap.CertKey caPair(String base) throws Exception {
    Path crt = file(base + ".crt");
    Path key = file(base + ".key");
    if (!Files.isRegularFile(crt) || !Files.isRegularFile(key)) {
      throw new BootFailure("the bootstrap data has no " + base + ".crt and .key");
    }
    var pair =
        new dev.slipway.operator.bootstrap.CertKey(Files.readString(crt), Files.readString(key));
    if (!dev.slipway.operator.bootstrap.ServingCertificates.isPair(pair)) {
      throw new BootFailure(base + ".crt and " + base + ".key are not a pair");
    }
    return pair;
  }

  /** The CNI's agent configured this machine: its Node reports Ready, as its kubelet would. */
  void muxNetworkReady() {
    FakeWorkloadApis.Cluster c = fake;
    if (c == null || nodeName == null) {
      return;
    }
    String now = Instant.now().toString();
    c.kube.merge(
        "nodes",
        "",
        nodeName,
        FakeKube.JSON
            .createObjectNode()
            .set(
                "status",
                FakeKube.JSON.valueToTree(
                    Map.of(
                        "conditions",
                        List.of(
                            Map.of(
                                "type", "Ready",
                                "status", "True",
                                "reason", "KubeletReady",
                                "message", "guest simulator: kubelet is posting ready status",
                                "lastHeartbeatTime", now,
                                "lastTransitionTime", now))))));
  }

  /** Whether this guest plays its node in a multiplexed fake. */
  boolean multiplexed() {
    return fakes != null;
  }

  /** The multiplexed fake of this guest's cluster, once it booted far enough to know it. */
  Optional<FakeWorkloadApis.Cluster> fake() {
    return Optional.ofNullable(fake);
  }

  // ---- joining machines -----------------------------------------------------------------

  @SuppressWarnings("unchecked")
  private void join(CloudInit.Parsed cloud, String providerId) throws Exception {
    Map<String, Object> join = cloud.kubeadmDocument("JoinConfiguration");
    Map<String, Object> discovery =
        (Map<String, Object>) ((Map<String, Object>) join.get("discovery")).get("bootstrapToken");
    endpoint = (String) discovery.get("apiServerEndpoint");
    apiPort = portOf(endpoint);
    String token = (String) discovery.get("token");
    String ca = pinnedCa((List<String>) discovery.get("caCertHashes"));
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
    nodeName = (String) registration.get("name");
    controlPlane = join.get("controlPlane") != null;
    boolean members = controlPlane && mode == GuestSimulator.Mode.FULL;
    Path kubeconfigs = file("/etc/kubernetes");
    Map<String, Object> cluster = null;
    try (KubernetesClient bootstrap = client(tokenConfig)) {
      String user = authenticate(bootstrap, endpoint);
      LOG.info("guest {} authenticated to {} as {}", vmName, endpoint, user);
      if (members) {
        cluster = prepareControlPlane(bootstrap, join, kubeconfigs);
      }
      Pki.ClientCert cert = requestKubeletCertificate(bootstrap, nodeName);
      kubeletConfig =
          new ConfigBuilder()
              .withMasterUrl("https://" + endpoint)
              .withCaCertData(b64(ca))
              .withClientCertData(b64(cert.certPem()))
              .withClientKeyData(b64(cert.keyPem()))
              .withRequestRetryBackoffLimit(0)
              .build();
    }
    if (!members) {
      startKubelet(registration, providerId);
      return;
    }
    // kubeadm join --control-plane: kubelet-start, then control-plane-join (etcd, then the
    // control-plane static pods).
    startKubelet(registration, providerId);
    joinEtcd(kubeconfigs.resolve("admin.conf"));
    startApiServer(cluster);
    awaitApi(kubeconfigs.resolve("admin.conf"));
    kubelet.staticPods(staticPods());
    vips.serve(endpoint, this, new InetSocketAddress(ip, apiPort));
    startControllerManager(kubeconfigs, (String) cluster.get("clusterName"));
  }

  /**
   * {@code kubeadm join phase control-plane-prepare}: the ClusterConfiguration from the cluster's
   * kubeadm-config ConfigMap (readable with the bootstrap token), then this machine's certificates
   * from the CA keys its bootstrap data carries, and its kubeconfigs.
   */
  @SuppressWarnings("unchecked")
  private Map<String, Object> prepareControlPlane(
      KubernetesClient bootstrap, Map<String, Object> join, Path kubeconfigs) throws Exception {
    ConfigMap cm =
        bootstrap.configMaps().inNamespace("kube-system").withName("kubeadm-config").get();
    if (cm == null || cm.getData() == null || !cm.getData().containsKey("ClusterConfiguration")) {
      throw new BootFailure("kube-system/kubeadm-config has no ClusterConfiguration");
    }
    Map<String, Object> cluster =
        new com.fasterxml.jackson.databind.ObjectMapper(
                new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
            .readValue(cm.getData().get("ClusterConfiguration"), Map.class);
    pki = file(CloudInit.PKI_DIR);
    localize(cluster);
    Map<String, Object> local = new LinkedHashMap<>();
    local.put("apiVersion", cluster.get("apiVersion"));
    local.put("kind", "InitConfiguration");
    local.put("nodeRegistration", join.get("nodeRegistration"));
    local.put(
        "localAPIEndpoint",
        Map.of("advertiseAddress", kubeadmAdvertiseAddress(), "bindPort", apiPort));
    Path config = root.resolve("kubeadm-guest.yaml");
    Files.writeString(config, Manifests.yamlAll(List.of(local, cluster)));
    // The CAs are the cloud-config's; a missing or wrong CA key fails here.
    kubeadm("init", "phase", "certs", "all", "--config", config.toString());
    for (String k : List.of("admin", "controller-manager")) {
      kubeadm(
          "init",
          "phase",
          "kubeconfig",
          k,
          "--config",
          config.toString(),
          "--kubeconfig-dir",
          kubeconfigs.toString());
    }
    return cluster;
  }

  /**
   * kubeadm's stacked-etcd join: find the members' client URLs on the etcd pods, add this machine
   * as a learner (with kubeadm's apiserver-etcd-client certificate), start etcd with the member
   * list etcd answered and {@code --initial-cluster-state=existing}, promote it once it caught up.
   */
  private void joinEtcd(Path adminConf) throws Exception {
    List<String> endpoints = new ArrayList<>();
    try (KubernetesClient admin = client(Config.fromKubeconfig(Files.readString(adminConf)))) {
      for (Pod p :
          admin
              .pods()
              .inNamespace("kube-system")
              .withLabel("component", "etcd")
              .list()
              .getItems()) {
        String urls = p.getMetadata().getAnnotations().get(ETCD_URLS_ANNOTATION);
        if (urls != null) {
          endpoints.addAll(List.of(urls.split(",")));
        }
      }
    }
    if (endpoints.isEmpty()) {
      throw new BootFailure("no etcd pod in kube-system announces its client URLs");
    }
    Path etcdPki = pki.resolve("etcd");
    EtcdClient etcd =
        new EtcdClient(
            Files.readString(etcdPki.resolve("ca.crt")),
            Files.readString(pki.resolve("apiserver-etcd-client.crt")),
            Files.readString(pki.resolve("apiserver-etcd-client.key")));
    Map.Entry<String, List<EtcdClient.Member>> added = null;
    String via = null;
    String last = null;
    // etcd takes one learner at a time ("too many learner members"): kubeadm retries.
    Instant addBy = Instant.now().plus(ETCD_CALL_WAIT);
    while (added == null) {
      for (String e : endpoints) {
        try {
          added = etcd.memberAdd(e, peerUrl(), true);
          via = e;
          break;
        } catch (IOException ex) {
          last = ex.getMessage();
          LOG.info("guest {}: etcd member add via {} failed: {}", vmName, e, last);
        }
      }
      if (added == null) {
        if (Instant.now().isAfter(addBy)) {
          throw new BootFailure("could not add an etcd member through " + endpoints + ": " + last);
        }
        Thread.sleep(1000);
      }
    }
    List<String> initial = new ArrayList<>();
    for (EtcdClient.Member m : added.getValue()) {
      String name = m.id().equals(added.getKey()) ? nodeName : m.name();
      for (String u : m.peerUrls()) {
        initial.add(name + "=" + u);
      }
    }
    LOG.info("guest {}: added etcd learner {} via {}: {}", vmName, added.getKey(), via, initial);
    startEtcd(initial, "existing");
    Instant deadline = Instant.now().plusSeconds(90);
    while (true) {
      checkProcesses();
      try {
        etcd.memberPromote(via, added.getKey());
        break;
      } catch (IOException e) {
        if (Instant.now().isAfter(deadline)) {
          throw new BootFailure("the etcd learner was not promoted: " + e.getMessage());
        }
        Thread.sleep(500); // "can only promote a learner member which is in sync with leader"
      }
    }
    awaitEtcd();
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
        // A certificate the CA does not sign fails at once, as kubeadm's discovery does; a
        // handshake cut short (the VIP moving to another API server) is tried again.
        if (causedBy(e, java.security.cert.CertificateException.class)) {
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

  static final String ETCD_URLS_ANNOTATION = "kubeadm.kubernetes.io/etcd.advertise-client-urls";
  static final String API_ENDPOINT_ANNOTATION =
      "kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint";

  @SuppressWarnings("unchecked")
  private static Map<String, Object> registration(Map<String, Object> kubeadmDoc) {
    return (Map<String, Object>) kubeadmDoc.get("nodeRegistration");
  }

  /**
   * kubelet's first start: register the Node, then keep it alive ({@link Kubelet}). A control-plane
   * kubelet talks to its own API server once it has one (kubeadm's local mode).
   */
  private void startKubelet(Map<String, Object> reg, String providerId) throws Exception {
    String advertised = "https://" + kubeadmAdvertiseAddress() + ":" + apiPort;
    if (kubeletConfig.getMasterUrl().startsWith(advertised)) {
      kubeletConfig.setMasterUrl("https://" + ip + ":" + apiPort);
    }
    KubernetesClient k = client(kubeletConfig);
    registerNode(k, reg, providerId);
    Kubelet let = new Kubelet(k, nodeName, ip, vmName, this::cniConfigured);
    if (runsEtcd()) {
      let.staticPods(staticPods());
    }
    synchronized (this) {
      if (stopped) {
        let.close();
        throw new BootFailure("the VM was powered off during boot");
      }
      kubelet = let;
      let.start();
    }
  }

  /** What a kubelet mirrors of kubeadm's static pods on this machine. */
  private List<Pod> staticPods() {
    List<Pod> pods = new ArrayList<>();
    for (ProcessSpec s : specs) {
      if (s.name().equals("kube-controller-manager")) {
        continue; // not looked up by anyone here
      }
      PodBuilder p =
          new PodBuilder()
              .withNewMetadata()
              .withName(s.name() + "-" + nodeName)
              .withNamespace("kube-system")
              .addToLabels("component", s.name())
              .addToLabels("tier", "control-plane")
              .addToAnnotations("kubernetes.io/config.source", "file")
              .addToAnnotations(
                  "kubernetes.io/config.mirror",
                  Integer.toHexString(String.join(" ", s.argv()).hashCode()))
              .endMetadata()
              .withNewSpec()
              .withNodeName(nodeName)
              .withHostNetwork(true)
              .addNewContainer()
              .withName(s.name())
              .withImage("registry.k8s.io/" + s.name())
              .withCommand(s.argv())
              .endContainer()
              .endSpec();
      if (s.name().equals("etcd")) {
        p.editMetadata().addToAnnotations(ETCD_URLS_ANNOTATION, clientUrl()).endMetadata();
      } else {
        p.editMetadata()
            .addToAnnotations(API_ENDPOINT_ANNOTATION, ip + ":" + apiPort)
            .endMetadata();
      }
      pods.add(p.build());
    }
    return pods;
  }

  /** What kubelet does on first start: create its Node (labels, taints, providerID). */
  private void registerNode(KubernetesClient kubelet, Map<String, Object> reg, String providerId) {
    kubelet.nodes().resource(node(reg, providerId)).create();
  }

  /**
   * The Node a kubelet registers: kubeadm's node registration (labels, taints), the provider ID.
   */
  @SuppressWarnings("unchecked")
  private static io.fabric8.kubernetes.api.model.Node node(
      Map<String, Object> reg, String providerId) {
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
    return node.build();
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

  /** Starts one of the guest's processes; remembered so that a power-on starts it again. */
  private synchronized void run(String name, List<String> argv) throws BootFailure {
    if (stopped) {
      throw new BootFailure("the VM was powered off during boot");
    }
    specs.add(new ProcessSpec(name, argv));
    processes.add(
        ManagedProcess.start(
            name, argv, bed.logDir().resolve("guest-" + vmName + "-" + name + ".log")));
  }

  private static KubernetesClient client(Config c) {
    c.setRequestRetryBackoffLimit(0);
    return new KubernetesClientBuilder().withConfig(c).build();
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The VM was powered off: every process stops at once and the kubelet's heartbeats with them; its
   * disk (data directories, certificates) stays for the next power-on.
   */
  void stop() {
    synchronized (this) {
      stopped = true;
      if (phase != Phase.FAILED) {
        phase = Phase.STOPPED;
      }
    }
    if (kubelet != null) {
      kubelet.close();
    }
    if (signer != null) {
      signer.close();
      signer = null;
    }
    // A power-off: no graceful shutdown, everything dies at once.
    for (ManagedProcess p : processes) {
      p.process().descendants().forEach(ProcessHandle::destroyForcibly);
    }
    processes.parallelStream().forEach(ManagedProcess::close);
    processes.clear();
    vips.withdraw(this);
    FakeWorkloadApis.Cluster c = fake;
    if (c != null && controlPlane) {
      fakes.releaseEndpoint(c, vmName);
      fakes.stopMember(c, ip);
    }
  }

  /**
   * Powered on again after a completed boot: cloud-init does not run twice, the machine's services
   * start from its disk (etcd rejoins with its data), the kubelet heartbeats again.
   */
  void resume() {
    synchronized (this) {
      stopped = false;
      phase = Phase.BOOTING;
    }
    try {
      if (fakes != null) {
        muxServe();
        phase = Phase.RUNNING;
        LOG.info("guest {} resumed", vmName);
        return;
      }
      for (ProcessSpec s : specs) {
        synchronized (this) {
          if (stopped) {
            return;
          }
          processes.add(
              ManagedProcess.start(
                  s.name(),
                  s.argv(),
                  bed.logDir().resolve("guest-" + vmName + "-" + s.name() + ".log")));
        }
      }
      if (runsEtcd()) {
        awaitApi(file("/etc/kubernetes/admin.conf"));
        vips.serve(endpoint, this, new InetSocketAddress(ip, apiPort));
      }
      if (signerKubeconfig != null) {
        startSigner();
      }
      Kubelet let = new Kubelet(client(kubeletConfig), nodeName, ip, vmName, this::cniConfigured);
      if (runsEtcd()) {
        let.staticPods(staticPods());
      }
      synchronized (this) {
        if (stopped) {
          let.close();
          return;
        }
        kubelet = let;
        let.start();
        phase = Phase.RUNNING;
      }
      LOG.info("guest {} resumed", vmName);
    } catch (Exception e) {
      if (!stopped) {
        failure = "after power-on: " + e.getMessage();
        phase = Phase.FAILED;
        LOG.warn("guest {} failed to resume: {}", vmName, e.getMessage(), e);
      }
    }
  }

  static final class BootFailure extends Exception {
    BootFailure(String message) {
      super(message);
    }
  }
}
