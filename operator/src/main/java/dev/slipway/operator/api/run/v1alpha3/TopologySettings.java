package dev.slipway.operator.api.run.v1alpha3;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.slipway.operator.api.common.Names;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** What the control plane and every node pool share: class, storage, release, volumes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public abstract class TopologySettings {
  @Required
  @Size(max = 253)
  @ValidationRule(
      value = "self.matches('" + Names.DNS1123_SUBDOMAIN + "')",
      message =
          "vmClass must name a VirtualMachineClass: a non-empty DNS-1123 name (lower-case"
              + " letters, digits, '-' and '.')")
  @JsonPropertyDescription(
      "Name of the VirtualMachineClass (CPUs, memory) of these machines; it must be granted to"
          + " the cluster's VSphereNamespace.")
  public String vmClass;

  @Required
  @Size(max = 253)
  @ValidationRule(
      value = "self.matches('" + Names.DNS1123_SUBDOMAIN + "')",
      message =
          "storageClass must be a non-empty DNS-1123 name (lower-case letters, digits, '-' and"
              + " '.')")
  @JsonPropertyDescription(
      "Storage class of the machines' disks; it must be granted to the cluster's"
          + " VSphereNamespace, which maps it to a datastore.")
  public String storageClass;

  @JsonPropertyDescription(
      "The TanzuKubernetesRelease (Kubernetes version and OS image) of these machines.")
  public TkrReference tkr;

  @Size(max = 16)
  @ValidationRule(
      value = "self.all(v, self.exists_one(w, w.name == v.name))",
      message = "volumes[].name must be unique")
  @JsonPropertyDescription(
      "Extra disks for each machine, mounted by cloud-init before the kubelet starts.")
  public List<Volume> volumes;

  @Size(max = 64)
  @ValidationRule(
      value = "self.matches('^([0-9]+(\\\\.[0-9]+)?(ns|us|ms|s|m|h))+$')",
      message = "nodeDrainTimeout must be a duration such as 30s, 5m or 1h30m; 0s waits forever")
  @JsonPropertyDescription(
      "How long to wait for a node to drain before deleting its machine (e.g. 5m). Unset or"
          + " 0s waits forever.")
  public String nodeDrainTimeout;
}
