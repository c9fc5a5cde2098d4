package dev.slipway.vsphere;

import java.util.Optional;

/**
 * Inventory lookups by path ({@code /DC0/host/DC0_C0/Resources}, {@code /DC0/vm/ns-a}) and the
 * folders and resource pools Slipway owns. Objects Slipway creates carry the custom attribute
 * {@value #MANAGED_ATTRIBUTE}; the delete methods refuse anything without it.
 */
public interface Inventory {

  /** The custom attribute (CustomFieldsManager field) that marks objects Slipway created. */
  String MANAGED_ATTRIBUTE = "slipway.dev/managed";

  Optional<DatacenterRef> findDatacenter(String path);

  Optional<ClusterRef> findCluster(String path);

  Optional<PoolRef> findResourcePool(String path);

  Optional<DatastoreRef> findDatastore(String path);

  Optional<NetworkRef> findNetwork(String path);

  /** Any folder (VM, host, datastore or network folder). */
  Optional<FolderRef> findFolder(String path);

  /**
   * Returns the folder {@code name} under the folder at {@code parentFolderPath}, creating it (and
   * marking it as Slipway's) if missing. Idempotent; a concurrent creator wins and its folder is
   * returned. NOT_FOUND if the parent does not exist.
   */
  FolderRef ensureFolder(String parentFolderPath, String name);

  /**
   * Returns the child pool {@code name} of the pool at {@code parentPoolPath} (e.g. {@code
   * /DC0/host/DC0_C0/Resources}), creating it with {@code limits} (and marking it) if missing. An
   * existing pool keeps its limits; use {@link #updatePoolLimits}.
   */
  PoolRef ensureResourcePool(String parentPoolPath, String name, PoolLimits limits);

  PoolLimits poolLimits(PoolRef pool);

  void updatePoolLimits(PoolRef pool, PoolLimits limits);

  /** Whether the object carries the {@value #MANAGED_ATTRIBUTE} marker. */
  boolean isManaged(ManagedRef ref);

  /**
   * Starts deleting a folder Slipway created. Throws NOT_MANAGED if it is not marked, IN_USE if it
   * is not empty.
   */
  TaskRef deleteFolder(FolderRef folder);

  /**
   * Starts deleting a resource pool Slipway created. Throws NOT_MANAGED if it is not marked, IN_USE
   * if it still has VMs or child pools.
   */
  TaskRef deleteResourcePool(PoolRef pool);
}
