package dev.slipway.operator.controller;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.controller.steps.Next;
import dev.slipway.operator.status.Conditions;
import dev.slipway.operator.status.EventReason;
import dev.slipway.operator.status.Events;
import dev.slipway.operator.status.Reasons;
import dev.slipway.operator.status.Types;
import dev.slipway.vsphere.FaultKind;
import dev.slipway.vsphere.PowerState;
import dev.slipway.vsphere.TaskRef;
import dev.slipway.vsphere.Tasks;
import dev.slipway.vsphere.VSphereException;
import dev.slipway.vsphere.VirtualMachines;
import dev.slipway.vsphere.VmRef;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A deleted Machine's way out: wait for a task still running (a clone would leave a VM behind),
 * revoke the bootstrap token of a machine whose Node never joined, power the VM off, destroy it,
 * and only then let the finalizer go. "Already gone" is fine; only the VM with the machine's
 * instance UUID is ever touched.
 */
final class MachineCleanup {
  private static final Logger LOG = LoggerFactory.getLogger(MachineCleanup.class);
  private static final String VCENTER_FAULT = "vCenter fault: ";

  private final VirtualMachines vms;
  private final Tasks tasks;
  private final NodeObserver nodes;
  private final Events events;

  MachineCleanup(VirtualMachines vms, Tasks tasks, NodeObserver nodes, Events events) {
    this.vms = vms;
    this.tasks = tasks;
    this.nodes = nodes;
    this.events = events;
  }

  /** Drain and etcd first, the VM next, the Node last ({@link MachineDeparture}). */
  Next run(Machine m, MachineDeparture departure, Conditions cond, Instant now) {
    StatusFinisher.statusOf(m, Machine.Status::new);
    Next before = departure.beforeVmGoes(m, cond, now);
    if (!before.proceeds()) {
      return before;
    }
    Next vm = run(m);
    String why = vm.reason().orElse("");
    if (!vm.proceeds() && why.startsWith(VCENTER_FAULT)) {
      // vCenter refuses: say so on the Machine, never wait in silence (troubleshooting.md, "A
      // deletion that does not finish").
      cond.setTrue(
          Types.DELETION_BLOCKED,
          Reasons.VSPHERE_ERROR,
          "the VM is not deleted, retried every "
              + Requeue.DEPENDENCY.toSeconds()
              + "s: "
              + why.substring(VCENTER_FAULT.length()));
    } else {
      cond.remove(Types.DELETION_BLOCKED);
    }
    return vm.proceeds() ? departure.afterVmGone(m) : vm;
  }

  /** Proceeds when the VM is gone; otherwise says what it started and when to look again. */
  Next run(Machine m) {
    Machine.Status status = StatusFinisher.statusOf(m, Machine.Status::new);
    try {
      if (status.taskRef != null && running(status.taskRef)) {
        return Next.waitFor("a task of the machine is still running", Requeue.TASK_POLL);
      }
      Optional<VmRef> vm = vms.findVmByInstanceUuid(m.getMetadata().getUid());
      if (vm.isEmpty()) {
        nodes.revokeToken(m);
        if (status.vmRef != null) {
          events.record(m, EventReason.VMDeleted, "VM " + m.getMetadata().getName() + " deleted");
        }
        nodes.forget(m);
        events.forget(m);
        return Next.proceed();
      }
      boolean on = vms.vmState(vm.get()).powerState() == PowerState.ON;
      if (on) {
        nodes.revokeToken(m); // before the guest can use it to join late
      }
      TaskRef task = on ? vms.powerOff(vm.get()) : vms.destroy(vm.get());
      status.taskRef = task.id();
      return Next.waitFor(on ? "powering off" : "destroying", Requeue.TASK_POLL);
    } catch (VSphereException e) {
      if (e.kind() == FaultKind.NOT_FOUND) {
        return Next.waitFor("VM went away meanwhile", Requeue.TASK_POLL);
      }
      LOG.warn("deleting the VM of {} failed: {}", m.getMetadata().getName(), e.getMessage());
      return Next.waitFor(VCENTER_FAULT + e.getMessage(), Requeue.DEPENDENCY);
    }
  }

  private boolean running(String id) {
    try {
      return !tasks.taskState(new TaskRef(id)).isDone();
    } catch (VSphereException e) {
      return false;
    }
  }
}
