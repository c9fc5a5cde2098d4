package dev.slipway.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The HTTP request behind a {@code kubectl auth can-i} question, sent for real by a client that
 * impersonates the user. The API server authorizes before it decodes a body or looks an object up,
 * so its authorizer's 403 means "denied" and any other answer "allowed". The request can change
 * nothing: it names an object that never exists ({@value #PROBE}) or sends an empty body, which is
 * refused as invalid after authorization.
 */
final class RealRequest {
  static final String PROBE = "matrix-probe-does-not-exist";

  /** API group → the version served here (the path needs one; authorization ignores it). */
  private static final Map<String, String> VERSIONS =
      Map.ofEntries(
          Map.entry("run.tanzu.vmware.com", "v1alpha3"),
          Map.entry("cluster.slipway.dev", "v1alpha1"),
          Map.entry("vmoperator.slipway.dev", "v1alpha1"),
          Map.entry("rbac.authorization.k8s.io", "v1"),
          Map.entry("coordination.k8s.io", "v1"),
          Map.entry("apps", "v1"),
          Map.entry("apiextensions.k8s.io", "v1"),
          Map.entry("admissionregistration.k8s.io", "v1"));

  private static final java.util.Set<String> RBAC_KINDS =
      java.util.Set.of("roles", "rolebindings", "clusterroles", "clusterrolebindings");

  private RealRequest() {}

  /**
   * Whether {@code client} was allowed the request that {@code canIArgs} asks about; empty for
   * verbs that are not HTTP requests (bind, escalate, impersonate).
   */
  static java.util.Optional<Boolean> allowed(KubernetesClient client, String... canIArgs) {
    String verb = canIArgs[0];
    String resource = canIArgs[1];
    String namespace = null;
    String subresource = null;
    for (int i = 2; i < canIArgs.length; i++) {
      String a = canIArgs[i];
      if (a.equals("-n")) {
        namespace = canIArgs[++i];
      } else if (a.startsWith("--subresource=")) {
        subresource = a.substring("--subresource=".length());
      } else if (!a.equals("-A")) {
        throw new IllegalArgumentException("unknown can-i argument " + a);
      }
    }
    String method =
        switch (verb) {
          case "get", "list", "watch" -> "GET";
          case "create" -> "POST";
          case "update" -> "PUT";
          case "patch" -> "PATCH";
          case "delete" -> "DELETE";
          default -> null;
        };
    if (method == null) {
      return java.util.Optional.empty();
    }
    String name = null;
    int slash = resource.indexOf('/');
    if (slash > 0) {
      name = resource.substring(slash + 1);
      resource = resource.substring(0, slash);
    }
    int dot = resource.indexOf('.');
    // kubectl finds the group of an unqualified name by discovery; these are the ones asked here.
    String group =
        dot > 0
            ? resource.substring(dot + 1)
            : RBAC_KINDS.contains(resource) ? "rbac.authorization.k8s.io" : "";
    String plural = dot > 0 ? resource.substring(0, dot) : resource;
    List<String> path = new ArrayList<>();
    if (group.isEmpty()) {
      path.add("api/v1");
    } else {
      String version = VERSIONS.get(group);
      if (version == null) {
        throw new IllegalArgumentException("no version known for API group " + group);
      }
      path.add("apis/" + group + "/" + version);
    }
    if (namespace != null) {
      path.add("namespaces/" + namespace);
    }
    path.add(plural);
    boolean collection = verb.equals("list") || verb.equals("watch") || verb.equals("create");
    if (name != null || !collection || subresource != null) {
      path.add(name != null ? name : PROBE);
    }
    if (subresource != null) {
      path.add(subresource);
    }
    String url =
        client.getMasterUrl().toString().replaceAll("/+$", "") + "/" + String.join("/", path);
    if (verb.equals("watch")) {
      url += "?watch=true&timeoutSeconds=1";
    }
    HttpRequest.Builder b = client.getHttpClient().newHttpRequestBuilder().uri(url);
    switch (method) {
      case "GET" -> b.method("GET", null, null);
      case "PATCH" -> b.method("PATCH", "application/merge-patch+json", "{}");
      default -> b.method(method, "application/json", "{}");
    }
    try {
      HttpResponse<String> r =
          client.getHttpClient().sendAsync(b.build(), String.class).get(30, TimeUnit.SECONDS);
      // Right after a CRD is established its storage may still answer "(re)initializing".
      for (int i = 0; r.code() == 429 && i < 20; i++) {
        Thread.sleep(500);
        r = client.getHttpClient().sendAsync(b.build(), String.class).get(30, TimeUnit.SECONDS);
      }
      if (r.code() == 401) {
        throw new AssertionError("not authenticated: " + url + ": " + r.body());
      }
      // The authorizer's refusal reads "... cannot <verb> resource ..."; a 403 of another kind
      // comes later (the RBAC escalation check of an empty RoleBinding), after authorization.
      boolean refused = r.code() == 403 && r.body().contains("cannot " + verb + " resource");
      if (System.getenv("REAL_REQUEST_DEBUG") != null) {
        System.out.println(
            "RealRequest " + method + " " + url + " -> " + r.code() + " " + r.body());
      }
      return java.util.Optional.of(!refused);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new AssertionError(method + " " + url + " did not answer", e);
    }
  }
}
