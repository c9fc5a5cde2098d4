package dev.slipway.operator.controller;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads of a cluster's own Secrets (its PKI, kubeconfig, SSH key pair and bootstrap data: all
 * labelled {@value TanzuKubernetesClusterReconciler#CLUSTER_LABEL}) from the cluster controller's
 * informer, so that a pass over a cluster that has them all makes no request. A Secret the cache
 * does not hold is read from the API server: it may have been created a moment ago and not be in
 * the cache yet, and answering "missing" for it would make the caller generate, for example, a
 * second PKI. Before the informer runs (a standby replica, a test without controllers) every read
 * is a GET.
 *
 * <p>A cached Secret may be a few milliseconds older than the API server's; every Secret read here
 * is written once and never changed by Slipway (a changed kubeconfig reaches its client on the
 * informer's next event).
 */
public final class ClusterSecrets {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterSecrets.class);

  /** Where cached Secrets come from: the informer's {@link InformerEventSource#get}. */
  @FunctionalInterface
  interface Cache {
    Optional<Secret> get(ResourceID id);
  }

  private volatile Cache cache;

  /** Serve reads from {@code source} (an informer of Secrets with the cluster label) from now. */
  void use(Cache source) {
    this.cache = source;
  }

  /** The Secret, or null when the API server has none of that name. */
  public Secret get(KubernetesClient client, String namespace, String name) {
    Cache c = cache;
    if (c != null) {
      Optional<Secret> hit;
      try {
        hit = c.get(new ResourceID(name, namespace));
      } catch (RuntimeException e) {
        // Not started, or its namespace not watched yet: the API server answers.
        LOG.debug("Secret {}/{} not from the cache: {}", namespace, name, e.toString());
        hit = Optional.empty();
      }
      if (hit.isPresent()) {
        return hit.get();
      }
    }
    return client.secrets().inNamespace(namespace).withName(name).get();
  }
}
