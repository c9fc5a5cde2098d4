package dev.slipway.operator.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The CRDs the build generated and post-processed (target/classes/META-INF/fabric8). */
class GeneratedCrdTest {
  static CustomResourceDefinition load(String name) throws Exception {
    Path p = Path.of("target/classes/META-INF/fabric8/" + name + "-v1.yml");
    return new KubernetesSerialization()
        .unmarshal(Files.readString(p), CustomResourceDefinition.class);
  }

  @Test
  void tkcColumnsAreInTkgsOrderWithoutDefaultPriorities() throws Exception {
    for (var v : load("tanzukubernetesclusters.run.tanzu.vmware.com").getSpec().getVersions()) {
      assertThat(v.getAdditionalPrinterColumns()).allMatch(c -> c.getPriority() == null);
      if (v.getName().equals("v1alpha1")) {
        // TKGS v1alpha1's own columns.
        assertThat(v.getAdditionalPrinterColumns())
            .extracting(CustomResourceColumnDefinition::getName)
            .containsExactly("Control Plane", "Worker", "Distribution", "Age", "Phase");
        continue;
      }
      assertThat(v.getAdditionalPrinterColumns())
          .extracting(CustomResourceColumnDefinition::getName)
          .as(v.getName())
          .containsExactly(
              "Control Plane",
              "Worker",
              "TKR Name",
              "Age",
              "Ready",
              "TKR Compatible",
              "Updates Available",
              "Phase");
    }
  }

  @Test
  void quantitiesAreBoundedSoCelRulesFitTheCostBudget() throws Exception {
    JSONSchemaProps hardware =
        load("virtualmachineclasses.vmoperator.slipway.dev")
            .getSpec()
            .getVersions()
            .get(0)
            .getSchema()
            .getOpenAPIV3Schema()
            .getProperties()
            .get("spec")
            .getProperties()
            .get("hardware");
    JSONSchemaProps memory = hardware.getProperties().get("memory");
    assertThat(memory.getXKubernetesIntOrString()).isTrue();
    assertThat(memory.getMaxLength()).isEqualTo(64L);
  }
}
