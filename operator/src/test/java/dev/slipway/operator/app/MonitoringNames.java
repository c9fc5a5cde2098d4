package dev.slipway.operator.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names deploy/monitoring's alert rules and dashboard query, read from the PromQL: every
 * identifier that is not a function (followed by "("), a keyword, a label name (inside {...}, by
 * (...), without (...), on (...), ignoring (...), group_left/right (...)), a string, a duration or
 * a number.
 */
final class MonitoringNames {
  private static final Set<String> KEYWORDS =
      Set.of(
          "and",
          "or",
          "unless",
          "bool",
          "offset",
          "by",
          "without",
          "on",
          "ignoring",
          "group_left",
          "group_right",
          "inf",
          "nan",
          "Inf",
          "NaN",
          // aggregations, which may be followed by "by (...)" instead of "("
          "sum",
          "min",
          "max",
          "avg",
          "group",
          "stddev",
          "stdvar",
          "count",
          "count_values",
          "bottomk",
          "topk",
          "quantile",
          "limitk",
          "limit_ratio");
  private static final Pattern IDENT = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

  private MonitoringNames() {}

  static List<String> ruleExpressions(Path rulesFile) {
    List<String> out = new ArrayList<>();
    for (JsonNode group : read(rulesFile, new YAMLFactory()).path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        out.add(rule.path("expr").asText());
      }
    }
    return out;
  }

  static List<String> dashboardExpressions(Path dashboard) {
    List<String> out = new ArrayList<>();
    for (JsonNode panel : read(dashboard, null).path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        out.add(target.path("expr").asText());
      }
    }
    return out;
  }

  private static JsonNode read(Path file, YAMLFactory yaml) {
    try {
      return (yaml == null ? new ObjectMapper() : new ObjectMapper(yaml))
          .readTree(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The metric names in one PromQL expression. */
  static Set<String> metricNames(String expr) {
    String e =
        expr.replace("$__rate_interval", "5m")
            .replace("$__interval", "1m")
            .replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")
            .replaceAll("\\{[^}]*}", "{}")
            .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", "$1()")
            .replaceAll("\\[[^]]*]", "[]");
    Set<String> names = new TreeSet<>();
    Matcher m = IDENT.matcher(e);
    while (m.find()) {
      String id = m.group();
      if (m.start() > 0 && Character.isDigit(e.charAt(m.start() - 1))) {
        continue; // the unit of a duration or an exponent, e.g. 5m, 1e3
      }
      int next = m.end();
      while (next < e.length() && Character.isWhitespace(e.charAt(next))) {
        next++;
      }
      boolean call = next < e.length() && e.charAt(next) == '(';
      if (!call && !KEYWORDS.contains(id)) {
        names.add(id);
      }
    }
    return names;
  }
}
