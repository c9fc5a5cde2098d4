package dev.slipway.operator.bootstrap;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** systemd drop-ins that give a service environment variables, with systemd's quoting. */
final class SystemdDropIns {

  private static final Pattern ENVIRONMENT =
      Pattern.compile("^Environment=\"((?:[^\"\\\\]|\\\\.)*)\"$", Pattern.MULTILINE);

  private SystemdDropIns() {}

  /**
   * The proxy variables for containerd and the kubelet. The cluster's own addresses are appended to
   * NO_PROXY: a node that sends its API server or in-cluster traffic through a corporate proxy
   * cannot join.
   */
  static String proxy(Proxy p, ClusterSpec c) {
    Map<String, String> env = new LinkedHashMap<>();
    if (p.httpProxy() != null && !p.httpProxy().isEmpty()) {
      env.put("HTTP_PROXY", p.httpProxy());
    }
    if (p.httpsProxy() != null && !p.httpsProxy().isEmpty()) {
      env.put("HTTPS_PROXY", p.httpsProxy());
    }
    env.put("NO_PROXY", String.join(",", noProxy(p, c)));
    return environment(env);
  }

  static List<String> noProxy(Proxy p, ClusterSpec c) {
    Set<String> all = new LinkedHashSet<>(p.noProxy());
    all.add("localhost");
    all.add("127.0.0.1");
    all.add("::1");
    all.add(c.endpointHost());
    all.addAll(c.podCidrs());
    all.addAll(c.serviceCidrs());
    all.add(".svc");
    all.add(".svc." + c.serviceDomain());
    return List.copyOf(all);
  }

  static String environment(Map<String, String> env) {
    StringBuilder sb = new StringBuilder("[Service]\n");
    env.forEach(
        (k, v) ->
            sb.append("Environment=\"").append(k).append('=').append(escape(v)).append("\"\n"));
    return sb.toString();
  }

  /** The inverse of {@link #environment}, for the guest simulator and tests. */
  static Map<String, String> parseEnvironment(String dropIn) {
    Map<String, String> env = new LinkedHashMap<>();
    Matcher m = ENVIRONMENT.matcher(dropIn);
    while (m.find()) {
      String assignment = unescape(m.group(1));
      int eq = assignment.indexOf('=');
      if (eq > 0) {
        env.put(assignment.substring(0, eq), assignment.substring(eq + 1));
      }
    }
    return env;
  }

  /**
   * Inside a double-quoted systemd value a backslash escapes, and {@code %} starts a specifier
   * everywhere in a unit file; the callers have already rejected line breaks.
   */
  private static String escape(String v) {
    StringBuilder sb = new StringBuilder();
    for (char ch : v.toCharArray()) {
      switch (ch) {
        case '\\' -> sb.append("\\\\");
        case '"' -> sb.append("\\\"");
        case '%' -> sb.append("%%");
        default -> sb.append(ch);
      }
    }
    return sb.toString();
  }

  private static String unescape(String v) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < v.length(); i++) {
      char ch = v.charAt(i);
      if (ch == '\\' && i + 1 < v.length()) {
        sb.append(v.charAt(++i));
      } else if (ch == '%' && i + 1 < v.length() && v.charAt(i + 1) == '%') {
        sb.append('%');
        i++;
      } else {
        sb.append(ch);
      }
    }
    return sb.toString();
  }
}
