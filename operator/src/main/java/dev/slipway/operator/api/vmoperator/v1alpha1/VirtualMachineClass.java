package dev.slipway.operator.api.vmoperator.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A VM size: CPUs, memory and reservations. Cluster-scoped; granted to VSphereNamespaces. */
@Group(VirtualMachineClass.GROUP)
@Version("v1alpha1")
@ShortNames("vmclass")
@AdditionalPrinterColumn(
    name = "CPU",
    jsonPath = ".spec.hardware.cpus",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Memory",
    jsonPath = ".spec.hardware.memory",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class VirtualMachineClass extends CustomResource<VirtualMachineClass.Spec, Void> {
  public static final String GROUP = "vmoperator.slipway.dev";

  static final String POSITIVE_QUANTITY =
      "isQuantity(string(self)) && quantity(string(self)).isGreaterThan(quantity('0'))";

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Spec {
    @Required
    @JsonPropertyDescription("The virtual hardware of VMs of this class.")
    public Hardware hardware;

    @JsonPropertyDescription("Reservations (requests) and limits of VMs of this class.")
    public Policies policies;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Hardware {
    @Required
    @ValidationRule(
        value = "self >= 1 && self <= 768",
        message = "spec.hardware.cpus must be between 1 and 768")
    @JsonPropertyDescription("Number of virtual CPUs.")
    public Integer cpus;

    @Required
    @ValidationRule(
        value = POSITIVE_QUANTITY,
        message = "spec.hardware.memory must be a positive quantity such as 4Gi")
    @ValidationRule(
        value =
            "quantity(string(self)).isGreaterThan(quantity('4Mi'))"
                + " || quantity(string(self)).compareTo(quantity('4Mi')) == 0",
        message = "spec.hardware.memory must be at least 4Mi")
    @JsonPropertyDescription("Memory, e.g. 4Gi (vCenter rounds to whole MiB).")
    public Quantity memory;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Policies {
    @JsonPropertyDescription("Reservations and limits.")
    public Resources resources;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Resources {
    @JsonPropertyDescription("Reservations: CPU (e.g. 1000m) and memory guaranteed to the VM.")
    public CpuMemory requests;

    @JsonPropertyDescription("Limits: CPU and memory the VM may not exceed.")
    public CpuMemory limits;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class CpuMemory {
    @ValidationRule(
        value = POSITIVE_QUANTITY,
        message = "policies.resources cpu must be a positive quantity such as 500m or 2")
    @JsonPropertyDescription("CPU, e.g. 500m or 2.")
    public Quantity cpu;

    @ValidationRule(
        value = POSITIVE_QUANTITY,
        message = "policies.resources memory must be a positive quantity such as 2Gi")
    @JsonPropertyDescription("Memory, e.g. 2Gi.")
    public Quantity memory;
  }
}
