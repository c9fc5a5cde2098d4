package dev.slipway.operator.bootstrap;

import java.util.List;

/**
 * The HTTP proxy a cluster's nodes use to pull images.
 *
 * @param httpProxy proxy URL for http, or null
 * @param httpsProxy proxy URL for https, or null
 * @param noProxy hosts, domains and CIDRs reached directly; the cluster's own networks, endpoint
 *     and service domain are added when rendering
 */
public record Proxy(String httpProxy, String httpsProxy, List<String> noProxy) {

  public Proxy {
    requireOneLine("httpProxy", httpProxy);
    requireOneLine("httpsProxy", httpsProxy);
    noProxy = noProxy == null ? List.of() : List.copyOf(noProxy);
    for (String n : noProxy) {
      requireOneLine("noProxy entry", n);
      if (n.isBlank() || n.contains(",")) {
        throw new IllegalArgumentException(
            "noProxy entry " + Labels.quote(n) + " is blank or contains a comma");
      }
    }
  }

  private static void requireOneLine(String what, String s) {
    if (s != null && s.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new IllegalArgumentException(what + " contains a line break or control character");
    }
  }
}
