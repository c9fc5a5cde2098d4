package dev.slipway.cli;

import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code slipway kubeconfig NAME}: the workload cluster's admin kubeconfig, on stdout. */
@Command(
    name = "kubeconfig",
    mixinStandardHelpOptions = true,
    versionProvider = SlipwayCli.Version.class,
    description = {
      "Print the kubeconfig of a workload cluster (key value of the Secret NAME-kubeconfig).",
      "Example: slipway kubeconfig demo -n team-a > demo.kubeconfig"
    })
final class KubeconfigCommand implements Callable<Integer> {
  static final String KEY = "value";

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NAME", description = "The TanzuKubernetesCluster.")
  String name;

  @Override
  public Integer call() {
    KubeOptions kube = SlipwayCli.of(spec).kube();
    String ns = kube.namespace();
    String secretName = name + "-kubeconfig";
    try (KubernetesClient client = kube.client()) {
      Secret secret = client.secrets().inNamespace(ns).withName(secretName).get();
      if (secret == null) {
        if (!clusterMayExist(client, ns)) {
          throw new UserException("TanzuKubernetesCluster " + ns + "/" + name + " not found");
        }
        throw new UserException(
            "cluster "
                + name
                + " has no kubeconfig yet: Secret "
                + ns
                + "/"
                + secretName
                + " not found");
      }
      String encoded = secret.getData() == null ? null : secret.getData().get(KEY);
      if (encoded == null) {
        throw new UserException(
            "Secret "
                + ns
                + "/"
                + secretName
                + " has no key "
                + KEY
                + ": not a Slipway kubeconfig");
      }
      String kubeconfig;
      try {
        kubeconfig = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new UserException(
            "Secret " + ns + "/" + secretName + " key " + KEY + " is not base64");
      }
      spec.commandLine().getOut().print(kubeconfig);
      spec.commandLine().getOut().flush();
    } catch (KubernetesClientException e) {
      throw kube.explain(e);
    }
    return 0;
  }

  /** False only when the cluster certainly does not exist (a user may not be allowed to look). */
  private boolean clusterMayExist(KubernetesClient client, String ns) {
    try {
      return client.resources(TanzuKubernetesCluster.class).inNamespace(ns).withName(name).get()
          != null;
    } catch (KubernetesClientException e) {
      return true;
    }
  }
}
