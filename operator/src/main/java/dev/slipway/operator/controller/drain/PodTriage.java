package dev.slipway.operator.controller.drain;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * What a drain does with one pod of the node, decided from the pod alone (and whether its node
 * still answers). The first rule that matches wins, in the order of {@link Disposition}.
 */
public final class PodTriage {
  /** The kubelet's annotation on the API copy of a static pod; such a copy cannot be evicted. */
  public static final String MIRROR_ANNOTATION = "kubernetes.io/config.mirror";

  /**
   * On an unreachable node no kubelet will ever confirm a deletion, so pods whose deletion is due
   * for longer than this are treated as gone (as {@code kubectl drain
   * --skip-wait-for-delete-timeout} and Cluster API do, with the same 1 s).
   */
  public static final Duration UNREACHABLE_DELETE_WAIT = Duration.ofSeconds(1);

  /** The verdicts, in the order the rules are tried. */
  public enum Disposition {
    /** A static pod's mirror: its kubelet owns it; it goes with the node. */
    MIRROR,
    /** Owned by a DaemonSet, whose controller would put it straight back; it goes with the node. */
    DAEMON_SET,
    /** Deleting on an unreachable node for more than {@link #UNREACHABLE_DELETE_WAIT}: ignored. */
    ABANDONED,
    /** Already deleting (evicted earlier or deleted by someone): waited for, not evicted again. */
    TERMINATING,
    /** Everything else goes through the Eviction API, which honours PodDisruptionBudgets. */
    EVICT;

    /** True for pods that a drain leaves on the node on purpose. */
    public boolean skipped() {
      return this == MIRROR || this == DAEMON_SET || this == ABANDONED;
    }
  }

  private PodTriage() {}

  public static Disposition of(Pod pod, boolean nodeUnreachable, Instant now) {
    if (isMirror(pod)) {
      return Disposition.MIRROR;
    }
    if (isDaemonSetPod(pod)) {
      return Disposition.DAEMON_SET;
    }
    Instant deletion = deletionTimestamp(pod);
    if (deletion == null) {
      return Disposition.EVICT;
    }
    if (nodeUnreachable && deletion.plus(UNREACHABLE_DELETE_WAIT).isBefore(now)) {
      return Disposition.ABANDONED;
    }
    return Disposition.TERMINATING;
  }

  static boolean isMirror(Pod pod) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    return annotations != null && annotations.containsKey(MIRROR_ANNOTATION);
  }

  static boolean isDaemonSetPod(Pod pod) {
    if (pod.getMetadata().getOwnerReferences() == null) {
      return false;
    }
    for (OwnerReference ref : pod.getMetadata().getOwnerReferences()) {
      if (Boolean.TRUE.equals(ref.getController())
          && "DaemonSet".equals(ref.getKind())
          && ref.getApiVersion() != null
          && ref.getApiVersion().startsWith("apps/")) {
        return true;
      }
    }
    return false;
  }

  static Instant deletionTimestamp(Pod pod) {
    String ts = pod.getMetadata().getDeletionTimestamp();
    return ts == null || ts.isEmpty() ? null : Instant.parse(ts);
  }

  /**
   * A node is unreachable when its Ready condition is Unknown: the node lifecycle controller's
   * verdict once the kubelet stopped reporting. A NotReady (False) kubelet still runs pods down.
   */
  public static boolean unreachable(Node node) {
    if (node.getStatus() == null || node.getStatus().getConditions() == null) {
      return false;
    }
    return node.getStatus().getConditions().stream()
        .anyMatch(c -> "Ready".equals(c.getType()) && "Unknown".equals(c.getStatus()));
  }

  /** {@code namespace/name}, as messages name pods. */
  static String key(Pod pod) {
    return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
  }
}
