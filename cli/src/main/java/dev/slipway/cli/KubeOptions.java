package dev.slipway.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
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
        config = Config.fromKubeconfig(context, kubeconfig.toFile());
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

  String namespace() {
    if (namespace != null && !namespace.isBlank()) {
      return namespace;
    }
    String fromContext = config().getNamespace();
    return fromContext == null || fromContext.isBlank() ? "default" : fromContext;
  }
}
