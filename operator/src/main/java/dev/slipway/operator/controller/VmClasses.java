package dev.slipway.operator.controller;

import dev.slipway.operator.api.vmoperator.v1alpha1.VirtualMachineClass;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Optional;

/** VirtualMachineClass look-ups from the informer cache, and their sizes. */
final class VmClasses {
  private final Lookups lookups;

  VmClasses(Lookups lookups) {
    this.lookups = lookups;
  }

  Optional<VirtualMachineClass> get(String name) {
    return lookups.vmClass(name);
  }

  static int cpus(VirtualMachineClass c) {
    return c.getSpec().hardware.cpus;
  }

  static long memoryMiB(VirtualMachineClass c) {
    return Quantity.getAmountInBytes(c.getSpec().hardware.memory).longValue() / (1024 * 1024);
  }
}
