package dev.slipway.operator.bootstrap;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Cluster and node specs shared by the bootstrap tests. */
final class Specs {

  /** One PKI for the whole test JVM: RSA key generation is the slow part of these tests. */
  static final ClusterPki PKI = ClusterPki.generate("demo");

  static final String VIP = "10.20.30.40";

  /** noProxy entries with YAML-significant text (": " and "#") that must survive verbatim. */
  static final List<String> TRICKY_NO_PROXY =
      List.of("internal.example.com", "weird: entry", "#not-a-comment", "10.0.0.0/8");

  /** A taint value with a double quote and YAML-significant characters. */
  static final Taint TRICKY_TAINT = new Taint("example.com/quoted", "say \"hi\": #1", "NoExecute");

  private Specs() {}

  static ClusterSpec minimal() {
    return new ClusterSpec(
        "demo",
        "v1.37.2+vmware.1",
        VIP,
        6443,
        List.of("192.168.0.0/16"),
        List.of("10.96.0.0/12"),
        null,
        null,
        null,
        List.of(),
        null);
  }

  /** Everything set: dual stack, image repository, proxy, two trusted CAs, an SSH key. */
  static ClusterSpec full() {
    return new ClusterSpec(
        "demo",
        "v1.37.2+vmware.1",
        VIP,
        6443,
        List.of("192.168.0.0/16", "fd00:10::/56"),
        List.of("10.96.0.0/12", "fd00:20::/108"),
        "corp.local",
        "registry.example.com/tkg",
        new Proxy(
            "http://proxy.example.com:3128", "http://user:p%40ss@proxy:3128", TRICKY_NO_PROXY),
        List.of(
            new TrustedCa("corp-root", PKI.etcd().certPem()),
            new TrustedCa("registry", PKI.frontProxy().certPem())),
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyFakeKeyFakeKeyFakeKeyFakeKeyFake vmware-system-user@demo");
  }

  static NodeSpec controlPlaneNode(String name) {
    return new NodeSpec(
        name,
        Map.of("node.kubernetes.io/pool", "control-plane"),
        List.of(),
        "vsphere://4213a1b2-0000-1111-2222-333344445555");
  }

  static NodeSpec workerNode(String name) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("node.kubernetes.io/pool", "workers-a");
    labels.put("example.com/tier", "gold");
    labels.put("team", "");
    return new NodeSpec(
        name,
        labels,
        List.of(new Taint("dedicated", "gpu", "NoSchedule"), TRICKY_TAINT),
        "vsphere://4213a1b2-9999-8888-7777-666655554444");
  }
}
