package dev.slipway.operator.bootstrap;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What every machine of one workload cluster is told about the cluster.
 *
 * @param clusterName the TanzuKubernetesCluster's name
 * @param kubernetesVersion the TKR's version, e.g. {@code v1.37.2+vmware.1}; kubeadm is given it
 *     without build metadata ({@link #kubeadmKubernetesVersion()})
 * @param endpointHost the control-plane endpoint (the VIP kube-vip serves), IP or DNS name
 * @param endpointPort the API server port on the endpoint and on every control-plane machine
 * @param podCidrs pod networks, one per IP family; empty for kubeadm's default
 * @param serviceCidrs service networks, one per IP family; empty for kubeadm's default
 * @param serviceDomain the cluster DNS domain; null for {@code cluster.local}
 * @param imageRepository registry for the control-plane images; null for kubeadm's default
 * @param proxy the nodes' HTTP proxy; null for none
 * @param trustedCas additional CAs the nodes trust; names must be unique
 * @param sshAuthorizedKey the public key for {@code vmware-system-user}; null for none
 */
public record ClusterSpec(
    String clusterName,
    String kubernetesVersion,
    String endpointHost,
    int endpointPort,
    List<String> podCidrs,
    List<String> serviceCidrs,
    String serviceDomain,
    String imageRepository,
    Proxy proxy,
    List<TrustedCa> trustedCas,
    String sshAuthorizedKey) {

  public static final String DEFAULT_SERVICE_DOMAIN = "cluster.local";

  private static final Pattern VERSION =
      Pattern.compile("v?(\\d+\\.\\d+\\.\\d+(-[0-9A-Za-z.-]+)?)(\\+[0-9A-Za-z.-]+)?");
  private static final Pattern CIDR = Pattern.compile("[0-9A-Fa-f:.]+/\\d{1,3}");
  private static final Pattern IP_LITERAL = Pattern.compile("[0-9A-Fa-f:.]+");

  public ClusterSpec {
    if (!Labels.isDnsSubdomain(clusterName)) {
      throw new IllegalArgumentException(
          "cluster name " + Labels.quote(clusterName) + " is not a lowercase DNS subdomain");
    }
    if (kubernetesVersion == null || !VERSION.matcher(kubernetesVersion).matches()) {
      throw new IllegalArgumentException(
          "Kubernetes version "
              + Labels.quote(kubernetesVersion)
              + " is not of the form v1.2.3[-pre][+build]");
    }
    if (!isHost(endpointHost)) {
      throw new IllegalArgumentException(
          "control-plane endpoint " + Labels.quote(endpointHost) + " is not an IP or DNS name");
    }
    if (endpointPort < 1 || endpointPort > 65535) {
      throw new IllegalArgumentException("control-plane port " + endpointPort + " is out of range");
    }
    podCidrs = cidrs("pod", podCidrs);
    serviceCidrs = cidrs("service", serviceCidrs);
    if (serviceDomain == null) {
      serviceDomain = DEFAULT_SERVICE_DOMAIN;
    }
    if (!Labels.isDnsSubdomain(serviceDomain)) {
      throw new IllegalArgumentException(
          "service domain " + Labels.quote(serviceDomain) + " is not a DNS domain");
    }
    if (imageRepository != null && !imageRepository.matches("[\\x21-\\x7e]+")) {
      throw new IllegalArgumentException(
          "image repository " + Labels.quote(imageRepository) + " is not a registry path");
    }
    trustedCas = trustedCas == null ? List.of() : List.copyOf(trustedCas);
    Set<String> names = new HashSet<>();
    for (TrustedCa ca : trustedCas) {
      if (!names.add(ca.name())) {
        throw new IllegalArgumentException("two trusted CAs are named " + ca.name());
      }
    }
    if (sshAuthorizedKey != null
        && (sshAuthorizedKey.isBlank() || sshAuthorizedKey.chars().anyMatch(c -> c < 0x20))) {
      throw new IllegalArgumentException("the SSH authorized key must be one non-blank line");
    }
  }

  /** {@code v1.37.2+vmware.1} becomes {@code v1.37.2}: kubeadm rejects build metadata. */
  public String kubeadmKubernetesVersion() {
    Matcher m = VERSION.matcher(kubernetesVersion);
    if (!m.matches()) {
      throw new IllegalStateException("unreachable: version checked in the constructor");
    }
    return "v" + m.group(1);
  }

  /** {@code host:port}, with an IPv6 host in brackets. */
  public String endpoint() {
    return hostPort(endpointHost, endpointPort);
  }

  static String hostPort(String host, int port) {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  private static boolean isHost(String h) {
    if (h == null || h.isEmpty()) {
      return false;
    }
    if (h.contains(":")) {
      return IP_LITERAL.matcher(h).matches();
    }
    return Labels.isDnsSubdomain(h);
  }

  private static List<String> cidrs(String what, List<String> in) {
    List<String> out = in == null ? List.of() : List.copyOf(in);
    for (String c : out) {
      if (!CIDR.matcher(c).matches()) {
        throw new IllegalArgumentException(what + " CIDR " + Labels.quote(c) + " is not a CIDR");
      }
    }
    if (out.size() > 2) {
      throw new IllegalArgumentException(
          "at most two " + what + " CIDRs (one per IP family), got " + out);
    }
    return out;
  }
}
