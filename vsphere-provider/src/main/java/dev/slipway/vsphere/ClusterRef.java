package dev.slipway.vsphere;

import java.util.Objects;

/** A compute cluster, e.g. {@code domain-c7}. */
public record ClusterRef(String moref) implements ManagedRef {

  public static final String TYPE = "ClusterComputeResource";

  public ClusterRef {
    Objects.requireNonNull(moref, "moref");
  }

  @Override
  public String type() {
    return TYPE;
  }
}
