package dev.slipway.operator.bootstrap;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * kubeadm configuration files in the {@code kubeadm.k8s.io/v1beta4} API (field names as in
 * cmd/kubeadm/app/apis/kubeadm/v1beta4/types.go), built as maps and serialized by {@link Yaml}.
 */
final class KubeadmConfig {

  static final String API_VERSION = "kubeadm.k8s.io/v1beta4";
  static final String CRI_SOCKET = "unix:///var/run/containerd/containerd.sock";

  /**
   * The init machine's token joins nothing (every joining machine gets a token of its own), but
   * without one listed kubeadm init would create a default token valid for 24 h; this one expires
   * soon after {@code kubeadm init} made it.
   */
  static final Duration INIT_TOKEN_TTL = Duration.ofMinutes(15);

  /**
   * kubeadm join's preflight refuses a worker whose CA file already exists, expecting to write it
   * from discovery itself; Slipway writes the same CA ahead (its hash is pinned in discovery), so
   * exactly this check is skipped.
   */
  static final String WORKER_CA_PREFLIGHT_CHECK = "FileAvailable--etc-kubernetes-pki-ca.crt";

  private KubeadmConfig() {}

  static String init(ClusterSpec c, NodeSpec n, BootstrapToken token) {
    Map<String, Object> bootstrapToken = new LinkedHashMap<>();
    bootstrapToken.put("token", token.value());
    bootstrapToken.put("description", "Created by kubeadm init for Slipway");
    bootstrapToken.put("ttl", goDuration(INIT_TOKEN_TTL));
    bootstrapToken.put("usages", List.of("signing", "authentication"));
    bootstrapToken.put("groups", List.of(BootstrapToken.DEFAULT_GROUP));

    Map<String, Object> init = header("InitConfiguration");
    init.put("bootstrapTokens", List.of(bootstrapToken));
    init.put("nodeRegistration", nodeRegistration(n, true, false));
    init.put("localAPIEndpoint", localApiEndpoint(c));

    Map<String, Object> networking = new LinkedHashMap<>();
    if (!c.podCidrs().isEmpty()) {
      networking.put("podSubnet", String.join(",", c.podCidrs()));
    }
    if (!c.serviceCidrs().isEmpty()) {
      networking.put("serviceSubnet", String.join(",", c.serviceCidrs()));
    }
    networking.put("dnsDomain", c.serviceDomain());

    Set<String> sans = new LinkedHashSet<>(List.of(c.endpointHost(), "localhost", "127.0.0.1"));
    Map<String, Object> cluster = header("ClusterConfiguration");
    cluster.put("clusterName", c.clusterName());
    cluster.put("kubernetesVersion", c.kubeadmKubernetesVersion());
    cluster.put("controlPlaneEndpoint", c.endpoint());
    cluster.put("networking", networking);
    cluster.put("apiServer", Map.of("certSANs", List.copyOf(sans)));
    cluster.put("etcd", Map.of("local", Map.of("dataDir", "/var/lib/etcd")));
    if (c.imageRepository() != null) {
      cluster.put("imageRepository", c.imageRepository());
    }
    return Yaml.dumpAll(List.of(init, cluster));
  }

  static String join(
      ClusterSpec c, NodeSpec n, BootstrapToken token, String caCertHash, boolean controlPlane) {
    Map<String, Object> bootstrapToken = new LinkedHashMap<>();
    bootstrapToken.put("apiServerEndpoint", c.endpoint());
    bootstrapToken.put("token", token.value());
    bootstrapToken.put("caCertHashes", List.of(caCertHash));

    Map<String, Object> join = header("JoinConfiguration");
    join.put("nodeRegistration", nodeRegistration(n, controlPlane, !controlPlane));
    join.put("discovery", Map.of("bootstrapToken", bootstrapToken));
    if (controlPlane) {
      join.put("controlPlane", Map.of("localAPIEndpoint", localApiEndpoint(c)));
    }
    return Yaml.dumpAll(List.of(join));
  }

  private static Map<String, Object> header(String kind) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("apiVersion", API_VERSION);
    m.put("kind", kind);
    return m;
  }

  /**
   * kube-vip in ARP mode only moves the VIP between machines and forwards no ports, so the API
   * server must listen on the endpoint's port itself.
   */
  private static Map<String, Object> localApiEndpoint(ClusterSpec c) {
    return Map.of("bindPort", c.endpointPort());
  }

  private static Map<String, Object> nodeRegistration(
      NodeSpec n, boolean controlPlane, boolean worker) {
    List<Taint> taints = new ArrayList<>();
    if (controlPlane) {
      taints.add(Taint.CONTROL_PLANE);
    }
    for (Taint t : n.taints()) {
      // The API server rejects two taints with the same key and effect.
      if (taints.stream()
          .noneMatch(o -> o.key().equals(t.key()) && o.effect().equals(t.effect()))) {
        taints.add(t);
      }
    }
    List<Map<String, Object>> taintMaps = new ArrayList<>();
    for (Taint t : taints) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("key", t.key());
      if (t.value() != null && !t.value().isEmpty()) {
        m.put("value", t.value());
      }
      m.put("effect", t.effect());
      taintMaps.add(m);
    }
    List<Map<String, Object>> args = new ArrayList<>();
    if (!n.labels().isEmpty()) {
      List<String> pairs = new ArrayList<>();
      n.labels().forEach((k, v) -> pairs.add(k + "=" + v));
      args.add(arg("node-labels", String.join(",", pairs)));
    }
    if (n.providerId() != null) {
      args.add(arg("provider-id", n.providerId()));
    }
    Map<String, Object> reg = new LinkedHashMap<>();
    reg.put("name", n.name());
    reg.put("criSocket", CRI_SOCKET);
    // Always written: an absent list would let kubeadm apply its own default taints.
    reg.put("taints", taintMaps);
    if (!args.isEmpty()) {
      reg.put("kubeletExtraArgs", args);
    }
    if (worker) {
      reg.put("ignorePreflightErrors", List.of(WORKER_CA_PREFLIGHT_CHECK));
    }
    return reg;
  }

  private static Map<String, Object> arg(String name, String value) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("value", value);
    return m;
  }

  /** Go's time.Duration text, which metav1.Duration parses. */
  static String goDuration(Duration d) {
    long s = d.getSeconds();
    return (s / 3600) + "h" + (s % 3600 / 60) + "m" + (s % 60) + "s";
  }
}
