package dev.slipway.operator.api.run.v1alpha3;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.slipway.operator.api.common.Names;
import dev.slipway.operator.config.Guardrails;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Map;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class NodePool extends TopologySettings {
  @Required
  @Size(max = 63)
  @ValidationRule(
      value = "self.matches('" + Names.DNS1123_LABEL + "')",
      message =
          "spec.topology.nodePools[].name must be a DNS-1123 label: lower-case letters, digits"
              + " and '-', starting and ending with a letter or digit, at most 63 characters")
  @JsonPropertyDescription("Name of the pool, unique in the cluster; part of its machines' names.")
  public String name;

  @ValidationRule(
      value = "self >= 0",
      message = "spec.topology.nodePools[].replicas must be 0 or more")
  @ValidationRule(
      value = "self <= " + Guardrails.STATIC_WORKERS_PER_POOL,
      message =
          "spec.topology.nodePools[].replicas must be at most "
              + Guardrails.STATIC_WORKERS_PER_POOL
              + " (the operator's"
              + " guardrails.maxWorkersPerPool may be lower)")
  @JsonPropertyDescription(
      "Number of worker machines in the pool. Unset means Slipway leaves the count alone (for an"
          + " autoscaler); it keeps the machines the pool has.")
  public Integer replicas;

  // Label keys are checked by the ValidatingAdmissionPolicy in deploy/: CEL in a CRD cannot
  // match map keys (their length is unbounded, so the estimated cost exceeds the budget).
  @Size(max = 64)
  @ValidationRule(
      value = "self.all(k, self[k].matches('" + Names.LABEL_VALUE + "'))",
      message =
          "spec.topology.nodePools[].labels values must be at most 63 letters, digits, '-', '_'"
              + " or '.', starting and ending with a letter or digit")
  @JsonPropertyDescription(
      "Labels put on every Node of the pool: keys [prefix/]name, values of up to 63 letters,"
          + " digits, '-', '_' or '.'.")
  public Map<String, @Size(max = 63) String> labels;

  @Size(max = 32)
  @JsonPropertyDescription("Taints put on every Node of the pool.")
  public List<Taint> taints;

  @JsonPropertyDescription(
      "Slipway extension, not part of TKG Service: how the pool replaces outdated machines in a"
          + " rollout. Default maxSurge 1, maxUnavailable 0.")
  public RolloutStrategy strategy;

  @Size(max = 63)
  @JsonPropertyDescription(
      "The failure domain (vSphere zone) for the pool's machines; unset places them in the"
          + " namespace's default placement.")
  public String failureDomain;
}
