package dev.slipway.operator.controller;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
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
  private final Interceptor guard;

  /**
   * {@code guard}, when not null, sees every request to every workload cluster first and may refuse
   * it by throwing (the operator process's lease fence).
   */
  public WorkloadClusters(Interceptor guard) {
    this.guard = guard;
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
    KubernetesClientBuilder builder = new KubernetesClientBuilder().withConfig(config);
    if (guard != null) {
      builder.withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor(GUARD, guard));
    }
    KubernetesClient c = builder.build();
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
