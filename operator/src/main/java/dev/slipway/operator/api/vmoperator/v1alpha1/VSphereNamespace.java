package dev.slipway.operator.api.vmoperator.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.slipway.operator.api.common.Names;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;
import java.util.ArrayList;
import java.util.List;

/**
 * A vSphere Namespace: a tenancy boundary made of a Kubernetes Namespace of the same name, a
 * vSphere resource pool and a VM folder, with limits, the VM classes, storage classes and content
 * libraries its clusters may use, and who may do what in it. Cluster-scoped.
 */
@Group(VirtualMachineClass.GROUP)
@Version("v1alpha1")
@ShortNames("vns")
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Machines",
    jsonPath = ".status.usage.machines",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Resource Pool",
    jsonPath = ".status.resourcePool",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
@ValidationRule(
    value =
        "self.metadata.name.matches('"
            + Names.DNS1123_LABEL
            + "')"
            + " && size(self.metadata.name) <= 63",
    message =
        "metadata.name must be a DNS-1123 label (it names the Kubernetes Namespace): lower-case"
            + " letters, digits and '-', at most 63 characters")
public class VSphereNamespace
    extends CustomResource<VSphereNamespace.Spec, VSphereNamespace.Status> {

  static final String POSITIVE_QUANTITY =
      "isQuantity(string(self)) && quantity(string(self)).isGreaterThan(quantity('0'))";

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Spec {
    @JsonPropertyDescription("Resource limits of everything the namespace's clusters run.")
    public Limits limits;

    @JsonPropertyDescription("How many objects of each kind the namespace may hold.")
    public ObjectLimits objectLimits;

    @Size(max = 64)
    @JsonPropertyDescription("Names of the VirtualMachineClasses the namespace's clusters may use.")
    public List<String> vmClasses;

    @Size(max = 64)
    @ValidationRule(
        value = "self.all(c, self.exists_one(d, d.name == c.name))",
        message = "spec.storageClasses[].name must be unique")
    @JsonPropertyDescription(
        "The storage classes the namespace's clusters may use, each mapped to a datastore.")
    public List<StorageClass> storageClasses;

    @Size(max = 16)
    @JsonPropertyDescription("Names of the content libraries whose images clusters may use.")
    public List<String> contentLibraries;

    @Size(max = 64)
    @JsonPropertyDescription("Who may do what in the namespace.")
    public List<Permission> permissions;

    @JsonPropertyDescription(
        "Where the namespace's resource pool and folder go in vCenter; unset uses Slipway's"
            + " configured defaults.")
    public Placement placement;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Limits {
    @ValidationRule(
        value = POSITIVE_QUANTITY,
        message = "spec.limits.cpu must be a positive quantity of vCPUs such as 16 or 1500m")
    @JsonPropertyDescription(
        "Total vCPUs of the namespace's machines (also the resource pool's CPU limit, at the"
            + " configured MHz per vCPU). Unset: unlimited.")
    public Quantity cpu;

    @ValidationRule(
        value = POSITIVE_QUANTITY,
        message = "spec.limits.memory must be a positive quantity such as 64Gi")
    @JsonPropertyDescription(
        "Total memory of the namespace's machines (also the resource pool's memory limit)."
            + " Unset: unlimited.")
    public Quantity memory;

    @ValidationRule(
        value = POSITIVE_QUANTITY,
        message = "spec.limits.storage must be a positive quantity such as 1Ti")
    @JsonPropertyDescription("Total size of the machines' extra volumes. Unset: unlimited.")
    public Quantity storage;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class ObjectLimits {
    @ValidationRule(
        value = "self >= 0",
        message = "spec.objectLimits.tanzuKubernetesClusters must be 0 or more")
    @JsonPropertyDescription("Maximum number of TanzuKubernetesClusters.")
    public Integer tanzuKubernetesClusters;

    @ValidationRule(value = "self >= 0", message = "spec.objectLimits.machines must be 0 or more")
    @JsonPropertyDescription("Maximum number of Machines (VMs).")
    public Integer machines;

    @ValidationRule(value = "self >= 0", message = "spec.objectLimits.secrets must be 0 or more")
    @JsonPropertyDescription("Maximum number of Secrets (enforced by a ResourceQuota).")
    public Integer secrets;

    @ValidationRule(value = "self >= 0", message = "spec.objectLimits.configMaps must be 0 or more")
    @JsonPropertyDescription("Maximum number of ConfigMaps (enforced by a ResourceQuota).")
    public Integer configMaps;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class StorageClass {
    @Required
    @Size(max = 253)
    @ValidationRule(
        value = "self.matches('" + Names.DNS1123_SUBDOMAIN + "')",
        message = "spec.storageClasses[].name must be a DNS-1123 name")
    @JsonPropertyDescription("Name users write in storageClass fields.")
    public String name;

    @Required
    @Size(max = 1024)
    @ValidationRule(
        value = "self.startsWith('/')",
        message =
            "spec.storageClasses[].datastore must be a datastore inventory path such as"
                + " /DC0/datastore/LocalDS_0")
    @JsonPropertyDescription("Inventory path of the datastore the class maps to.")
    public String datastore;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Permission {
    @Required
    @JsonPropertyDescription(
        "owner (everything, including permissions), edit (manage clusters and read their"
            + " kubeconfig Secrets) or view (read clusters and machines, no Secrets).")
    public Role role;

    @Required
    @JsonPropertyDescription("User, Group or ServiceAccount.")
    public SubjectKind kind;

    @Required
    @Size(max = 253)
    @ValidationRule(value = "size(self) > 0", message = "spec.permissions[].name must not be empty")
    @JsonPropertyDescription(
        "Name of the subject; for a ServiceAccount, namespace:name or name (in this namespace).")
    public String name;
  }

  public enum Role {
    owner,
    edit,
    view
  }

  public enum SubjectKind {
    User,
    Group,
    ServiceAccount
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Placement {
    @JsonPropertyDescription(
        "Inventory path of the parent resource pool, e.g. /DC0/host/DC0_C0/Resources.")
    public String parentResourcePool;

    @JsonPropertyDescription("Inventory path of the parent VM folder, e.g. /DC0/vm.")
    public String parentFolder;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Status implements dev.slipway.operator.api.common.ObservedStatus {
    @JsonPropertyDescription(
        "Ready (the summary), NamespaceReady, VSphereResourcesReady, and DeletionBlocked while"
            + " clusters remain.")
    public List<Condition> conditions = new ArrayList<>();

    @JsonPropertyDescription("The Kubernetes Namespace of the same name.")
    public String namespace;

    @JsonPropertyDescription("Managed-object ID of the namespace's resource pool.")
    public String resourcePool;

    @JsonPropertyDescription("Managed-object ID of the namespace's VM folder.")
    public String folder;

    @JsonPropertyDescription("What the namespace's clusters use now.")
    public Usage usage;

    @JsonPropertyDescription("The metadata.generation this status describes.")
    public Long observedGeneration;

    @Override
    public void observed(List<Condition> conditions, Long generation) {
      this.conditions = conditions;
      this.observedGeneration = generation;
    }
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Usage {
    @JsonPropertyDescription("TanzuKubernetesClusters in the namespace.")
    public Integer tanzuKubernetesClusters;

    @JsonPropertyDescription("Machines in the namespace.")
    public Integer machines;

    @JsonPropertyDescription("vCPUs of those machines.")
    public Integer cpus;

    @JsonPropertyDescription("Memory of those machines.")
    public Quantity memory;
  }
}
