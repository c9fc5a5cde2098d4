package dev.slipway.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.controller.fake.InMemoryVSphere;
import dev.slipway.operator.controller.steps.Next;
import dev.slipway.operator.status.Conditions;
import dev.slipway.operator.status.Reasons;
import dev.slipway.operator.status.Types;
import dev.slipway.vsphere.FaultKind;
import dev.slipway.vsphere.PowerState;
import dev.slipway.vsphere.VmRef;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A deleted Machine's way out, on the in-memory vCenter. */
class MachineCleanupTest {
  static final String FOLDER = "/DC0/vm/" + TestObjects.NS;

  InMemoryVSphere vs;
  RecordingEvents recorded;
  final List<String> forgotten = new ArrayList<>();
  final List<String> revoked = new ArrayList<>();
  MachineCleanup cleanup;
  Machine machine;

  @BeforeEach
  void setUp() {
    vs = InMemoryVSphere.standard();
    vs.addFolder(FOLDER);
    recorded = new RecordingEvents();
    NodeObserver nodes =
        new NodeObserver() {
          @Override
          public long observe(Machine m, Conditions c) {
            throw new AssertionError("a deleted machine's node is not observed");
          }

          @Override
          public void forget(Machine m) {
            forgotten.add(m.getMetadata().getName());
          }

          @Override
          public void revokeToken(Machine m) {
            revoked.add(
                m.getMetadata().getName() + " after " + vs.callCount("powerOff") + " powerOff");
          }
        };
    cleanup = new MachineCleanup(vs, vs, nodes, recorded.events);
    machine = TestObjects.deleting(TestObjects.machine("c1-np1-a", Machine.Role.worker, "np1"));
  }

  VmRef vm(PowerState power) {
    VmRef vm =
        vs.vm(FOLDER, machine.getMetadata().getName())
            .instanceUuid(machine.getMetadata().getUid())
            .powerState(power)
            .create();
    machine.setStatus(new Machine.Status());
    machine.getStatus().vmRef = vm.moref();
    return vm;
  }

  /** Runs the cleanup until it lets the finalizer go (at most 10 times); the waits it said. */
  List<String> runToTheEnd() {
    List<String> waits = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Next next = cleanup.run(machine);
      if (next.proceeds()) {
        return waits;
      }
      waits.add(next.reason().orElseThrow());
    }
    throw new AssertionError("the cleanup never ended: " + waits);
  }

  @Test
  void aRunningVmIsPoweredOffThenDestroyedThenTheFinalizerGoes() {
    VmRef vm = vm(PowerState.ON);

    assertThat(runToTheEnd()).containsExactly("powering off", "destroying");

    assertThat(vs.inspect(vm)).isEmpty();
    assertThat(vs.callCount("powerOff")).isEqualTo(1);
    assertThat(vs.callCount("destroy")).isEqualTo(1);
    assertThat(recorded.reasons()).containsExactly("VMDeleted");
    assertThat(forgotten).containsExactly("c1-np1-a");
  }

  @Test
  void theBootstrapTokenIsRevokedBeforeTheRunningVmIsPoweredOffAndOnceItIsGone() {
    vm(PowerState.ON);
    runToTheEnd();
    assertThat(revoked).containsExactly("c1-np1-a after 0 powerOff", "c1-np1-a after 1 powerOff");
  }

  @Test
  void aMachineDeletedBeforeItsVmExistedRevokesItsTokenToo() {
    assertThat(cleanup.run(machine).proceeds()).isTrue();
    assertThat(revoked).containsExactly("c1-np1-a after 0 powerOff");
  }

  @Test
  void aStoppedVmIsDestroyedAtOnce() {
    vm(PowerState.OFF);
    assertThat(runToTheEnd()).containsExactly("destroying");
    assertThat(vs.callCount("powerOff")).isZero();
  }

  @Test
  void aMachineThatNeverHadAVmGoesWithoutAnEvent() {
    assertThat(cleanup.run(machine).proceeds()).isTrue();
    assertThat(recorded.created).isEmpty();
    assertThat(forgotten).containsExactly("c1-np1-a");
  }

  @Test
  void waitsForATaskStillRunningSoACloneLeavesNoVmBehind() {
    vs.holdTasks(true);
    vm(PowerState.OFF);
    machine.getStatus().taskRef = vs.powerOn(new VmRef(machine.getStatus().vmRef)).id();
    vs.resetCalls();

    Next next = cleanup.run(machine);

    assertThat(next.reason()).contains("a task of the machine is still running");
    assertThat(next.after()).contains(Requeue.TASK_POLL);
    assertThat(vs.callCount("destroy")).isZero();
    assertThat(vs.callCount("findVmByInstanceUuid")).isZero();
  }

  @Test
  void onlyTheVmWithTheMachinesInstanceUuidIsTouched() {
    VmRef stranger = vs.vm(FOLDER, machine.getMetadata().getName()).create();
    assertThat(cleanup.run(machine).proceeds()).isTrue();
    assertThat(vs.inspect(stranger)).isPresent();
    assertThat(vs.callCount("destroy")).isZero();
    assertThat(vs.callCount("powerOff")).isZero();
  }

  @Test
  void aVmThatVanishesMeanwhileIsLookedAtAgainSoon() {
    vm(PowerState.ON);
    vs.failNext("vmState", FaultKind.NOT_FOUND, "vm gone");
    Next next = cleanup.run(machine);
    assertThat(next.reason()).contains("VM went away meanwhile");
    assertThat(next.after()).contains(Requeue.TASK_POLL);
  }

  @Test
  void anotherFaultKeepsTheFinalizerAndTriesAgainLater() {
    vm(PowerState.OFF);
    vs.failNext("destroy", FaultKind.PERMISSION, "no VirtualMachine.Inventory.Delete");
    Next next = cleanup.run(machine);
    assertThat(next.proceeds()).isFalse();
    assertThat(next.reason()).hasValueSatisfying(r -> assertThat(r).contains("PERMISSION"));
    assertThat(next.after()).contains(Requeue.DEPENDENCY);
    assertThat(forgotten).isEmpty();
  }

  @Test
  void aVmThatVCenterRefusesToDeleteSaysSoOnTheMachineUntilItGoes() {
    vm(PowerState.OFF);
    // The cluster is being deleted too: nothing to drain, only the VM to delete.
    MachineDeparture departure =
        new MachineDeparture(
            new MachineDeparture.Workload() {
              @Override
              public java.util.Optional<
                      dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster>
                  liveCluster(Machine m) {
                return java.util.Optional.empty();
              }

              @Override
              public java.util.Optional<io.fabric8.kubernetes.client.KubernetesClient> client(
                  Machine m) {
                throw new AssertionError("no workload access while the cluster goes");
              }

              @Override
              public dev.slipway.operator.controller.etcd.EtcdClient etcd(
                  dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster tkc,
                  List<java.net.URI> endpoints) {
                throw new AssertionError("no etcd while the cluster goes");
              }

              @Override
              public List<Machine> controlPlane(Machine m) {
                return List.of();
              }
            },
            null);
    Conditions cond = Conditions.of(new ArrayList<>(), 1L);
    for (int i = 0; i < 3; i++) {
      vs.failNext("destroy", FaultKind.PERMISSION, "no VirtualMachine.Inventory.Delete");
      assertThat(cleanup.run(machine).proceeds()).isFalse();
    }
    vs.failNext("destroy", FaultKind.PERMISSION, "no VirtualMachine.Inventory.Delete");
    Next next = cleanup.run(machine, departure, cond, TestObjects.T0);
    assertThat(next.proceeds()).isFalse();
    var blocked = cond.get(Types.DELETION_BLOCKED).orElseThrow();
    assertThat(blocked.getStatus()).isEqualTo(Conditions.TRUE);
    assertThat(blocked.getReason()).isEqualTo(Reasons.VSPHERE_ERROR);
    assertThat(blocked.getMessage()).contains("no VirtualMachine.Inventory.Delete");
    // vCenter gives way: the condition goes with the fault.
    cleanup.run(machine, departure, cond, TestObjects.T0);
    assertThat(cond.get(Types.DELETION_BLOCKED)).isEmpty();
  }
}
