package dev.slipway.operator.controller.fake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.vsphere.CloneSpec;
import dev.slipway.vsphere.DeploySpec;
import dev.slipway.vsphere.FaultKind;
import dev.slipway.vsphere.FolderRef;
import dev.slipway.vsphere.Heartbeat;
import dev.slipway.vsphere.LibraryItem;
import dev.slipway.vsphere.PoolLimits;
import dev.slipway.vsphere.PoolRef;
import dev.slipway.vsphere.PowerState;
import dev.slipway.vsphere.TaskRef;
import dev.slipway.vsphere.TaskState;
import dev.slipway.vsphere.VSphereException;
import dev.slipway.vsphere.VSphereFault;
import dev.slipway.vsphere.VmConfigSpec;
import dev.slipway.vsphere.VmRef;
import dev.slipway.vsphere.VmState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class InMemoryVSphereTest {

  static final String POOL_PATH = "/DC0/host/DC0_C0/Resources";

  InMemoryVSphere vs;
  FolderRef folder;
  PoolRef pool;
  VmRef template;

  @BeforeEach
  void setUp() {
    vs = InMemoryVSphere.standard();
    folder = vs.ensureFolder("/DC0/vm", "ns-a");
    pool = vs.ensureResourcePool(POOL_PATH, "ns-a", PoolLimits.unlimited());
    template =
        vs.vm("/DC0/vm", "ubuntu")
            .template()
            .cpus(1)
            .memoryMiB(512)
            .disksMiB(10240L)
            .extraConfig("from.template", "yes")
            .create();
    vs.resetCalls();
  }

  CloneSpec clone(String name, String uuid) {
    VmConfigSpec config =
        VmConfigSpec.builder()
            .instanceUuid(uuid)
            .cpus(2)
            .memoryMiB(2048)
            .extraConfig("guestinfo.userdata", "dXNlcg==")
            .annotation("machine " + name)
            .build();
    return new CloneSpec(template, name, folder, pool, Optional.empty(), config, false);
  }

  static void assertKind(Runnable r, FaultKind kind) {
    assertThatThrownBy(r::run)
        .isInstanceOfSatisfying(VSphereException.class, e -> assertThat(e.kind()).isEqualTo(kind));
  }

  String done(TaskRef t) {
    TaskState s = vs.taskState(t);
    assertThat(s.status()).as("%s: %s", t, s.error()).isEqualTo(TaskState.Status.SUCCESS);
    return s.result().orElse(null);
  }

  VSphereFault failed(TaskRef t) {
    TaskState s = vs.taskState(t);
    assertThat(s.status()).isEqualTo(TaskState.Status.ERROR);
    return s.error().orElseThrow();
  }

  @Test
  void cloneAppearsWhenItsTaskFinishesAndIsFoundByUuidsAndPath() {
    String uuid = UUID.randomUUID().toString();
    TaskRef task = vs.cloneVm(clone("m-1", uuid));
    assertThat(task.isLocal()).isFalse();
    assertThat(vs.findVmByInstanceUuid(uuid)).isEmpty();

    VmRef vm = new VmRef(done(task));

    assertThat(vs.findVmByInstanceUuid(uuid)).contains(vm);
    assertThat(vs.findVmByPath("/DC0/vm/ns-a/m-1")).contains(vm);
    VmState s = vs.vmState(vm);
    assertThat(s.name()).isEqualTo("m-1");
    assertThat(s.instanceUuid()).isEqualTo(uuid);
    assertThat(s.cpus()).isEqualTo(2);
    assertThat(s.memoryMiB()).isEqualTo(2048);
    assertThat(s.extraConfig())
        .containsEntry("guestinfo.userdata", "dXNlcg==")
        .containsEntry("from.template", "yes");
    assertThat(s.annotation()).isEqualTo("machine m-1");
    assertThat(s.diskCapacitiesMiB()).containsExactly(10240L);
    assertThat(s.folder()).isEqualTo(folder);
    assertThat(s.resourcePool()).isEqualTo(pool);
    assertThat(s.powerState()).isEqualTo(PowerState.OFF);
    assertThat(s.template()).isFalse();
    assertThat(vs.findVmByBiosUuid(s.biosUuid())).contains(vm);
    assertThat(vs.callCount("cloneVm")).isEqualTo(1);
    assertThat(vs.calls().get(0).method()).isEqualTo("cloneVm");
    assertKind(() -> vs.findVmByPath("/DC0/vm/ns-a"), FaultKind.INVALID_ARGUMENT);
  }

  @Test
  void duplicateNameEndsTheCloneTaskWithAlreadyExists() {
    done(vs.cloneVm(clone("m-1", UUID.randomUUID().toString())));
    VSphereFault f = failed(vs.cloneVm(clone("m-1", UUID.randomUUID().toString())));
    assertThat(f.kind()).isEqualTo(FaultKind.ALREADY_EXISTS);
    assertThat(f.type()).isEqualTo("DuplicateName");
    assertThat(vs.vms()).filteredOn(v -> v.name().equals("m-1")).hasSize(1);
  }

  @Test
  void scriptedCallFaultThrowsOnceAndIsCounted() {
    vs.failNext("cloneVm", FaultKind.TRANSIENT, "vCenter went away");
    assertThatThrownBy(() -> vs.cloneVm(clone("m-1", UUID.randomUUID().toString())))
        .isInstanceOfSatisfying(
            VSphereException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(FaultKind.TRANSIENT);
              assertThat(e.isRetryable()).isTrue();
              assertThat(e.vcenterMessage()).isEqualTo("vCenter went away");
            });
    assertThat(vs.pendingTasks()).isEmpty();
    done(vs.cloneVm(clone("m-1", UUID.randomUUID().toString())));
    assertThat(vs.callCounts()).containsEntry("cloneVm", 2L).containsEntry("taskState", 1L);
    assertThatIllegalArgumentException()
        .isThrownBy(() -> vs.failNext("CloneVM_Task", FaultKind.OTHER, "x"));
  }

  @Test
  void scriptedTaskFaultEndsTheTaskWithoutItsEffect() {
    vs.failTask("cloneVm", FaultKind.INSUFFICIENT_RESOURCES, "no room on DC0_C0");
    String uuid = UUID.randomUUID().toString();
    VSphereFault f = failed(vs.cloneVm(clone("m-1", uuid)));
    assertThat(f.kind()).isEqualTo(FaultKind.INSUFFICIENT_RESOURCES);
    assertThat(f.message()).isEqualTo("no room on DC0_C0");
    assertThat(vs.findVmByInstanceUuid(uuid)).isEmpty();
  }

  @Test
  void heldTasksStayRunningUntilReleasedAndPollsAreConfigurable() {
    vs.holdTasks(true);
    String uuid = UUID.randomUUID().toString();
    TaskRef task = vs.cloneVm(clone("m-1", uuid));
    for (int i = 0; i < 3; i++) {
      assertThat(vs.taskState(task).status()).isEqualTo(TaskState.Status.RUNNING);
    }
    assertThat(vs.pendingTasks()).containsExactly(task);
    assertThat(vs.findVmByInstanceUuid(uuid)).isEmpty();
    vs.completeAll();
    assertThat(vs.findVmByInstanceUuid(uuid)).isPresent();
    assertThat(done(task)).isNotNull();

    vs.holdTasks(false).tasksCompleteAfterPolls(3);
    TaskRef slow = vs.powerOn(new VmRef(done(task)));
    assertThat(vs.taskState(slow).status()).isEqualTo(TaskState.Status.RUNNING);
    assertThat(vs.taskState(slow).status()).isEqualTo(TaskState.Status.RUNNING);
    done(slow);

    vs.tasksCompleteAfterPolls(0);
    TaskRef atOnce = vs.powerOff(new VmRef(done(task)));
    assertThat(vs.pendingTasks()).isEmpty();
    assertThat(vs.inspect(new VmRef(done(task))).orElseThrow().powerState())
        .isEqualTo(PowerState.OFF);
    done(atOnce);
  }

  @Test
  void forgottenTaskIsNotFoundAndALostOneHadNoEffect() {
    String uuid = UUID.randomUUID().toString();
    TaskRef forgotten = vs.cloneVm(clone("m-1", uuid));
    vs.forgetTask(forgotten);
    assertKind(() -> vs.taskState(forgotten), FaultKind.NOT_FOUND);
    assertThat(vs.findVmByInstanceUuid(uuid)).isPresent(); // the clone happened

    String other = UUID.randomUUID().toString();
    TaskRef lost = vs.cloneVm(clone("m-2", other));
    vs.loseTask(lost);
    assertKind(() -> vs.taskState(lost), FaultKind.NOT_FOUND);
    assertThat(vs.findVmByInstanceUuid(other)).isEmpty();
    assertKind(() -> vs.taskState(new TaskRef("local:nope")), FaultKind.NOT_FOUND);
  }

  @Test
  void destroyIsRefusedWhileOnAndRemovesTheVmWhenOff() {
    VmRef vm = new VmRef(done(vs.cloneVm(clone("m-1", UUID.randomUUID().toString()))));
    done(vs.powerOn(vm));
    assertThat(failed(vs.powerOn(vm)).kind()).isEqualTo(FaultKind.INVALID_POWER_STATE);
    vs.setIpAddresses(vm, "10.0.0.42", "fe80::1", "10.0.0.42");
    vs.setHeartbeat(vm, Heartbeat.GREEN);
    assertThat(vs.vmState(vm).ipAddresses()).containsExactly("10.0.0.42", "fe80::1");

    VSphereFault f = failed(vs.destroy(vm));
    assertThat(f.kind()).isEqualTo(FaultKind.INVALID_POWER_STATE);
    assertThat(f.type()).isEqualTo("InvalidPowerState");
    assertThat(f.message()).contains("poweredOn");

    done(vs.powerOff(vm));
    assertThat(vs.vmState(vm).ipAddresses()).isEmpty();
    assertThat(vs.vmState(vm).heartbeat()).isEqualTo(Heartbeat.GRAY);
    done(vs.destroy(vm));
    assertKind(() -> vs.vmState(vm), FaultKind.NOT_FOUND);
    assertKind(() -> vs.destroy(vm), FaultKind.NOT_FOUND);
    assertThat(vs.findVmByPath("/DC0/vm/ns-a/m-1")).isEmpty();
  }

  @Test
  void vmDeletedBehindSlipwaysBackIsNotFoundAndFailsItsRunningTask() {
    VmRef vm = new VmRef(done(vs.cloneVm(clone("m-1", UUID.randomUUID().toString()))));
    TaskRef reconfigure =
        vs.reconfigure(vm, VmConfigSpec.builder().extraConfig("guestinfo.metadata", "").build());
    vs.deleteVm(vm);
    assertThat(failed(reconfigure).kind()).isEqualTo(FaultKind.NOT_FOUND);
    assertKind(() -> vs.powerOn(vm), FaultKind.NOT_FOUND);
    assertThat(vs.listVms(folder)).isEmpty();
  }

  @Test
  void reconfigureDeletesEmptyKeysAndAddsDisks() {
    VmRef vm = new VmRef(done(vs.cloneVm(clone("m-1", UUID.randomUUID().toString()))));
    done(
        vs.reconfigure(
            vm,
            VmConfigSpec.builder()
                .extraConfig("guestinfo.userdata", "")
                .cpus(4)
                .addDiskMiB(20480)
                .build()));
    VmState s = vs.vmState(vm);
    assertThat(s.extraConfig()).doesNotContainKey("guestinfo.userdata");
    assertThat(s.cpus()).isEqualTo(4);
    assertThat(s.diskCapacitiesMiB()).containsExactly(10240L, 20480L);
    assertKind(
        () ->
            vs.cloneVm(
                new CloneSpec(
                    template,
                    "m-2",
                    folder,
                    pool,
                    Optional.empty(),
                    VmConfigSpec.builder().addDiskMiB(1).build(),
                    false)),
        FaultKind.INVALID_ARGUMENT);
  }

  @Test
  void deployFromALibraryItemMakesAVmOfTheItemsShape() {
    LibraryItem item = vs.addOvfItem("tkr", "ubuntu-node", 2, 4096, List.of(16384L));
    assertThat(vs.getItem("tkr", "ubuntu-node")).isEqualTo(item);
    DeploySpec spec = new DeploySpec(item.id(), "tpl", pool, folder, Optional.empty(), Map.of());
    TaskRef task = vs.deployOvf(spec);
    assertThat(task.isLocal()).isTrue();
    VmRef vm = new VmRef(done(task));

    VmState s = vs.vmState(vm);
    assertThat(s.name()).isEqualTo("tpl");
    assertThat(s.cpus()).isEqualTo(2);
    assertThat(s.memoryMiB()).isEqualTo(4096);
    assertThat(s.diskCapacitiesMiB()).containsExactly(16384L);
    assertThat(s.resourcePool()).isEqualTo(pool);
    assertThat(vs.findVmByPath("/DC0/vm/ns-a/tpl")).contains(vm);
    assertThat(vs.callCount("deployOvf")).isEqualTo(1);

    assertThat(failed(vs.deployOvf(spec)).kind()).isEqualTo(FaultKind.ALREADY_EXISTS);
    assertKind(
        () ->
            vs.deployOvf(
                new DeploySpec("no-such-item", "x", pool, folder, Optional.empty(), Map.of())),
        FaultKind.NOT_FOUND);
    assertKind(() -> vs.getItem("tkr", "no-such-item"), FaultKind.NOT_FOUND);
    assertThat(vs.findItem("no-such-library", "ubuntu-node")).isEmpty();
  }

  @Test
  void markAsTemplateMakesATemplateWithoutPool() {
    LibraryItem item = vs.addOvfItem("tkr", "ubuntu-node");
    VmRef vm =
        new VmRef(
            done(
                vs.deployOvf(
                    new DeploySpec(item.id(), "tpl", pool, folder, Optional.empty(), Map.of()))));
    vs.markAsTemplate(vm);
    VmState s = vs.vmState(vm);
    assertThat(s.template()).isTrue();
    assertThat(s.resourcePool()).isNull();
    assertKind(() -> vs.powerOn(vm), FaultKind.INVALID_STATE);
    assertKind(() -> vs.markAsTemplate(vm), FaultKind.INVALID_ARGUMENT);
    assertThat(vs.listVms(folder))
        .singleElement()
        .satisfies(v -> assertThat(v.template()).isTrue());
  }

  @Test
  void inventoryGuardsWhatSlipwayDidNotCreate() {
    assertThat(vs.ensureFolder("/DC0/vm", "ns-a")).isEqualTo(folder);
    assertThat(vs.isManaged(folder)).isTrue();
    assertThat(vs.findFolder("DC0/vm/ns-a/")).contains(folder);
    assertKind(() -> vs.findFolder(POOL_PATH), FaultKind.INVALID_ARGUMENT);
    assertKind(() -> vs.ensureFolder("/DC0/vm/missing", "x"), FaultKind.NOT_FOUND);

    FolderRef vmFolder = vs.findFolder("/DC0/vm").orElseThrow();
    assertKind(() -> vs.deleteFolder(vmFolder), FaultKind.NOT_MANAGED);
    FolderRef foreign = vs.addFolder("/DC0/vm/foreign");
    assertThat(vs.ensureFolder("/DC0/vm", "foreign")).isEqualTo(foreign);
    assertThat(vs.isManaged(foreign)).isFalse();

    done(vs.cloneVm(clone("m-1", UUID.randomUUID().toString())));
    assertKind(() -> vs.deleteFolder(folder), FaultKind.IN_USE);
    assertKind(() -> vs.deleteResourcePool(pool), FaultKind.IN_USE);

    FolderRef empty = vs.ensureFolder("/DC0/vm", "empty");
    done(vs.deleteFolder(empty));
    assertThat(vs.findFolder("/DC0/vm/empty")).isEmpty();

    PoolRef limited = vs.ensureResourcePool(POOL_PATH, "b", new PoolLimits(2000, 4096));
    assertThat(vs.ensureResourcePool(POOL_PATH, "b", PoolLimits.unlimited())).isEqualTo(limited);
    assertThat(vs.poolLimits(limited)).isEqualTo(new PoolLimits(2000, 4096));
  }

  @Test
  void parallelClonesAreAllApplied() throws Exception {
    ExecutorService executor = Executors.newFixedThreadPool(4);
    try {
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        String name = "m-" + i;
        results.add(
            executor.submit(
                () ->
                    vs.taskState(vs.cloneVm(clone(name, UUID.randomUUID().toString())))
                        .result()
                        .orElseThrow()));
      }
      for (Future<String> f : results) {
        assertThat(f.get()).startsWith("vm-");
      }
    } finally {
      executor.shutdownNow();
    }
    assertThat(vs.listVms(folder)).hasSize(40);
    assertThat(vs.callCount("cloneVm")).isEqualTo(40);
  }
}
