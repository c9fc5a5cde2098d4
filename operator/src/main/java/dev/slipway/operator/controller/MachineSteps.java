package dev.slipway.operator.controller;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.Volume;
import dev.slipway.operator.api.vmoperator.v1alpha1.VirtualMachineClass;
import dev.slipway.operator.bootstrap.GuestInfo;
import dev.slipway.operator.config.Placement;
import dev.slipway.operator.controller.steps.Next;
import dev.slipway.operator.controller.steps.Pipeline;
import dev.slipway.operator.status.Conditions;
import dev.slipway.operator.status.EventReason;
import dev.slipway.operator.status.Events;
import dev.slipway.operator.status.Reasons;
import dev.slipway.operator.status.Types;
import dev.slipway.vsphere.CloneSpec;
import dev.slipway.vsphere.DatastoreRef;
import dev.slipway.vsphere.FaultKind;
import dev.slipway.vsphere.FolderRef;
import dev.slipway.vsphere.Inventory;
import dev.slipway.vsphere.PoolRef;
import dev.slipway.vsphere.PowerState;
import dev.slipway.vsphere.TaskRef;
import dev.slipway.vsphere.TaskState;
import dev.slipway.vsphere.Tasks;
import dev.slipway.vsphere.VSphereException;
import dev.slipway.vsphere.VirtualMachines;
import dev.slipway.vsphere.VmConfigSpec;
import dev.slipway.vsphere.VmRef;
import dev.slipway.vsphere.VmState;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Machine pipeline's steps, in the order {@link #pipeline()} lists them. Each reads the pass,
 * may start one vCenter operation, and says whether the pass goes on. A step that throws a {@link
 * VSphereException} ends the pass through {@link MachineFaults#failed}.
 */
final class MachineSteps {
  /** extraConfig key on each clone: the template's disk count, so volumes are counted right. */
  static final String TEMPLATE_DISKS_KEY = "slipway.templateDisks";

  private final VirtualMachines vms;
  private final KnownVms known;
  private final Tasks tasks;
  private final Inventory inventory;
  private final Templates templates;
  private final Placement placement;
  private final NodeObserver nodes;
  private final Events events;
  private final MachineFaults faults;
  private final EtcdHealth etcd;
  private final VSphereTags tags;

  /** When each machine's VM was last found (by machine uid), for the message of a lost one. */
  private final Map<String, Instant> lastSeen = new ConcurrentHashMap<>();

  /**
   * The vCenter task each machine's last pass in this process left in its status, by machine UID.
   * The informer can show a pass an older status than the last one written (a write's watch event
   * arriving after the next write evicts JOSDK's copy of it), and a pass that saw no task would
   * start the same work again while the first task runs: two reconfigures adding a disk at the same
   * SCSI unit, the second failing with InvalidDeviceSpec and the machine Failed (VCenterFaultsE2E).
   * Empty after a restart, when the status is all there is.
   */
  private final Map<String, String> taskInFlight = new ConcurrentHashMap<>();

  /**
   * How long a storage class's datastore, found by its inventory path, is used for clones without
   * looking it up again: one look-up per path and minute instead of one per clone. A datastore
   * renamed or removed meanwhile fails clones for at most that long (each retried after its
   * back-off); then the path is looked up again.
   */
  static final Duration DATASTORE_KEPT = Duration.ofMinutes(1);

  private record Found(DatastoreRef ref, Instant at) {}

  private final Map<String, Found> datastores = new ConcurrentHashMap<>();

  MachineSteps(
      VirtualMachines vms,
      KnownVms known,
      Tasks tasks,
      Inventory inventory,
      Templates templates,
      Placement placement,
      NodeObserver nodes,
      Events events,
      MachineFaults faults,
      EtcdHealth etcd,
      VSphereTags tags) {
    this.vms = vms;
    this.known = known;
    this.tasks = tasks;
    this.inventory = inventory;
    this.templates = templates;
    this.placement = placement;
    this.nodes = nodes;
    this.events = events;
    this.faults = faults;
    this.etcd = etcd;
    this.tags = tags;
  }

  Pipeline<MachinePass> pipeline() {
    return Pipeline.<MachinePass>builder("machine")
        .step("retry-gate", faults::gate)
        .step("follow-task", this::followTask)
        .step("namespace-placement", this::namespacePlacement)
        .step("find-vm", this::findVm)
        .step("bootstrap-data", this::bootstrapData)
        .step("grants", this::grants)
        .step("template", this::template)
        .step("clone", this::cloneVm)
        .step("identity", this::identity)
        .step("hardware", this::hardware)
        .step("power", this::power)
        .step("addresses", this::addresses)
        .step("node", this::node)
        .step("scrub-guestinfo", this::scrubGuestinfo)
        .step("etcd-member", this::etcdMember)
        .build();
  }

  /** A task in flight: wait for it; a failed one is a fault; a forgotten one is over. */
  Next followTask(MachinePass p) {
    String mine = taskInFlight.get(p.machine.getMetadata().getUid());
    if (mine != null && !mine.equals(p.status.taskRef)) {
      p.status.taskRef = mine; // a status older than this process's last write
    }
    if (p.status.taskRef == null) {
      return Next.proceed();
    }
    TaskState t;
    try {
      t = tasks.taskState(new TaskRef(p.status.taskRef));
    } catch (VSphereException e) {
      if (e.kind() != FaultKind.NOT_FOUND) {
        throw e;
      }
      // vCenter forgot the task (restart): the VM look-up decides what is next.
      p.status.taskRef = null;
      return Next.proceed();
    }
    if (!t.isDone()) {
      return Next.waitFor("task " + p.status.taskRef + " running", Requeue.TASK_POLL);
    }
    p.status.taskRef = null;
    p.taskResult = t.result().orElse(null);
    if (t.status() == TaskState.Status.ERROR) {
      VSphereException e = new VSphereException(t.error().orElseThrow(), null);
      // The VM exists, or is already on, or (a task on the machine's own VM) the VM is gone: the
      // look-up that follows sees which, and a VM that is gone is VMMissing, not a task fault.
      boolean vmGone = e.kind() == FaultKind.NOT_FOUND && p.status.vmRef != null;
      if (e.kind() != FaultKind.ALREADY_EXISTS
          && e.kind() != FaultKind.INVALID_POWER_STATE
          && !vmGone) {
        throw e;
      }
      p.askVcenter = true;
    }
    return Next.proceed();
  }

  /** The namespace's resource pool and folder must exist before a VM can. */
  Next namespacePlacement(MachinePass p) {
    p.namespace = p.lookups.namespace(p.namespaceName()).orElse(null);
    if (p.namespace == null
        || p.namespace.getStatus() == null
        || p.namespace.getStatus().folder == null) {
      p.cond.setFalse(
          Types.VM_PROVISIONED,
          Reasons.WAITING_FOR_NAMESPACE,
          "waiting for VSphereNamespace "
              + p.namespaceName()
              + " to have its resource pool and folder");
      return Next.waitFor("namespace not ready", Requeue.DEPENDENCY);
    }
    return Next.proceed();
  }

  /**
   * By the recorded reference (or the VM its clone task just made) while it still names this
   * machine's VM, else by instance UUID (= the machine's uid), then by name among the VMs of the
   * namespace's folder: never a second clone after a crash. The name is matched in a listing of the
   * folder, not with SearchIndex.FindByInventoryPath, which vcsim 0.56.0 cannot answer while
   * another clone into that folder is half made (docs/performance.md). A machine that has had a VM
   * (its {@code vmRef} is recorded) and finds none is Failed for good ({@link Reasons#VM_MISSING}):
   * a clone would boot the same bootstrap data again (kubeadm init on an initialized cluster, a
   * join token long deleted); remediation replaces the machine instead.
   */
  Next findVm(MachinePass p) {
    String uid = p.machine.getMetadata().getUid();
    p.vmState = recordedVm(p, uid);
    if (p.vmState != null) {
      p.vm = Optional.of(p.vmState.ref());
    } else {
      p.vm = lookUp(p, uid);
      try {
        p.vmState = p.vm.map(vms::vmState).orElse(null);
      } catch (VSphereException e) {
        if (e.kind() != FaultKind.NOT_FOUND || p.askVcenter) {
          throw e;
        }
        // The watch had not seen it go yet: vCenter says.
        p.askVcenter = true;
        p.vm = lookUp(p, uid);
        p.vmState = p.vm.map(vms::vmState).orElse(null);
      }
    }
    if (p.vm.isPresent()) {
      lastSeen.put(uid, p.now);
      return Next.proceed();
    }
    if (p.status.vmRef == null) {
      return Next.proceed();
    }
    String message =
        "VM "
            + p.name()
            + " ("
            + p.status.vmRef
            + ", instance UUID "
            + Optional.ofNullable(p.status.instanceUUID).orElse(uid)
            + ") is gone from "
            + folderPath(p)
            + "; "
            + lastSeenText(p, uid)
            + ". The machine is never cloned again (its bootstrap data belongs to the lost VM);"
            + " remediation or a person replaces it by deleting it";
    lastSeen.remove(uid);
    return faults.permanent(p, Reasons.VM_MISSING, message);
  }

  /**
   * By instance UUID, then by name in the namespace's folder. A machine that never had a VM asks
   * the VM watch while it is in step, without a call: a VM the watch has not seen yet (a clone of a
   * crashed pass finishing this moment) makes vCenter refuse the next clone as a duplicate name,
   * and the pass after that asks vCenter. A machine that had a VM, or whose task or call said
   * something about its VM, asks vCenter: a VM reported lost must be lost.
   */
  private Optional<VmRef> lookUp(MachinePass p, String uid) {
    FolderRef folder = new FolderRef(p.namespace.getStatus().folder);
    if (p.status.vmRef == null && !p.askVcenter) {
      Optional<Optional<VmRef>> byUuid = known.byInstanceUuid(uid);
      if (byUuid.isPresent() && byUuid.get().isPresent()) {
        return byUuid.get();
      }
      Optional<Optional<VmRef>> byName =
          byUuid.isPresent() ? known.inFolder(folder, p.name()) : Optional.empty();
      if (byName.isPresent()) {
        return byName.get();
      }
    }
    Optional<VmRef> vm = vms.findVmByInstanceUuid(uid);
    return vm.isPresent() ? vm : vms.findVmInFolder(folder, p.name());
  }

  /**
   * What the VM watch knows of the inventory now, without a call to vCenter ({@link
   * dev.slipway.vsphere.VmWatch#byInstanceUuid}): empty while it is not in step.
   */
  interface KnownVms {
    Optional<Optional<VmRef>> byInstanceUuid(String instanceUuid);

    Optional<Optional<VmRef>> inFolder(FolderRef folder, String name);
  }

  /**
   * vCenter refused a call of this pass. A NOT_FOUND on a call about the machine's VM (a power-on,
   * a reconfigure) while the VM is gone means it vanished after this pass found it: the look-up is
   * run again and decides ({@link Reasons#VM_MISSING} for a VM the machine had), so the machine
   * does not fail for good with the call's fault. Every other fault is {@link MachineFaults}'.
   */
  Next fault(MachinePass p, VSphereException e) {
    if (e.kind() == FaultKind.NOT_FOUND && p.vmState != null && p.namespace != null) {
      p.askVcenter = true;
      Next again = findVm(p);
      if (p.vm.isEmpty()) {
        return p.status.vmRef != null
            ? again
            : Next.waitFor(
                "VM " + p.name() + " vanished before it was recorded", Requeue.TASK_POLL);
      }
    }
    return faults.failed(p, e);
  }

  /**
   * The VM the machine recorded ({@code status.vmRef}), or else the one its clone task just
   * returned, read directly: one call instead of a search and a read on every pass of a running
   * machine and right after the clone. Null when there is neither, when that reference is gone, or
   * when it now names a VM that is not this machine's (its instance UUID differs): the searches
   * decide then.
   */
  private VmState recordedVm(MachinePass p, String uid) {
    String ref = p.status.vmRef != null ? p.status.vmRef : p.taskResult;
    if (ref == null) {
      return null;
    }
    try {
      VmState s = vms.vmState(new VmRef(ref));
      return uid.equals(s.instanceUuid()) ? s : null;
    } catch (VSphereException e) {
      if (e.kind() != FaultKind.NOT_FOUND) {
        throw e;
      }
      return null;
    }
  }

  /** The machine is gone: nothing to remember of its VM. */
  void forget(Machine m) {
    lastSeen.remove(m.getMetadata().getUid());
    taskInFlight.remove(m.getMetadata().getUid());
  }

  /** Called with the status a pass is about to write: the task it leaves in flight, if any. */
  void passEnded(MachinePass p) {
    String uid = p.machine.getMetadata().getUid();
    if (p.status.taskRef == null) {
      taskInFlight.remove(uid);
    } else {
      taskInFlight.put(uid, p.status.taskRef);
    }
  }

  /** When this process last saw the VM; after a restart, when it was last known to be on. */
  private String lastSeenText(MachinePass p, String uid) {
    Instant seen = lastSeen.get(uid);
    if (seen != null) {
      return "last seen at " + seen.truncatedTo(ChronoUnit.SECONDS);
    }
    return p.cond
        .get(Types.VM_PROVISIONED)
        .filter(c -> Conditions.TRUE.equals(c.getStatus()))
        .map(
            c ->
                "on since "
                    + c.getLastTransitionTime()
                    + " (VMProvisioned; not seen since this"
                    + " operator process started)")
        .orElse("not seen since this operator process started");
  }

  /** No VM yet: it needs its bootstrap Secret, or the cluster's reason why there is none. */
  Next bootstrapData(MachinePass p) {
    if (p.vm.isPresent()) {
      return Next.proceed();
    }
    Machine.Bootstrap b = p.spec().bootstrap;
    p.bootstrap =
        b == null || b.dataSecretName == null
            ? null
            : p.lookups.secret(p.namespaceName(), b.dataSecretName).orElse(null);
    if (p.bootstrap != null) {
      p.cond.setTrue(Types.BOOTSTRAP_READY, Reasons.BOOTSTRAP_DATA_READY, "");
      return Next.proceed();
    }
    Optional<Condition> problem = clusterBootstrapProblem(p);
    if (problem.isPresent()) {
      // The cluster cannot give out bootstrap data; say why here, where a person looks.
      p.cond.setFalse(Types.BOOTSTRAP_READY, problem.get().getReason(), problem.get().getMessage());
      p.cond.setFalse(Types.VM_PROVISIONED, problem.get().getReason(), "no bootstrap data");
    } else {
      String secret = b == null ? "(none named)" : b.dataSecretName;
      p.cond.setFalse(
          Types.BOOTSTRAP_READY,
          Reasons.WAITING_FOR_BOOTSTRAP_DATA,
          "waiting for Secret " + secret);
      p.cond.setFalse(
          Types.VM_PROVISIONED, Reasons.WAITING_FOR_BOOTSTRAP_DATA, "no bootstrap data yet");
      p.statusHeld = secretOnItsWay(p);
    }
    // The Secret's creation wakes this machine; a cluster-side problem needs a look later.
    return Next.waitFor("no bootstrap data", Requeue.USER_FIX);
  }

  /**
   * The cluster controller writes a machine's bootstrap Secret in the same pass that creates the
   * machine, so on a new machine's first look a missing Secret is almost always on its way, and its
   * arrival wakes the machine: a "waiting for Secret" status then would be a write that is
   * overwritten a moment later. It is written only if the Secret is still missing {@link
   * Requeue#USER_FIX} after the machine was created (the next look), or at once when the cluster
   * says why it cannot give one.
   */
  static boolean secretOnItsWay(MachinePass p) {
    String created = p.machine.getMetadata().getCreationTimestamp();
    return p.firstLook
        && created != null
        && Duration.between(Instant.parse(created), p.now).compareTo(Requeue.USER_FIX) < 0;
  }

  private static Optional<Condition> clusterBootstrapProblem(MachinePass p) {
    return p.lookups
        .cluster(p.namespaceName(), p.spec().clusterName)
        .filter(c -> c.getStatus() != null)
        .flatMap(c -> Conditions.of(c.getStatus().conditions, null).get(Types.BOOTSTRAP_READY))
        .filter(c -> Conditions.FALSE.equals(c.getStatus()));
  }

  /**
   * No VM yet: the class, storage class and library the Machine names must be granted to its
   * namespace now, whatever the Machine says (the cluster controller checked its spec; this holds
   * for a grant revoked since, or a Machine written by someone else).
   */
  Next grants(MachinePass p) {
    if (p.vm.isPresent()) {
      return Next.proceed();
    }
    Optional<String> why = notGranted(p.namespace, p.spec());
    if (why.isPresent()) {
      p.cond.setFalse(Types.VM_PROVISIONED, Reasons.NOT_GRANTED, why.get());
      return Next.waitFor("not granted", Requeue.USER_FIX);
    }
    return Next.proceed();
  }

  /** What of the machine's class, storage class and library its namespace does not grant. */
  static Optional<String> notGranted(
      dev.slipway.operator.api.vmoperator.v1alpha1.VSphereNamespace ns, Machine.Spec spec) {
    var s = ns.getSpec();
    List<String> missing = new ArrayList<>();
    if (s.vmClasses == null || !s.vmClasses.contains(spec.vmClass)) {
      missing.add("VM class " + spec.vmClass);
    }
    if (s.storageClasses == null
        || s.storageClasses.stream().noneMatch(c -> c.name.equals(spec.storageClass))) {
      missing.add("storage class " + spec.storageClass);
    }
    String library = spec.image == null ? null : spec.image.contentLibrary;
    if (s.contentLibraries == null || !s.contentLibraries.contains(library)) {
      missing.add("content library " + library);
    }
    return missing.isEmpty()
        ? Optional.empty()
        : Optional.of(
            "namespace "
                + ns.getMetadata().getName()
                + " does not grant "
                + String.join(", ", missing)
                + "; no VM is made until it does");
  }

  /** No VM yet: the release's library item must be a template to clone from. */
  Next template(MachinePass p) {
    if (p.vm.isPresent()) {
      return Next.proceed();
    }
    p.template = templates.ensure(p.spec().image.contentLibrary, p.spec().image.item);
    if (p.template.vm().isEmpty()) {
      p.cond.setFalse(Types.VM_PROVISIONED, Reasons.PREPARING_TEMPLATE, p.template.message());
      return Next.waitFor("template not ready", Requeue.TEMPLATE_POLL);
    }
    return Next.proceed();
  }

  /** No VM yet: clone it with its identity, size and bootstrap data from the first moment. */
  Next cloneVm(MachinePass p) {
    if (p.vm.isPresent()) {
      return Next.proceed();
    }
    Optional<VirtualMachineClass> vmClass = p.lookups.vmClass(p.spec().vmClass);
    if (vmClass.isEmpty()) {
      p.cond.setFalse(
          Types.VM_PROVISIONED,
          Reasons.VM_CLASS_NOT_FOUND,
          "VirtualMachineClass " + p.spec().vmClass + " does not exist");
      return Next.waitFor("no VM class", Requeue.USER_FIX);
    }
    if (holdsStaleInitData(p)) {
      return faults.permanent(
          p,
          Reasons.STALE_INIT_DATA,
          "bootstrap Secret "
              + p.bootstrap.getMetadata().getName()
              + " holds kubeadm init data, but cluster "
              + p.spec().clusterName
              + " is already initialized: a VM booting it would start a second, empty cluster on"
              + " the control-plane endpoint. Delete the machine; its replacement joins");
    }
    // The caches keep no cloud-config: read it now, the one time it is needed.
    Optional<Secret> data =
        p.lookups.bootstrapData(p.namespaceName(), p.bootstrap.getMetadata().getName());
    if (data.isEmpty()
        || data.get().getData() == null
        || !data.get().getData().containsKey("value")) {
      // Deleted (or emptied) since the cache saw it; its deletion wakes the machine again.
      p.cond.setFalse(
          Types.VM_PROVISIONED,
          Reasons.WAITING_FOR_BOOTSTRAP_DATA,
          "bootstrap Secret " + p.bootstrap.getMetadata().getName() + " has no cloud-config");
      return Next.waitFor("no bootstrap data", Requeue.USER_FIX);
    }
    TaskRef task = vms.cloneVm(cloneSpec(p, vmClass.get(), data.get()));
    p.status.taskRef = task.id();
    p.status.lastTaskError = null;
    p.cond.setFalse(
        Types.VM_PROVISIONED,
        Reasons.CLONING,
        "cloning " + p.spec().image.item + " into " + folderPath(p));
    return Next.waitFor("clone started", Requeue.TASK_POLL);
  }

  /** Init data of a cluster that has run kubeadm init already: never booted. */
  private static boolean holdsStaleInitData(MachinePass p) {
    var a = p.bootstrap.getMetadata().getAnnotations();
    return a != null
        && KubeadmBootstrap.KIND_INIT.equals(a.get(KubeadmBootstrap.KIND_ANNOTATION))
        && p.lookups
            .cluster(p.namespaceName(), p.spec().clusterName)
            .map(KubeadmBootstrap::initialized)
            .orElse(false);
  }

  private CloneSpec cloneSpec(MachinePass p, VirtualMachineClass vmClass, Secret bootstrap) {
    Map<String, String> extra = new LinkedHashMap<>(guestinfo(p.machine, bootstrap));
    extra.put(TEMPLATE_DISKS_KEY, String.valueOf(p.template.disks()));
    return new CloneSpec(
        p.template.vm().get(),
        p.name(),
        new FolderRef(p.namespace.getStatus().folder),
        new PoolRef(p.namespace.getStatus().resourcePool),
        datastore(p),
        VmConfigSpec.builder()
            .instanceUuid(p.machine.getMetadata().getUid())
            .cpus(VmClasses.cpus(vmClass))
            .memoryMiB(VmClasses.memoryMiB(vmClass))
            .extraConfig(extra)
            .annotation(annotation(p.machine))
            .build(),
        // Volume disks come in a reconfigure before the first boot; without them the clone
        // powers the VM on itself (one task instead of two). Notes and attributes follow.
        volumesMiB(p.machine).isEmpty());
  }

  /** The VM found is this machine's: record who it is and mark it for a vCenter admin. */
  Next identity(MachinePass p) {
    VmState state = p.vmState;
    if (!p.machine.getMetadata().getUid().equals(state.instanceUuid())) {
      return faults.permanent(
          p,
          "a VM named "
              + state.name()
              + " already exists in the namespace's folder and is not this machine's"
              + " (instance UUID "
              + state.instanceUuid()
              + ")");
    }
    if (p.status.vmRef == null) {
      events.record(
          p.machine,
          EventReason.VMCreated,
          "VM " + state.name() + " (" + state.ref().moref() + ") created");
    }
    p.status.vmRef = state.ref().moref();
    p.status.biosUUID = state.biosUuid();
    p.status.instanceUUID = state.instanceUuid();
    String providerId = "vsphere://" + state.biosUuid();
    if (!providerId.equals(p.spec().providerID)) {
      p.spec().providerID = providerId;
      p.specWriter.accept(p.machine);
    }
    Map<String, String> attrs = attributes(p.machine);
    if (!state.customAttributes().entrySet().containsAll(attrs.entrySet())) {
      vms.setCustomAttributes(state.ref(), attrs);
    }
    tags.ensure(
        state.ref(), VSphereTags.machine(p.namespaceName(), p.spec().clusterName), p.machine);
    return Next.proceed();
  }

  /**
   * What the clone could not set: volume disks (a clone spec cannot add disks, so they come in one
   * reconfigure before the first boot) and the notes (some vCenters ignore a clone's annotation).
   */
  Next hardware(MachinePass p) {
    VmConfigSpec.Builder b = VmConfigSpec.builder();
    boolean needed = false;
    if (!annotation(p.machine).equals(p.vmState.annotation())) {
      b.annotation(annotation(p.machine));
      needed = true;
    }
    if (p.vmState.powerState() != PowerState.ON && !volumesMiB(p.machine).isEmpty()) {
      OptionalInt templateDisks = templateDisks(p);
      if (templateDisks.isEmpty()) {
        // Which of the VM's disks are volumes is unknown; booting now could leave one out.
        p.cond.setFalse(
            Types.VM_PROVISIONED,
            Reasons.PREPARING_TEMPLATE,
            "waiting for the template of " + p.spec().image.item + " to count the VM's disks");
        return Next.waitFor("template not ready", Requeue.TEMPLATE_POLL);
      }
      List<Long> missing = missingVolumesMiB(p, templateDisks.getAsInt());
      if (!missing.isEmpty()) {
        missing.forEach(b::addDiskMiB);
        needed = true;
      }
    }
    if (!needed) {
      return Next.proceed();
    }
    p.status.taskRef = vms.reconfigure(p.vmState.ref(), b.build()).id();
    p.cond.setFalse(
        Types.VM_PROVISIONED, Reasons.CLONING, "setting the VM's notes and volume disks");
    return Next.waitFor("reconfigure started", Requeue.TASK_POLL);
  }

  private List<Long> missingVolumesMiB(MachinePass p, int templateDisks) {
    List<Long> volumes = volumesMiB(p.machine);
    int missing =
        Math.min(
            volumes.size(), templateDisks + volumes.size() - p.vmState.diskCapacitiesMiB().size());
    return missing <= 0
        ? List.of()
        : new ArrayList<>(volumes.subList(volumes.size() - missing, volumes.size()));
  }

  /**
   * From the VM's own record; VMs cloned before Slipway wrote it ask the template, and get nothing
   * while it is not there.
   */
  private OptionalInt templateDisks(MachinePass p) {
    String recorded = p.vmState.extraConfig().get(TEMPLATE_DISKS_KEY);
    if (recorded != null) {
      return OptionalInt.of(Integer.parseInt(recorded));
    }
    Templates.State t = templates.ensure(p.spec().image.contentLibrary, p.spec().image.item);
    return t.vm().isPresent() ? OptionalInt.of(t.disks()) : OptionalInt.empty();
  }

  /** Powered on once everything before it is set. */
  Next power(MachinePass p) {
    if (p.vmState.powerState() != PowerState.ON) {
      p.status.taskRef = vms.powerOn(p.vmState.ref()).id();
      p.cond.setFalse(Types.VM_PROVISIONED, Reasons.POWERING_ON, "powering on " + p.vmState.name());
      return Next.waitFor("power-on started", Requeue.TASK_POLL);
    }
    if (!p.cond.isTrue(Types.VM_PROVISIONED)) {
      events.record(p.machine, EventReason.VMPoweredOn, "VM " + p.vmState.name() + " powered on");
    }
    p.cond.setTrue(Types.VM_PROVISIONED, Reasons.POWERED_ON, "VM " + p.vmState.name() + " is on");
    faults.progressed(p);
    return Next.proceed();
  }

  /** {@link Requeue#readyResync} of the machine's cluster's unhealthy timeout. */
  private static Duration readyResync(MachinePass p) {
    return Requeue.readyResync(
        p.lookups
            .cluster(p.namespaceName(), p.spec().clusterName)
            .map(ClusterHealth::unhealthyTimeout)
            .orElse(ClusterHealth.DEFAULTS.unhealthyTimeout()));
  }

  /** The guest's addresses as VMware Tools reports them. */
  Next addresses(MachinePass p) {
    List<String> ips = p.vmState.ipAddresses();
    p.status.addresses =
        ips.isEmpty()
            ? null
            : ips.stream().map(ip -> new Machine.Address("InternalIP", ip)).toList();
    return Next.proceed();
  }

  /** The machine's Node in its workload cluster: nodeRef, NodeHealthy, Ready. */
  Next node(MachinePass p) {
    long again = nodes.observe(p.machine, p.cond);
    if (again > 0 && p.cond.isTrue(Types.NODE_HEALTHY)) {
      again = Requeue.spread(readyResync(p), 0.1).toMillis();
    }
    p.observeAgain =
        again > 0
            ? Next.waitFor("watching the node", Duration.ofMillis(again))
            : Next.waitForEvents("watching the node");
    return Next.proceed();
  }

  /**
   * Once the Node has joined, the bootstrap data (a token; on control-plane machines the cluster's
   * CA keys) leaves the VM's settings, where anyone with read access to the VM in vCenter could
   * read it. The guest clears it itself right after reading it ({@link GuestInfo#CLEANUP}); this
   * catches guests whose cloud-init did not. Reads only the VM state the pass already has, so a
   * scrubbed VM costs nothing; the pass goes on to the etcd check while the reconfigure runs.
   */
  Next scrubGuestinfo(MachinePass p) {
    if (p.status.nodeRef == null || !GuestInfo.holdsUserdata(p.vmState.extraConfig())) {
      return Next.proceed();
    }
    p.status.taskRef =
        vms.reconfigure(
                p.vmState.ref(), VmConfigSpec.builder().extraConfig(GuestInfo.scrub()).build())
            .id();
    p.observeAgain =
        p.observeAgain.sooner(Next.waitFor("clearing the VM's user data", Requeue.TASK_POLL));
    return Next.proceed();
  }

  /**
   * A control-plane machine whose Node joined is Ready only while its etcd member is a healthy
   * voting member (kubeadm registers the Node before the member joins, and a rollout or a growing
   * control plane must not count a member that is still a learner). Ends every pass.
   */
  Next etcdMember(MachinePass p) {
    Next again = p.observeAgain == null ? Next.waitForEvents("nothing to watch") : p.observeAgain;
    if (p.spec().role != Machine.Role.controlPlane || p.status.nodeRef == null) {
      return again;
    }
    Optional<String> problem = etcd.problem(p);
    if (problem.isEmpty()) {
      p.cond.setTrue(Types.ETCD_MEMBER_HEALTHY, Reasons.READY, "healthy voting etcd member");
      return again;
    }
    p.cond.setFalse(Types.ETCD_MEMBER_HEALTHY, Reasons.ETCD_MEMBER_NOT_READY, problem.get());
    if (p.cond.isTrue(Types.READY)) {
      p.cond.setFalse(Types.READY, Reasons.ETCD_MEMBER_NOT_READY, problem.get());
    }
    return again.sooner(Next.waitFor("etcd member not ready", Requeue.GUEST_POLL));
  }

  /** Whether a control-plane machine's etcd member is a healthy voting member. */
  @FunctionalInterface
  interface EtcdHealth {
    /** Empty when healthy and voting; otherwise why not, for a person. */
    Optional<String> problem(MachinePass p);
  }

  private String folderPath(MachinePass p) {
    String parent =
        Optional.ofNullable(p.namespace.getSpec().placement).map(x -> x.parentFolder).orElse(null);
    return placement.namespaceFolderPath(parent, p.namespaceName());
  }

  private Optional<DatastoreRef> datastore(MachinePass p) {
    return Optional.ofNullable(p.namespace.getSpec().storageClasses).orElse(List.of()).stream()
        .filter(s -> s.name.equals(p.spec().storageClass))
        .findFirst()
        .flatMap(s -> datastore(s.datastore, p.now));
  }

  /** The datastore at {@code path}, looked up at most once per {@link #DATASTORE_KEPT}. */
  private Optional<DatastoreRef> datastore(String path, Instant now) {
    Found f = datastores.get(path);
    if (f != null && now.isBefore(f.at().plus(DATASTORE_KEPT))) {
      return Optional.of(f.ref());
    }
    Optional<DatastoreRef> ref = inventory.findDatastore(path);
    if (ref.isPresent()) {
      datastores.put(path, new Found(ref.get(), now));
    } else {
      datastores.remove(path);
    }
    return ref;
  }

  /** What the guest reads: cloud-init user data and instance metadata, base64 as CAPV writes. */
  static Map<String, String> guestinfo(Machine m, Secret bootstrap) {
    String cloudConfig =
        new String(
            Base64.getDecoder().decode(bootstrap.getData().get("value")), StandardCharsets.UTF_8);
    return GuestInfo.extraConfig(cloudConfig, m.getMetadata().getUid(), m.getMetadata().getName());
  }

  static String annotation(Machine m) {
    return "Managed by Slipway: machine "
        + m.getMetadata().getName()
        + " of cluster "
        + m.getMetadata().getNamespace()
        + "/"
        + m.getSpec().clusterName
        + " ("
        + m.getSpec().role
        + (m.getSpec().pool == null ? "" : ", pool " + m.getSpec().pool)
        + "). Change it through the TanzuKubernetesCluster, not here.";
  }

  static List<Long> volumesMiB(Machine m) {
    List<Long> out = new ArrayList<>();
    for (Volume v : Optional.ofNullable(m.getSpec().volumes).orElse(List.of())) {
      out.add(Quantity.getAmountInBytes(v.capacity.storage).longValue() / (1024 * 1024));
    }
    return out;
  }

  static Map<String, String> attributes(Machine m) {
    Map<String, String> a = new LinkedHashMap<>();
    a.put(MachineReconciler.ATTR_CLUSTER, m.getSpec().clusterName);
    a.put(MachineReconciler.ATTR_NAMESPACE, m.getMetadata().getNamespace());
    a.put(MachineReconciler.ATTR_MACHINE, m.getMetadata().getName());
    return a;
  }
}
