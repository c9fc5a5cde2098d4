package dev.slipway.operator.controller.drain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.operator.controller.drain.DrainProgress.State;
import dev.slipway.testenv.ControlPlane;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link NodeDrain} against a real kube-apiserver, whose Eviction API enforces the budgets, and a
 * real kube-controller-manager, whose disruption controller computes them. No kubelet runs: the
 * test creates Nodes through the API and plays the kubelet itself (a pod with a deletion timestamp
 * on the drained node is removed) and the ReplicaSet controller (an evicted pod's replacement comes
 * up Ready on another node), so that a budget recovers exactly as it would in a cluster.
 */
class NodeDrainIT {
  static final Duration STEP_LIMIT = Duration.ofSeconds(5);

  static ControlPlane cp;
  static KubernetesClient client;

  final NodeDrain drain = new NodeDrain();

  @BeforeAll
  static void start() {
    cp = ControlPlane.shared();
    Config config = cp.config();
    // As WorkloadClusters builds workload clients: fabric8 must not retry a 429 itself.
    config.setRequestRetryBackoffLimit(0);
    client = new KubernetesClientBuilder().withConfig(config).build();
  }

  @AfterAll
  static void closeClient() {
    client.close();
  }

  @Test
  void evictsAsFarAsTheBudgetAllowsLeavesDaemonSetAndMirrorPodsThenDeletesTheNode() {
    String ns = namespace("drain");
    Node node = createNode("drain-" + suffix());
    String name = node.getMetadata().getName();
    Node elsewhere = createNode("spare-" + suffix());
    for (int i = 0; i < 3; i++) {
      readyPod(ns, "web-" + i, name, Map.of("app", "web"));
    }
    readyPod(ns, "solo", name, Map.of("app", "solo")); // no budget: always evictable
    Pod daemon = daemonSetPod(ns, name);
    Pod mirror = mirrorPod(ns, node);
    budget(ns, "web", 2, "web");
    awaitBudget(ns, "web", 1);

    Instant t0 = Instant.parse("2030-01-01T00:00:00Z");
    Duration timeout = Duration.ofMinutes(10);

    DrainProgress first = timedStep(name, t0, timeout, t0);
    assertThat(client.nodes().withName(name).get().getSpec().getUnschedulable()).isTrue();
    assertThat(first.state()).isEqualTo(State.EVICTING);
    assertThat(first.evicted()).contains(ns + "/solo");
    List<String> web = webPods(ns);
    assertThat(first.evicted()).filteredOn(p -> p.contains("/web-")).hasSize(1);
    assertThat(first.blocked()).hasSize(2).allMatch(p -> p.contains("/web-"));
    assertThat(first.message())
        .startsWith("evicting 4 pod(s); 2 blocked by a PodDisruptionBudget: ")
        .contains(first.blocked());
    assertThat(first.skipped()).isEqualTo(2);
    assertThat(first.left()).hasSize(4).containsAll(web).contains(ns + "/solo");
    assertThat(first.retryAfter()).isEqualTo(NodeDrain.ACTIVE_POLL);
    for (String evicted : first.evicted()) {
      assertThat(pod(evicted).getMetadata().getDeletionTimestamp()).as(evicted).isNotNull();
    }

    // Before the kubelet acts, the evicted pods are waited for and never evicted twice; the
    // budget, which counts them as disrupted, still refuses the others.
    DrainProgress again = timedStep(name, t0, timeout, t0.plusSeconds(5));
    assertThat(again.state()).isEqualTo(State.EVICTING);
    assertThat(again.terminating()).containsExactlyInAnyOrderElementsOf(first.evicted());
    assertThat(again.evicted()).isEmpty();
    assertThat(again.blocked()).containsExactlyInAnyOrderElementsOf(first.blocked());
    assertThat(again.message())
        .contains("2 blocked by a PodDisruptionBudget")
        .contains("2 terminating");
    assertThat(again.retryAfter()).isEqualTo(NodeDrain.ACTIVE_POLL);

    List<String> blocked = first.blocked();
    Instant now = t0.plusSeconds(10);
    int replacements = 0;
    while (!blocked.isEmpty()) {
      replacements += playKubeletAndReplicaSet(ns, name, elsewhere);
      awaitBudget(ns, "web", 1);
      DrainProgress round = timedStep(name, t0, timeout, now);
      assertThat(round.state()).isEqualTo(State.EVICTING);
      assertThat(round.evicted()).as("one disruption allowed per round").hasSize(1);
      assertThat(round.blocked()).hasSize(blocked.size() - 1);
      assertThat(blocked).containsAll(round.evicted()).containsAll(round.blocked());
      blocked = round.blocked();
      now = now.plusSeconds(20);
    }
    replacements += playKubeletAndReplicaSet(ns, name, elsewhere);
    assertThat(replacements).as("every web pod moved, one at a time").isEqualTo(3);
    DrainProgress done = timedStep(name, t0, timeout, now);
    assertThat(done.state()).isEqualTo(State.DRAINED);
    assertThat(done.done()).isTrue();
    assertThat(done.message())
        .isEqualTo("drained (2 DaemonSet or mirror pod(s) stay until the node goes)");
    assertThat(done.retryAfter()).isZero();
    assertThat(done.left()).isEmpty();
    assertThat(client.pods().inNamespace(ns).withLabel("app", "web").list().getItems())
        .allMatch(p -> elsewhere.getMetadata().getName().equals(p.getSpec().getNodeName()));
    for (Pod kept : List.of(daemon, mirror)) {
      Pod current = client.pods().inNamespace(ns).withName(kept.getMetadata().getName()).get();
      assertThat(current).as(kept.getMetadata().getName()).isNotNull();
      assertThat(current.getMetadata().getDeletionTimestamp()).isNull();
    }

    assertThat(drain.deleteNode(client, name)).isTrue();
    assertThat(client.nodes().withName(name).get()).isNull();
    assertThat(drain.deleteNode(client, name)).isFalse();
    DrainProgress gone = drain.step(client, name, t0, timeout, now);
    assertThat(gone.state()).isEqualTo(State.DRAINED);
    assertThat(gone.message()).isEqualTo("drained: Node " + name + " not found");
  }

  @Test
  void givesUpAfterTheTimeoutWhileABudgetStillBlocks() {
    String ns = namespace("drain-timeout");
    Node node = createNode("stuck-" + suffix());
    String name = node.getMetadata().getName();
    readyPod(ns, "db-0", name, Map.of("app", "db"));
    readyPod(ns, "db-1", name, Map.of("app", "db"));
    budget(ns, "db", 2, "db");
    awaitBudget(ns, "db", 0);

    Instant t0 = Instant.parse("2030-01-01T00:00:00Z");
    Duration timeout = NodeDrain.timeoutOf("5m");

    DrainProgress first = timedStep(name, t0, timeout, t0);
    assertThat(first.state()).isEqualTo(State.EVICTING);
    assertThat(first.blocked()).containsExactly(ns + "/db-0", ns + "/db-1");
    assertThat(first.message())
        .isEqualTo(
            "evicting 2 pod(s); 2 blocked by a PodDisruptionBudget: "
                + ns
                + "/db-0, "
                + ns
                + "/db-1");
    assertThat(first.retryAfter()).isEqualTo(NodeDrain.BLOCKED_POLL);

    Instant justBefore = t0.plus(timeout).minusSeconds(3);
    DrainProgress late = timedStep(name, t0, timeout, justBefore);
    assertThat(late.state()).isEqualTo(State.EVICTING);
    assertThat(late.retryAfter())
        .as("not later than the deadline")
        .isEqualTo(Duration.ofSeconds(3));

    DrainProgress over = timedStep(name, t0, timeout, t0.plus(timeout));
    assertThat(over.state()).isEqualTo(State.TIMED_OUT);
    assertThat(over.done()).isTrue();
    assertThat(over.message())
        .isEqualTo(
            "gave up after 5m0s (nodeDrainTimeout): 2 pod(s) left: "
                + ns
                + "/db-0, "
                + ns
                + "/db-1");
    assertThat(over.retryAfter()).isZero();
    for (String p : List.of("db-0", "db-1")) {
      assertThat(
              client.pods().inNamespace(ns).withName(p).get().getMetadata().getDeletionTimestamp())
          .as("%s: a budget-protected pod is left to go with the VM, not deleted", p)
          .isNull();
    }

    assertThat(drain.deleteNode(client, name)).isTrue();
    assertThat(client.nodes().withName(name).get()).isNull();
  }

  @Test
  void onAnUnreachableNodeEvictsWithAShortGraceAndStopsWaitingForDeletingPods() {
    String ns = namespace("drain-unreachable");
    Node node = createNode("lost-" + suffix());
    String name = node.getMetadata().getName();
    node.getStatus()
        .setConditions(
            List.of(
                new NodeConditionBuilder()
                    .withType("Ready")
                    .withStatus("Unknown")
                    .withReason("NodeStatusUnknown")
                    .build()));
    client.nodes().resource(node).updateStatus();
    readyPod(ns, "app-0", name, Map.of("app", "a"));

    Instant t0 = Instant.now();
    DrainProgress first = timedStep(name, t0, null, t0);
    assertThat(first.evicted()).containsExactly(ns + "/app-0");
    Pod deleting = client.pods().inNamespace(ns).withName("app-0").get();
    assertThat(deleting.getMetadata().getDeletionGracePeriodSeconds()).isEqualTo(1L);
    Instant due = Instant.parse(deleting.getMetadata().getDeletionTimestamp());

    DrainProgress waiting = timedStep(name, t0, null, due);
    assertThat(waiting.state()).isEqualTo(State.WAITING_FOR_POD_DELETION);
    assertThat(waiting.message()).isEqualTo("waiting for 1 pod(s) to terminate: " + ns + "/app-0");

    DrainProgress done = timedStep(name, t0, null, due.plusSeconds(2));
    assertThat(done.state()).isEqualTo(State.DRAINED);
    assertThat(done.abandoned()).isEqualTo(1);
    assertThat(done.message())
        .isEqualTo("drained; ignored 1 pod(s) deleting on the unreachable node");
    drain.deleteNode(client, name);
  }

  @Test
  void reportsAnEvictionTheServerRefusesForAnotherReasonWithThatReason() {
    String ns = namespace("drain-twopdb");
    String name = createNode("twopdb-" + suffix()).getMetadata().getName();
    readyPod(ns, "x-0", name, Map.of("app", "x"));
    budget(ns, "x-one", 0, "x");
    budget(ns, "x-two", 0, "x");
    awaitBudget(ns, "x-one", 1);
    awaitBudget(ns, "x-two", 1);

    Instant t0 = Instant.now();
    DrainProgress round = timedStep(name, t0, null, t0);
    assertThat(round.state()).isEqualTo(State.EVICTING);
    assertThat(round.failed()).singleElement().asString().startsWith(ns + "/x-0 (500: ");
    assertThat(round.message()).contains("1 refused: " + ns + "/x-0 (500: ");
    assertThat(round.retryAfter()).isEqualTo(NodeDrain.BLOCKED_POLL);
    drain.deleteNode(client, name);
  }

  // ---- the round, timed: a step must never wait ----

  private DrainProgress timedStep(String node, Instant started, Duration timeout, Instant now) {
    long t = System.nanoTime();
    DrainProgress p = drain.step(client, node, started, timeout, now);
    assertThat(Duration.ofNanos(System.nanoTime() - t)).as("one round").isLessThan(STEP_LIMIT);
    return p;
  }

  // ---- playing the kubelet and the ReplicaSet controller ----

  /**
   * Removes the drained node's pods that have a deletion timestamp (the kubelet's part) and, for
   * each evicted web pod, starts a Ready replacement on another node (the ReplicaSet controller's
   * and scheduler's part). Returns how many replacements it made.
   */
  private int playKubeletAndReplicaSet(String ns, String node, Node elsewhere) {
    int made = 0;
    for (Pod p : client.pods().inNamespace(ns).withField("spec.nodeName", node).list().getItems()) {
      if (p.getMetadata().getDeletionTimestamp() == null) {
        continue;
      }
      client.pods().inNamespace(ns).withName(p.getMetadata().getName()).withGracePeriod(0).delete();
      String podName = p.getMetadata().getName();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> client.pods().inNamespace(ns).withName(podName).get() == null);
      if ("web".equals(p.getMetadata().getLabels().get("app"))) {
        readyPod(ns, podName + "-moved", elsewhere.getMetadata().getName(), Map.of("app", "web"));
        made++;
      }
    }
    return made;
  }

  // ---- objects ----

  private static String namespace(String prefix) {
    String ns = cp.createNamespace(prefix);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> client.serviceAccounts().inNamespace(ns).withName("default").get() != null);
    return ns;
  }

  private static String suffix() {
    return Long.toString(ThreadLocalRandom.current().nextLong(1L << 30), 36);
  }

  private static Node createNode(String name) {
    return client
        .nodes()
        .resource(
            new NodeBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .endSpec()
                .withNewStatus()
                .endStatus()
                .build())
        .create();
  }

  /** A pod bound to {@code node} at creation, then marked Running and Ready as a kubelet would. */
  private static Pod readyPod(String ns, String name, String node, Map<String, String> labels) {
    Pod created =
        client
            .pods()
            .inNamespace(ns)
            .resource(
                new PodBuilder()
                    .withNewMetadata()
                    .withName(name)
                    .withLabels(labels)
                    .endMetadata()
                    .withNewSpec()
                    .withNodeName(node)
                    .addNewContainer()
                    .withName("app")
                    .withImage("registry.invalid/app:1")
                    .endContainer()
                    .endSpec()
                    .build())
            .create();
    return markReady(created);
  }

  private static Pod markReady(Pod pod) {
    pod.setStatus(
        new io.fabric8.kubernetes.api.model.PodStatusBuilder()
            .withPhase("Running")
            .withConditions(new PodConditionBuilder().withType("Ready").withStatus("True").build())
            .build());
    return client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).updateStatus();
  }

  /** A pod its DaemonSet controls (the DaemonSet exists, or the garbage collector would act). */
  private static Pod daemonSetPod(String ns, String node) {
    DaemonSet ds =
        client
            .apps()
            .daemonSets()
            .inNamespace(ns)
            .resource(
                new DaemonSetBuilder()
                    .withNewMetadata()
                    .withName("agent")
                    .endMetadata()
                    .withNewSpec()
                    .withNewSelector()
                    .addToMatchLabels("app", "agent")
                    .endSelector()
                    .withNewTemplate()
                    .withNewMetadata()
                    .addToLabels("app", "agent")
                    .endMetadata()
                    .withNewSpec()
                    .addNewContainer()
                    .withName("agent")
                    .withImage("registry.invalid/agent:1")
                    .endContainer()
                    .endSpec()
                    .endTemplate()
                    .endSpec()
                    .build())
            .create();
    Pod pod =
        client
            .pods()
            .inNamespace(ns)
            .resource(
                new PodBuilder()
                    .withNewMetadata()
                    .withName("agent-x1")
                    .addToLabels("app", "agent")
                    .addNewOwnerReference()
                    .withApiVersion("apps/v1")
                    .withKind("DaemonSet")
                    .withName("agent")
                    .withUid(ds.getMetadata().getUid())
                    .withController(true)
                    .withBlockOwnerDeletion(true)
                    .endOwnerReference()
                    .endMetadata()
                    .withNewSpec()
                    .withNodeName(node)
                    .addNewContainer()
                    .withName("agent")
                    .withImage("registry.invalid/agent:1")
                    .endContainer()
                    .endSpec()
                    .build())
            .create();
    return markReady(pod);
  }

  /** The API copy of a static pod, as a kubelet posts it: annotated and owned by its Node. */
  private static Pod mirrorPod(String ns, Node node) {
    Pod pod =
        client
            .pods()
            .inNamespace(ns)
            .resource(
                new PodBuilder()
                    .withNewMetadata()
                    .withName("static-" + node.getMetadata().getName())
                    .addToAnnotations(PodTriage.MIRROR_ANNOTATION, "a1b2c3")
                    .addNewOwnerReference()
                    .withApiVersion("v1")
                    .withKind("Node")
                    .withName(node.getMetadata().getName())
                    .withUid(node.getMetadata().getUid())
                    .withController(true)
                    .endOwnerReference()
                    .endMetadata()
                    .withNewSpec()
                    .withNodeName(node.getMetadata().getName())
                    .addNewContainer()
                    .withName("static")
                    .withImage("registry.invalid/static:1")
                    .endContainer()
                    .endSpec()
                    .build())
            .create();
    return markReady(pod);
  }

  private static void budget(String ns, String name, int minAvailable, String app) {
    PodDisruptionBudget pdb =
        new PodDisruptionBudgetBuilder()
            .withNewMetadata()
            .withName(name)
            .endMetadata()
            .withNewSpec()
            .withNewMinAvailable(minAvailable)
            .withNewSelector()
            .addToMatchLabels("app", app)
            .endSelector()
            .endSpec()
            .build();
    client.policy().v1().podDisruptionBudget().inNamespace(ns).resource(pdb).create();
  }

  /** Waits until the disruption controller has computed the budget and allows {@code allowed}. */
  private static void awaitBudget(String ns, String name, int allowed) {
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              PodDisruptionBudget pdb =
                  client.policy().v1().podDisruptionBudget().inNamespace(ns).withName(name).get();
              assertThat(pdb.getStatus()).isNotNull();
              assertThat(pdb.getStatus().getObservedGeneration())
                  .isEqualTo(pdb.getMetadata().getGeneration());
              assertThat(pdb.getStatus().getDisruptionsAllowed()).isEqualTo(allowed);
            });
  }

  private static List<String> webPods(String ns) {
    List<String> out = new ArrayList<>();
    for (Pod p : client.pods().inNamespace(ns).withLabel("app", "web").list().getItems()) {
      out.add(ns + "/" + p.getMetadata().getName());
    }
    return out;
  }

  private static Pod pod(String key) {
    String[] parts = key.split("/", 2);
    return client.pods().inNamespace(parts[0]).withName(parts[1]).get();
  }
}
