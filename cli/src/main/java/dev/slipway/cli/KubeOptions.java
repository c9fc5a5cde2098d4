package dev.slipway.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where the management cluster is: kubectl's rules (KUBECONFIG, else ~/.kube/config, else the
 * in-cluster service account), or {@code --kubeconfig}; and which namespace.
 */
final class KubeOptions {
  @Option(
      names = "--kubeconfig",
      paramLabel = "FILE",
      description = "Kubeconfig of the management cluster (default: $KUBECONFIG, ~/.kube/config).")
  Path kubeconfig;

  @Option(
      names = "--context",
      paramLabel = "NAME",
      description = "Context of the kubeconfig to use (default: its current context).")
  String context;

  @Option(
      names = {"-n", "--namespace"},
      paramLabel = "NS",
      description = "Namespace (default: the context's namespace, else default).")
  String namespace;

  private Config config;

  Config config() {
    if (config == null) {
      if (kubeconfig != null) {
        if (!Files.isRegularFile(kubeconfig)) {
          throw new UserException("kubeconfig " + kubeconfig + " does not exist");
        }
        try {
          config = Config.fromKubeconfig(context, kubeconfig.toFile());
        } catch (RuntimeException e) {
          throw new UserException("cannot use kubeconfig " + kubeconfig + ": " + e.getMessage(), e);
        }
      } else {
        config = Config.autoConfigure(context);
      }
      // A command answers now or says why; the client's default is ten retries with back-off.
      config.setRequestRetryBackoffLimit(0);
    }
    return config;
  }

  KubernetesClient client() {
    return new KubernetesClientBuilder().withConfig(config()).build();
  }

  /**
   * What to throw for a failed API call: an unreachable server becomes a user error naming the
   * server; anything else is passed on as it is.
   */
  RuntimeException explain(KubernetesClientException e) {
    if (e.getCode() >= 100) {
      return e;
    }
    for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
      if (t instanceof java.net.ConnectException
          || t instanceof java.net.UnknownHostException
          || t instanceof java.net.http.HttpTimeoutException
          || t instanceof javax.net.ssl.SSLException) {
        String why = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return new UserException(
            "cannot reach the Kubernetes API server at " + config().getMasterUrl() + ": " + why, e);
      }
    }
    return e;
  }

  String namespace() {
    if (namespace != null && !namespace.isBlank()) {
      return namespace;
    }
    String fromContext = config().getNamespace();
    return fromContext == null || fromContext.isBlank() ? "default" : fromContext;
  }
}
