package dev.slipway.vsphere;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Deploy the OVF library item {@code itemId} as VM {@code name} into {@code pool} and {@code
 * folder}. {@code networkMappings} maps the OVF's network names to networks.
 */
public record DeploySpec(
    String itemId,
    String name,
    PoolRef pool,
    FolderRef folder,
    Optional<DatastoreRef> datastore,
    Map<String, NetworkRef> networkMappings) {

  public DeploySpec {
    Objects.requireNonNull(itemId, "itemId");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(pool, "pool");
    Objects.requireNonNull(folder, "folder");
    datastore = datastore == null ? Optional.empty() : datastore;
    networkMappings = networkMappings == null ? Map.of() : Map.copyOf(networkMappings);
  }
}
