package dev.slipway.operator.controller;

import dev.slipway.operator.config.Placement;
import dev.slipway.vsphere.ContentLibrary;
import dev.slipway.vsphere.DeploySpec;
import dev.slipway.vsphere.FaultKind;
import dev.slipway.vsphere.FolderRef;
import dev.slipway.vsphere.Inventory;
import dev.slipway.vsphere.LibraryItem;
import dev.slipway.vsphere.PoolRef;
import dev.slipway.vsphere.TaskRef;
import dev.slipway.vsphere.TaskState;
import dev.slipway.vsphere.Tasks;
import dev.slipway.vsphere.VSphereException;
import dev.slipway.vsphere.VirtualMachines;
import dev.slipway.vsphere.VmRef;
import dev.slipway.vsphere.VmState;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Template VMs deployed from content-library items, one per item, in Slipway's templates folder.
 * Machines are cloned from them (as Cluster API's vSphere provider does), so each clone carries its
 * instance UUID, size and guestinfo from the first moment.
 *
 * <p>At most one deploy per item, without a process-wide lock: a machine claims the item for the
 * few calls it makes (others that come meanwhile are told to wait, not blocked), the deploy's task
 * is remembered per item, and after a restart the template is found by its path before anything is
 * deployed again. Machines of other items never wait for this one.
 */
final class Templates {
  /** A template, or why there is none yet. */
  record State(Optional<VmRef> vm, int disks, String message) {}

  private final VirtualMachines vms;
  private final Tasks tasks;
  private final Inventory inventory;
  private final ContentLibrary library;
  private final Placement placement;
  private final VSphereTags tags;
  private final Map<String, TaskRef> deploying = new ConcurrentHashMap<>();
  private final Map<String, State> ready = new ConcurrentHashMap<>();
  private final Set<String> claimed = ConcurrentHashMap.newKeySet();

  Templates(
      VirtualMachines vms,
      Tasks tasks,
      Inventory inventory,
      ContentLibrary library,
      Placement placement,
      VSphereTags tags) {
    this.vms = vms;
    this.tasks = tasks;
    this.inventory = inventory;
    this.library = library;
    this.placement = placement;
    this.tags = tags;
  }

  static String templateName(String library, String item) {
    return library + "--" + item;
  }

  State ensure(String library, String item) {
    String name = templateName(library, item);
    State known = ready.get(name);
    if (known != null && stillThere(known)) {
      return known;
    }
    if (!claimed.add(name)) {
      return waiting("another machine is preparing template " + name);
    }
    try {
      return ensureClaimed(library, item, name);
    } finally {
      claimed.remove(name);
    }
  }

  private State ensureClaimed(String library, String item, String name) {
    String path = placement.templatesFolderPath() + "/" + name;
    // By name in the folder's listing, not FindByInventoryPath: the deploy this waits for is
    // making its VM in that folder (see MachineSteps#findVm).
    Optional<VmRef> vm =
        inventory
            .findFolder(placement.templatesFolderPath())
            .flatMap(f -> vms.findVmInFolder(f, name));
    if (vm.isPresent()) {
      VmState s = vms.vmState(vm.get());
      if (!s.template()) {
        vms.markAsTemplate(vm.get());
      }
      tags.ensure(vm.get(), VSphereTags.template("template"), null);
      State st = new State(vm, s.diskCapacitiesMiB().size(), "template " + path);
      ready.put(name, st);
      deploying.remove(name);
      return st;
    }
    TaskRef task = deploying.get(name);
    if (task != null) {
      TaskState t;
      try {
        t = tasks.taskState(task);
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
    deploying.put(name, startDeploy(library, item, name));
    return waiting("deploying " + library + "/" + item + " to " + path);
  }

  private TaskRef startDeploy(String library, String item, String name) {
    LibraryItem libraryItem = this.library.getItem(library, item);
    FolderRef folder =
        inventory.ensureFolder(placement.parentFolder(), placement.templatesFolder());
    tags.ensure(folder, VSphereTags.template("templates-folder"), null);
    PoolRef pool =
        inventory
            .findResourcePool(placement.parentResourcePool())
            .orElseThrow(
                () ->
                    new VSphereException(
                        FaultKind.NOT_FOUND,
                        "ResourcePool",
                        "resource pool " + placement.parentResourcePool() + " not found"));
    return this.library.deployOvf(
        new DeploySpec(libraryItem.id(), name, pool, folder, Optional.empty(), Map.of()));
  }

  private boolean stillThere(State s) {
    try {
      vms.vmState(s.vm().orElseThrow());
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
