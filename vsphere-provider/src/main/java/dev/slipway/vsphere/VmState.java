package dev.slipway.vsphere;

import java.util.List;
import java.util.Map;

/**
 * What a VM looks like now. {@code biosUuid} is {@code config.uuid} (the Kubernetes providerID is
 * {@code vsphere://<biosUuid>}); {@code ipAddresses} has {@code guest.ipAddress} first, then the
 * other addresses from {@code guest.net}, without duplicates. {@code customAttributes} maps custom
 * field names to values. {@code diskCapacitiesMiB} lists the virtual disks in device order. {@code
 * folder} and {@code resourcePool} may be null (templates have no pool).
 */
public record VmState(
    VmRef ref,
    String name,
    PowerState powerState,
    boolean template,
    String biosUuid,
    String instanceUuid,
    List<String> ipAddresses,
    Heartbeat heartbeat,
    Map<String, String> extraConfig,
    String annotation,
    int cpus,
    long memoryMiB,
    FolderRef folder,
    PoolRef resourcePool,
    List<Long> diskCapacitiesMiB,
    Map<String, String> customAttributes) {

  public VmState {
    ipAddresses = List.copyOf(ipAddresses);
    extraConfig = Map.copyOf(extraConfig);
    diskCapacitiesMiB = List.copyOf(diskCapacitiesMiB);
    customAttributes = Map.copyOf(customAttributes);
    annotation = annotation == null ? "" : annotation;
  }
}
