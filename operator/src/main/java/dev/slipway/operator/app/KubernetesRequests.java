package dev.slipway.operator.app;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;

/**
 * Counts the operator's requests to the Kubernetes API into {@code
 * slipway_kubernetes_requests_total{verb,code,resource}} (verb: the HTTP method, so writes are
 * POST, PUT, PATCH and DELETE; code: the HTTP status, {@code none} when no answer came; resource:
 * the resource's plural from the URL path, with {@code /status} or another subresource appended).
 * An interceptor of the operator's own client: it sees every request the controllers, informers and
 * leader election send. Requests before {@link #bindTo} (start-up) are not counted.
 */
final class KubernetesRequests implements Interceptor {
  static final String NAME = "slipway-metrics";
  private static final Set<String> VERBS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");

  private volatile MeterRegistry registry;

  void bindTo(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void after(
      HttpRequest request,
      HttpResponse<?> response,
      AsyncBody.Consumer<List<ByteBuffer>> consumer) {
    count(request.method(), String.valueOf(response.code()), resource(request.uri().getPath()));
  }

  @Override
  public void afterConnectionFailure(HttpRequest request, Throwable failure) {
    count(request.method(), "none", resource(request.uri().getPath()));
  }

  /**
   * The resource a request path names: {@code /api/v1/namespaces/a/secrets/b} is {@code secrets},
   * {@code /apis/g/v1/namespaces/a/machines/m/status} is {@code machines/status}, {@code
   * /api/v1/namespaces/a} is {@code namespaces}; {@code other} for paths outside the API groups.
   */
  static String resource(String path) {
    if (path == null) {
      return "other";
    }
    String[] p = path.replaceAll("^/+|/+$", "").split("/+");
    int first;
    if (p.length >= 2 && p[0].equals("api")) {
      first = 2;
    } else if (p.length >= 3 && p[0].equals("apis")) {
      first = 3;
    } else {
      return "other";
    }
    if (p.length <= first) {
      return "other";
    }
    if (p[first].equals("namespaces") && p.length > first + 2) {
      first += 2;
    }
    String resource = p[first];
    return p.length > first + 2 ? resource + "/" + p[first + 2] : resource;
  }

  private void count(String method, String code, String resource) {
    MeterRegistry r = registry;
    if (r == null) {
      return;
    }
    Counter.builder("slipway.kubernetes.requests")
        .description("Requests this process sent to the Kubernetes API, by HTTP method and status")
        .tag("verb", VERBS.contains(method) ? method : "other")
        .tag("code", code)
        .tag("resource", resource)
        .register(r)
        .increment();
  }
}
