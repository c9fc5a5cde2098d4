package dev.slipway.operator.api.run.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.slipway.operator.api.run.v1alpha3.Distribution;
import dev.slipway.operator.api.run.v1alpha3.Storage;
import io.fabric8.generator.annotation.Required;

/** TKGS v1alpha1's spec: topology, distribution, settings. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TanzuKubernetesClusterSpec {
  @Required
  @JsonPropertyDescription("The control plane and the workers.")
  public Topology topology;

  @JsonPropertyDescription(
      "The Kubernetes distribution: version (a hint such as v1.37 or v1.37.2) or fullVersion;"
          + " the newest Ready, compatible release matching is used.")
  public Distribution distribution;

  @JsonPropertyDescription("Network and storage settings of the cluster.")
  public Settings settings;

  /** {@code topology}: two groups of machines. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Topology {
    @Required
    @JsonPropertyDescription("The control-plane machines.")
    public ControlPlane controlPlane;

    @JsonPropertyDescription("The worker machines (v1alpha3: the node pool named workers).")
    public Workers workers;
  }

  /** {@code controlPlane}: 1, 3 or 5 machines. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class ControlPlane extends TopologySettings {
    @io.fabric8.generator.annotation.Default("1")
    @io.fabric8.generator.annotation.ValidationRule(
        value = "self == 1 || self == 3 || self == 5",
        message = "spec.topology.controlPlane.count must be 1, 3 or 5")
    @JsonPropertyDescription("Number of control-plane machines: 1, 3 or 5. Default 1.")
    public Integer count;
  }

  /** {@code workers}: any number of machines. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Workers extends TopologySettings {
    @io.fabric8.generator.annotation.ValidationRule(
        value = "self >= 0",
        message = "spec.topology.workers.count must be 0 or more")
    @JsonPropertyDescription("Number of worker machines.")
    public Integer count;
  }

  /** {@code settings}: network and storage as TKGS v1alpha1 has them. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Settings {
    @JsonPropertyDescription("The cluster's network: CNI, pod and service ranges, domain.")
    public Network network;

    @JsonPropertyDescription("Storage classes offered inside the workload cluster.")
    public Storage storage;
  }
}
