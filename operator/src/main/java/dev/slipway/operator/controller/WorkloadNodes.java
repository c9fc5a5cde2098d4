package dev.slipway.operator.controller;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.bootstrap.BootstrapToken;
import dev.slipway.operator.status.Conditions;
import dev.slipway.operator.status.EventReason;
import dev.slipway.operator.status.Events;
import dev.slipway.operator.status.Reasons;
import dev.slipway.operator.status.Types;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A machine is Running when a Node with its name and providerID exists in the workload cluster, and
 * ready when that Node is Ready. While a joining machine waits, its bootstrap token is kept alive
 * (and a revoked one reported); once its Node exists, the token is deleted.
 */
public final class WorkloadNodes implements NodeObserver {
  private static final Logger LOG = LoggerFactory.getLogger(WorkloadNodes.class);
  static final Duration REFRESH_BELOW = Duration.ofHours(1);

  private final KubernetesClient management;
  private final WorkloadClusters workloads;
  private final Events events;

  public WorkloadNodes(KubernetesClient management, WorkloadClusters workloads, Events events) {
    this.management = management;
    this.workloads = workloads;
    this.events = events;
  }

  @Override
  public long observe(Machine m, Conditions cond) {
    String ns = m.getMetadata().getNamespace();
    Optional<KubernetesClient> workload = workloads.client(management, ns, m.getSpec().clusterName);
    if (workload.isEmpty()) {
      waiting(cond, "the cluster has no kubeconfig yet");
      return Requeue.DEPENDENCY.toMillis();
    }
    try {
      Node node = workload.get().nodes().withName(m.getMetadata().getName()).get();
      if (node == null) {
        return waitForNode(m, workload.get(), cond);
      }
      if (m.getSpec().providerID != null
          && !m.getSpec().providerID.equals(node.getSpec().getProviderID())) {
        String msg =
            "Node "
                + node.getMetadata().getName()
                + " has providerID "
                + node.getSpec().getProviderID()
                + ", not this machine's "
                + m.getSpec().providerID;
        cond.setFalse(Types.NODE_HEALTHY, Reasons.PROVIDER_ID_MISMATCH, msg);
        cond.setFalse(Types.READY, Reasons.PROVIDER_ID_MISMATCH, msg);
        return Requeue.USER_FIX.toMillis();
      }
      return nodeFound(m, workload.get(), node, cond);
    } catch (KubernetesClientException e) {
      if (m.getStatus() != null && m.getStatus().nodeRef != null) {
        unreachable(cond, e);
      } else {
        waiting(cond, "workload API not reachable yet (" + firstLine(e.getMessage()) + ")");
      }
      return Requeue.GUEST_POLL.toMillis();
    }
  }

  /**
   * The Node joined once, but the workload API does not answer now: its health is not known, so
   * NodeHealthy is Unknown (no health-check timeout runs on it: remediation waits for the Node's
   * own Ready condition once the API answers again) and the machine is not Ready.
   */
  private static void unreachable(Conditions cond, KubernetesClientException e) {
    String message =
        "the workload API does not answer ("
            + firstLine(e.getMessage())
            + "): the Node's health is not known until it does";
    cond.setUnknown(Types.NODE_HEALTHY, Reasons.WORKLOAD_UNREACHABLE, message);
    cond.setFalse(Types.READY, Reasons.WORKLOAD_UNREACHABLE, message);
  }

  /** The machine's Node exists: record it, drop the join token, and read its Ready condition. */
  private long nodeFound(Machine m, KubernetesClient workload, Node node, Conditions cond) {
    if (m.getStatus().nodeRef == null) {
      events.record(m, EventReason.NodeJoined, "Node " + node.getMetadata().getName() + " joined");
      deleteToken(m, workload);
    }
    Machine.NodeRef ref = new Machine.NodeRef();
    ref.name = node.getMetadata().getName();
    ref.uid = node.getMetadata().getUid();
    m.getStatus().nodeRef = ref;
    Optional<NodeCondition> ready =
        Optional.ofNullable(node.getStatus())
            .map(s -> s.getConditions())
            .flatMap(cs -> cs.stream().filter(c -> "Ready".equals(c.getType())).findFirst());
    if (ready.isPresent() && "True".equals(ready.get().getStatus())) {
      cond.setTrue(Types.NODE_HEALTHY, Reasons.NODE_READY, "Node is Ready");
      cond.setTrue(Types.READY, Reasons.READY, "Node " + ref.name + " is Ready");
      return Requeue.READY_RESYNC.toMillis();
    }
    String why =
        ready.map(c -> c.getReason() + ": " + c.getMessage()).orElse("no Ready condition yet");
    cond.setFalse(Types.NODE_HEALTHY, Reasons.NODE_NOT_READY, why);
    ready.map(NodeCondition::getLastTransitionTime).ifPresent(t -> notReadySince(cond, t));
    cond.setFalse(
        Types.READY, Reasons.NODE_NOT_READY, "Node " + ref.name + " is not Ready: " + why);
    return Requeue.GUEST_POLL.toMillis();
  }

  /**
   * NodeHealthy turns False when the Node's Ready did, not when Slipway happened to look (up to a
   * resync later): health checks time a NotReady node from it, as Cluster API's MachineHealthCheck
   * reads the Node's own condition, so nodes that failed together are unhealthy together.
   */
  private static void notReadySince(Conditions cond, String nodeTransition) {
    try {
      Instant node = Instant.parse(nodeTransition);
      cond.get(Types.NODE_HEALTHY)
          .filter(c -> node.isBefore(Instant.parse(c.getLastTransitionTime())))
          .ifPresent(c -> c.setLastTransitionTime(nodeTransition));
    } catch (java.time.format.DateTimeParseException e) {
      // A Node's own time that does not parse: Slipway's stands.
    }
  }

  private long waitForNode(Machine m, KubernetesClient workload, Conditions cond) {
    Optional<Secret> bootstrap = bootstrapSecret(m);
    Optional<String> tokenId = bootstrap.flatMap(WorkloadNodes::tokenId);
    if (tokenId.isPresent() && joinsWithSlipwaysToken(m, bootstrap.get())) {
      Secret token =
          workload
              .secrets()
              .inNamespace(BootstrapToken.NAMESPACE)
              .withName("bootstrap-token-" + tokenId.get())
              .get();
      if (token == null) {
        String msg =
            "bootstrap token "
                + tokenId.get()
                + " was deleted from the workload cluster before"
                + " node "
                + m.getMetadata().getName()
                + " joined; the node cannot join with it."
                + " Delete the machine to get a new one";
        cond.setFalse(Types.NODE_HEALTHY, Reasons.BOOTSTRAP_TOKEN_REVOKED, msg);
        cond.setFalse(Types.READY, Reasons.BOOTSTRAP_TOKEN_REVOKED, msg);
        events.record(m, EventReason.BootstrapFailed, msg);
        return Requeue.USER_FIX.toMillis();
      }
      refresh(workload, token);
    }
    waiting(cond, "waiting for node " + m.getMetadata().getName() + " to register");
    return Requeue.GUEST_POLL.toMillis();
  }

  /** Keeps a waiting machine's token valid: near its expiry, it gets another day. */
  private static void refresh(KubernetesClient workload, Secret token) {
    String exp = decode(token.getData().get("expiration"));
    if (exp == null || Instant.parse(exp).isAfter(Instant.now().plus(REFRESH_BELOW))) {
      return;
    }
    String next =
        DateTimeFormatter.ISO_INSTANT.format(
            Instant.now().plus(KubeadmBootstrap.JOIN_TOKEN_TTL).truncatedTo(ChronoUnit.SECONDS));
    workload
        .secrets()
        .inNamespace(BootstrapToken.NAMESPACE)
        .withName(token.getMetadata().getName())
        .edit(
            s -> {
              s.getData()
                  .put(
                      "expiration",
                      Base64.getEncoder().encodeToString(next.getBytes(StandardCharsets.UTF_8)));
              return s;
            });
  }

  @Override
  public void revokeToken(Machine m) {
    if (m.getStatus() != null && m.getStatus().nodeRef != null) {
      return; // deleted when the Node joined
    }
    var tkc =
        management
            .resources(dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster.class)
            .inNamespace(m.getMetadata().getNamespace())
            .withName(m.getSpec().clusterName)
            .get();
    if (tkc == null || tkc.getMetadata().getDeletionTimestamp() != null) {
      return; // the workload cluster goes with its tokens
    }
    try {
      workloads
          .client(management, m.getMetadata().getNamespace(), m.getSpec().clusterName)
          .ifPresent(w -> deleteToken(m, w));
    } catch (KubernetesClientException e) {
      LOG.warn(
          "could not delete the bootstrap token of machine {} (it expires on its own): {}",
          m.getMetadata().getName(),
          firstLine(e.getMessage()));
    }
  }

  private void deleteToken(Machine m, KubernetesClient workload) {
    bootstrapSecret(m)
        .flatMap(WorkloadNodes::tokenId)
        .ifPresent(
            id ->
                workload
                    .secrets()
                    .inNamespace(BootstrapToken.NAMESPACE)
                    .withName("bootstrap-token-" + id)
                    .delete());
  }

  private Optional<Secret> bootstrapSecret(Machine m) {
    if (m.getSpec().bootstrap == null || m.getSpec().bootstrap.dataSecretName == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(
        workloads
            .secrets()
            .get(management, m.getMetadata().getNamespace(), m.getSpec().bootstrap.dataSecretName));
  }

  private static Optional<String> tokenId(Secret bootstrap) {
    return Optional.ofNullable(bootstrap.getMetadata().getAnnotations())
        .map(a -> a.get(KubeadmBootstrap.TOKEN_ANNOTATION));
  }

  /**
   * Whether the machine joins with a token Slipway put in the workload cluster, which is then
   * watched while it waits: its bootstrap Secret says so ({@link
   * KubeadmBootstrap#KIND_ANNOTATION}). The init machine's token is listed in its kubeadm config
   * and made by kubeadm itself, so it is missing until kubeadm runs, which is no revocation. A
   * Secret from before that annotation asks the cluster's old init annotation.
   */
  private boolean joinsWithSlipwaysToken(Machine m, Secret bootstrap) {
    Optional<Boolean> join = joins(bootstrap);
    return join.isPresent() ? join.get() : !isInitMachine(m);
  }

  /** Join or init, as the bootstrap Secret says; empty for a Secret that does not say. */
  static Optional<Boolean> joins(Secret bootstrap) {
    return Optional.ofNullable(bootstrap.getMetadata().getAnnotations())
        .map(a -> a.get(KubeadmBootstrap.KIND_ANNOTATION))
        .map(KubeadmBootstrap.KIND_JOIN::equals);
  }

  /** Machines whose Secret does not say: the cluster's old init annotation names the init one. */
  private boolean isInitMachine(Machine m) {
    var tkc =
        management
            .resources(dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster.class)
            .inNamespace(m.getMetadata().getNamespace())
            .withName(m.getSpec().clusterName)
            .get();
    return tkc != null
        && tkc.getMetadata().getAnnotations() != null
        && m.getMetadata()
            .getName()
            .equals(tkc.getMetadata().getAnnotations().get(KubeadmBootstrap.INIT_LOCK_ANNOTATION));
  }

  private static void waiting(Conditions cond, String message) {
    cond.setFalse(Types.NODE_HEALTHY, Reasons.WAITING_FOR_NODE, message);
    cond.setFalse(Types.READY, Reasons.WAITING_FOR_NODE, message);
  }

  private static String decode(String b64) {
    return b64 == null ? null : new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
  }

  private static String firstLine(String s) {
    return s == null ? "" : s.lines().findFirst().orElse("");
  }

  @Override
  public void forget(Machine machine) {
    // Clients are per cluster and dropped when the cluster's kubeconfig Secret goes.
  }
}
