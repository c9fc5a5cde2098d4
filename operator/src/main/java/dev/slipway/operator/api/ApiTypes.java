package dev.slipway.operator.api;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesRelease;
import dev.slipway.operator.api.vmoperator.v1alpha1.VSphereNamespace;
import dev.slipway.operator.api.vmoperator.v1alpha1.VirtualMachineClass;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;

/** Every custom resource class Slipway serves, each version its own class. */
public final class ApiTypes {
  private ApiTypes() {}

  public static final List<Class<? extends HasMetadata>> ALL =
      List.of(
          TanzuKubernetesCluster.class,
          dev.slipway.operator.api.run.v1alpha2.TanzuKubernetesCluster.class,
          dev.slipway.operator.api.run.v1alpha1.TanzuKubernetesCluster.class,
          TanzuKubernetesRelease.class,
          VirtualMachineClass.class,
          VSphereNamespace.class,
          Machine.class);
}
