package dev.slipway.vsphere;

import java.util.Objects;

/**
 * A network: a standard port group ({@code Network}), a distributed port group ({@code
 * DistributedVirtualPortgroup}) or an NSX {@code OpaqueNetwork}.
 */
public record NetworkRef(String type, String moref) implements ManagedRef {

  public NetworkRef {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(moref, "moref");
  }
}
