package dev.slipway.operator.controller;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.vmoperator.v1alpha1.VSphereNamespace;
import dev.slipway.operator.status.Conditions;
import dev.slipway.vsphere.VmRef;
import dev.slipway.vsphere.VmState;
import io.fabric8.kubernetes.api.model.Secret;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One reconcile of one Machine: what the steps found so far and the status they build. Steps read
 * and fill it in order (the namespace before the VM look-up, the VM before its state).
 */
final class MachinePass {
  final Machine machine;
  final Machine.Status status;
  final Conditions cond;
  final Lookups lookups;
  final Instant now;

  /**
   * Nothing was ever written into the machine's status when the pass began: it has none, or only
   * the CRD's default ({@code observedGeneration: 0}); every status write sets observedGeneration
   * to the machine's generation, which is at least 1.
   */
  final boolean firstLook;

  /**
   * The pass has nothing to report that is not already on its way (see {@link
   * MachineSteps#bootstrapData}): its status is not written.
   */
  boolean statusHeld;

  /** Writes the machine's spec (providerID); the reconciler patches it. */
  final Consumer<Machine> specWriter;

  /** The management cluster (to read the cluster's etcd CA when its member is checked). */
  io.fabric8.kubernetes.client.KubernetesClient management;

  /**
   * Whether a name is one of the cluster's control-plane machines' (asked of the controller's cache
   * by name, not by listing the namespace).
   */
  java.util.function.Predicate<String> isControlPlaneMachine = name -> false;

  /** When the node step wants to look again; the pass ends with it. */
  dev.slipway.operator.controller.steps.Next observeAgain;

  VSphereNamespace namespace;

  /** What the task that just succeeded made (a clone's new VM), read before any search. */
  String taskResult;

  /**
   * The VM look-up asks vCenter, not the VM watch: a task of this machine just failed in a way the
   * look-up decides (a clone refused as a duplicate), or a call found the VM gone.
   */
  boolean askVcenter;

  Optional<VmRef> vm = Optional.empty();
  VmState vmState;
  Secret bootstrap;
  Templates.State template;

  MachinePass(Machine machine, Lookups lookups, Instant now, Consumer<Machine> specWriter) {
    this.machine = machine;
    this.firstLook =
        machine.getStatus() == null
            || machine.getStatus().observedGeneration == null
            || machine.getStatus().observedGeneration == 0;
    this.status = StatusFinisher.statusOf(machine, Machine.Status::new);
    this.cond = Conditions.of(status.conditions, machine.getMetadata().getGeneration());
    this.lookups = lookups;
    this.now = now;
    this.specWriter = specWriter;
  }

  String name() {
    return machine.getMetadata().getName();
  }

  String namespaceName() {
    return machine.getMetadata().getNamespace();
  }

  Machine.Spec spec() {
    return machine.getSpec();
  }
}
