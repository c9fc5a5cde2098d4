package dev.slipway.operator.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class MachineTemplateTest {
  private static final long GI = 1L << 30;
  private static final MachineTemplate.Volume CONTAINERD =
      new MachineTemplate.Volume("containerd", "/var/lib/containerd", 50 * GI, null);
  private static final MachineTemplate BASE =
      new MachineTemplate(
          "v1.37.2---vmware.1-tkg.1",
          "v1.37.2+vmware.1",
          "slipway-demo",
          "ubuntu-2404-kube-v1.37.2",
          "best-effort-small",
          2,
          4 * GI,
          "gold",
          List.of(CONTAINERD));

  @Test
  void hashIsStable() {
    // Pinned: a change here rolls every machine of every cluster once (see ENCODING).
    assertThat(BASE.hash()).isEqualTo(BASE.hash()).hasSize(MachineTemplate.HASH_LENGTH);
    assertThat(BASE.hash()).isEqualTo(PINNED);
  }

  private static final String PINNED = "6f11bfb6bf80b9ec";

  @Test
  void everyInputChangesTheHash() {
    List<UnaryOperator<MachineTemplate>> changes =
        List.of(
            t -> copy(t, 0, "v1.38.0---vmware.1-tkg.1"),
            t -> copy(t, 1, "v1.37.3+vmware.1"),
            t -> copy(t, 2, "other-library"),
            t -> copy(t, 3, "photon-5-kube-v1.37.2"),
            t -> copy(t, 4, "best-effort-large"),
            t -> withHardware(t, 4, t.memoryBytes()),
            t -> withHardware(t, t.cpus(), 8 * GI),
            t -> copy(t, 7, "silver"),
            t -> withVolumes(t, List.of()),
            t ->
                withVolumes(
                    t,
                    List.of(new MachineTemplate.Volume("c", "/var/lib/containerd", 50 * GI, null))),
            t ->
                withVolumes(
                    t, List.of(new MachineTemplate.Volume("containerd", "/data", 50 * GI, null))),
            t ->
                withVolumes(
                    t,
                    List.of(
                        new MachineTemplate.Volume(
                            "containerd", "/var/lib/containerd", 60 * GI, null))),
            t ->
                withVolumes(
                    t,
                    List.of(
                        new MachineTemplate.Volume(
                            "containerd", "/var/lib/containerd", 50 * GI, "silver"))));
    Set<String> hashes =
        changes.stream().map(c -> c.apply(BASE).hash()).collect(Collectors.toSet());

    assertThat(hashes).hasSize(changes.size()).doesNotContain(BASE.hash());
  }

  @Test
  void aVolumeWithoutStorageClassUsesTheMachines() {
    MachineTemplate explicit =
        withVolumes(
            BASE,
            List.of(
                new MachineTemplate.Volume("containerd", "/var/lib/containerd", 50 * GI, "gold")));

    assertThat(explicit.hash()).isEqualTo(BASE.hash());
  }

  @Test
  void volumeOrderMattersBecauseDisksAttachInThatOrder() {
    MachineTemplate.Volume logs = new MachineTemplate.Volume("logs", "/var/log", GI, null);

    assertThat(withVolumes(BASE, List.of(CONTAINERD, logs)).hash())
        .isNotEqualTo(withVolumes(BASE, List.of(logs, CONTAINERD)).hash());
  }

  @Test
  void noValueCanPoseAsTwo() {
    MachineTemplate a = copy(copy(BASE, 2, "lib\nitem=1:x"), 3, "y");
    MachineTemplate b = copy(copy(BASE, 2, "lib"), 3, "x\nitem=1:y");

    assertThat(a.hash()).isNotEqualTo(b.hash());
  }

  @Test
  void nonsenseHardwareIsRejected() {
    assertThatIllegalArgumentException().isThrownBy(() -> withHardware(BASE, 0, GI));
    assertThatIllegalArgumentException().isThrownBy(() -> withHardware(BASE, 1, 0));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new MachineTemplate.Volume("v", "/v", 0, null));
  }

  private static MachineTemplate copy(MachineTemplate t, int field, String value) {
    String[] s = {
      t.releaseName(),
      t.kubernetesVersion(),
      t.contentLibrary(),
      t.item(),
      t.vmClass(),
      null,
      null,
      t.storageClass()
    };
    s[field] = value;
    return new MachineTemplate(
        s[0], s[1], s[2], s[3], s[4], t.cpus(), t.memoryBytes(), s[7], t.volumes());
  }

  private static MachineTemplate withHardware(MachineTemplate t, int cpus, long memory) {
    return new MachineTemplate(
        t.releaseName(),
        t.kubernetesVersion(),
        t.contentLibrary(),
        t.item(),
        t.vmClass(),
        cpus,
        memory,
        t.storageClass(),
        t.volumes());
  }

  private static MachineTemplate withVolumes(
      MachineTemplate t, List<MachineTemplate.Volume> volumes) {
    return new MachineTemplate(
        t.releaseName(),
        t.kubernetesVersion(),
        t.contentLibrary(),
        t.item(),
        t.vmClass(),
        t.cpus(),
        t.memoryBytes(),
        t.storageClass(),
        volumes);
  }
}
