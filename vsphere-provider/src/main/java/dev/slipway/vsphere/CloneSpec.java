package dev.slipway.vsphere;

import java.util.Objects;
import java.util.Optional;

/**
 * Clone {@code source} (a template or VM) to a new VM {@code name} in {@code folder} and {@code
 * pool}; {@code config} is applied as part of the clone (instance UUID, CPUs, memory, extraConfig,
 * annotation).
 */
public record CloneSpec(
    VmRef source,
    String name,
    FolderRef folder,
    PoolRef pool,
    Optional<DatastoreRef> datastore,
    VmConfigSpec config,
    boolean powerOn) {

  public CloneSpec {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(folder, "folder");
    Objects.requireNonNull(pool, "pool");
    datastore = datastore == null ? Optional.empty() : datastore;
    config = config == null ? VmConfigSpec.builder().build() : config;
  }
}
