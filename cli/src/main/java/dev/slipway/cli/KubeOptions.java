package dev.slipway.cli;

import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * Where the management cluster is, by kubectl's rules: {@code --kubeconfig FILE}, else the files of
 * $KUBECONFIG merged (the first file to name a context, cluster or user wins, and the first
 * current-context), else ~/.kube/config, else the in-cluster service account; {@code --context}
 * instead of the current context; and the namespace: {@code -n}, else the context's, else default.
 *
 * <p>The options are inherited by every subcommand, so, as with kubectl, they may come before or
 * after it: {@code slipway -n team-a describe cluster demo}.
 */
final class KubeOptions {
  @Option(
      names = "--kubeconfig",
      paramLabel = "FILE",
      scope = ScopeType.INHERIT,
      description = "Kubeconfig of the management cluster (default: $KUBECONFIG, ~/.kube/config).")
  Path kubeconfig;

  @Option(
      names = "--context",
      paramLabel = "NAME",
      scope = ScopeType.INHERIT,
      description = "Context of the kubeconfig to use (default: its current context).")
  String context;

  @Option(
      names = {"-n", "--namespace"},
      paramLabel = "NS",
      scope = ScopeType.INHERIT,
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
        // fabric8 follows kubectl here: $KUBECONFIG's files merged, else ~/.kube/config, else
        // the service account.
        config = Config.autoConfigure(context);
      }
      requireContext(config);
      // A command answers now or says why; the client's default is ten retries with back-off.
      config.setRequestRetryBackoffLimit(0);
    }
    return config;
  }

  /**
   * kubectl refuses a --context that no kubeconfig defines; fabric8 would quietly use the current
   * context instead, and so talk to another cluster than the one asked for.
   */
  private void requireContext(Config loaded) {
    if (context == null) {
      return;
    }
    NamedContext current = loaded.getCurrentContext();
    if (current == null || !context.equals(current.getName())) {
      throw new UserException(
          "context \""
              + context
              + "\" does not exist"
              + (kubeconfig != null ? " in " + kubeconfig : ""));
    }
  }

  KubernetesClient client() {
    return new KubernetesClientBuilder()
        .withConfig(config())
        .withHttpClientFactory(new JdkHttpClientFactory())
        .build();
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
