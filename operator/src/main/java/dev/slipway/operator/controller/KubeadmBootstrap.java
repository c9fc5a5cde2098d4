package dev.slipway.operator.controller;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.Network;
import dev.slipway.operator.api.run.v1alpha3.NodePool;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesRelease;
import dev.slipway.operator.bootstrap.BootstrapToken;
import dev.slipway.operator.bootstrap.CloudInit;
import dev.slipway.operator.bootstrap.ClusterPki;
import dev.slipway.operator.bootstrap.ClusterSpec;
import dev.slipway.operator.bootstrap.NodeSpec;
import dev.slipway.operator.bootstrap.Proxy;
import dev.slipway.operator.bootstrap.Taint;
import dev.slipway.operator.bootstrap.TrustedCa;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * kubeadm bootstrap data in cloud-init. Exactly one machine of a cluster runs {@code kubeadm init}:
 * the first control-plane machine to get bootstrap data takes the cluster's init lock (an
 * annotation on the cluster, so it survives restarts); every later machine joins with a bootstrap
 * token Slipway creates in the workload cluster, which therefore must be up (the planner creates
 * joining machines only after the cluster is initialized).
 */
public final class KubeadmBootstrap implements BootstrapData {
  public static final String INIT_LOCK_ANNOTATION = "slipway.dev/init-machine";
  public static final String TOKEN_ANNOTATION = "slipway.dev/bootstrap-token-id";

  /**
   * On every bootstrap Secret: {@value #KIND_INIT} or {@value #KIND_JOIN}, so a machine can refuse
   * to boot init data once its cluster is initialized.
   */
  public static final String KIND_ANNOTATION = "slipway.dev/bootstrap-kind";

  public static final String KIND_INIT = "init";
  public static final String KIND_JOIN = "join";
  static final Duration JOIN_TOKEN_TTL = Duration.ofHours(24);

  private final String operatorNamespace;
  private final WorkloadClusters workloads;
  private final ClusterSecrets secrets;

  /** The init claim's ConfigMap: in the operator's namespace, where no tenant writes. */
  public static String initClaimName(TanzuKubernetesCluster tkc) {
    return "slipway-init-" + tkc.getMetadata().getUid();
  }

  public KubeadmBootstrap(WorkloadClusters workloads) {
    this(workloads, dev.slipway.operator.Slipway.DEFAULT_NAMESPACE);
  }

  public KubeadmBootstrap(WorkloadClusters workloads, String operatorNamespace) {
    this.operatorNamespace = operatorNamespace;
    this.workloads = workloads;
    this.secrets = workloads == null ? new ClusterSecrets() : workloads.secrets();
  }

  @Override
  public void ensure(
      KubernetesClient client,
      TanzuKubernetesCluster tkc,
      Machine machine,
      TanzuKubernetesRelease tkr) {
    String ns = machine.getMetadata().getNamespace();
    String secretName = BootstrapData.secretName(machine.getMetadata().getName());
    if (secrets.get(client, ns, secretName) != null) {
      return;
    }
    // Written by the access step from the cluster's claim, earlier in the same pass.
    String endpoint =
        tkc.getStatus() == null
                || tkc.getStatus().apiEndpoints == null
                || tkc.getStatus().apiEndpoints.isEmpty()
            ? null
            : tkc.getStatus().apiEndpoints.get(0).host;
    if (endpoint == null) {
      throw new IllegalStateException("cluster has no control-plane endpoint yet");
    }
    ClusterPki pki = ClusterAccess.pki(secrets, client, tkc);
    ClusterSpec cluster = clusterSpec(client, tkc, tkr, endpoint);
    NodeSpec node = nodeSpec(tkc, machine);
    BootstrapToken token = BootstrapToken.generate();
    boolean init = mayInit(client, tkc, machine);
    String cloudConfig =
        init
            ? CloudInit.init(cluster, node, pki, token)
            : joinConfig(client, tkc, machine, cluster, node, pki, token);
    client
        .secrets()
        .inNamespace(ns)
        .resource(
            BootstrapData.secret(
                machine,
                cloudConfig,
                Map.of(
                    TOKEN_ANNOTATION, token.id(), KIND_ANNOTATION, init ? KIND_INIT : KIND_JOIN)))
        .create();
  }

  /**
   * Init data only for a control-plane machine that holds the init lock of a cluster that was never
   * initialized: once a control plane ran, a second kubeadm init would start an empty cluster on
   * the endpoint beside the surviving members.
   */
  boolean mayInit(KubernetesClient client, TanzuKubernetesCluster tkc, Machine machine) {
    io.fabric8.kubernetes.api.model.ConfigMap claim = initClaim(client, tkc);
    String holder =
        claim == null || claim.getData() == null ? null : claim.getData().get("machine");
    return switch (initRole(
        machine.getSpec().role,
        initialized(tkc),
        holder,
        machine.getMetadata().getName(),
        h -> holderExists(client, tkc, h))) {
      case INIT -> true;
      case TAKE_LOCK -> takeInitLock(client, tkc, machine, claim);
      case JOIN -> false;
    };
  }

  /** What a machine's bootstrap data is to be. */
  enum InitRole {
    /** It holds the init lock of a cluster never initialized: init data. */
    INIT,
    /** The lock is free (or its holder's Machine is gone): take it, init if that works. */
    TAKE_LOCK,
    /** Join data. */
    JOIN
  }

  /**
   * Pure: init only for a control-plane machine of a cluster never initialized that holds the lock
   * or finds it free; a lock whose holder's Machine is gone is free (nothing to lose before init: a
   * first machine that failed and was replaced must not block the cluster for good).
   */
  static InitRole initRole(
      Machine.Role role,
      boolean initialized,
      String holder,
      String me,
      java.util.function.Predicate<String> holderExists) {
    if (role != Machine.Role.controlPlane || initialized) {
      return InitRole.JOIN;
    }
    if (me.equals(holder)) {
      return InitRole.INIT;
    }
    return holder == null || !holderExists.test(holder) ? InitRole.TAKE_LOCK : InitRole.JOIN;
  }

  /** The cluster's control plane has run (ControlPlaneInitialized, never unset once True). */
  public static boolean initialized(TanzuKubernetesCluster tkc) {
    return tkc.getStatus() != null
        && dev.slipway.operator.status.Conditions.of(tkc.getStatus().conditions, null)
            .isTrue(dev.slipway.operator.status.Types.CONTROL_PLANE_INITIALIZED);
  }

  /** A joining machine's cloud-config, with a join token created in the workload cluster. */
  private String joinConfig(
      KubernetesClient client,
      TanzuKubernetesCluster tkc,
      Machine machine,
      ClusterSpec cluster,
      NodeSpec node,
      ClusterPki pki,
      BootstrapToken token) {
    KubernetesClient workload =
        workloads
            .client(client, machine.getMetadata().getNamespace(), tkc.getMetadata().getName())
            .orElseThrow(() -> new IllegalStateException("no kubeconfig for the workload cluster"));
    workload
        .secrets()
        .inNamespace(BootstrapToken.NAMESPACE)
        .resource(token.toSecret(JOIN_TOKEN_TTL, Instant.now()))
        .create();
    return machine.getSpec().role == Machine.Role.controlPlane
        ? CloudInit.joinControlPlane(cluster, node, pki, token)
        : CloudInit.joinWorker(cluster, node, pki.ca().certPem(), token);
  }

  /**
   * The cluster's init claim. A cluster made before claims lived here had it in the annotation
   * {@value #INIT_LOCK_ANNOTATION}: that is read once, to move it, while the cluster was never
   * initialized; after that the annotation means nothing (a tenant may write it).
   */
  private io.fabric8.kubernetes.api.model.ConfigMap initClaim(
      KubernetesClient client, TanzuKubernetesCluster tkc) {
    var claims = client.configMaps().inNamespace(operatorNamespace);
    io.fabric8.kubernetes.api.model.ConfigMap claim = claims.withName(initClaimName(tkc)).get();
    String legacy =
        tkc.getMetadata().getAnnotations() == null
            ? null
            : tkc.getMetadata().getAnnotations().get(INIT_LOCK_ANNOTATION);
    if (claim == null && legacy != null && !initialized(tkc)) {
      create(client, tkc, legacy);
      claim = claims.withName(initClaimName(tkc)).get();
    }
    return claim;
  }

  /**
   * Takes the init claim for this machine ({@link #initRole} said it is free or its holder is
   * gone): a create, or a replace checked against the claim's resourceVersion, so that of two
   * machines or replicas racing for it exactly one gets it.
   */
  private boolean takeInitLock(
      KubernetesClient client,
      TanzuKubernetesCluster tkc,
      Machine machine,
      io.fabric8.kubernetes.api.model.ConfigMap seen) {
    String me = machine.getMetadata().getName();
    try {
      if (seen == null) {
        return create(client, tkc, me);
      }
      seen.getData().put("machine", me);
      client.configMaps().inNamespace(operatorNamespace).resource(seen).update();
      return true;
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      if (e.getCode() == java.net.HttpURLConnection.HTTP_CONFLICT) {
        return false;
      }
      throw e;
    }
  }

  private boolean create(KubernetesClient client, TanzuKubernetesCluster tkc, String holder) {
    try {
      client
          .configMaps()
          .inNamespace(operatorNamespace)
          .resource(
              new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                  .withNewMetadata()
                  .withName(initClaimName(tkc))
                  .withNamespace(operatorNamespace)
                  .addToLabels(VipClaims.UID_LABEL, tkc.getMetadata().getUid())
                  .addToLabels("slipway.dev/init-claim", "true")
                  .endMetadata()
                  .addToData("machine", holder)
                  .addToData(
                      "cluster",
                      tkc.getMetadata().getNamespace() + "/" + tkc.getMetadata().getName())
                  .build())
          .create();
      return true;
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      if (e.getCode() == java.net.HttpURLConnection.HTTP_CONFLICT) {
        return false;
      }
      throw e;
    }
  }

  private static boolean holderExists(
      KubernetesClient client, TanzuKubernetesCluster tkc, String holder) {
    Machine m =
        client
            .resources(Machine.class)
            .inNamespace(tkc.getMetadata().getNamespace())
            .withName(holder)
            .get();
    // A holder still being deleted may still run its VM (and an API server): wait until it is gone.
    return m != null;
  }

  /** A cluster's pod and service networks and service domain, with TKG Service's defaults. */
  record Networks(List<String> pods, List<String> services, String serviceDomain) {}

  static Networks networks(TanzuKubernetesCluster tkc) {
    Network net =
        tkc.getSpec().settings == null || tkc.getSpec().settings.network == null
            ? new Network()
            : tkc.getSpec().settings.network;
    return new Networks(
        net.pods == null || net.pods.cidrBlocks == null
            ? List.of("192.168.0.0/16")
            : net.pods.cidrBlocks,
        net.services == null || net.services.cidrBlocks == null
            ? List.of("10.96.0.0/12")
            : net.services.cidrBlocks,
        net.serviceDomain == null ? "cluster.local" : net.serviceDomain);
  }

  private ClusterSpec clusterSpec(
      KubernetesClient client,
      TanzuKubernetesCluster tkc,
      TanzuKubernetesRelease tkr,
      String endpoint) {
    Network net =
        tkc.getSpec().settings == null || tkc.getSpec().settings.network == null
            ? new Network()
            : tkc.getSpec().settings.network;
    Proxy proxy =
        net.proxy == null
            ? null
            : new Proxy(net.proxy.httpProxy, net.proxy.httpsProxy, net.proxy.noProxy);
    List<TrustedCa> trusted = new ArrayList<>();
    if (net.trust != null && net.trust.additionalTrustedCAs != null) {
      for (Network.TrustedCA ca : net.trust.additionalTrustedCAs) {
        trusted.add(new TrustedCa(ca.name, ClusterAccess.decode(ca.data)));
      }
    }
    return new ClusterSpec(
        tkc.getMetadata().getName(),
        tkr.getSpec().kubernetes.version,
        endpoint,
        ClusterAccess.API_PORT,
        networks(tkc).pods(),
        networks(tkc).services(),
        net.serviceDomain,
        tkr.getSpec().kubernetes.imageRepository,
        proxy,
        trusted,
        ClusterAccess.sshAuthorizedKey(secrets, client, tkc));
  }

  static NodeSpec nodeSpec(TanzuKubernetesCluster tkc, Machine machine) {
    Map<String, String> labels = new LinkedHashMap<>();
    List<Taint> taints = new ArrayList<>();
    if (machine.getSpec().role == Machine.Role.controlPlane) {
      taints.add(Taint.CONTROL_PLANE);
    } else {
      Optional<NodePool> pool =
          ClusterResolver.pools(tkc).stream()
              .filter(p -> p.name.equals(machine.getSpec().pool))
              .findFirst();
      pool.map(p -> p.labels).ifPresent(labels::putAll);
      pool.map(p -> p.taints)
          .ifPresent(ts -> ts.forEach(t -> taints.add(new Taint(t.key, t.value, t.effect.name()))));
    }
    return new NodeSpec(machine.getMetadata().getName(), labels, taints);
  }
}
