package dev.slipway.testenv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRuleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Proves the control plane is the real thing: CEL enforcement, garbage collection, namespaces. */
class ControlPlaneIT {

  static ControlPlane cp;
  static KubernetesClient client;

  @BeforeAll
  static void start() {
    cp = ControlPlane.shared();
    client = cp.client();
  }

  @AfterAll
  static void closeClient() {
    client.close();
  }

  @Test
  void versionEndpointReportsTheBuiltRelease() {
    assertThat(client.getKubernetesVersion().getGitVersion())
        .isEqualTo("v" + cp.testBed().kubernetesVersion());
  }

  @Test
  void celRuleRejectsViolatingObjectWithItsMessage() {
    CustomResourceDefinition crd =
        new CustomResourceDefinitionBuilder()
            .withNewMetadata()
            .withName("widgets.proof.slipway.dev")
            .endMetadata()
            .withNewSpec()
            .withGroup("proof.slipway.dev")
            .withScope("Namespaced")
            .withNewNames()
            .withKind("Widget")
            .withPlural("widgets")
            .withSingular("widget")
            .endNames()
            .addNewVersion()
            .withName("v1")
            .withServed(true)
            .withStorage(true)
            .withNewSchema()
            .withOpenAPIV3Schema(
                new JSONSchemaPropsBuilder()
                    .withType("object")
                    .addToProperties(
                        "spec",
                        new JSONSchemaPropsBuilder()
                            .withType("object")
                            .addToProperties(
                                "replicas",
                                new JSONSchemaPropsBuilder().withType("integer").build())
                            .withXKubernetesValidations(
                                new ValidationRuleBuilder()
                                    .withRule("self.replicas <= 5")
                                    .withMessage("spec.replicas must be at most 5")
                                    .build())
                            .build())
                    .build())
            .endSchema()
            .endVersion()
            .endSpec()
            .build();
    client.apiextensions().v1().customResourceDefinitions().resource(crd).serverSideApply();
    client
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .withName(crd.getMetadata().getName())
        .waitUntilCondition(
            c ->
                c.getStatus() != null
                    && c.getStatus().getConditions().stream()
                        .anyMatch(
                            x -> "Established".equals(x.getType()) && "True".equals(x.getStatus())),
            30,
            java.util.concurrent.TimeUnit.SECONDS);
    String ns = cp.createNamespace("cel");
    ResourceDefinitionContext ctx =
        new ResourceDefinitionContext.Builder()
            .withGroup("proof.slipway.dev")
            .withVersion("v1")
            .withPlural("widgets")
            .withKind("Widget")
            .withNamespaced(true)
            .build();

    // A new CRD's endpoint can take a moment to serve after Established.
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptionsMatching(e -> e.getMessage().contains("404"))
        .untilAsserted(
            () ->
                assertThatThrownBy(
                        () ->
                            client
                                .genericKubernetesResources(ctx)
                                .inNamespace(ns)
                                .resource(widget("too-many", 7))
                                .create())
                    .isInstanceOf(KubernetesClientException.class)
                    .hasMessageContaining("spec.replicas must be at most 5")
                    .extracting(e -> ((KubernetesClientException) e).getCode())
                    .isEqualTo(422));

    GenericKubernetesResource ok =
        client.genericKubernetesResources(ctx).inNamespace(ns).resource(widget("fine", 3)).create();
    assertThat(ok.getMetadata().getUid()).isNotBlank();
  }

  private static GenericKubernetesResource widget(String name, int replicas) {
    return new GenericKubernetesResourceBuilder()
        .withApiVersion("proof.slipway.dev/v1")
        .withKind("Widget")
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withAdditionalProperties(Map.of("spec", Map.of("replicas", replicas)))
        .build();
  }

  @Test
  void deletingOwnerGarbageCollectsDependent() {
    String ns = cp.createNamespace("gc");
    ConfigMap owner =
        client
            .configMaps()
            .inNamespace(ns)
            .resource(
                new ConfigMapBuilder().withNewMetadata().withName("owner").endMetadata().build())
            .create();
    client
        .configMaps()
        .inNamespace(ns)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("dependent")
                .addNewOwnerReference()
                .withApiVersion("v1")
                .withKind("ConfigMap")
                .withName("owner")
                .withUid(owner.getMetadata().getUid())
                .endOwnerReference()
                .endMetadata()
                .build())
        .create();

    client.configMaps().inNamespace(ns).withName("owner").delete();

    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                assertThat(client.configMaps().inNamespace(ns).withName("dependent").get())
                    .isNull());
  }

  @Test
  void deletedNamespaceDisappearsWithItsContents() {
    String ns = cp.createNamespace("gone");
    client
        .configMaps()
        .inNamespace(ns)
        .resource(new ConfigMapBuilder().withNewMetadata().withName("x").endMetadata().build())
        .create();

    client.namespaces().withName(ns).delete();

    await()
        .atMost(Duration.ofSeconds(90))
        .untilAsserted(() -> assertThat(client.namespaces().withName(ns).get()).isNull());
  }
}
