package dev.slipway.operator.controller;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Clients for workload clusters, built from their {@code <cluster>-kubeconfig} Secrets and kept
 * while the Secret is unchanged. Short timeouts: a workload API that is not up yet must not hold a
 * reconcile thread.
 */
public final class WorkloadClusters implements AutoCloseable {
  private static final String GUARD = "slipway-workload-guard";

  private record Entry(String resourceVersion, KubernetesClient client) {}

  private final Map<String, Entry> clients = new ConcurrentHashMap<>();
  private final WorkloadGuard guard;
  private final Interceptor writes;

  /** {@code guard} is asked before every write to every workload cluster's API server. */
  public WorkloadClusters(WorkloadGuard guard) {
    this.guard = guard;
    this.writes = writesAskFirst(guard);
  }

  /** An interceptor that asks {@code guard} before every request but a read. */
  static Interceptor writesAskFirst(WorkloadGuard guard) {
    return new Interceptor() {
      @Override
      public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        String method = request.method();
        if (!method.equals("GET") && !method.equals("HEAD") && !method.equals("OPTIONS")) {
          guard.check(method + " " + request.uri().getPath());
        }
      }
    };
  }

  /** The guard, for the other ways into a workload cluster (its etcd). */
  public WorkloadGuard guard() {
    return guard;
  }

  /** The cluster's client, or empty when its kubeconfig Secret does not exist yet. */
  public Optional<KubernetesClient> client(
      KubernetesClient management, String namespace, String cluster) {
    Secret s = management.secrets().inNamespace(namespace).withName(cluster + "-kubeconfig").get();
    String key = namespace + "/" + cluster;
    if (s == null) {
      forget(namespace, cluster);
      return Optional.empty();
    }
    Entry e = clients.get(key);
    if (e != null && e.resourceVersion().equals(s.getMetadata().getResourceVersion())) {
      return Optional.of(e.client());
    }
    Config config = Config.fromKubeconfig(ClusterAccess.decode(s.getData().get("value")));
    config.setConnectionTimeout(2_000);
    config.setRequestTimeout(5_000);
    config.setRequestRetryBackoffLimit(0);
    KubernetesClient c =
        new KubernetesClientBuilder()
            .withConfig(config)
            .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor(GUARD, writes))
            .build();
    Entry old = clients.put(key, new Entry(s.getMetadata().getResourceVersion(), c));
    if (old != null) {
      old.client().close();
    }
    return Optional.of(c);
  }

  public void forget(String namespace, String cluster) {
    Entry e = clients.remove(namespace + "/" + cluster);
    if (e != null) {
      e.client().close();
    }
  }

  @Override
  public void close() {
    clients.values().forEach(e -> e.client().close());
    clients.clear();
  }
}
