package dev.slipway.vsphere;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** VM lifecycle. Every method that starts a vim25 task returns at once with a {@link TaskRef}. */
public interface VirtualMachines {

  /** SearchIndex.FindByUuid with instanceUuid=true: the VM whose instance UUID Slipway set. */
  Optional<VmRef> findVmByInstanceUuid(String instanceUuid);

  /** SearchIndex.FindByUuid on {@code config.uuid} (the providerID's UUID). */
  Optional<VmRef> findVmByBiosUuid(String biosUuid);

  /** SearchIndex.FindByInventoryPath, e.g. {@code /DC0/vm/ns-a/machine-1}. */
  Optional<VmRef> findVmByPath(String path);

  /**
   * The VM named {@code name} among the folder's direct children, from one read of their names (no
   * SearchIndex call: vcsim 0.56.0 panics in FindChild on a VM another clone has half made, and
   * keeps its search index locked after). Empty if there is none or the folder is gone.
   */
  Optional<VmRef> findVmInFolder(FolderRef folder, String name);

  /** Reads the VM's state; NOT_FOUND if it is gone. */
  VmState vmState(VmRef vm);

  /** The VMs (and templates) directly in {@code folder}. */
  List<VmSummary> listVms(FolderRef folder);

  /** CloneVM_Task; the task's result is the new VM's moref. */
  TaskRef cloneVm(CloneSpec spec);

  /** ReconfigVM_Task. */
  TaskRef reconfigure(VmRef vm, VmConfigSpec spec);

  /** PowerOnVM_Task. */
  TaskRef powerOn(VmRef vm);

  /** PowerOffVM_Task (hard power-off). */
  TaskRef powerOff(VmRef vm);

  /** Destroy_Task; fails with INVALID_POWER_STATE while the VM is on. */
  TaskRef destroy(VmRef vm);

  /** MarkAsTemplate (synchronous in vim25). */
  void markAsTemplate(VmRef vm);

  /**
   * Sets custom attributes (e.g. {@code slipway.dev/cluster}, {@code slipway.dev/namespace}, {@code
   * slipway.dev/machine}) on any entity, defining missing fields first.
   */
  void setCustomAttributes(ManagedRef entity, Map<String, String> values);
}
