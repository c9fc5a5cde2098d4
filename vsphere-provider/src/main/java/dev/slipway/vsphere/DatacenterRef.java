package dev.slipway.vsphere;

import java.util.Objects;

/** A datacenter, e.g. {@code datacenter-2}. */
public record DatacenterRef(String moref) implements ManagedRef {

  public static final String TYPE = "Datacenter";

  public DatacenterRef {
    Objects.requireNonNull(moref, "moref");
  }

  @Override
  public String type() {
    return TYPE;
  }
}
