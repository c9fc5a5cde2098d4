package dev.slipway.operator.api.run.v1alpha3;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class Topology {
  @Required
  @JsonPropertyDescription("The control-plane machines, which run etcd and the Kubernetes API.")
  public ControlPlane controlPlane;

  @Size(max = 32)
  @ValidationRule(
      value = "self.all(p, self.exists_one(q, q.name == p.name))",
      message = "spec.topology.nodePools[].name must be unique within the cluster")
  @JsonPropertyDescription(
      "Groups of worker machines with the same class, storage, labels and taints (at most 32).")
  public List<NodePool> nodePools;
}
