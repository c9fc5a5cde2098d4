package dev.slipway.vsphere;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.testenv.Vcsim;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Clone from a template, reconfigure, find, power, tag and destroy VMs in vcsim. */
class VmLifecycleIT {

  static Vcsim vcsim;
  static VSphereProvider p;
  static FolderRef folder;
  static PoolRef pool;
  static VmRef template;
  static String folderPath;

  @BeforeAll
  static void setUp() {
    vcsim = Vcsim.shared();
    p = It.connect(vcsim);
    String name = It.unique("lifecycle");
    folder = p.ensureFolder("/DC0/vm", name);
    folderPath = "/DC0/vm/" + name;
    pool = p.findResourcePool("/DC0/host/DC0_C0/Resources").orElseThrow();
    // A template of our own: clone a stock VM, then mark the clone as a template.
    VmRef source = p.findVmByPath("/DC0/vm/DC0_C0_RP0_VM0").orElseThrow();
    String tpl = It.unique("template");
    String vm =
        It.awaitSuccess(
            p, p.cloneVm(new CloneSpec(source, tpl, folder, pool, Optional.empty(), null, false)));
    template = new VmRef(vm);
    p.markAsTemplate(template);
  }

  @AfterAll
  static void tearDown() {
    p.close();
  }

  private VmRef cloneWithIdentity(String name, String instanceUuid) {
    VmConfigSpec config =
        VmConfigSpec.builder()
            .instanceUuid(instanceUuid)
            .cpus(2)
            .memoryMiB(2048)
            .extraConfig("slipway.dev/machine", name)
            .build();
    String moref =
        It.awaitSuccess(
            p,
            p.cloneVm(
                new CloneSpec(template, name, folder, pool, Optional.empty(), config, false)));
    return new VmRef(moref);
  }

  @Test
  void templateIsATemplate() {
    assertThat(p.vmState(template).template()).isTrue();
  }

  @Test
  void cloneWithInstanceUuidIsFoundByInstanceUuidBiosUuidAndPath() {
    String uuid = UUID.randomUUID().toString();
    String name = It.unique("machine");
    VmRef vm = cloneWithIdentity(name, uuid);

    assertThat(p.findVmByInstanceUuid(uuid)).contains(vm);
    VmState s = p.vmState(vm);
    assertThat(s.name()).isEqualTo(name);
    assertThat(s.instanceUuid()).isEqualTo(uuid);
    assertThat(s.cpus()).isEqualTo(2);
    assertThat(s.memoryMiB()).isEqualTo(2048);
    assertThat(s.extraConfig()).containsEntry("slipway.dev/machine", name);
    assertThat(s.folder()).isEqualTo(folder);
    assertThat(s.resourcePool()).isEqualTo(pool);
    assertThat(s.powerState()).isEqualTo(PowerState.OFF);
    assertThat(s.template()).isFalse();
    assertThat(s.biosUuid()).isNotBlank();
    assertThat(p.findVmByBiosUuid(s.biosUuid())).contains(vm);
    assertThat(p.findVmByPath(folderPath + "/" + name)).contains(vm);
    assertThat(p.findVmByInstanceUuid(UUID.randomUUID().toString())).isEmpty();
    assertThat(p.findVmByPath(folderPath + "/no-such-vm")).isEmpty();
    assertThat(p.findVmInFolder(folder, name)).contains(vm);
    assertThat(p.findVmInFolder(folder, "no-such-vm")).isEmpty();
    assertThat(p.findVmInFolder(p.findFolder("/DC0/vm").orElseThrow(), name))
        .as("only the folder's own children")
        .isEmpty();
    assertThat(p.findVmInFolder(new FolderRef("group-v999999"), name))
        .as("a folder that is gone")
        .isEmpty();
  }

  @Test
  void reconfigureGuestinfoAnnotationCpuMemoryAndDisk() {
    VmRef vm = cloneWithIdentity(It.unique("reconf"), UUID.randomUUID().toString());
    String userdata =
        Base64.getEncoder().encodeToString("#cloud-config\n".getBytes(StandardCharsets.UTF_8));
    int disksBefore = p.vmState(vm).diskCapacitiesMiB().size();
    It.awaitSuccess(
        p,
        p.reconfigure(
            vm,
            VmConfigSpec.builder()
                .extraConfig("guestinfo.userdata", userdata)
                .extraConfig("guestinfo.userdata.encoding", "base64")
                .extraConfig("guestinfo.metadata", "aW5zdGFuY2UtaWQ6IHgK")
                .extraConfig("guestinfo.metadata.encoding", "base64")
                .annotation("Slipway machine <ns-a/m-1> & friends")
                .cpus(4)
                .memoryMiB(4096)
                .addDiskMiB(20 * 1024)
                .build()));

    VmState s = p.vmState(vm);
    assertThat(s.extraConfig())
        .containsEntry("guestinfo.userdata", userdata)
        .containsEntry("guestinfo.userdata.encoding", "base64")
        .containsEntry("guestinfo.metadata", "aW5zdGFuY2UtaWQ6IHgK")
        .containsEntry("guestinfo.metadata.encoding", "base64");
    assertThat(s.annotation()).isEqualTo("Slipway machine <ns-a/m-1> & friends");
    assertThat(s.cpus()).isEqualTo(4);
    assertThat(s.memoryMiB()).isEqualTo(4096);
    assertThat(s.diskCapacitiesMiB()).hasSize(disksBefore + 1).contains(20L * 1024);

    // An empty value deletes a key (vSphere semantics).
    It.awaitSuccess(
        p, p.reconfigure(vm, VmConfigSpec.builder().extraConfig("guestinfo.metadata", "").build()));
    assertThat(p.vmState(vm).extraConfig()).doesNotContainKey("guestinfo.metadata");
  }

  @Test
  void setGuestIpThroughExtraConfigIsReportedInVmState() {
    VmRef vm = cloneWithIdentity(It.unique("ip"), UUID.randomUUID().toString());
    It.awaitSuccess(p, p.powerOn(vm));
    assertThat(p.vmState(vm).ipAddresses()).isEmpty();
    It.awaitSuccess(
        p,
        p.reconfigure(
            vm, VmConfigSpec.builder().extraConfig("SET.guest.ipAddress", "10.0.0.42").build()));
    VmState s = p.vmState(vm);
    assertThat(s.ipAddresses()).startsWith("10.0.0.42");
    assertThat(s.heartbeat()).isNotNull();
  }

  @Test
  void aFolderListingCarriesPowerStateAndTheLastPowerOnSoAMissedPowerCycleShows() {
    VmRef vm = cloneWithIdentity(It.unique("boot"), UUID.randomUUID().toString());
    assertThat(summary(vm).powerState()).isEqualTo(PowerState.OFF);
    assertThat(summary(vm).bootTime()).isNull();
    It.awaitSuccess(p, p.powerOn(vm));
    VmSummary first = summary(vm);
    assertThat(first.powerState()).isEqualTo(PowerState.ON);
    assertThat(first.bootTime()).isNotNull();
    It.awaitSuccess(p, p.powerOff(vm));
    assertThat(summary(vm).bootTime()).isNull();
    It.awaitSuccess(p, p.powerOn(vm));
    // Off and on again between two listings: only the boot time tells.
    VmSummary again = summary(vm);
    assertThat(again.powerState()).isEqualTo(PowerState.ON);
    assertThat(again.bootTime()).isAfter(first.bootTime());
    It.awaitSuccess(p, p.powerOff(vm));
    It.awaitSuccess(p, p.destroy(vm));
  }

  private VmSummary summary(VmRef vm) {
    return p.listVms(folder).stream().filter(v -> v.ref().equals(vm)).findFirst().orElseThrow();
  }

  @Test
  void powerOnOffAndDestroyingAPoweredOnVmIsInvalidPowerState() {
    VmRef vm = cloneWithIdentity(It.unique("power"), UUID.randomUUID().toString());
    It.awaitSuccess(p, p.powerOn(vm));
    assertThat(p.vmState(vm).powerState()).isEqualTo(PowerState.ON);

    VSphereFault onAgain = It.awaitFailure(p, p.powerOn(vm));
    assertThat(onAgain.kind()).isEqualTo(FaultKind.INVALID_POWER_STATE);

    VSphereFault destroy = It.awaitFailure(p, p.destroy(vm));
    assertThat(destroy.kind()).isEqualTo(FaultKind.INVALID_POWER_STATE);
    assertThat(destroy.type()).isEqualTo("InvalidPowerState");
    assertThat(destroy.message()).contains("poweredOn");
    assertThat(destroy.isRetryable()).isFalse();

    It.awaitSuccess(p, p.powerOff(vm));
    assertThat(p.vmState(vm).powerState()).isEqualTo(PowerState.OFF);
    It.awaitSuccess(p, p.destroy(vm));
    assertThatThrownBy(() -> p.vmState(vm))
        .isInstanceOfSatisfying(
            VSphereException.class, e -> assertThat(e.kind()).isEqualTo(FaultKind.NOT_FOUND));
    assertThat(p.findVmByPath(folderPath + "/" + "gone")).isEmpty();
  }

  @Test
  void duplicateVmNameIsAlreadyExists() {
    String name = It.unique("dup");
    cloneWithIdentity(name, UUID.randomUUID().toString());
    TaskRef second =
        p.cloneVm(new CloneSpec(template, name, folder, pool, Optional.empty(), null, false));
    VSphereFault f = It.awaitFailure(p, second);
    assertThat(f.kind()).isEqualTo(FaultKind.ALREADY_EXISTS);
    assertThat(f.type()).isEqualTo("DuplicateName");
  }

  @Test
  void customAttributesAndTagsNameClusterNamespaceAndMachine() {
    String name = It.unique("tagged");
    VmRef vm = cloneWithIdentity(name, UUID.randomUUID().toString());
    p.setCustomAttributes(
        vm,
        Map.of(
            "slipway.dev/cluster", "tkc-1",
            "slipway.dev/namespace", "ns-a",
            "slipway.dev/machine", name));
    assertThat(p.vmState(vm).customAttributes())
        .containsEntry("slipway.dev/cluster", "tkc-1")
        .containsEntry("slipway.dev/namespace", "ns-a")
        .containsEntry("slipway.dev/machine", name);

    Tag cluster = p.ensureTag("slipway-cluster", "tkc-1");
    assertThat(p.ensureTag("slipway-cluster", "tkc-1")).isEqualTo(cluster);
    Tag ns = p.ensureTag("slipway-namespace", "ns-a");
    p.attachTags(vm, List.of(cluster, ns));
    p.attachTags(vm, List.of(ns)); // already attached: fine
    assertThat(p.tagsOf(vm))
        .containsExactlyInAnyOrder(
            new Tag(cluster.id(), "slipway-cluster", "tkc-1"),
            new Tag(ns.id(), "slipway-namespace", "ns-a"));
    Tag gone = p.ensureTag("slipway-cluster", It.unique("gone"));
    p.deleteTag(gone);
    assertThatThrownBy(() -> p.attachTags(vm, List.of(gone, cluster)))
        .isInstanceOfSatisfying(
            VSphereException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(FaultKind.NOT_FOUND);
              assertThat(e.getMessage()).contains(vm.moref());
            });

    assertThat(p.listVms(folder))
        .anySatisfy(
            v -> {
              assertThat(v.ref()).isEqualTo(vm);
              assertThat(v.name()).isEqualTo(name);
              assertThat(v.instanceUuid()).isNotBlank();
              assertThat(v.customAttributes()).containsEntry("slipway.dev/namespace", "ns-a");
            })
        .anySatisfy(v -> assertThat(v.ref()).isEqualTo(template));
  }

  @Test
  void unknownTaskIsNotFound() {
    assertThatThrownBy(() -> p.taskState(new TaskRef("task-999999")))
        .isInstanceOfSatisfying(
            VSphereException.class, e -> assertThat(e.kind()).isEqualTo(FaultKind.NOT_FOUND));
    assertThatThrownBy(() -> p.taskState(new TaskRef("local:nope")))
        .isInstanceOfSatisfying(
            VSphereException.class, e -> assertThat(e.kind()).isEqualTo(FaultKind.NOT_FOUND));
  }
}
