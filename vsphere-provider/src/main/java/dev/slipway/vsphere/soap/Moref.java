package dev.slipway.vsphere.soap;

import dev.slipway.vsphere.ClusterRef;
import dev.slipway.vsphere.DatacenterRef;
import dev.slipway.vsphere.DatastoreRef;
import dev.slipway.vsphere.FolderRef;
import dev.slipway.vsphere.ManagedRef;
import dev.slipway.vsphere.NetworkRef;
import dev.slipway.vsphere.PoolRef;
import dev.slipway.vsphere.VmRef;
import java.util.Optional;

/** A ManagedObjectReference as read from the wire, of any type. */
public record Moref(String type, String value) {

  /**
   * Reads {@code <x type="Folder">group-v3</x>} (or an xsi:type'd {@code ManagedObjectReference}).
   */
  public static Optional<Moref> of(XmlNode node) {
    String v = node.text().trim();
    if (v.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Moref(node.attribute("type").orElse(""), v));
  }

  public static Moref of(ManagedRef ref) {
    return new Moref(ref.type(), ref.moref());
  }

  /** The typed public reference, or empty when the type is not one Slipway models. */
  public Optional<ManagedRef> toRef() {
    return Optional.ofNullable(
        switch (type) {
          case VmRef.TYPE -> new VmRef(value);
          case FolderRef.TYPE -> new FolderRef(value);
          case PoolRef.TYPE, "VirtualApp" -> new PoolRef(value);
          case DatacenterRef.TYPE -> new DatacenterRef(value);
          case ClusterRef.TYPE -> new ClusterRef(value);
          case DatastoreRef.TYPE -> new DatastoreRef(value);
          case "Network", "DistributedVirtualPortgroup", "OpaqueNetwork" ->
              new NetworkRef(type, value);
          default -> null;
        });
  }
}
