package dev.slipway.operator.api.run.v1alpha3;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * How a node pool rolls out, shaped like Cluster API's MachineDeployment strategy (which TKG
 * Service's successor, the CAPI Cluster topology, uses) so that the field reads the same there.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RolloutStrategy {
  @JsonPropertyDescription("Replace machines one by one (the only strategy).")
  public RollingUpdate rollingUpdate;

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(
      value =
          "(has(self.maxSurge) ? self.maxSurge : 1) + (has(self.maxUnavailable) ?"
              + " self.maxUnavailable : 0) > 0",
      message =
          "spec.topology.nodePools[].strategy.rollingUpdate: maxSurge and maxUnavailable cannot"
              + " both be 0 (a rollout could take no step)")
  public static class RollingUpdate {
    @Min(0)
    @Max(100)
    @JsonPropertyDescription(
        "Machines the pool may have above its replicas during a rollout. Default 1.")
    public Integer maxSurge;

    @Min(0)
    @Max(100)
    @JsonPropertyDescription(
        "Machines below its replicas that may be unavailable during a rollout. Default 0: no"
            + " outdated machine is deleted before its replacement is Ready.")
    public Integer maxUnavailable;
  }
}
