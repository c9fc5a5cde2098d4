package dev.slipway.vsphere;

import java.util.Objects;

/**
 * A VM that vCenter reported as new, changed or gone ({@code removed}). {@code instanceUuid} is the
 * VM's {@code config.instanceUuid} as last seen, empty when the watch never saw it.
 */
public record VmChange(VmRef vm, String instanceUuid, boolean removed) {
  public VmChange {
    Objects.requireNonNull(vm, "vm");
    instanceUuid = instanceUuid == null ? "" : instanceUuid;
  }
}
