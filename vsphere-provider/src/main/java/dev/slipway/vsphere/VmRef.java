package dev.slipway.vsphere;

import java.util.Objects;

/** A virtual machine (or VM template), e.g. {@code vm-42}. */
public record VmRef(String moref) implements ManagedRef {

  public static final String TYPE = "VirtualMachine";

  public VmRef {
    Objects.requireNonNull(moref, "moref");
  }

  @Override
  public String type() {
    return TYPE;
  }
}
