package dev.slipway.operator.controller;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesRelease;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * Writes a machine's bootstrap Secret: cloud-init in key {@code value}, its format in {@code
 * format}.
 */
public interface BootstrapData {

  static String secretName(String machineName) {
    return machineName + "-bootstrap";
  }

  /**
   * The machine's bootstrap Secret: cloud-config in {@code value}, {@code format}, owned by the
   * machine and labelled so the machine controller sees it arrive.
   */
  static Secret secret(Machine machine, String cloudConfig, Map<String, String> annotations) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName(secretName(machine.getMetadata().getName()))
        .withNamespace(machine.getMetadata().getNamespace())
        .addToLabels(MachineReconciler.BOOTSTRAP_SECRET_LABEL, "true")
        .addToLabels(TanzuKubernetesClusterReconciler.CLUSTER_LABEL, machine.getSpec().clusterName)
        .withAnnotations(annotations)
        .addToOwnerReferences(
            new OwnerReferenceBuilder()
                .withApiVersion(machine.getApiVersion())
                .withKind(machine.getKind())
                .withName(machine.getMetadata().getName())
                .withUid(machine.getMetadata().getUid())
                .withController(true)
                .build())
        .endMetadata()
        .withType("cluster.x-k8s.io/secret")
        .addToData("value", b64(cloudConfig))
        .addToData("format", b64("cloud-config"))
        .build();
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  /** Creates the Secret if it does not exist yet; never rewrites an existing one. */
  void ensure(
      KubernetesClient client,
      TanzuKubernetesCluster tkc,
      Machine machine,
      TanzuKubernetesRelease tkr);
}
