package dev.slipway.operator.api.run.v1alpha3;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.slipway.operator.api.common.ApiEndpoint;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class TanzuKubernetesClusterStatus
    implements dev.slipway.operator.api.common.ObservedStatus {
  @JsonPropertyDescription(
      "Summary of the lifecycle: creating, running, updating, deleting, failed or updateFailed."
          + " Derived from the conditions; read conditions for the reason.")
  public String phase;

  @JsonPropertyDescription(
      "Ready (the summary), ControlPlaneReady, NodePoolsReady, TanzuKubernetesReleaseCompatible"
          + " and Slipway's own (ResourcesResolved, WithinNamespaceLimits, ...). Each has a"
          + " reason and a message.")
  public List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("Where the cluster's Kubernetes API is reached, once known.")
  public List<ApiEndpoint> apiEndpoints;

  @JsonPropertyDescription(
      "The Kubernetes version every machine runs; during an update, the version being left.")
  public String version;

  @JsonPropertyDescription(
      "The release spec.distribution resolved to, for a cluster that names no"
          + " tkr.reference; sticky until spec.distribution changes.")
  public DistributionStatus distribution;

  @JsonPropertyDescription("Number of worker machines the node pools ask for.")
  public Integer totalWorkerReplicas;

  @JsonPropertyDescription("Machine counts of the control plane.")
  public ReplicaCounts controlPlane;

  @JsonPropertyDescription("Machine counts per node pool.")
  public List<NodePoolStatus> nodePools;

  @JsonPropertyDescription("The metadata.generation this status describes.")
  public Long observedGeneration;

  @Override
  public void observed(List<Condition> conditions, Long generation) {
    this.conditions = conditions;
    this.observedGeneration = generation;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class ReplicaCounts {
    @JsonPropertyDescription("Machines wanted.")
    public Integer desiredReplicas;

    @JsonPropertyDescription("Machines that exist.")
    public Integer replicas;

    @JsonPropertyDescription("Machines whose Node is Ready.")
    public Integer readyReplicas;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class NodePoolStatus extends ReplicaCounts {
    @JsonPropertyDescription("Name of the node pool.")
    public String name;
  }
}
