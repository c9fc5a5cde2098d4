package dev.slipway.operator.api;

import dev.slipway.operator.webhook.WebhookSettings;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceConversion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceConversionBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Build step after fabric8's CRD generator: puts printer columns in the order the classes declare
 * them (the generator sorts them by JSON path, so {@code kubectl get tkc} would show Age first,
 * unlike TKGS), bounds quantities to {@value #QUANTITY_MAX_LENGTH} characters (the generator
 * ignores {@code @Size} on Quantity fields, and CEL quantity rules on unbounded strings exceed the
 * API server's cost budget), gives the TanzuKubernetesCluster CRD its conversion webhook ({@link
 * #webhookConversion}: v1alpha1's schema differs from v1alpha3's), and marks the files as
 * generated. Run by Maven with the CRD directory as argument.
 */
public final class CrdPostProcessor {
  private static final KubernetesSerialization YAML = new KubernetesSerialization();

  static final long QUANTITY_MAX_LENGTH = 64;

  private CrdPostProcessor() {}

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    for (Class<? extends HasMetadata> type : ApiTypes.ALL) {
      String crdName = HasMetadata.getPlural(type) + "." + HasMetadata.getGroup(type);
      Path file = dir.resolve(crdName + "-v1.yml");
      CustomResourceDefinition crd =
          YAML.unmarshal(Files.readString(file), CustomResourceDefinition.class);
      for (CustomResourceDefinitionVersion v : crd.getSpec().getVersions()) {
        if (v.getName().equals(HasMetadata.getVersion(type))) {
          v.setAdditionalPrinterColumns(inDeclaredOrder(type, v.getAdditionalPrinterColumns()));
        }
        boundQuantities(v.getSchema().getOpenAPIV3Schema());
        defaultObservedGeneration(v.getSchema().getOpenAPIV3Schema());
      }
      if (crd.getSpec().getVersions().size() > 1) {
        crd.getSpec().setConversion(webhookConversion());
      }
      Files.writeString(
          file,
          "# Generated from operator/src/main/java/dev/slipway/operator/api by the Maven build;"
              + " do not edit.\n"
              + YAML.asYaml(crd).replaceFirst("^---\n", ""));
    }
  }

  /**
   * The conversion of a CRD with several versions: the operator's webhook behind the Service {@code
   * slipway-webhook} in {@code slipway-system} (deploy/). The operator rewrites the client config
   * and adds the CA bundle when it starts (ConversionWebhook), so an install in another namespace,
   * or a test bed that calls a URL, still works; until then requests that need a conversion fail
   * with the API server's error naming this webhook.
   */
  static CustomResourceConversion webhookConversion() {
    return new CustomResourceConversionBuilder()
        .withStrategy("Webhook")
        .withNewWebhook()
        .withConversionReviewVersions("v1")
        .withNewClientConfig()
        .withNewService()
        .withNamespace("slipway-system")
        .withName(WebhookSettings.DEFAULT_SERVICE)
        .withPath(WebhookSettings.PATH)
        .withPort(443)
        .endService()
        .endClientConfig()
        .endWebhook()
        .build();
  }

  static void boundQuantities(JSONSchemaProps schema) {
    if (schema == null) {
      return;
    }
    if (Boolean.TRUE.equals(schema.getXKubernetesIntOrString()) && schema.getMaxLength() == null) {
      schema.setMaxLength(QUANTITY_MAX_LENGTH);
    }
    if (schema.getProperties() != null) {
      schema.getProperties().values().forEach(CrdPostProcessor::boundQuantities);
    }
    if (schema.getItems() != null) {
      boundQuantities(schema.getItems().getSchema());
    }
    if (schema.getAdditionalProperties() != null) {
      boundQuantities(schema.getAdditionalProperties().getSchema());
    }
  }

  /**
   * A new object reads back with {@code status: {observedGeneration: 0}} (the API server applies
   * schema defaults when it reads from etcd) until its controller writes status. Generation 1 is
   * then visibly not observed, so kstatus (Flux's and kpt's health checks) says InProgress instead
   * of Current for an object no controller has looked at yet.
   */
  static void defaultObservedGeneration(JSONSchemaProps root) {
    JSONSchemaProps status =
        root.getProperties() == null ? null : root.getProperties().get("status");
    if (status == null
        || status.getProperties() == null
        || !status.getProperties().containsKey("observedGeneration")) {
      return;
    }
    status.setDefault(
        new com.fasterxml.jackson.databind.ObjectMapper()
            .createObjectNode()
            .put("observedGeneration", 0));
  }

  static List<CustomResourceColumnDefinition> inDeclaredOrder(
      Class<?> type, List<CustomResourceColumnDefinition> columns) {
    List<String> order =
        Arrays.stream(type.getAnnotationsByType(AdditionalPrinterColumn.class))
            .map(AdditionalPrinterColumn::name)
            .toList();
    // priority 0 is the default; the API server drops it, so writing it makes every apply a diff.
    columns.stream()
        .filter(c -> Integer.valueOf(0).equals(c.getPriority()))
        .forEach(c -> c.setPriority(null));
    return columns.stream()
        .sorted(Comparator.comparingInt(c -> order.indexOf(c.getName())))
        .toList();
  }
}
