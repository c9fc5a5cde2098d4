package dev.slipway.vsphere;

import java.util.Objects;

/** A folder, e.g. {@code group-v3} (the VM folder of a datacenter). */
public record FolderRef(String moref) implements ManagedRef {

  public static final String TYPE = "Folder";

  public FolderRef {
    Objects.requireNonNull(moref, "moref");
  }

  @Override
  public String type() {
    return TYPE;
  }
}
