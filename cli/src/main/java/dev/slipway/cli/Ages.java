package dev.slipway.cli;

import java.time.Duration;
import java.time.Instant;

/** Short ages as kubectl prints them: one unit, rounded down (4m12s is "4m"). */
public final class Ages {
  private Ages() {}

  /** The time from {@code then} to {@code now}; empty when {@code then} is unknown. */
  public static String since(Instant then, Instant now) {
    if (then == null) {
      return "";
    }
    return shortDuration(Duration.between(then, now));
  }

  /** Kubernetes' ShortHumanDuration: a clock a second behind is "0s", further is "<invalid>". */
  public static String shortDuration(Duration d) {
    long seconds = d.getSeconds();
    if (seconds < -1) {
      return "<invalid>";
    }
    if (seconds < 0) {
      return "0s";
    }
    if (seconds < 60) {
      return seconds + "s";
    }
    long minutes = seconds / 60;
    if (minutes < 60) {
      return minutes + "m";
    }
    long hours = minutes / 60;
    if (hours < 24) {
      return hours + "h";
    }
    if (hours < 24 * 365) {
      return hours / 24 + "d";
    }
    return hours / 24 / 365 + "y";
  }

  /** An RFC 3339 time from the API server; null when absent or unreadable. */
  public static Instant parse(String rfc3339) {
    if (rfc3339 == null || rfc3339.isBlank()) {
      return null;
    }
    try {
      return Instant.parse(rfc3339);
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }
}
