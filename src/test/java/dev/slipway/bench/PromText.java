package dev.slipway.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Prometheus text format, read just enough for counters and gauges: series to value. */
final class PromText {
  /**
   * A sample line. A label value may hold braces and escaped quotes (REST operations are named like
   * "GET /com/vmware/cis/tagging/tag/{id}"): the label block is read value by value, not up to the
   * first closing brace, which dropped every such series.
   */
  private static final Pattern SAMPLE =
      Pattern.compile(
          "^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:[^\"}]|\"(?:[^\"\\\\]|\\\\.)*\")*})?"
              + " ([+-]?Inf|NaN|[-+0-9.eE]+)");

  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  private PromText() {}

  /** One sample: metric name, labels, value. */
  record Sample(String name, Map<String, String> labels, double value) {}

  static java.util.List<Sample> parse(String text) {
    java.util.List<Sample> out = new java.util.ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      if (!m.find()) {
        continue;
      }
      Map<String, String> labels = new LinkedHashMap<>();
      if (m.group(2) != null) {
        Matcher l = LABEL.matcher(m.group(2));
        while (l.find()) {
          labels.put(l.group(1), unescape(l.group(2)));
        }
      }
      out.add(new Sample(m.group(1), labels, value(m.group(3))));
    }
    return out;
  }

  /** A label value as written: backslash, double quote and newline escaped with a backslash. */
  private static String unescape(String v) {
    if (v.indexOf('\\') < 0) {
      return v;
    }
    StringBuilder out = new StringBuilder(v.length());
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == '\\' && i + 1 < v.length()) {
        char n = v.charAt(++i);
        out.append(n == 'n' ? '\n' : n);
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static double value(String s) {
    return switch (s) {
      case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(s);
    };
  }

  /**
   * The samples of metric {@code name} summed by the given labels, keyed by their values joined
   * with a space (e.g. {@code "PATCH machines/status"}).
   */
  static Map<String, Double> sumBy(String text, String name, String... labels) {
    return sumBy(text, name, Map.of(), labels);
  }

  /** As above, of the samples whose labels include all of {@code match}. */
  static Map<String, Double> sumBy(
      String text, String name, Map<String, String> match, String... labels) {
    Map<String, Double> out = new TreeMap<>();
    for (Sample s : parse(text)) {
      if (!s.name().equals(name) || !s.labels().entrySet().containsAll(match.entrySet())) {
        continue;
      }
      StringBuilder key = new StringBuilder();
      for (String l : labels) {
        if (key.length() > 0) {
          key.append(' ');
        }
        key.append(s.labels().getOrDefault(l, ""));
      }
      out.merge(key.toString(), s.value(), Double::sum);
    }
    return out;
  }

  /** The sum of every sample of {@code name} whose labels include all of {@code match}. */
  static double sum(String text, String name, Map<String, String> match) {
    double total = 0;
    for (Sample s : parse(text)) {
      if (s.name().equals(name) && s.labels().entrySet().containsAll(match.entrySet())) {
        total += s.value();
      }
    }
    return total;
  }

  /** {@code after - before} per key, keeping only keys that changed. */
  static Map<String, Double> delta(Map<String, Double> before, Map<String, Double> after) {
    Map<String, Double> out = new TreeMap<>();
    after.forEach(
        (k, v) -> {
          double d = v - before.getOrDefault(k, 0.0);
          if (d != 0) {
            out.put(k, d);
          }
        });
    return out;
  }
}
