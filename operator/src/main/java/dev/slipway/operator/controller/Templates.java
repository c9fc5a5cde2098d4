package dev.slipway.operator.controller;

import dev.slipway.operator.config.Placement;
import dev.slipway.vsphere.DeploySpec;
import dev.slipway.vsphere.FaultKind;
import dev.slipway.vsphere.FolderRef;
import dev.slipway.vsphere.LibraryItem;
import dev.slipway.vsphere.PoolRef;
import dev.slipway.vsphere.TaskRef;
import dev.slipway.vsphere.TaskState;
import dev.slipway.vsphere.VSphereException;
import dev.slipway.vsphere.VSphereProvider;
import dev.slipway.vsphere.VmRef;
import dev.slipway.vsphere.VmState;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Template VMs deployed from content-library items, one per item, in Slipway's templates folder.
 * Machines are cloned from them (as Cluster API's vSphere provider does), so each clone carries its
 * instance UUID, size and guestinfo from the first moment. One deploy per item at a time: the first
 * machine that needs a template starts it, the others wait for it.
 */
final class Templates {
  /** A template, or why there is none yet. */
  record State(Optional<VmRef> vm, int disks, String message) {}

  private final VSphereProvider vsphere;
  private final Placement placement;
  private final Map<String, TaskRef> deploying = new ConcurrentHashMap<>();
  private final Map<String, State> ready = new ConcurrentHashMap<>();

  Templates(VSphereProvider vsphere, Placement placement) {
    this.vsphere = vsphere;
    this.placement = placement;
  }

  static String templateName(String library, String item) {
    return library + "--" + item;
  }

  synchronized State ensure(String library, String item) {
    String name = templateName(library, item);
    State known = ready.get(name);
    if (known != null && stillThere(known)) {
      return known;
    }
    String path = placement.templatesFolderPath() + "/" + name;
    Optional<VmRef> vm = vsphere.findVmByPath(path);
    if (vm.isPresent()) {
      VmState s = vsphere.vmState(vm.get());
      if (!s.template()) {
        vsphere.markAsTemplate(vm.get());
      }
      State st = new State(vm, s.diskCapacitiesMiB().size(), "template " + path);
      ready.put(name, st);
      deploying.remove(name);
      return st;
    }
    TaskRef task = deploying.get(name);
    if (task != null) {
      TaskState t;
      try {
        t = vsphere.taskState(task);
      } catch (VSphereException e) {
        deploying.remove(name);
        return waiting("deploy of " + path + " was lost; starting again");
      }
      if (t.status() == TaskState.Status.ERROR) {
        deploying.remove(name);
        throw new VSphereException(t.error().orElseThrow(), null);
      }
      return waiting("deploying " + library + "/" + item + " to " + path);
    }
    LibraryItem libraryItem = vsphere.getItem(library, item);
    FolderRef folder = vsphere.ensureFolder(placement.parentFolder(), placement.templatesFolder());
    PoolRef pool =
        vsphere
            .findResourcePool(placement.parentResourcePool())
            .orElseThrow(
                () ->
                    new VSphereException(
                        FaultKind.NOT_FOUND,
                        "ResourcePool",
                        "resource pool " + placement.parentResourcePool() + " not found"));
    deploying.put(
        name,
        vsphere.deployOvf(
            new DeploySpec(libraryItem.id(), name, pool, folder, Optional.empty(), Map.of())));
    return waiting("deploying " + library + "/" + item + " to " + path);
  }

  private boolean stillThere(State s) {
    try {
      vsphere.vmState(s.vm().orElseThrow());
      return true;
    } catch (VSphereException e) {
      ready.values().remove(s);
      return false;
    }
  }

  private static State waiting(String message) {
    return new State(Optional.empty(), 0, message);
  }
}
