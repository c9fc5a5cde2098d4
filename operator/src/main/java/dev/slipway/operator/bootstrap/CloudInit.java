package dev.slipway.operator.bootstrap;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The cloud-config each machine boots with: files (CA material, kubeadm configuration, kube-vip,
 * proxy and trust settings), the {@code vmware-system-user} account and the kubeadm command.
 *
 * <p>Every value is written through a YAML serializer, never pasted into text, so user input
 * (labels, taints, proxy settings) cannot change the document's structure. {@code runcmd} becomes
 * one {@code /bin/sh} script whose first line is {@code set -e}: a failed step stops the boot
 * before the completion marker is written.
 */
public final class CloudInit {

  public static final String KUBEADM_CONFIG_PATH = "/run/kubeadm/kubeadm.yaml";

  /** Written once {@code kubeadm init} succeeded. */
  public static final String INIT_DONE_PATH = "/run/kubeadm/kubeadm-init.done";

  /** Written once {@code kubeadm join} succeeded. */
  public static final String JOIN_DONE_PATH = "/run/kubeadm/kubeadm-join.done";

  public static final String KUBE_VIP_MANIFEST_PATH = "/etc/kubernetes/manifests/kube-vip.yaml";

  /**
   * On the init machine: the kube-vip manifest that uses admin.conf, moved into place once {@code
   * kubeadm init} has granted admin.conf its rights.
   */
  public static final String KUBE_VIP_AFTER_INIT_PATH = "/etc/kubernetes/kube-vip.after-init.yaml";

  public static final String PKI_DIR = "/etc/kubernetes/pki";
  public static final String TRUSTED_CA_DIR = "/usr/local/share/ca-certificates";
  public static final String CONTAINERD_PROXY_PATH =
      "/etc/systemd/system/containerd.service.d/http-proxy.conf";
  public static final String KUBELET_PROXY_PATH =
      "/etc/systemd/system/kubelet.service.d/http-proxy.conf";

  public static final String SSH_USER = "vmware-system-user";

  /** The {@code format} key of a bootstrap data Secret, as in Cluster API. */
  public static final String FORMAT = "cloud-config";

  private static final String HEADER = "#cloud-config";

  private CloudInit() {}

  /** The first control-plane machine: writes the cluster's CAs and runs {@code kubeadm init}. */
  public static String init(ClusterSpec c, NodeSpec n, ClusterPki pki, BootstrapToken token) {
    Objects.requireNonNull(pki, "pki");
    Objects.requireNonNull(token, "token");
    Doc d = new Doc();
    caFiles(d, pki);
    common(d, c);
    d.file(KUBE_VIP_MANIFEST_PATH, KubeVip.manifest(c, KubeVip.SUPER_ADMIN_CONF), "0644");
    d.file(KUBE_VIP_AFTER_INIT_PATH, KubeVip.manifest(c, KubeVip.ADMIN_CONF), "0644");
    d.file(KUBEADM_CONFIG_PATH, KubeadmConfig.init(c, n, token), "0600");
    d.run("kubeadm init --config " + KUBEADM_CONFIG_PATH);
    d.run("mv " + KUBE_VIP_AFTER_INIT_PATH + " " + KUBE_VIP_MANIFEST_PATH);
    d.run("touch " + INIT_DONE_PATH);
    return d.render(c);
  }

  /**
   * Another control-plane machine: the same CA files (it signs its own API server and etcd
   * certificates with them) and {@code kubeadm join} with a controlPlane section.
   */
  public static String joinControlPlane(
      ClusterSpec c, NodeSpec n, ClusterPki pki, BootstrapToken token) {
    Objects.requireNonNull(pki, "pki");
    Objects.requireNonNull(token, "token");
    Doc d = new Doc();
    caFiles(d, pki);
    common(d, c);
    d.file(KUBE_VIP_MANIFEST_PATH, KubeVip.manifest(c, KubeVip.ADMIN_CONF), "0644");
    d.file(
        KUBEADM_CONFIG_PATH,
        KubeadmConfig.join(c, n, token, ClusterPki.caCertHash(pki.ca().certPem()), true),
        "0600");
    d.run("kubeadm join --config " + KUBEADM_CONFIG_PATH);
    d.run("touch " + JOIN_DONE_PATH);
    return d.render(c);
  }

  /** A worker: the cluster CA certificate only (no keys) and {@code kubeadm join}. */
  public static String joinWorker(
      ClusterSpec c, NodeSpec n, String clusterCaPem, BootstrapToken token) {
    Objects.requireNonNull(token, "token");
    String hash = ClusterPki.caCertHash(clusterCaPem);
    Doc d = new Doc();
    d.file(PKI_DIR + "/ca.crt", clusterCaPem, "0644");
    common(d, c);
    d.file(KUBEADM_CONFIG_PATH, KubeadmConfig.join(c, n, token, hash, false), "0600");
    d.run("kubeadm join --config " + KUBEADM_CONFIG_PATH);
    d.run("touch " + JOIN_DONE_PATH);
    return d.render(c);
  }

  private static void caFiles(Doc d, ClusterPki pki) {
    d.file(PKI_DIR + "/ca.crt", pki.ca().certPem(), "0644");
    d.file(PKI_DIR + "/ca.key", pki.ca().keyPem(), "0600");
    d.file(PKI_DIR + "/sa.pub", pki.serviceAccount().certPem(), "0644");
    d.file(PKI_DIR + "/sa.key", pki.serviceAccount().keyPem(), "0600");
    d.file(PKI_DIR + "/front-proxy-ca.crt", pki.frontProxy().certPem(), "0644");
    d.file(PKI_DIR + "/front-proxy-ca.key", pki.frontProxy().keyPem(), "0600");
    d.file(PKI_DIR + "/etcd/ca.crt", pki.etcd().certPem(), "0644");
    d.file(PKI_DIR + "/etcd/ca.key", pki.etcd().keyPem(), "0600");
  }

  /** Trust and proxy settings, and the commands that make containerd pick them up. */
  private static void common(Doc d, ClusterSpec c) {
    for (TrustedCa ca : c.trustedCas()) {
      d.file(TRUSTED_CA_DIR + "/" + ca.name() + ".crt", ca.pem(), "0644");
    }
    if (c.proxy() != null) {
      String dropIn = SystemdDropIns.proxy(c.proxy(), c);
      d.file(CONTAINERD_PROXY_PATH, dropIn, "0644");
      d.file(KUBELET_PROXY_PATH, dropIn, "0644");
    }
    if (!c.trustedCas().isEmpty()) {
      d.run("update-ca-certificates");
    }
    if (c.proxy() != null) {
      d.run("systemctl daemon-reload");
    }
    // containerd reads the proxy variables and the system trust store only when it starts.
    if (c.proxy() != null || !c.trustedCas().isEmpty()) {
      d.run("systemctl restart containerd");
    }
  }

  /** One document being assembled. */
  private static final class Doc {
    private final List<Map<String, Object>> files = new ArrayList<>();
    private final List<String> runcmd = new ArrayList<>(List.of("set -e"));

    void file(String path, String content, String permissions) {
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("path", path);
      f.put("owner", "root:root");
      f.put("permissions", permissions);
      f.put("content", content);
      files.add(f);
    }

    void run(String command) {
      runcmd.add(command);
    }

    String render(ClusterSpec c) {
      Map<String, Object> user = new LinkedHashMap<>();
      user.put("name", SSH_USER);
      user.put("sudo", "ALL=(ALL) NOPASSWD:ALL");
      user.put("shell", "/bin/bash");
      user.put("lock_passwd", true);
      if (c.sshAuthorizedKey() != null) {
        user.put("ssh_authorized_keys", List.of(c.sshAuthorizedKey()));
      }
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("write_files", files);
      doc.put("users", List.of("default", user));
      doc.put("runcmd", runcmd);
      return HEADER + "\n" + Yaml.dump(doc);
    }
  }

  /**
   * A cloud-config document read back: what the guest would write and run.
   *
   * @param files path to content of every {@code write_files} entry (base64 entries decoded)
   * @param runcmd the commands in order; a command given as a list is joined with spaces
   * @param sshAuthorizedKeys every authorized key, of the default user and of every listed user
   * @param kubeadmConfig the kubeadm configuration file ({@link #KUBEADM_CONFIG_PATH}), or null
   */
  public record Parsed(
      Map<String, String> files,
      List<String> runcmd,
      List<String> sshAuthorizedKeys,
      String kubeadmConfig) {

    public Parsed {
      files = Collections.unmodifiableMap(new LinkedHashMap<>(files));
      runcmd = List.copyOf(runcmd);
      sshAuthorizedKeys = List.copyOf(sshAuthorizedKeys);
    }

    /** The kubeadm configuration's documents, in order; empty when there is none. */
    public List<Map<String, Object>> kubeadmDocuments() {
      return kubeadmConfig == null ? List.of() : Yaml.loadAll(kubeadmConfig);
    }

    /** The kubeadm configuration document of the given kind, or null. */
    public Map<String, Object> kubeadmDocument(String kind) {
      return kubeadmDocuments().stream()
          .filter(d -> kind.equals(d.get("kind")))
          .findFirst()
          .orElse(null);
    }
  }

  /**
   * Reads a cloud-config document.
   *
   * @throws IllegalArgumentException when it does not start with {@code #cloud-config}, is not
   *     YAML, or its write_files, runcmd or users are malformed
   */
  public static Parsed parse(String cloudConfig) {
    if (cloudConfig == null
        || !(cloudConfig.equals(HEADER) || cloudConfig.startsWith(HEADER + "\n"))) {
      throw new IllegalArgumentException("cloud-config does not start with the line " + HEADER);
    }
    Map<String, Object> doc;
    try {
      doc = Yaml.load(cloudConfig);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("cloud-config " + e.getMessage(), e);
    }
    Map<String, String> files = new LinkedHashMap<>();
    for (Object o : list(doc.get("write_files"), "write_files")) {
      if (!(o instanceof Map<?, ?> f) || !(f.get("path") instanceof String path)) {
        throw new IllegalArgumentException("cloud-config write_files entry has no path");
      }
      files.put(path, content(path, f));
    }
    List<String> runcmd = new ArrayList<>();
    for (Object o : list(doc.get("runcmd"), "runcmd")) {
      if (o instanceof List<?> argv) {
        List<String> parts = new ArrayList<>();
        argv.forEach(a -> parts.add(String.valueOf(a)));
        runcmd.add(String.join(" ", parts));
      } else if (o instanceof String s) {
        runcmd.add(s);
      } else {
        throw new IllegalArgumentException("cloud-config runcmd entry is neither text nor a list");
      }
    }
    List<String> keys = new ArrayList<>(strings(doc.get("ssh_authorized_keys")));
    for (Object u : list(doc.get("users"), "users")) {
      if (u instanceof Map<?, ?> user) {
        keys.addAll(strings(user.get("ssh_authorized_keys")));
      }
    }
    return new Parsed(files, runcmd, keys, files.get(KUBEADM_CONFIG_PATH));
  }

  private static String content(String path, Map<?, ?> f) {
    Object content = f.get("content");
    String text = content == null ? "" : String.valueOf(content);
    Object encoding = f.get("encoding");
    if (encoding == null || "text/plain".equals(encoding)) {
      return text;
    }
    if ("b64".equals(encoding) || "base64".equals(encoding)) {
      try {
        return new String(Base64.getMimeDecoder().decode(text), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("cloud-config file " + path + " is not valid base64");
      }
    }
    throw new IllegalArgumentException(
        "cloud-config file " + path + " has unsupported encoding " + encoding);
  }

  private static List<?> list(Object o, String what) {
    if (o == null) {
      return List.of();
    }
    if (!(o instanceof List<?> l)) {
      throw new IllegalArgumentException("cloud-config " + what + " is not a list");
    }
    return l;
  }

  private static List<String> strings(Object o) {
    List<String> out = new ArrayList<>();
    if (o instanceof List<?> l) {
      l.forEach(x -> out.add(String.valueOf(x)));
    } else if (o instanceof String s) {
      out.add(s);
    }
    return out;
  }
}
