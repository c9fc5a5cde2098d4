package dev.slipway.operator.controller;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesRelease;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Writes a machine's bootstrap Secret: cloud-init in key {@code value}, its format in {@code
 * format}.
 */
public interface BootstrapData {

  static String secretName(String machineName) {
    return machineName + "-bootstrap";
  }

  /** Creates the Secret if it does not exist yet; never rewrites an existing one. */
  void ensure(
      KubernetesClient client,
      TanzuKubernetesCluster tkc,
      Machine machine,
      TanzuKubernetesRelease tkr);
}
