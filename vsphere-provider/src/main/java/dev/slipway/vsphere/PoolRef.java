package dev.slipway.vsphere;

import java.util.Objects;

/** A resource pool, e.g. {@code resgroup-10}. */
public record PoolRef(String moref) implements ManagedRef {

  public static final String TYPE = "ResourcePool";

  public PoolRef {
    Objects.requireNonNull(moref, "moref");
  }

  @Override
  public String type() {
    return TYPE;
  }
}
