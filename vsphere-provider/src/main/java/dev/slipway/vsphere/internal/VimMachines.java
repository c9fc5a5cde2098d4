package dev.slipway.vsphere.internal;

import dev.slipway.vsphere.CloneSpec;
import dev.slipway.vsphere.FaultKind;
import dev.slipway.vsphere.FolderRef;
import dev.slipway.vsphere.Heartbeat;
import dev.slipway.vsphere.ManagedRef;
import dev.slipway.vsphere.PoolRef;
import dev.slipway.vsphere.PowerState;
import dev.slipway.vsphere.TaskRef;
import dev.slipway.vsphere.TaskState;
import dev.slipway.vsphere.VSphereException;
import dev.slipway.vsphere.VSphereFault;
import dev.slipway.vsphere.VirtualMachines;
import dev.slipway.vsphere.VmConfigSpec;
import dev.slipway.vsphere.VmRef;
import dev.slipway.vsphere.VmState;
import dev.slipway.vsphere.VmSummary;
import dev.slipway.vsphere.soap.Moref;
import dev.slipway.vsphere.soap.ObjectContent;
import dev.slipway.vsphere.soap.XmlNode;
import dev.slipway.vsphere.soap.XmlWriter;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** {@link VirtualMachines} and vim25 task reads. */
final class VimMachines implements VirtualMachines {

  static final String[] VM_PROPS = {
    "name",
    "runtime.powerState",
    "config.template",
    "config.uuid",
    "config.instanceUuid",
    "guest.ipAddress",
    "guest.net",
    "guestHeartbeatStatus",
    "config.extraConfig",
    "config.annotation",
    "config.hardware.numCPU",
    "config.hardware.memoryMB",
    "parent",
    "resourcePool",
    "config.hardware.device",
    "customValue"
  };

  private final Vim vim;

  VimMachines(Vim vim) {
    this.vim = vim;
  }

  private static VmRef vm(Moref m) {
    return new VmRef(m.value());
  }

  @Override
  public Optional<VmRef> findVmByInstanceUuid(String instanceUuid) {
    return vim.findVmByUuid(instanceUuid, true).map(VimMachines::vm);
  }

  @Override
  public Optional<VmRef> findVmByBiosUuid(String biosUuid) {
    return vim.findVmByUuid(biosUuid, false).map(VimMachines::vm);
  }

  @Override
  public Optional<VmRef> findVmByPath(String path) {
    Optional<Moref> m = vim.findByInventoryPath(path);
    if (m.isPresent() && !VmRef.TYPE.equals(m.get().type())) {
      throw new VSphereException(
          FaultKind.INVALID_ARGUMENT,
          m.get().type(),
          path + " is a " + m.get().type() + ", not a VM");
    }
    return m.map(VimMachines::vm);
  }

  @Override
  public Optional<VmRef> findVmInFolder(FolderRef folder, String name) {
    List<ObjectContent> children;
    try {
      children = vim.folderChildren(Moref.of(folder), VmRef.TYPE, "name");
    } catch (VSphereException e) {
      if (e.kind() == FaultKind.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
    return children.stream()
        .filter(o -> VmRef.TYPE.equals(o.obj().type()))
        .filter(o -> name.equals(o.text("name").orElse(null)))
        .map(o -> vm(o.obj()))
        .findFirst();
  }

  @Override
  public VmState vmState(VmRef ref) {
    ObjectContent o = vim.properties(ref, VM_PROPS);
    return toState(ref, o, vim.customValues(o.prop("customValue")));
  }

  /** Builds a VmState from RetrievePropertiesEx output; unknown parts are ignored. */
  static VmState toState(VmRef ref, ObjectContent o, Map<String, String> customValues) {
    Set<String> ips = new LinkedHashSet<>();
    o.text("guest.ipAddress").map(String::trim).filter(s -> !s.isEmpty()).ifPresent(ips::add);
    o.prop("guest.net")
        .ifPresent(
            net -> {
              for (XmlNode nic : net.children()) {
                for (XmlNode ip : nic.children("ipAddress")) {
                  String s = ip.text().trim();
                  if (!s.isEmpty()) {
                    ips.add(s);
                  }
                }
              }
            });
    return new VmState(
        ref,
        o.text("name").orElse(""),
        powerState(o.text("runtime.powerState").orElse("")),
        o.text("config.template").map(s -> Boolean.parseBoolean(s.trim())).orElse(false),
        o.text("config.uuid").orElse(""),
        o.text("config.instanceUuid").orElse(""),
        new ArrayList<>(ips),
        heartbeat(o.text("guestHeartbeatStatus").orElse("")),
        options(o.prop("config.extraConfig")),
        o.text("config.annotation").orElse(""),
        o.text("config.hardware.numCPU").map(String::trim).map(Integer::parseInt).orElse(0),
        o.text("config.hardware.memoryMB").map(String::trim).map(Long::parseLong).orElse(0L),
        o.prop("parent")
            .flatMap(Moref::of)
            .filter(m -> FolderRef.TYPE.equals(m.type()))
            .map(m -> new FolderRef(m.value()))
            .orElse(null),
        o.prop("resourcePool").flatMap(Moref::of).map(m -> new PoolRef(m.value())).orElse(null),
        disks(o.prop("config.hardware.device")),
        customValues);
  }

  /** Capacities of the VirtualDisk devices in an ArrayOfVirtualDevice, in MiB. */
  static List<Long> disks(Optional<XmlNode> devices) {
    List<Long> out = new ArrayList<>();
    devices.ifPresent(
        a -> {
          for (XmlNode d : a.children()) {
            if ("VirtualDisk".equals(d.xsiType().orElse(""))) {
              d.childText("capacityInKB")
                  .map(String::trim)
                  .map(Long::parseLong)
                  .ifPresent(kb -> out.add(kb / 1024));
            }
          }
        });
    return out;
  }

  static PowerState powerState(String s) {
    return switch (s.trim()) {
      case "poweredOn" -> PowerState.ON;
      case "suspended" -> PowerState.SUSPENDED;
      default -> PowerState.OFF;
    };
  }

  static Heartbeat heartbeat(String s) {
    try {
      return Heartbeat.valueOf(s.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return Heartbeat.GRAY;
    }
  }

  /** An ArrayOfOptionValue as a map (values of any xsi:type as text). */
  static Map<String, String> options(Optional<XmlNode> array) {
    Map<String, String> out = new LinkedHashMap<>();
    array.ifPresent(
        a -> {
          for (XmlNode ov : a.children()) {
            ov.childText("key").ifPresent(k -> out.put(k, ov.childText("value").orElse("")));
          }
        });
    return out;
  }

  @Override
  public List<VmSummary> listVms(FolderRef folder) {
    List<ObjectContent> all =
        vim.folderChildren(
            Moref.of(folder),
            VmRef.TYPE,
            "name",
            "config.instanceUuid",
            "config.annotation",
            "config.template",
            "customValue",
            "runtime.powerState",
            "summary.runtime.bootTime");
    List<VmSummary> out = new ArrayList<>();
    for (ObjectContent o : all) {
      if (!VmRef.TYPE.equals(o.obj().type())) {
        continue;
      }
      out.add(
          new VmSummary(
              new VmRef(o.obj().value()),
              o.text("name").orElse(""),
              o.text("config.instanceUuid").orElse(""),
              o.text("config.annotation").orElse(""),
              o.text("config.template").map(s -> Boolean.parseBoolean(s.trim())).orElse(false),
              vim.customValues(o.prop("customValue")),
              powerState(o.text("runtime.powerState").orElse("")),
              o.text("summary.runtime.bootTime").map(VimMachines::instant).orElse(null)));
    }
    return out;
  }

  /** An xsd:dateTime as vCenter writes it; null if it does not parse. */
  static Instant instant(String s) {
    try {
      return OffsetDateTime.parse(s.trim()).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  @Override
  public TaskRef cloneVm(CloneSpec spec) {
    if (!spec.config().addDisksMiB().isEmpty()) {
      throw new VSphereException(
          FaultKind.INVALID_ARGUMENT, "", "add disks with reconfigure() after the clone");
    }
    XmlWriter w =
        new XmlWriter()
            .ref("folder", spec.folder())
            .element("name", spec.name())
            .open("spec")
            .open("location");
    spec.datastore().ifPresent(ds -> w.ref("datastore", ds));
    w.ref("pool", spec.pool()).close("location").element("template", false);
    if (!spec.config().isEmpty()) {
      w.open("config");
      configSpec(w, spec.config(), "");
      w.close("config");
    }
    w.element("powerOn", spec.powerOn()).close("spec");
    return VimInventory.task(vim.call("CloneVM_Task", Moref.of(spec.source()), w));
  }

  /** The VirtualMachineConfigSpec fields in schema order; {@code devices} is deviceChange XML. */
  static void configSpec(XmlWriter w, VmConfigSpec spec, String devices) {
    spec.instanceUuid().ifPresent(u -> w.element("instanceUuid", u));
    spec.annotation().ifPresent(a -> w.element("annotation", a));
    spec.cpus().ifPresent(c -> w.element("numCPUs", c));
    spec.memoryMiB().ifPresent(m -> w.element("memoryMB", m));
    w.raw(devices);
    spec.extraConfig()
        .forEach(
            (k, v) ->
                w.open("extraConfig")
                    .element("key", k)
                    .typed("value", "xsd:string", v)
                    .close("extraConfig"));
  }

  @Override
  public TaskRef reconfigure(VmRef vm, VmConfigSpec spec) {
    String devices = spec.addDisksMiB().isEmpty() ? "" : diskChanges(vm, spec.addDisksMiB());
    XmlWriter w = new XmlWriter().open("spec");
    configSpec(w, spec, devices);
    w.close("spec");
    return VimInventory.task(vim.call("ReconfigVM_Task", Moref.of(vm), w));
  }

  /** deviceChange entries adding thin disks on the first SCSI controller's free unit numbers. */
  private String diskChanges(VmRef vm, List<Long> sizesMiB) {
    ObjectContent o = vim.properties(vm, "config.hardware.device");
    List<XmlNode> devices =
        o.prop("config.hardware.device").map(XmlNode::children).orElse(List.of());
    Integer controller = null;
    for (XmlNode d : devices) {
      String t = d.xsiType().orElse("");
      if (t.endsWith("SCSIController") || t.contains("LsiLogic") || t.contains("BusLogic")) {
        controller = d.childText("key").map(String::trim).map(Integer::parseInt).orElse(null);
        if (controller != null) {
          break;
        }
      }
    }
    if (controller == null) {
      throw new VSphereException(
          FaultKind.INVALID_ARGUMENT, "", "VM " + vm.moref() + " has no SCSI controller for disks");
    }
    Set<Integer> used = new HashSet<>(Set.of(7)); // the controller's own unit number
    for (XmlNode d : devices) {
      if (d.childText("controllerKey")
          .map(String::trim)
          .map(String::valueOf)
          .equals(Optional.of(controller.toString()))) {
        d.childText("unitNumber").map(String::trim).map(Integer::parseInt).ifPresent(used::add);
      }
    }
    XmlWriter w = new XmlWriter();
    int unit = 0;
    int key = -100;
    for (long mib : sizesMiB) {
      while (used.contains(unit)) {
        unit++;
      }
      if (unit > 15) {
        throw new VSphereException(
            FaultKind.INSUFFICIENT_RESOURCES, "", "no free SCSI unit for another disk");
      }
      used.add(unit);
      w.open("deviceChange")
          .element("operation", "add")
          .element("fileOperation", "create")
          .open("device", "VirtualDisk")
          .element("key", key--)
          .open("backing", "VirtualDiskFlatVer2BackingInfo")
          .element("fileName", "")
          .element("diskMode", "persistent")
          .element("thinProvisioned", true)
          .close("backing")
          .element("controllerKey", controller)
          .element("unitNumber", unit)
          .element("capacityInKB", mib * 1024)
          .close("device")
          .close("deviceChange");
    }
    return w.toString();
  }

  @Override
  public TaskRef powerOn(VmRef vm) {
    return VimInventory.task(vim.call("PowerOnVM_Task", Moref.of(vm), new XmlWriter()));
  }

  @Override
  public TaskRef powerOff(VmRef vm) {
    return VimInventory.task(vim.call("PowerOffVM_Task", Moref.of(vm), new XmlWriter()));
  }

  @Override
  public TaskRef destroy(VmRef vm) {
    return VimInventory.task(vim.call("Destroy_Task", Moref.of(vm), new XmlWriter()));
  }

  @Override
  public void markAsTemplate(VmRef vm) {
    vim.call("MarkAsTemplate", Moref.of(vm), new XmlWriter());
  }

  @Override
  public void setCustomAttributes(ManagedRef entity, Map<String, String> values) {
    values.forEach((k, v) -> vim.setField(Moref.of(entity), k, v));
  }

  /** Reads {@code info} of a vim25 Task. */
  TaskState taskState(TaskRef ref) {
    ObjectContent o = vim.properties(new Moref("Task", ref.id()), "info");
    XmlNode info =
        o.prop("info")
            .orElseThrow(
                () ->
                    new VSphereException(
                        FaultKind.NOT_FOUND, "Task", "task " + ref.id() + " has no info"));
    return parseTaskInfo(info);
  }

  /** A TaskInfo as TaskState; the error's fault type comes from its xsi:type. */
  static TaskState parseTaskInfo(XmlNode info) {
    String state = info.childText("state").orElse("").trim();
    int progress =
        info.childText("progress")
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .map(Integer::parseInt)
            .orElse(0);
    return switch (state) {
      case "queued" ->
          new TaskState(TaskState.Status.QUEUED, Optional.empty(), Optional.empty(), progress);
      case "running" -> TaskState.running(progress);
      case "success" ->
          TaskState.success(
              info.child("result")
                  .map(XmlNode::text)
                  .map(String::trim)
                  .filter(s -> !s.isEmpty())
                  .orElse(null));
      case "error" -> TaskState.failed(fault(info.child("error")));
      default -> TaskState.running(progress);
    };
  }

  /** A LocalizedMethodFault as a VSphereFault. */
  static VSphereFault fault(Optional<XmlNode> localizedMethodFault) {
    if (localizedMethodFault.isEmpty()) {
      return new VSphereFault(FaultKind.OTHER, "", "task failed without error details");
    }
    XmlNode lmf = localizedMethodFault.get();
    Optional<XmlNode> fault = lmf.child("fault");
    String type = fault.map(f -> f.xsiType().orElse(f.name())).orElse("");
    String msg = lmf.childText("localizedMessage").orElse("").trim();
    if (msg.isEmpty() || msg.startsWith("*types.")) { // vcsim puts the Go type name here
      msg = type;
    }
    String details = fault.map(VimMachines::leafFields).orElse("");
    return new VSphereFault(
        Faults.ofVimType(type), type, details.isEmpty() ? msg : msg + " (" + details + ")");
  }

  /** {@code name=value} of the fault's simple fields, e.g. {@code existingState=poweredOn}. */
  static String leafFields(XmlNode fault) {
    StringBuilder sb = new StringBuilder();
    for (XmlNode c : fault.children()) {
      if (c.children().isEmpty() && !c.text().isBlank()) {
        sb.append(sb.length() > 0 ? ", " : "").append(c.name()).append('=').append(c.text().trim());
      }
    }
    return sb.toString();
  }
}
