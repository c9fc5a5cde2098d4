package dev.slipway.operator.controller;

import dev.slipway.operator.bootstrap.Tls;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
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

  /**
   * One JSON mapper for every workload cluster's client. Each client made its own, and each mapper
   * keeps its own introspection of the model classes it has (de)serialized: 105 mappers and 97 000
   * introspected methods in the operator's heap with 100 clusters (docs/performance.md,
   * optimisation 21). A mapper is safe to share once configured.
   */
  static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private record Entry(String resourceVersion, KubernetesClient client) {}

  private final Map<String, Entry> clients = new ConcurrentHashMap<>();
  private final WorkloadGuard guard;
  private final Interceptor writes;
  private final ClusterSecrets secrets;

  /** As below, every kubeconfig read with a GET. */
  public WorkloadClusters(WorkloadGuard guard) {
    this(guard, new ClusterSecrets());
  }

  /**
   * {@code guard} is asked before every write to every workload cluster's API server; kubeconfigs
   * (and the other readers' cluster Secrets) are read through {@code secrets}.
   */
  public WorkloadClusters(WorkloadGuard guard, ClusterSecrets secrets) {
    this.guard = guard;
    this.secrets = secrets;
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

  /** How the cluster Secrets are read, for the other readers of them. */
  public ClusterSecrets secrets() {
    return secrets;
  }

  /** The cluster's client, or empty when its kubeconfig Secret does not exist yet. */
  public Optional<KubernetesClient> client(
      KubernetesClient management, String namespace, String cluster) {
    Secret s = secrets.get(management, namespace, ClusterAccess.kubeconfigSecretName(cluster));
    String key = namespace + "/" + cluster;
    if (s == null) {
      forget(namespace, cluster);
      return Optional.empty();
    }
    return Optional.of(clientFor(key, s));
  }

  /**
   * The client for {@code kubeconfig} (the Secret as read now), made once per version of it:
   * reconciles that ask at the same moment get the same client. (Checking and then putting let two
   * of them each make one, and the second closed the first's while it was in use: "Client already
   * closed", seen in CrashAnywhereE2E right after a restart.) A client for an older version is
   * closed when a newer one replaces it.
   */
  KubernetesClient clientFor(String key, Secret kubeconfig) {
    String version = kubeconfig.getMetadata().getResourceVersion();
    KubernetesClient[] replaced = new KubernetesClient[1];
    Entry e =
        clients.compute(
            key,
            (k, old) -> {
              if (old != null && old.resourceVersion().equals(version)) {
                return old;
              }
              replaced[0] = old == null ? null : old.client();
              return new Entry(version, build(kubeconfig));
            });
    if (replaced[0] != null) {
      replaced[0].close();
    }
    return e.client();
  }

  private KubernetesClient build(Secret kubeconfig) {
    Config config = Config.fromKubeconfig(ClusterAccess.decode(kubeconfig.getData().get("value")));
    config.setConnectionTimeout(2_000);
    config.setRequestTimeout(5_000);
    config.setRequestRetryBackoffLimit(0);
    Tls.Managers tls = tls(config);
    return new KubernetesClientBuilder()
        .withConfig(config)
        .withHttpClientFactory(new WorkloadHttp.Factory())
        .withKubernetesSerialization(SERIALIZATION)
        .withHttpClientBuilderConsumer(
            b -> {
              b.addOrReplaceInterceptor(GUARD, writes);
              if (tls != null) {
                b.sslContext(tls.keys(), tls.trust());
              }
            })
        .build();
  }

  /**
   * The kubeconfig's client certificate, key and CA as TLS managers, taken out of {@code config}:
   * fabric8 would put the key through a PKCS12 key store, encrypting and decrypting it with 10 000
   * rounds of PBKDF2 each ({@link Tls}). Null (fabric8 does it) for a kubeconfig without all three
   * inline.
   */
  static Tls.Managers tls(Config config) {
    if (config.getClientCertData() == null
        || config.getClientKeyData() == null
        || config.getCaCertData() == null) {
      return null;
    }
    Tls.Managers m =
        Tls.fromPem(
            ClusterAccess.decode(config.getClientCertData()),
            ClusterAccess.decode(config.getClientKeyData()),
            ClusterAccess.decode(config.getCaCertData()));
    config.setClientCertData(null);
    config.setClientKeyData(null);
    config.setCaCertData(null);
    return m;
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
