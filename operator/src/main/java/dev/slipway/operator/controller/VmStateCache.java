package dev.slipway.operator.controller;

import dev.slipway.vsphere.CloneSpec;
import dev.slipway.vsphere.FaultKind;
import dev.slipway.vsphere.FolderRef;
import dev.slipway.vsphere.ManagedRef;
import dev.slipway.vsphere.TaskRef;
import dev.slipway.vsphere.VSphereException;
import dev.slipway.vsphere.VirtualMachines;
import dev.slipway.vsphere.VmConfigSpec;
import dev.slipway.vsphere.VmRef;
import dev.slipway.vsphere.VmState;
import dev.slipway.vsphere.VmSummary;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The machine controller's {@link VirtualMachines}: a VM's state is read from vCenter once and then
 * kept for as long as the VM watch says nothing about it changed ({@link
 * dev.slipway.vsphere.VmWatch#stamp}), but never longer than {@code maxAge} (a safety re-read, for
 * what a vCenter might not report). Kept only while the watch is in step; Slipway's own changes to
 * a VM (reconfigure, power, destroy, attributes) drop what was kept of it at once. Everything else
 * goes straight to vCenter.
 */
final class VmStateCache implements VirtualMachines {

  private record Kept(VmState state, long stamp, Instant readAt) {}

  private final VirtualMachines vcenter;
  private final Function<VmRef, OptionalLong> stamps;
  private final Duration maxAge;
  private final Clock clock;
  private final Map<VmRef, Kept> kept = new ConcurrentHashMap<>();

  VmStateCache(
      VirtualMachines vcenter, Function<VmRef, OptionalLong> stamps, Duration maxAge, Clock clock) {
    this.vcenter = vcenter;
    this.stamps = stamps;
    this.maxAge = maxAge;
    this.clock = clock;
  }

  @Override
  public VmState vmState(VmRef vm) {
    // The stamp before the read: a change during the read makes the next stamp differ.
    OptionalLong stamp = stamps.apply(vm);
    Instant now = clock.instant();
    Kept k = kept.get(vm);
    if (k != null
        && stamp.isPresent()
        && k.stamp() == stamp.getAsLong()
        && now.isBefore(k.readAt().plus(maxAge))) {
      return k.state();
    }
    VmState s;
    try {
      s = vcenter.vmState(vm);
    } catch (VSphereException e) {
      if (e.kind() == FaultKind.NOT_FOUND) {
        kept.remove(vm);
      }
      throw e;
    }
    if (stamp.isPresent()) {
      kept.put(vm, new Kept(s, stamp.getAsLong(), now));
    } else {
      kept.remove(vm);
    }
    return s;
  }

  /** Drops what is kept of {@code vm} (the watch reported it gone, or Slipway changes it). */
  void forget(VmRef vm) {
    kept.remove(vm);
  }

  int size() {
    return kept.size();
  }

  @Override
  public Optional<VmRef> findVmByInstanceUuid(String instanceUuid) {
    return vcenter.findVmByInstanceUuid(instanceUuid);
  }

  @Override
  public Optional<VmRef> findVmByBiosUuid(String biosUuid) {
    return vcenter.findVmByBiosUuid(biosUuid);
  }

  @Override
  public Optional<VmRef> findVmByPath(String path) {
    return vcenter.findVmByPath(path);
  }

  @Override
  public Optional<VmRef> findVmInFolder(FolderRef folder, String name) {
    return vcenter.findVmInFolder(folder, name);
  }

  @Override
  public List<VmSummary> listVms(FolderRef folder) {
    return vcenter.listVms(folder);
  }

  @Override
  public TaskRef cloneVm(CloneSpec spec) {
    return vcenter.cloneVm(spec);
  }

  @Override
  public TaskRef reconfigure(VmRef vm, VmConfigSpec spec) {
    forget(vm);
    return vcenter.reconfigure(vm, spec);
  }

  @Override
  public TaskRef powerOn(VmRef vm) {
    forget(vm);
    return vcenter.powerOn(vm);
  }

  @Override
  public TaskRef powerOff(VmRef vm) {
    forget(vm);
    return vcenter.powerOff(vm);
  }

  @Override
  public TaskRef destroy(VmRef vm) {
    forget(vm);
    return vcenter.destroy(vm);
  }

  @Override
  public void markAsTemplate(VmRef vm) {
    forget(vm);
    vcenter.markAsTemplate(vm);
  }

  @Override
  public void setCustomAttributes(ManagedRef entity, Map<String, String> values) {
    if (entity instanceof VmRef vm) {
      forget(vm);
    }
    vcenter.setCustomAttributes(entity, values);
  }
}
