package dev.slipway.guest;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parts of a kubelet that Slipway can observe, with the node's own credentials (so the API
 * server's Node authorizer and NodeRestriction apply):
 *
 * <ul>
 *   <li>the network: Ready stays False (reason {@code KubeletNotReady}, kubelet's own message)
 *       until a CNI configuration exists on the machine ({@link #networkReady}), as a real
 *       kubelet's container runtime reports {@code NetworkReady=false} until the CNI's agent wrote
 *       one;
 *   <li>heartbeats: the node Lease in kube-node-lease is renewed every {@link #LEASE_RENEW} and the
 *       Ready condition re-posted when it is not True or older than {@link #STATUS_REPORT}; they
 *       stop when the guest stops, so the node lifecycle controller marks the Node NotReady;
 *   <li>pods bound to the node: pending ones are reported Running and Ready (there are no
 *       containers), and a pod being deleted (an eviction, {@code kubectl delete}) is removed with
 *       grace period 0 once it has a deletionTimestamp, as kubelet does after its containers stop;
 *   <li>mirror pods for the machine's static pods (etcd, kube-apiserver), which kubeadm reads to
 *       find etcd members.
 * </ul>
 */
final class Kubelet implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Kubelet.class);
  static final Duration LEASE_RENEW = Duration.ofSeconds(5);
  static final int LEASE_SECONDS = 20;
  static final Duration STATUS_REPORT = Duration.ofSeconds(60);

  private final KubernetesClient client;
  private final String nodeName;
  private final String ip;
  private final Thread thread;
  private final BooleanSupplier networkReady;
  private volatile List<Pod> staticPods = List.of();
  private volatile boolean running = true;
  private volatile boolean silenced;
  private Instant lastLease = Instant.EPOCH;
  private Instant lastStatus = Instant.EPOCH;

  /** What a kubelet says while the container runtime's network is not ready. */
  static final String NETWORK_NOT_READY =
      "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady"
          + " message:Network plugin returns error: cni plugin not initialized";

  /**
   * @param networkReady whether a CNI configuration exists on the machine (the CNI's agent wrote
   *     one)
   */
  Kubelet(
      KubernetesClient client,
      String nodeName,
      String ip,
      String vmName,
      BooleanSupplier networkReady) {
    this.client = client;
    this.networkReady = networkReady;
    this.nodeName = nodeName;
    this.ip = ip;
    this.thread = new Thread(this::loop, "kubelet-" + vmName);
    this.thread.setDaemon(true);
  }

  void staticPods(List<Pod> pods) {
    this.staticPods = List.copyOf(pods);
  }

  void start() {
    // The first status and lease before start() returns (Ready once the CNI configured the node).
    // The node lifecycle controller may write the Node at the same moment: a conflict means "read
    // it again and post again", as a kubelet does.
    for (int attempt = 1; ; attempt++) {
      try {
        postStatus(client.nodes().withName(nodeName).get());
        break;
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 5) {
          throw e;
        }
      }
    }
    renewLease();
    thread.start();
  }

  private void loop() {
    while (running) {
      try {
        Thread.sleep(1000);
        if (silenced) {
          continue;
        }
        Instant now = Instant.now();
        if (now.isAfter(lastLease.plus(LEASE_RENEW))) {
          renewLease();
        }
        syncStatus();
        syncPods();
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        if (running) {
          LOG.debug("kubelet {}: {}", nodeName, e.getMessage());
        }
      }
    }
  }

  private static String now() {
    return DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  }

  private void renewLease() {
    Lease lease = client.leases().inNamespace("kube-node-lease").withName(nodeName).get();
    if (lease == null) {
      Node node = client.nodes().withName(nodeName).get();
      client
          .leases()
          .inNamespace("kube-node-lease")
          .resource(
              new LeaseBuilder()
                  .withNewMetadata()
                  .withName(nodeName)
                  .withNamespace("kube-node-lease")
                  .withOwnerReferences(
                      new OwnerReferenceBuilder()
                          .withApiVersion("v1")
                          .withKind("Node")
                          .withName(nodeName)
                          .withUid(node.getMetadata().getUid())
                          .build())
                  .endMetadata()
                  .withNewSpec()
                  .withHolderIdentity(nodeName)
                  .withLeaseDurationSeconds(LEASE_SECONDS)
                  .withRenewTime(ZonedDateTime.now(java.time.ZoneOffset.UTC))
                  .endSpec()
                  .build())
          .create();
    } else {
      lease.getSpec().setRenewTime(ZonedDateTime.now(java.time.ZoneOffset.UTC));
      client.leases().inNamespace("kube-node-lease").resource(lease).update();
    }
    lastLease = Instant.now();
  }

  private void syncStatus() {
    Node node = client.nodes().withName(nodeName).get();
    NodeCondition ready =
        node.getStatus() == null || node.getStatus().getConditions() == null
            ? null
            : node.getStatus().getConditions().stream()
                .filter(c -> "Ready".equals(c.getType()))
                .findFirst()
                .orElse(null);
    String wanted = networkReady.getAsBoolean() ? "True" : "False";
    if (ready == null
        || !wanted.equals(ready.getStatus())
        || Instant.now().isAfter(lastStatus.plus(STATUS_REPORT))) {
      postStatus(node);
    }
  }

  private void postStatus(Node node) {
    String now = now();
    String since = now;
    boolean network = networkReady.getAsBoolean();
    String status = network ? "True" : "False";
    if (node.getStatus() != null && node.getStatus().getConditions() != null) {
      for (NodeCondition c : node.getStatus().getConditions()) {
        if ("Ready".equals(c.getType()) && status.equals(c.getStatus())) {
          since = c.getLastTransitionTime();
        }
      }
    }
    String transition = since;
    client
        .nodes()
        .withName(nodeName)
        .editStatus(
            n -> {
              n.getStatus()
                  .setConditions(
                      List.of(
                          new NodeConditionBuilder()
                              .withType("Ready")
                              .withStatus(status)
                              .withReason(network ? "KubeletReady" : "KubeletNotReady")
                              .withMessage(
                                  network
                                      ? "guest simulator: kubelet is posting ready status"
                                      : NETWORK_NOT_READY)
                              .withLastHeartbeatTime(now)
                              .withLastTransitionTime(transition)
                              .build()));
              n.getStatus()
                  .setAddresses(
                      List.of(
                          new NodeAddress(ip, "InternalIP"),
                          new NodeAddress(nodeName, "Hostname")));
              return n;
            });
    lastStatus = Instant.now();
  }

  private void syncPods() {
    List<Pod> bound =
        client.pods().inAnyNamespace().withField("spec.nodeName", nodeName).list().getItems();
    List<String> present = new ArrayList<>();
    for (Pod p : bound) {
      present.add(p.getMetadata().getNamespace() + "/" + p.getMetadata().getName());
      if (p.getMetadata().getDeletionTimestamp() != null) {
        // Its containers are gone (there are none): the kubelet finishes the deletion.
        client
            .pods()
            .inNamespace(p.getMetadata().getNamespace())
            .withName(p.getMetadata().getName())
            .withGracePeriod(0)
            .delete();
        LOG.info("kubelet {}: pod {} removed", nodeName, present.get(present.size() - 1));
      } else if (p.getStatus() == null || !"Running".equals(p.getStatus().getPhase())) {
        markRunning(p);
      }
    }
    Node node = null;
    for (Pod s : staticPods) {
      if (!present.contains("kube-system/" + s.getMetadata().getName())) {
        if (node == null) {
          node = client.nodes().withName(nodeName).get();
        }
        client
            .pods()
            .inNamespace("kube-system")
            .resource(
                new PodBuilder(s)
                    .editMetadata()
                    .withOwnerReferences(
                        new OwnerReferenceBuilder()
                            .withApiVersion("v1")
                            .withKind("Node")
                            .withName(nodeName)
                            .withUid(node.getMetadata().getUid())
                            .withController(true)
                            .build())
                    .endMetadata()
                    .build())
            .create();
      }
    }
  }

  private void markRunning(Pod p) {
    String now = now();
    client
        .pods()
        .inNamespace(p.getMetadata().getNamespace())
        .withName(p.getMetadata().getName())
        .editStatus(
            x -> {
              var st = x.getStatus();
              st.setPhase("Running");
              st.setHostIP(ip);
              st.setStartTime(now);
              if (Boolean.TRUE.equals(x.getSpec().getHostNetwork())) {
                st.setPodIP(ip);
              }
              st.setConditions(
                  List.of(
                      new PodConditionBuilder()
                          .withType("PodScheduled")
                          .withStatus("True")
                          .withLastTransitionTime(now)
                          .build(),
                      new PodConditionBuilder()
                          .withType("Initialized")
                          .withStatus("True")
                          .withLastTransitionTime(now)
                          .build(),
                      new PodConditionBuilder()
                          .withType("ContainersReady")
                          .withStatus("True")
                          .withLastTransitionTime(now)
                          .build(),
                      new PodConditionBuilder()
                          .withType("Ready")
                          .withStatus("True")
                          .withLastTransitionTime(now)
                          .build()));
              st.setContainerStatuses(
                  x.getSpec().getContainers().stream()
                      .map(
                          c ->
                              new ContainerStatusBuilder()
                                  .withName(c.getName())
                                  .withImage(c.getImage())
                                  .withImageID("")
                                  .withReady(true)
                                  .withStarted(true)
                                  .withRestartCount(0)
                                  .withNewState()
                                  .withNewRunning()
                                  .withStartedAt(now)
                                  .endRunning()
                                  .endState()
                                  .build())
                      .toList());
              return x;
            });
  }

  /**
   * The kubelet hangs (a wedged container runtime, a lost network on the node) while its VM stays
   * on: no more Lease renewals or status posts, so the node lifecycle controller marks the Node
   * Unknown after its grace period, as in life. For tests of health checks.
   */
  void silence() {
    silenced = true;
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    client.close();
  }
}
