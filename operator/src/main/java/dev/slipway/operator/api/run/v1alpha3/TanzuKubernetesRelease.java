package dev.slipway.operator.api.run.v1alpha3;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;
import java.util.ArrayList;
import java.util.List;

/**
 * A Kubernetes version and the content-library image(s) that carry it. Cluster-scoped; names write
 * the version's '+' as '---' (v1.30.1+vmware.1-tkg.5 is v1.30.1---vmware.1-tkg.5).
 */
@Group(TanzuKubernetesCluster.GROUP)
@Version("v1alpha3")
@ShortNames("tkr")
@AdditionalPrinterColumn(
    name = "Version",
    jsonPath = ".spec.version",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Compatible",
    jsonPath = ".status.conditions[?(@.type==\"Compatible\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Created",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
@ValidationRule(
    value = "self.metadata.name == self.spec.version.replace('+', '---')",
    messageExpression =
        "'metadata.name must be spec.version with + written as ---: ' +"
            + " self.spec.version.replace('+', '---')",
    message = "metadata.name must be spec.version with + written as ---")
public class TanzuKubernetesRelease
    extends CustomResource<TanzuKubernetesRelease.Spec, TanzuKubernetesRelease.Status> {

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Spec {
    @Required
    @Size(max = 128)
    @ValidationRule(
        value = "self.matches('^v[0-9]+\\\\.[0-9]+\\\\.[0-9]+([+-][0-9A-Za-z.+-]+)?$')",
        message = "spec.version must be a version such as v1.30.1+vmware.1-tkg.5")
    @ValidationRule(value = "self == oldSelf", message = "spec.version is immutable")
    @JsonPropertyDescription("The full version, e.g. v1.30.1+vmware.1-tkg.5.")
    public String version;

    @Required
    @JsonPropertyDescription("The Kubernetes release and its component images.")
    public Kubernetes kubernetes;

    @Required
    @Size(min = 1, max = 8)
    @JsonPropertyDescription("The OS images (content-library items) that carry this release.")
    public List<OSImage> osImages;

    @Size(max = 32)
    @JsonPropertyDescription(
        "The addons (CNI, cloud provider, CSI) this release carries: each name is a ConfigMap"
            + " in the operator's namespace labelled slipway.dev/addon (docs/install.md). Unset:"
            + " the ConfigMaps labelled slipway.dev/addon-default=true.")
    public List<BootstrapPackage> bootstrapPackages;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class BootstrapPackage {
    @Required
    @Size(max = 253)
    @JsonPropertyDescription("Name of the addon's ConfigMap in the operator's namespace.")
    public String name;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Kubernetes {
    @Required
    @Size(max = 64)
    @ValidationRule(
        value = "self.matches('^v[0-9]+\\\\.[0-9]+\\\\.[0-9]+([+-][0-9A-Za-z.+-]+)?$')",
        message = "spec.kubernetes.version must be a Kubernetes version such as v1.30.1")
    @JsonPropertyDescription("Kubernetes version, e.g. v1.30.1+vmware.1.")
    public String version;

    @JsonPropertyDescription("Registry the Kubernetes images come from.")
    public String imageRepository;

    @JsonPropertyDescription("etcd image.")
    public ContainerImage etcd;

    @JsonPropertyDescription("pause image.")
    public ContainerImage pause;

    @JsonPropertyDescription("CoreDNS image.")
    public ContainerImage coredns;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class ContainerImage {
    @JsonPropertyDescription("Repository; defaults to kubernetes.imageRepository.")
    public String imageRepository;

    @JsonPropertyDescription("Tag of the image.")
    public String imageTag;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class OSImage {
    @Required
    @JsonPropertyDescription("Name of the content library holding the image.")
    public String contentLibrary;

    @Required
    @JsonPropertyDescription("Name of the library item (an OVF template).")
    public String item;

    @JsonPropertyDescription("OS name, e.g. ubuntu or photon.")
    public String osName;

    @JsonPropertyDescription("OS version, e.g. 22.04.")
    public String osVersion;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Status implements dev.slipway.operator.api.common.ObservedStatus {
    @JsonPropertyDescription(
        "Ready (its image exists in vCenter) and Compatible (Slipway can deploy it).")
    public List<Condition> conditions = new ArrayList<>();

    @JsonPropertyDescription("The metadata.generation this status describes.")
    public Long observedGeneration;

    @Override
    public void observed(List<Condition> conditions, Long generation) {
      this.conditions = conditions;
      this.observedGeneration = generation;
    }
  }
}
