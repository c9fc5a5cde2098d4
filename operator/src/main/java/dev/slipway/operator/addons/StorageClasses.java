package dev.slipway.operator.addons;

import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import java.util.List;

/**
 * The StorageClasses a workload cluster offers ({@code spec.settings.storage}): one per class, as
 * TKG Service's paravirtual CSI names them — provisioner {@value #PROVISIONER}, parameter {@code
 * svStorageClass} naming the namespace's class — and the default one annotated as such.
 */
public final class StorageClasses {
  public static final String PROVISIONER = "csi.vsphere.vmware.com";
  public static final String DEFAULT_ANNOTATION = "storageclass.kubernetes.io/is-default-class";

  private StorageClasses() {}

  /**
   * @param classes the classes to offer (the spec's, or every class the namespace grants)
   * @param defaultClass the default, or null for none
   */
  public static List<StorageClass> desired(List<String> classes, String defaultClass) {
    return classes.stream()
        .distinct()
        .map(
            c ->
                new StorageClassBuilder()
                    .withNewMetadata()
                    .withName(c)
                    .addToAnnotations(DEFAULT_ANNOTATION, String.valueOf(c.equals(defaultClass)))
                    .addToLabels("app.kubernetes.io/managed-by", "slipway")
                    .endMetadata()
                    .withProvisioner(PROVISIONER)
                    .addToParameters("svStorageClass", c)
                    .withReclaimPolicy("Delete")
                    .withVolumeBindingMode("Immediate")
                    .withAllowVolumeExpansion(true)
                    .build())
        .toList();
  }
}
