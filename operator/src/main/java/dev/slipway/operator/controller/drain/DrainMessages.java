package dev.slipway.operator.controller.drain;

import java.time.Duration;
import java.util.List;

/** The one-line messages of {@link DrainProgress}, kept apart so that tests can read them. */
final class DrainMessages {
  /** Names quoted in one message; the rest are counted. */
  static final int MAX_NAMES = 5;

  private DrainMessages() {}

  static String evicting(
      int toEvict, int notTried, List<String> blocked, List<String> failed, int terminating) {
    StringBuilder m = new StringBuilder("evicting ").append(toEvict).append(" pod(s)");
    if (!blocked.isEmpty()) {
      m.append("; ")
          .append(blocked.size())
          .append(" blocked by a PodDisruptionBudget: ")
          .append(names(blocked));
    }
    if (!failed.isEmpty()) {
      m.append("; ").append(failed.size()).append(" refused: ").append(names(failed));
    }
    if (notTried > 0) {
      m.append("; ").append(notTried).append(" not tried yet");
    }
    if (terminating > 0) {
      m.append("; ").append(terminating).append(" terminating");
    }
    return m.toString();
  }

  static String waiting(List<String> terminating) {
    return "waiting for " + terminating.size() + " pod(s) to terminate: " + names(terminating);
  }

  static String drained(int skipped) {
    return skipped == 0
        ? "drained"
        : "drained (" + skipped + " DaemonSet or mirror pod(s) stay until the node goes)";
  }

  static String nodeGone(String nodeName) {
    return "drained: Node " + nodeName + " not found";
  }

  static String timedOut(Duration timeout, List<String> left) {
    String head = "gave up after " + GoDurations.format(timeout) + " (nodeDrainTimeout)";
    return left.isEmpty() ? head : head + ": " + left.size() + " pod(s) left: " + names(left);
  }

  static String timedOutUnlisted(Duration timeout, String error) {
    return "gave up after "
        + GoDurations.format(timeout)
        + " (nodeDrainTimeout); pods left unknown: "
        + error;
  }

  static String apiError(String error) {
    return "workload API error, will retry: " + error;
  }

  /** Appended when pods deleting on an unreachable node were no longer waited for. */
  static String withAbandoned(String message, int abandoned) {
    return abandoned == 0
        ? message
        : message + "; ignored " + abandoned + " pod(s) deleting on the unreachable node";
  }

  /** {@code a, b, c, d, e and 3 more}. */
  static String names(List<String> names) {
    if (names.size() <= MAX_NAMES) {
      return String.join(", ", names);
    }
    return String.join(", ", names.subList(0, MAX_NAMES))
        + " and "
        + (names.size() - MAX_NAMES)
        + " more";
  }

  /** The first line of an exception's message, without the stack of causes fabric8 appends. */
  static String firstLine(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
