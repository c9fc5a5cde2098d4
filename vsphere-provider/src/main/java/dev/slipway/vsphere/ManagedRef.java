package dev.slipway.vsphere;

/**
 * A vSphere managed object reference: its type ({@code VirtualMachine}, {@code Folder}, ...) and
 * its value ({@code vm-42}). Morefs are stable for the life of an object in one vCenter but are not
 * portable across vCenters; identify VMs by instance UUID where it matters.
 */
public sealed interface ManagedRef
    permits VmRef, FolderRef, PoolRef, DatacenterRef, ClusterRef, DatastoreRef, NetworkRef {

  /** The managed object type, e.g. {@code VirtualMachine}. */
  String type();

  /** The moref value, e.g. {@code vm-42}. */
  String moref();
}
