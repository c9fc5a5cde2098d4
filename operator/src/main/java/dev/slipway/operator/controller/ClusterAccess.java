package dev.slipway.operator.controller;

import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.bootstrap.ClusterPki;
import dev.slipway.operator.bootstrap.InvalidPkiException;
import dev.slipway.operator.bootstrap.Kubeconfigs;
import dev.slipway.operator.bootstrap.SshKeyPair;
import dev.slipway.operator.config.VipPool;
import dev.slipway.operator.status.Reasons;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a cluster needs before any machine can boot: its certificate authorities and service account
 * keys (generated once, never again), its control-plane endpoint (a VIP from the pool, claimed in
 * the operator's namespace so it is never handed out twice, and freed with the cluster), the admin
 * kubeconfig and the SSH key pair. All in Secrets named after Cluster API's convention and owned by
 * the cluster.
 */
public final class ClusterAccess {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterAccess.class);
  public static final String ENDPOINT_ANNOTATION = "slipway.dev/control-plane-endpoint";
  public static final int API_PORT = 6443;

  /** The cluster's PKI and endpoint, or why they cannot be had. */
  public record Result(ClusterPki pki, String endpoint, String problemReason, String problem) {
    boolean ok() {
      return problem == null;
    }

    static Result failed(String reason, String message) {
      return new Result(null, null, reason, message);
    }
  }

  private final VipClaims vips;
  private final ClusterSecrets secrets;

  /**
   * Addresses from {@code vips}, claimed in {@code operatorNamespace} ({@link VipClaims}); the
   * cluster's Secrets read through {@code secrets}.
   */
  public ClusterAccess(VipPool vips, String operatorNamespace, ClusterSecrets secrets) {
    this.vips = new VipClaims(vips, operatorNamespace);
    this.secrets = secrets;
  }

  public Result ensure(KubernetesClient client, TanzuKubernetesCluster tkc) {
    String endpoint = vips.claim(client, tkc).orElse(null);
    if (endpoint == null) {
      return Result.failed(
          Reasons.ENDPOINT_UNAVAILABLE,
          "no free address in the control-plane VIP pool; free one by deleting a cluster or"
              + " widen vip.pool");
    }
    ClusterPki pki;
    try {
      pki = pki(secrets, client, tkc);
    } catch (InvalidPkiException e) {
      return Result.failed(Reasons.INVALID_CLUSTER_CERTIFICATES, e.getMessage());
    }
    String ns = tkc.getMetadata().getNamespace();
    String name = tkc.getMetadata().getName();
    // Each Secret's content is made only when the Secret is missing: a new key pair costs an RSA
    // key generation (0.1-0.5 s of CPU), and every pass of every cluster comes here. Made on each
    // pass, it kept 100 clusters' passes so busy that the operator lost its leader Lease.
    createIfMissing(
        secrets,
        client,
        tkc,
        kubeconfigSecretName(name),
        () -> Map.of("value", Kubeconfigs.admin(name, endpoint, API_PORT, pki.ca())));
    createIfMissing(
        secrets,
        client,
        tkc,
        sshSecretName(name),
        () -> {
          SshKeyPair ssh =
              SshKeyPair.generate(dev.slipway.operator.bootstrap.CloudInit.SSH_USER + "@" + name);
          return Map.of(
              SshKeyPair.SECRET_PRIVATE_KEY, ssh.privateKeyPem(),
              SshKeyPair.SECRET_PUBLIC_KEY, ssh.authorizedKey());
        });
    return new Result(pki, endpoint, null, null);
  }

  static String kubeconfigSecretName(String cluster) {
    return cluster + "-kubeconfig";
  }

  static String sshSecretName(String cluster) {
    return cluster + "-ssh";
  }

  /** The public key of the cluster's SSH Secret, or null if there is none yet. */
  static String sshAuthorizedKey(
      ClusterSecrets secrets, KubernetesClient client, TanzuKubernetesCluster tkc) {
    Secret s =
        secrets.get(
            client, tkc.getMetadata().getNamespace(), sshSecretName(tkc.getMetadata().getName()));
    return s == null ? null : decode(s.getData().get(SshKeyPair.SECRET_PUBLIC_KEY));
  }

  /** Frees the cluster's endpoint; its machines are gone. */
  public void release(KubernetesClient client, TanzuKubernetesCluster tkc) {
    vips.release(client, tkc);
  }

  /** The endpoint annotation of clusters made before {@link VipClaims}: read once, to move them. */
  static String annotation(TanzuKubernetesCluster tkc) {
    return tkc.getMetadata().getAnnotations() == null
        ? null
        : tkc.getMetadata().getAnnotations().get(ENDPOINT_ANNOTATION);
  }

  /**
   * Reads the PKI Secrets; generates and stores them only when none exists yet, or when a process
   * stopped while storing them ({@link #unfinished}): the parts missing then are made now. A part
   * missing from a cluster whose set was finished is never made again (a CA deleted from a running
   * cluster would otherwise be replaced by one its members do not trust): that is an {@link
   * InvalidPkiException} for a person to fix.
   */
  static ClusterPki pki(
      ClusterSecrets secrets, KubernetesClient client, TanzuKubernetesCluster tkc) {
    String ns = tkc.getMetadata().getNamespace();
    String name = tkc.getMetadata().getName();
    Map<String, Map<String, String>> data = new LinkedHashMap<>();
    for (String suffix : ClusterPki.SECRET_SUFFIXES) {
      Secret s = secrets.get(client, ns, ClusterPki.secretName(name, suffix));
      if (s != null) {
        Map<String, String> plain = new LinkedHashMap<>();
        if (s.getData() != null) {
          s.getData().forEach((k, v) -> plain.put(k, decode(v)));
        }
        data.put(suffix, plain);
      }
    }
    if (data.isEmpty()) {
      ClusterPki fresh = ClusterPki.generate(name);
      fresh
          .secretData()
          .forEach(
              (suffix, values) ->
                  createIfMissing(
                      secrets, client, tkc, ClusterPki.secretName(name, suffix), () -> values));
      return fresh;
    }
    if (data.size() < ClusterPki.SECRET_SUFFIXES.size() && unfinished(secrets, client, tkc)) {
      Map<String, Map<String, String>> fresh = ClusterPki.generate(name).secretData();
      List<String> made = new ArrayList<>();
      for (String suffix : ClusterPki.SECRET_SUFFIXES) {
        if (!data.containsKey(suffix)) {
          createIfMissing(
              secrets, client, tkc, ClusterPki.secretName(name, suffix), () -> fresh.get(suffix));
          data.put(suffix, fresh.get(suffix));
          made.add(suffix);
        }
      }
      LOG.info(
          "{}/{}: made the PKI Secrets a stopped process had not stored yet: {}",
          ns,
          name,
          String.join(", ", made));
    }
    return ClusterPki.fromSecretData(name, data);
  }

  /**
   * The PKI set was never finished: the kubeconfig, stored right after the last PKI Secret, is not
   * there, and the cluster never had a control plane. Nothing can have been signed by a part that
   * is missing then (bootstrap data and the kubeconfig come only after the whole set).
   */
  private static boolean unfinished(
      ClusterSecrets secrets, KubernetesClient client, TanzuKubernetesCluster tkc) {
    String ns = tkc.getMetadata().getNamespace();
    return !KubeadmBootstrap.initialized(tkc)
        && secrets.get(client, ns, kubeconfigSecretName(tkc.getMetadata().getName())) == null;
  }

  static void createIfMissing(
      ClusterSecrets secrets,
      KubernetesClient client,
      TanzuKubernetesCluster tkc,
      String name,
      java.util.function.Supplier<Map<String, String>> content) {
    String ns = tkc.getMetadata().getNamespace();
    if (secrets.get(client, ns, name) != null) {
      return;
    }
    Map<String, String> encoded = new LinkedHashMap<>();
    content
        .get()
        .forEach(
            (k, v) ->
                encoded.put(
                    k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    client
        .secrets()
        .inNamespace(ns)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(ns)
                .addToLabels(
                    TanzuKubernetesClusterReconciler.CLUSTER_LABEL, tkc.getMetadata().getName())
                .withOwnerReferences(ClusterMachines.ownerReference(tkc))
                .endMetadata()
                .withType("cluster.x-k8s.io/secret")
                .withData(encoded)
                .build())
        .create();
  }

  static String decode(String b64) {
    return b64 == null ? null : new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
  }
}
