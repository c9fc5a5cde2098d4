package dev.slipway.operator.api.run.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.slipway.operator.api.run.v1alpha3.Network.CidrBlocks;
import dev.slipway.operator.api.run.v1alpha3.Network.Cni;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** TKGS v1alpha1's network: v1alpha3's without proxy and trust. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self == oldSelf",
    message = "spec.settings.network is immutable after the cluster is created")
public class Network {
  @JsonPropertyDescription("The CNI plugin; antrea or calico.")
  public Cni cni;

  @JsonPropertyDescription("Address ranges for Pods. Default 192.168.0.0/16.")
  public CidrBlocks pods;

  @JsonPropertyDescription("Address ranges for Services. Default 10.96.0.0/12.")
  public CidrBlocks services;

  @Size(max = 253)
  @ValidationRule(
      value =
          "self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$')",
      message = "spec.settings.network.serviceDomain must be a DNS domain such as cluster.local")
  @JsonPropertyDescription("DNS domain of Services. Default cluster.local.")
  public String serviceDomain;
}
