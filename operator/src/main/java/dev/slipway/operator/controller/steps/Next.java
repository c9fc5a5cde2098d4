package dev.slipway.operator.controller.steps;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What a step says: go on to the next step, or end this pass and wait. A wait names why (a reason a
 * person can read in the logs and tests) and when to look again; no time means "when something
 * changes" (an event wakes the resource).
 */
public final class Next {
  private static final Next PROCEED = new Next(null, null);

  private final String reason;
  private final Duration after;

  private Next(String reason, Duration after) {
    this.reason = reason;
    this.after = after;
  }

  /** Go on to the next step. */
  public static Next proceed() {
    return PROCEED;
  }

  /** End the pass; look again after {@code after}. */
  public static Next waitFor(String reason, Duration after) {
    return new Next(Objects.requireNonNull(reason, "reason"), Objects.requireNonNull(after));
  }

  /** End the pass; look again only when an event comes. */
  public static Next waitForEvents(String reason) {
    return new Next(Objects.requireNonNull(reason, "reason"), null);
  }

  public boolean proceeds() {
    return reason == null;
  }

  /** Why the pass ended; empty when it did not. */
  public Optional<String> reason() {
    return Optional.ofNullable(reason);
  }

  /** When to look again; empty: on events only (or the pass went to the end). */
  public Optional<Duration> after() {
    return Optional.ofNullable(after);
  }

  /** The sooner of two waits; proceed counts as "no wait". */
  public Next sooner(Next other) {
    if (proceeds() || after == null) {
      return other.proceeds() ? this : other;
    }
    if (other.proceeds() || other.after == null) {
      return this;
    }
    return other.after.compareTo(after) < 0 ? other : this;
  }

  @Override
  public String toString() {
    return proceeds()
        ? "proceed"
        : "wait(" + reason + (after == null ? ", on events" : ", " + after) + ")";
  }
}
