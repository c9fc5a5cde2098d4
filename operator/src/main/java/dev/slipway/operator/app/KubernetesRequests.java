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
 * slipway_kubernetes_requests_total{verb,code}} (verb: the HTTP method, so writes are POST, PUT,
 * PATCH and DELETE; code: the HTTP status, {@code none} when no answer came). An interceptor of the
 * operator's own client: it sees every request the controllers, informers and leader election send.
 * Requests before {@link #bindTo} (start-up) are not counted.
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
    count(request.method(), String.valueOf(response.code()));
  }

  @Override
  public void afterConnectionFailure(HttpRequest request, Throwable failure) {
    count(request.method(), "none");
  }

  private void count(String method, String code) {
    MeterRegistry r = registry;
    if (r == null) {
      return;
    }
    Counter.builder("slipway.kubernetes.requests")
        .description("Requests this process sent to the Kubernetes API, by HTTP method and status")
        .tag("verb", VERBS.contains(method) ? method : "other")
        .tag("code", code)
        .register(r)
        .increment();
  }
}
