package dev.slipway.operator.app;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The readiness check {@code informers}: fails once an event source has not been watching for
 * {@link #GRACE}, measured from the first probe that saw it so. A watch is briefly down in normal
 * work — the API server ends every watch after 5–10 min and fabric8 opens it again, and the
 * informers of a namespace that joins the Secret scope (on every take-over of the Lease, for each
 * tenant namespace) list before they watch — and reads then fall back to the API server, so those
 * moments are not a reason to take the pod out of its Service. A watch that stays down (the API
 * server unreachable, the operator's access revoked) is.
 */
final class InformerReadiness {
  static final Duration GRACE = Duration.ofSeconds(15);

  private final Supplier<Instant> clock;
  private final Map<String, Instant> notWatchingSince = new HashMap<>();

  InformerReadiness(Supplier<Instant> clock) {
    this.clock = clock;
  }

  /**
   * Null while every event source watches or has not watched for less than {@link #GRACE}; else
   * what has not watched for longer.
   *
   * @param notWatching "controller/event source" of each event source not watching now
   */
  synchronized String problem(Collection<String> notWatching) {
    Instant now = clock.get();
    notWatchingSince.keySet().retainAll(notWatching);
    notWatching.forEach(s -> notWatchingSince.putIfAbsent(s, now));
    String down =
        notWatchingSince.entrySet().stream()
            .filter(e -> Duration.between(e.getValue(), now).compareTo(GRACE) >= 0)
            .map(Map.Entry::getKey)
            .sorted()
            .collect(Collectors.joining(", "));
    return down.isEmpty()
        ? null
        : "not watching for " + GRACE.toSeconds() + " s or more: [" + down + "]";
  }
}
