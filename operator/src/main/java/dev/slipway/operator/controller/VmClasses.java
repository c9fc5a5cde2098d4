package dev.slipway.operator.controller;

import dev.slipway.operator.api.vmoperator.v1alpha1.VirtualMachineClass;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** VirtualMachineClass look-ups for one reconcile, each class read once. */
final class VmClasses {
  private final KubernetesClient client;
  private final Map<String, Optional<VirtualMachineClass>> seen = new HashMap<>();

  VmClasses(KubernetesClient client) {
    this.client = client;
  }

  Optional<VirtualMachineClass> get(String name) {
    return seen.computeIfAbsent(
        name,
        n -> Optional.ofNullable(client.resources(VirtualMachineClass.class).withName(n).get()));
  }

  static int cpus(VirtualMachineClass c) {
    return c.getSpec().hardware.cpus;
  }

  static long memoryMiB(VirtualMachineClass c) {
    return Quantity.getAmountInBytes(c.getSpec().hardware.memory).longValue() / (1024 * 1024);
  }
}
