package dev.slipway.operator.api.cluster.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;
import java.util.ArrayList;
import java.util.List;

/**
 * One node of a workload cluster: which VM, built from which image and bootstrap data, in what
 * state. Slipway creates Machines for a TanzuKubernetesCluster (which owns them); users read them.
 */
@Group(Machine.GROUP)
@Version("v1alpha1")
@ShortNames("vsm")
@AdditionalPrinterColumn(
    name = "Cluster",
    jsonPath = ".spec.clusterName",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Role",
    jsonPath = ".spec.role",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Phase",
    jsonPath = ".status.phase",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "VM",
    jsonPath = ".status.vmRef",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "IP",
    jsonPath = ".status.addresses[0].address",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Node",
    jsonPath = ".status.nodeRef.name",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class Machine extends CustomResource<Machine.Spec, Machine.Status> implements Namespaced {
  public static final String GROUP = "cluster.slipway.dev";

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(
      value = "!has(oldSelf.templateHash) || has(self.templateHash)",
      message = "spec.templateHash cannot be removed")
  public static class Spec {
    @Required
    @ValidationRule(value = "self == oldSelf", message = "spec.clusterName is immutable")
    @JsonPropertyDescription("The TanzuKubernetesCluster this machine belongs to.")
    public String clusterName;

    @Required
    @ValidationRule(value = "self == oldSelf", message = "spec.role is immutable")
    @JsonPropertyDescription("controlPlane or worker.")
    public Role role;

    @JsonPropertyDescription("The node pool of a worker machine.")
    public String pool;

    @Required
    @JsonPropertyDescription("Kubernetes version the machine runs, e.g. v1.30.1+vmware.1.")
    public String version;

    @Required
    @JsonPropertyDescription("The VirtualMachineClass of the VM.")
    public String vmClass;

    @Required
    @JsonPropertyDescription("The storage class of the VM's disks.")
    public String storageClass;

    @Required
    @JsonPropertyDescription("The content-library item the VM is deployed from.")
    public Image image;

    @JsonPropertyDescription(
        "Extra disks of the VM (from the cluster's volumes for the machine's role or pool).")
    @io.fabric8.generator.annotation.Size(max = 16)
    public List<dev.slipway.operator.api.run.v1alpha3.Volume> volumes;

    @JsonPropertyDescription("Where the machine's bootstrap (cloud-init) data is.")
    public Bootstrap bootstrap;

    @io.fabric8.generator.annotation.Size(max = 64)
    @ValidationRule(value = "self == oldSelf", message = "spec.templateHash is immutable")
    @JsonPropertyDescription(
        "Hash of what the machine was built from: release (name and Kubernetes version), image"
            + " (library and item), VM class (name, CPUs, memory), storage class and volumes. A"
            + " machine whose hash differs from its control plane's or pool's is outdated and is"
            + " replaced by a rollout. Unset on machines made before Slipway recorded it.")
    public String templateHash;

    @io.fabric8.generator.annotation.Size(max = 253)
    @JsonPropertyDescription("The TanzuKubernetesRelease the machine was built from.")
    public String release;

    @JsonPropertyDescription(
        "CPUs and memory of the VM class when the machine was created (a class edited later"
            + " makes the machine outdated).")
    public Hardware hardware;

    @JsonPropertyDescription("vsphere://<BIOS UUID> of the VM, set once the VM exists.")
    public String providerID;

    @JsonPropertyDescription("The failure domain (vSphere zone) of the machine, if any.")
    public String failureDomain;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Hardware {
    @JsonPropertyDescription("Virtual CPUs.")
    public Integer cpus;

    @JsonPropertyDescription("Memory, e.g. 8Gi.")
    public io.fabric8.kubernetes.api.model.Quantity memory;
  }

  public enum Role {
    controlPlane,
    worker
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Image {
    @Required
    @JsonPropertyDescription("Name of the content library.")
    public String contentLibrary;

    @Required
    @JsonPropertyDescription("Name of the library item.")
    public String item;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Bootstrap {
    @JsonPropertyDescription(
        "Secret in the machine's namespace with the cloud-init document (key value) and its"
            + " format (key format, cloud-config).")
    public String dataSecretName;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Status implements dev.slipway.operator.api.common.ObservedStatus {
    @JsonPropertyDescription(
        "Pending, Provisioning, Provisioned, Running, Deleting or Failed; derived from the"
            + " conditions.")
    public String phase;

    @JsonPropertyDescription(
        "Ready, VMProvisioned, BootstrapReady, NodeHealthy; each with a reason and a message.")
    public List<Condition> conditions = new ArrayList<>();

    @JsonPropertyDescription("Managed-object ID of the VM (e.g. vm-42).")
    public String vmRef;

    @JsonPropertyDescription("BIOS UUID of the VM.")
    public String biosUUID;

    @JsonPropertyDescription("Instance UUID of the VM: the Machine's metadata.uid.")
    public String instanceUUID;

    @JsonPropertyDescription("Addresses the guest reports.")
    public List<Address> addresses;

    @JsonPropertyDescription("The Node of this machine in the workload cluster.")
    public NodeRef nodeRef;

    @JsonPropertyDescription("The vCenter task in flight for this machine, if any.")
    public String taskRef;

    @JsonPropertyDescription("vCenter's message for the last failed task.")
    public String lastTaskError;

    @JsonPropertyDescription("The metadata.generation this status describes.")
    public Long observedGeneration;

    @JsonPropertyDescription(
        "When Slipway started draining the machine's Node (RFC 3339); nodeDrainTimeout counts"
            + " from here.")
    public String drainStartedAt;

    @JsonPropertyDescription(
        "Back-off after failed vCenter operations: attempts so far and when the next may start."
            + " Cleared once the VM is provisioned.")
    public Retry retry;

    @Override
    public void observed(List<Condition> conditions, Long generation) {
      this.conditions = conditions;
      this.observedGeneration = generation;
    }
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Retry {
    @JsonPropertyDescription("Failed attempts since the machine last made progress.")
    public Integer attempts;

    @JsonPropertyDescription("The next attempt starts no earlier than this time (RFC 3339).")
    public String notBefore;

    @JsonPropertyDescription(
        "The last value of the slipway.dev/retry annotation this controller acted on.")
    public String acknowledgedRequest;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Address {
    @JsonPropertyDescription("InternalIP or Hostname.")
    public String type;

    @JsonPropertyDescription("The address.")
    public String address;

    public Address() {}

    public Address(String type, String address) {
      this.type = type;
      this.address = address;
    }
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class NodeRef {
    @JsonPropertyDescription("Name of the Node.")
    public String name;

    @JsonPropertyDescription("UID of the Node.")
    public String uid;
  }
}
