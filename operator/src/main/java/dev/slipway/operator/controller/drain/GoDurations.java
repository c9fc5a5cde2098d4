package dev.slipway.operator.controller.drain;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Go's {@code time.Duration} text (what {@code metav1.Duration} fields such as {@code
 * nodeDrainTimeout} hold): parsed into a {@link Duration}, and printed the way Go prints one, so
 * that messages quote a timeout as the user wrote it in their manifest's dialect ("5m0s").
 */
public final class GoDurations {
  private static final Pattern TERM = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ns|us|µs|ms|s|m|h)");

  private GoDurations() {}

  /**
   * Parses e.g. {@code 30s}, {@code 5m}, {@code 1h30m}, {@code 1.5s}, {@code 0} (Go accepts a bare
   * zero); throws {@link IllegalArgumentException} on anything else, including negative values.
   */
  public static Duration parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty duration");
    }
    String s = text.strip();
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = TERM.matcher(s);
    BigDecimal nanos = BigDecimal.ZERO;
    int at = 0;
    while (at < s.length()) {
      if (!m.find(at) || m.start() != at) {
        throw new IllegalArgumentException(
            "not a duration such as 30s, 5m or 1h30m: \"" + text + "\"");
      }
      nanos = nanos.add(new BigDecimal(m.group(1)).multiply(nanosPer(m.group(2))));
      at = m.end();
    }
    return Duration.ofNanos(nanos.longValue());
  }

  private static BigDecimal nanosPer(String unit) {
    return switch (unit) {
      case "ns" -> BigDecimal.ONE;
      case "us", "µs" -> BigDecimal.valueOf(1_000L);
      case "ms" -> BigDecimal.valueOf(1_000_000L);
      case "s" -> BigDecimal.valueOf(1_000_000_000L);
      case "m" -> BigDecimal.valueOf(60_000_000_000L);
      case "h" -> BigDecimal.valueOf(3_600_000_000_000L);
      default -> throw new IllegalArgumentException("unknown unit " + unit);
    };
  }

  /**
   * Go's {@code Duration.String()} for whole and fractional seconds: {@code 0s}, {@code 500ms},
   * {@code 30s}, {@code 5m0s}, {@code 1h30m0s}, {@code 1.5s}. Below a millisecond it rounds to
   * whole milliseconds (nothing Slipway reports is that short).
   */
  public static String format(Duration d) {
    if (d.isNegative()) {
      return "-" + format(d.negated());
    }
    if (d.isZero()) {
      return "0s";
    }
    if (d.compareTo(Duration.ofSeconds(1)) < 0) {
      return Math.max(1, d.toMillis()) + "ms";
    }
    long hours = d.toHours();
    int minutes = d.toMinutesPart();
    StringBuilder out = new StringBuilder();
    if (hours > 0) {
      out.append(hours).append('h');
    }
    if (hours > 0 || minutes > 0) {
      out.append(minutes).append('m');
    }
    out.append(seconds(d.toSecondsPart(), d.toMillisPart())).append('s');
    return out.toString();
  }

  private static String seconds(int seconds, int millis) {
    if (millis == 0) {
      return Integer.toString(seconds);
    }
    String fraction = String.format("%03d", millis).replaceAll("0+$", "");
    return seconds + "." + fraction;
  }
}
