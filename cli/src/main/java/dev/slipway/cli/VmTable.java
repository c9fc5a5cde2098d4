package dev.slipway.cli;

import dev.slipway.operator.controller.MachineReconciler;
import dev.slipway.vsphere.VmState;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A namespace's VMs as vCenter reports them, each matched to the Machine its custom attributes
 * name. Pure: the caller reads vCenter and the API server.
 */
public final class VmTable {
  private VmTable() {}

  /** The Machine exists and the VM is its VM (instance UUID = the Machine's uid). */
  public static final String OWNED = "owned";

  /** The VM names a Machine that does not exist (or is another VM than that Machine's). */
  public static final String ORPHAN = "ORPHAN";

  /** No Slipway attributes: not a VM Slipway made. */
  public static final String UNMANAGED = "-";

  /** One VM. */
  public record Row(
      String name, String power, String ip, String cluster, String machine, String ownership) {}

  /**
   * The rows for {@code vms} (templates left out), sorted by name; {@code machineUids} maps the
   * names of the Machines that exist in the namespace to their uids.
   */
  public static List<Row> rows(List<VmState> vms, Map<String, String> machineUids) {
    return vms.stream()
        .filter(vm -> !vm.template())
        .map(vm -> row(vm, machineUids))
        .sorted(Comparator.comparing(Row::name))
        .toList();
  }

  static Row row(VmState vm, Map<String, String> machineUids) {
    Map<String, String> attrs = vm.customAttributes();
    String machine = attrs.getOrDefault(MachineReconciler.ATTR_MACHINE, "");
    String cluster = attrs.getOrDefault(MachineReconciler.ATTR_CLUSTER, "");
    return new Row(
        vm.name(),
        vm.powerState().name().toLowerCase(Locale.ROOT),
        vm.ipAddresses().isEmpty() ? "" : vm.ipAddresses().get(0),
        cluster,
        machine,
        ownership(vm, machine, machineUids));
  }

  private static String ownership(VmState vm, String machine, Map<String, String> machineUids) {
    if (machine.isEmpty()) {
      return UNMANAGED;
    }
    String uid = machineUids.get(machine);
    // Slipway sets a VM's instance UUID to its Machine's uid: a Machine of the same name made
    // later (deleted and re-created) does not own an older VM.
    return uid != null && uid.equalsIgnoreCase(vm.instanceUuid()) ? OWNED : ORPHAN;
  }

  public static String render(List<Row> rows) {
    Table t = new Table("NAME", "POWER", "IP", "CLUSTER", "MACHINE", "OWNERSHIP");
    for (Row r : rows) {
      t.row(r.name(), r.power(), r.ip(), r.cluster(), r.machine(), r.ownership());
    }
    return t.render();
  }
}
