package dev.slipway.operator.controller.drain;

import dev.slipway.operator.controller.drain.DrainProgress.State;
import dev.slipway.operator.controller.drain.PodTriage.Disposition;
import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.policy.v1.Eviction;
import io.fabric8.kubernetes.api.model.policy.v1.EvictionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Drains a workload-cluster Node before its machine is deleted, one short round per call, as {@code
 * kubectl drain} and Cluster API do: cordon, evict through the Eviction API (so that
 * PodDisruptionBudgets are honoured), wait for evicted pods to go, give up after the timeout; then
 * {@link #deleteNode}. Nothing here sleeps or waits: each {@link #step} reads the Node and its
 * pods, takes what action is due, and says when to look again ({@link DrainProgress#retryAfter()}).
 *
 * <p><b>One round</b> ({@link #step}):
 *
 * <ol>
 *   <li>If the timeout has passed: stop (TIMED_OUT), naming the pods left; nothing else is done.
 *   <li>No Node by that name: nothing to drain (DRAINED).
 *   <li>Cordon ({@code spec.unschedulable: true}) unless already cordoned.
 *   <li>List the pods with {@code spec.nodeName} = the node and sort each by {@link PodTriage}:
 *       mirror pods ({@code kubernetes.io/config.mirror}) and DaemonSet pods are left alone;
 *       deleting pods are waited for, never evicted twice; every other pod is evicted.
 *   <li>POST a {@code policy/v1} Eviction per pod, in namespace/name order, for at most {@link
 *       #EVICTION_BUDGET} of wall time (the rest wait for the next round). 200: accepted. 429: a
 *       PodDisruptionBudget allows no disruption now; the pod is named in the message and tried
 *       again next round (the budget's controller raises {@code disruptionsAllowed} once
 *       replacements are Ready elsewhere). 404: already gone. Anything else: refused, with the
 *       server's reason (500 means e.g. two budgets select the pod); tried again next round.
 *   <li>DRAINED when only skipped pods are left; else EVICTING or WAITING_FOR_POD_DELETION.
 * </ol>
 *
 * <p><b>Unreachable nodes</b> (Ready condition {@code Unknown}: the kubelet stopped reporting):
 * nobody will ever finish a deletion there, so, as in Cluster API, pods whose deletion timestamp is
 * more than {@link PodTriage#UNREACHABLE_DELETE_WAIT} (1 s) in the past are ignored, and evictions
 * ask for a 1 s grace period. A NotReady ({@code False}) node is drained normally.
 *
 * <p><b>Timeout</b> ({@code nodeDrainTimeout} of the machine's node pool, or of the control plane
 * for control-plane machines): counted from {@code drainStartedAt}, the instant of the first round,
 * which the caller records once (e.g. in the Machine's status) and passes every time. Once {@code
 * now >= drainStartedAt + timeout} the drain gives up (TIMED_OUT) and deletion goes on, leaving
 * PDB-protected pods to die with the VM. <b>Default: no limit.</b> An unset field, {@code 0} or
 * {@code 0s} ({@link #DEFAULT_TIMEOUT}, {@link #timeoutOf}) waits for as long as it takes, as TKGS
 * does: its {@code TkgServiceConfiguration.spec.defaultNodeDrainTimeout} is documented as
 * "Undefined, the value is 0, meaning that the node can be drained without any time limitations"
 * (vmware-tanzu/tanzu-framework {@code apis/run/v1alpha2/tkgserviceconfiguration_types.go}), and
 * Cluster API's {@code nodeDrainTimeout} likewise ("0 = forever"). Slipway has no service-wide
 * configuration object, so the per-pool field is the only knob; docs/api.md already documents
 * "unset or 0s: wait forever". A PodDisruptionBudget that can never be satisfied therefore holds a
 * scale-in or rollout until someone sets a timeout or fixes the budget; the message says which pods
 * block.
 *
 * <p><b>The client</b> should not retry 429s itself: fabric8 retries 429 and 5xx answers with
 * back-off unless {@code requestRetryBackoffLimit} is 0, which would turn one round into seconds of
 * waiting per blocked pod. Slipway's workload clients ({@code WorkloadClusters}) are built that
 * way.
 *
 * <p>Not done here (the caller's part): which machines to drain (never when the whole cluster is
 * being deleted), recording {@code drainStartedAt}, conditions and events, powering off and
 * destroying the VM, and whether to delete the Node of the last control-plane machine.
 */
public final class NodeDrain {
  /** No limit: what an unset, {@code 0} or {@code 0s} {@code nodeDrainTimeout} means. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ZERO;

  /** Wall time a round may spend POSTing evictions (Cluster API allows 10 s per reconcile). */
  public static final Duration EVICTION_BUDGET = Duration.ofSeconds(10);

  /** Look again soon while evictions are accepted or pods are going away. */
  public static final Duration ACTIVE_POLL = Duration.ofSeconds(5);

  /** Look again later when every eviction was refused (a budget must first recover). */
  public static final Duration BLOCKED_POLL = Duration.ofSeconds(20);

  /** Look again after the workload API failed to answer. */
  public static final Duration ERROR_POLL = Duration.ofSeconds(10);

  private static final Duration UNREACHABLE_GRACE = Duration.ofSeconds(1);

  private final Duration evictionBudget;
  private final LongSupplier nanoTime;

  public NodeDrain() {
    this(EVICTION_BUDGET, System::nanoTime);
  }

  NodeDrain(Duration evictionBudget, LongSupplier nanoTime) {
    this.evictionBudget = Objects.requireNonNull(evictionBudget, "evictionBudget");
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
  }

  /**
   * The timeout a {@code nodeDrainTimeout} field means: {@link #DEFAULT_TIMEOUT} (no limit) when
   * unset or blank, else its Go duration (where {@code 0s} is also "no limit").
   *
   * @throws IllegalArgumentException when the text is not a Go duration (the CRD's CEL rule keeps
   *     such values out of the API)
   */
  public static Duration timeoutOf(String nodeDrainTimeout) {
    if (nodeDrainTimeout == null || nodeDrainTimeout.isBlank()) {
      return DEFAULT_TIMEOUT;
    }
    return GoDurations.parse(nodeDrainTimeout);
  }

  /**
   * One round of draining {@code nodeName}; see the class comment. Never throws for API failures:
   * they come back as {@link State#API_ERROR} (after the timeout, as TIMED_OUT).
   *
   * @param workload a client of the workload cluster (not the management cluster)
   * @param drainStartedAt when the first round ran; the timeout counts from here
   * @param timeout the {@code nodeDrainTimeout}; null, zero or negative: no limit
   * @param now the current time (the caller's clock, so that tests can move it)
   */
  public DrainProgress step(
      KubernetesClient workload,
      String nodeName,
      Instant drainStartedAt,
      Duration timeout,
      Instant now) {
    Objects.requireNonNull(workload, "workload");
    Objects.requireNonNull(nodeName, "nodeName");
    Objects.requireNonNull(drainStartedAt, "drainStartedAt");
    Objects.requireNonNull(now, "now");
    Optional<Instant> deadline = deadline(drainStartedAt, timeout);
    if (deadline.isPresent() && !now.isBefore(deadline.get())) {
      return timedOut(workload, nodeName, timeout, now);
    }
    try {
      Node node = workload.nodes().withName(nodeName).get();
      if (node == null) {
        return finished(State.DRAINED, List.of(), 0, 0, DrainMessages.nodeGone(nodeName));
      }
      cordon(workload, node);
      boolean unreachable = PodTriage.unreachable(node);
      Round round = new Round();
      for (Pod pod : podsOn(workload, nodeName)) {
        round.add(pod, PodTriage.of(pod, unreachable, now));
      }
      round.evict(workload, unreachable);
      return round.progress(deadline, now);
    } catch (KubernetesClientException e) {
      return new DrainProgress(
          State.API_ERROR,
          List.of(),
          List.of(),
          List.of(),
          List.of(),
          List.of(),
          0,
          0,
          DrainMessages.apiError(DrainMessages.firstLine(e)),
          capped(ERROR_POLL, deadline, now));
    }
  }

  /**
   * Deletes the Node object from the workload cluster. Returns true if it was deleted now, false if
   * it was already gone (both mean "done").
   *
   * @throws KubernetesClientException when the workload API fails; the caller retries
   */
  public boolean deleteNode(KubernetesClient workload, String nodeName) {
    return !workload.nodes().withName(nodeName).delete().isEmpty();
  }

  private static Optional<Instant> deadline(Instant startedAt, Duration timeout) {
    if (timeout == null || timeout.isZero() || timeout.isNegative()) {
      return Optional.empty();
    }
    return Optional.of(startedAt.plus(timeout));
  }

  /** The wait, shortened so that the round after the deadline is not late (at least 1 s). */
  static Duration capped(Duration wait, Optional<Instant> deadline, Instant now) {
    if (deadline.isEmpty()) {
      return wait;
    }
    Duration untilDeadline = Duration.between(now, deadline.get());
    Duration capped = untilDeadline.compareTo(wait) < 0 ? untilDeadline : wait;
    return capped.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : capped;
  }

  private static void cordon(KubernetesClient workload, Node node) {
    if (node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable())) {
      return;
    }
    workload
        .nodes()
        .withName(node.getMetadata().getName())
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"unschedulable\":true}}");
  }

  private static List<Pod> podsOn(KubernetesClient workload, String nodeName) {
    List<Pod> pods =
        new ArrayList<>(
            workload
                .pods()
                .inAnyNamespace()
                .withField("spec.nodeName", nodeName)
                .list()
                .getItems());
    pods.sort(Comparator.comparing(PodTriage::key));
    return pods;
  }

  private static DrainProgress timedOut(
      KubernetesClient workload, String nodeName, Duration timeout, Instant now) {
    try {
      Node node = workload.nodes().withName(nodeName).get();
      boolean unreachable = node != null && PodTriage.unreachable(node);
      List<String> left = new ArrayList<>();
      int skipped = 0;
      int abandoned = 0;
      for (Pod pod : node == null ? List.<Pod>of() : podsOn(workload, nodeName)) {
        Disposition d = PodTriage.of(pod, unreachable, now);
        if (d == Disposition.ABANDONED) {
          abandoned++;
        } else if (d.skipped()) {
          skipped++;
        } else {
          left.add(PodTriage.key(pod));
        }
      }
      return finished(
          State.TIMED_OUT, left, skipped, abandoned, DrainMessages.timedOut(timeout, left));
    } catch (KubernetesClientException e) {
      return finished(
          State.TIMED_OUT,
          List.of(),
          0,
          0,
          DrainMessages.timedOutUnlisted(timeout, DrainMessages.firstLine(e)));
    }
  }

  private static DrainProgress finished(
      State state, List<String> left, int skipped, int abandoned, String message) {
    return new DrainProgress(
        state,
        left,
        List.of(),
        List.of(),
        List.of(),
        List.of(),
        skipped,
        abandoned,
        message,
        Duration.ZERO);
  }

  /** One round's pods by verdict, and what the evictions answered. */
  private final class Round {
    private final List<Pod> toEvict = new ArrayList<>();
    private final List<String> terminating = new ArrayList<>();
    private final List<String> evicted = new ArrayList<>();
    private final List<String> blocked = new ArrayList<>();
    private final List<String> failed = new ArrayList<>();
    private int skipped;
    private int abandoned;

    void add(Pod pod, Disposition d) {
      switch (d) {
        case MIRROR, DAEMON_SET -> skipped++;
        case ABANDONED -> abandoned++;
        case TERMINATING -> terminating.add(PodTriage.key(pod));
        case EVICT -> toEvict.add(pod);
      }
    }

    void evict(KubernetesClient workload, boolean unreachable) {
      long start = nanoTime.getAsLong();
      for (Pod pod : toEvict) {
        if (nanoTime.getAsLong() - start >= evictionBudget.toNanos()) {
          return; // the rest next round: a reconcile must not hold its thread for long
        }
        String key = PodTriage.key(pod);
        try {
          if (workload
              .pods()
              .inNamespace(pod.getMetadata().getNamespace())
              .withName(pod.getMetadata().getName())
              .evict(eviction(pod, unreachable))) {
            evicted.add(key);
          } else {
            blocked.add(key);
          }
        } catch (KubernetesClientException e) {
          if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
            evicted.add(key); // gone between the list and the eviction: as good as evicted
          } else {
            failed.add(key + " (" + reason(e) + ")");
          }
        }
      }
    }

    DrainProgress progress(Optional<Instant> deadline, Instant now) {
      List<String> left = new ArrayList<>();
      toEvict.forEach(p -> left.add(PodTriage.key(p)));
      left.addAll(terminating);
      left.sort(Comparator.naturalOrder());
      if (left.isEmpty()) {
        return finished(
            State.DRAINED,
            left,
            skipped,
            abandoned,
            DrainMessages.withAbandoned(DrainMessages.drained(skipped), abandoned));
      }
      State state;
      String message;
      Duration wait;
      if (toEvict.isEmpty()) {
        state = State.WAITING_FOR_POD_DELETION;
        message = DrainMessages.waiting(terminating);
        wait = ACTIVE_POLL;
      } else {
        int notTried = toEvict.size() - evicted.size() - blocked.size() - failed.size();
        state = State.EVICTING;
        message =
            DrainMessages.evicting(toEvict.size(), notTried, blocked, failed, terminating.size());
        boolean moving = !evicted.isEmpty() || !terminating.isEmpty() || notTried > 0;
        wait = moving ? ACTIVE_POLL : BLOCKED_POLL;
      }
      return new DrainProgress(
          state,
          left,
          evicted,
          blocked,
          failed,
          terminating,
          skipped,
          abandoned,
          DrainMessages.withAbandoned(message, abandoned),
          capped(wait, deadline, now));
    }
  }

  private static Eviction eviction(Pod pod, boolean unreachable) {
    EvictionBuilder b =
        new EvictionBuilder()
            .withNewMetadata()
            .withNamespace(pod.getMetadata().getNamespace())
            .withName(pod.getMetadata().getName())
            .endMetadata();
    if (unreachable) {
      // Nobody runs the pod's shutdown on a silent node; a long grace period only delays.
      b.withDeleteOptions(
          new DeleteOptionsBuilder().withGracePeriodSeconds(UNREACHABLE_GRACE.toSeconds()).build());
    }
    return b.build();
  }

  private static String reason(KubernetesClientException e) {
    if (e.getStatus() != null && e.getStatus().getMessage() != null) {
      return e.getCode() + ": " + e.getStatus().getMessage();
    }
    return DrainMessages.firstLine(e);
  }
}
