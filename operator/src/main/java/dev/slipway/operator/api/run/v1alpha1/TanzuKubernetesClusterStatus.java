package dev.slipway.operator.api.run.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.slipway.operator.api.common.ApiEndpoint;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/**
 * TKGS v1alpha1's status as far as Slipway fills it ({@code phase}, {@code
 * clusterApiStatus.apiEndpoints}, {@code version}), plus v1alpha3's {@code conditions} and {@code
 * observedGeneration} so that {@code kubectl wait --for=condition=Ready} works on either version.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TanzuKubernetesClusterStatus {
  @JsonPropertyDescription(
      "Summary of the lifecycle: creating, running, updating, deleting, failed or updateFailed.")
  public String phase;

  @JsonPropertyDescription("Where the cluster's Kubernetes API is reached, once known.")
  public ClusterApiStatus clusterApiStatus;

  @JsonPropertyDescription("The Kubernetes version every machine runs.")
  public String version;

  @JsonPropertyDescription("The conditions of v1alpha3 (Slipway extension to v1alpha1).")
  public List<Condition> conditions;

  @JsonPropertyDescription("The metadata.generation this status describes.")
  public Long observedGeneration;

  /** {@code clusterApiStatus}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class ClusterApiStatus {
    @JsonPropertyDescription("Where the cluster's Kubernetes API is reached.")
    public List<ApiEndpoint> apiEndpoints;
  }
}
