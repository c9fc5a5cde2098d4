package dev.slipway.operator.bootstrap;

import java.util.Set;
import java.util.regex.Pattern;

/** Kubernetes name rules, as the kubelet applies them to {@code --node-labels}. */
final class Labels {

  private static final Pattern NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  /** k8s.io/kubelet/pkg/apis/well_known_labels.go: the kubernetes.io labels a kubelet may set. */
  private static final Set<String> KUBELET_LABELS =
      Set.of(
          "kubernetes.io/hostname",
          "topology.kubernetes.io/zone",
          "topology.kubernetes.io/region",
          "failure-domain.beta.kubernetes.io/zone",
          "failure-domain.beta.kubernetes.io/region",
          "beta.kubernetes.io/instance-type",
          "node.kubernetes.io/instance-type",
          "kubernetes.io/os",
          "kubernetes.io/arch",
          "beta.kubernetes.io/os",
          "beta.kubernetes.io/arch");

  private static final Set<String> KUBELET_NAMESPACES =
      Set.of("kubelet.kubernetes.io", "node.kubernetes.io");

  private Labels() {}

  static boolean isDnsSubdomain(String s) {
    return s != null && s.length() <= 253 && DNS_SUBDOMAIN.matcher(s).matches();
  }

  static void requireLabel(String key, String value) {
    if (key == null || !isQualifiedName(key)) {
      throw new IllegalArgumentException(
          "node label key " + quote(key) + " is not a valid label key ([prefix/]name)");
    }
    if (value == null
        || value.length() > 63
        || !(value.isEmpty() || NAME.matcher(value).matches())) {
      throw new IllegalArgumentException(
          "node label "
              + key
              + " has an invalid value "
              + quote(value)
              + " (at most 63 characters: letters, digits, '-', '_', '.', alphanumeric at both"
              + " ends)");
    }
    // The kubelet refuses to start rather than ignoring such a label.
    String ns = namespace(key);
    boolean reserved =
        ns.equals("kubernetes.io")
            || ns.endsWith(".kubernetes.io")
            || ns.equals("k8s.io")
            || ns.endsWith(".k8s.io");
    if (reserved && !KUBELET_LABELS.contains(key) && !inKubeletNamespace(ns)) {
      throw new IllegalArgumentException(
          "node label "
              + key
              + " is in a kubernetes.io/k8s.io namespace a kubelet may not set; use the "
              + "node.kubernetes.io/ or kubelet.kubernetes.io/ prefix or a prefix of your own");
    }
  }

  private static boolean inKubeletNamespace(String ns) {
    for (String allowed : KUBELET_NAMESPACES) {
      if (ns.equals(allowed) || ns.endsWith("." + allowed)) {
        return true;
      }
    }
    return false;
  }

  static boolean isQualifiedName(String key) {
    String name = key;
    int slash = key.indexOf('/');
    if (slash >= 0) {
      String prefix = key.substring(0, slash);
      name = key.substring(slash + 1);
      if (!isDnsSubdomain(prefix)) {
        return false;
      }
    }
    return !name.isEmpty() && name.length() <= 63 && NAME.matcher(name).matches();
  }

  private static String namespace(String key) {
    int slash = key.indexOf('/');
    return slash < 0 ? "" : key.substring(0, slash);
  }

  static String quote(String s) {
    return s == null ? "null" : "\"" + s + "\"";
  }
}
