package dev.slipway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.vsphere.FolderRef;
import dev.slipway.vsphere.Heartbeat;
import dev.slipway.vsphere.PoolRef;
import dev.slipway.vsphere.PowerState;
import dev.slipway.vsphere.VmRef;
import dev.slipway.vsphere.VmState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VmTableTest {

  static VmState vm(
      String name,
      PowerState power,
      String instanceUuid,
      List<String> ips,
      boolean template,
      Map<String, String> attributes) {
    return new VmState(
        new VmRef("vm-" + name.length()),
        name,
        power,
        template,
        "bios-" + name,
        instanceUuid,
        ips,
        Heartbeat.GREEN,
        Map.of(),
        "",
        2,
        4096,
        new FolderRef("group-v1"),
        new PoolRef("resgroup-1"),
        List.of(),
        attributes);
  }

  static Map<String, String> owner(String cluster, String machine) {
    return Map.of(
        "slipway.dev/cluster", cluster,
        "slipway.dev/namespace", "team-a",
        "slipway.dev/machine", machine);
  }

  @Test
  void eachVmIsOwnedOrphanedOrNotSlipways() {
    List<VmState> vms =
        List.of(
            vm(
                "demo-workers-bbbbb",
                PowerState.OFF,
                "uid-gone",
                List.of(),
                false,
                owner("demo", "demo-workers-bbbbb")),
            vm(
                "demo-control-plane-aaaaa",
                PowerState.ON,
                "UID-CP",
                List.of("10.0.0.11", "fe80::1"),
                false,
                owner("demo", "demo-control-plane-aaaaa")),
            vm("jumphost", PowerState.ON, "uid-x", List.of("10.0.0.2"), false, Map.of()),
            vm(
                "demo-workers-ccccc",
                PowerState.SUSPENDED,
                "uid-old",
                List.of(),
                false,
                owner("demo", "demo-workers-ccccc")),
            vm("ubuntu-template", PowerState.OFF, "uid-t", List.of(), true, Map.of()));
    Map<String, String> machines =
        Map.of(
            "demo-control-plane-aaaaa", "uid-cp",
            // a Machine of that name exists, but it is not this VM's: re-created since
            "demo-workers-ccccc", "uid-new");

    List<VmTable.Row> rows = VmTable.rows(vms, machines);

    assertThat(rows)
        .extracting(VmTable.Row::name, VmTable.Row::ownership)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("demo-control-plane-aaaaa", VmTable.OWNED),
            org.assertj.core.groups.Tuple.tuple("demo-workers-bbbbb", VmTable.ORPHAN),
            org.assertj.core.groups.Tuple.tuple("demo-workers-ccccc", VmTable.ORPHAN),
            org.assertj.core.groups.Tuple.tuple("jumphost", VmTable.UNMANAGED));
    assertThat(VmTable.render(rows))
        .isEqualTo(
"""
NAME                      POWER      IP         CLUSTER  MACHINE                   OWNERSHIP
demo-control-plane-aaaaa  on         10.0.0.11  demo     demo-control-plane-aaaaa  owned
demo-workers-bbbbb        off                   demo     demo-workers-bbbbb        ORPHAN
demo-workers-ccccc        suspended             demo     demo-workers-ccccc        ORPHAN
jumphost                  on         10.0.0.2                                      -
""");
  }

  @Test
  void anEmptyFolderIsJustTheHeader() {
    assertThat(VmTable.render(VmTable.rows(List.of(), Map.of())))
        .isEqualTo("NAME  POWER  IP  CLUSTER  MACHINE  OWNERSHIP\n");
  }
}
