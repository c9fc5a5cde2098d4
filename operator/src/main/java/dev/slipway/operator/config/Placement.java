package dev.slipway.operator.config;

import java.util.Objects;

/**
 * Where Slipway puts things in vCenter when a VSphereNamespace does not say: the parent resource
 * pool and VM folder of every namespace, the folder of the templates deployed from content-library
 * items, and how many MHz one vCPU of a namespace's CPU limit stands for.
 */
public record Placement(
    String datacenter,
    String parentResourcePool,
    String parentFolder,
    String templatesFolder,
    long mhzPerVcpu) {

  public Placement {
    Objects.requireNonNull(datacenter, "datacenter");
    Objects.requireNonNull(parentResourcePool, "parentResourcePool");
    Objects.requireNonNull(parentFolder, "parentFolder");
    Objects.requireNonNull(templatesFolder, "templatesFolder");
    if (mhzPerVcpu <= 0) {
      throw new IllegalArgumentException("mhzPerVcpu must be positive: " + mhzPerVcpu);
    }
  }

  /** vcsim's default inventory: DC0, cluster DC0_C0, its root pool and VM folder. */
  public static Placement vcsimDefaults() {
    return new Placement(
        "/DC0", "/DC0/host/DC0_C0/Resources", "/DC0/vm", "slipway-templates", 2000);
  }

  /** Inventory path of the folder where a namespace's VMs live. */
  public String namespaceFolderPath(String parentFolderOverride, String namespace) {
    return (parentFolderOverride == null ? parentFolder : parentFolderOverride) + "/" + namespace;
  }

  public String templatesFolderPath() {
    return parentFolder + "/" + templatesFolder;
  }
}
