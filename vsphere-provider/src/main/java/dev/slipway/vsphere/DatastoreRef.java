package dev.slipway.vsphere;

import java.util.Objects;

/** A datastore, e.g. {@code datastore-12}. */
public record DatastoreRef(String moref) implements ManagedRef {

  public static final String TYPE = "Datastore";

  public DatastoreRef {
    Objects.requireNonNull(moref, "moref");
  }

  @Override
  public String type() {
    return TYPE;
  }
}
