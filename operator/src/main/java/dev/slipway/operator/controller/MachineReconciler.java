package dev.slipway.operator.controller;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.Volume;
import dev.slipway.operator.api.vmoperator.v1alpha1.VSphereNamespace;
import dev.slipway.operator.api.vmoperator.v1alpha1.VirtualMachineClass;
import dev.slipway.operator.bootstrap.GuestInfo;
import dev.slipway.operator.config.Placement;
import dev.slipway.operator.status.Conditions;
import dev.slipway.operator.status.EventReason;
import dev.slipway.operator.status.Events;
import dev.slipway.operator.status.Reasons;
import dev.slipway.operator.status.Types;
import dev.slipway.vsphere.CloneSpec;
import dev.slipway.vsphere.DatastoreRef;
import dev.slipway.vsphere.FaultKind;
import dev.slipway.vsphere.FolderRef;
import dev.slipway.vsphere.PoolRef;
import dev.slipway.vsphere.PowerState;
import dev.slipway.vsphere.TaskRef;
import dev.slipway.vsphere.TaskState;
import dev.slipway.vsphere.VSphereException;
import dev.slipway.vsphere.VSphereProvider;
import dev.slipway.vsphere.VmConfigSpec;
import dev.slipway.vsphere.VmRef;
import dev.slipway.vsphere.VmState;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Machine, one VM. The VM is found by instance UUID (= the Machine's uid) and then by inventory
 * path before anything is cloned, so a crash between "clone started" and "status written" never
 * makes a second VM. Every vCenter operation is started, its task stored in status, and finished on
 * a later reconcile; no thread waits for vCenter.
 *
 * <p>Phases: Pending (waiting for its namespace, image or bootstrap data) → Provisioning (clone or
 * power-on in flight) → Provisioned (VM on) → Running (its Node exists) → Deleting; Failed when
 * vCenter says the machine cannot be built as specified.
 */
@ControllerConfiguration(name = "machine")
public class MachineReconciler implements Reconciler<Machine>, Cleaner<Machine> {
  private static final Logger LOG = LoggerFactory.getLogger(MachineReconciler.class);

  public static final String ATTR_CLUSTER = "slipway.dev/cluster";
  public static final String ATTR_NAMESPACE = "slipway.dev/namespace";
  public static final String ATTR_MACHINE = "slipway.dev/machine";
  static final long TASK_POLL_MILLIS = 1_000;

  private final VSphereProvider vsphere;
  private final Placement placement;
  private final Events events;
  private final Templates templates;
  private final NodeObserver nodes;

  public MachineReconciler(
      VSphereProvider vsphere, Placement placement, Events events, NodeObserver nodes) {
    this.vsphere = vsphere;
    this.placement = placement;
    this.events = events;
    this.templates = new Templates(vsphere, placement);
    this.nodes = nodes;
  }

  @Override
  public List<EventSource<?, Machine>> prepareEventSources(EventSourceContext<Machine> context) {
    // A machine waits for its bootstrap Secret; the Secret's arrival should wake it.
    return List.of(
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Secret.class, Machine.class)
                .withLabelSelector(BOOTSTRAP_SECRET_LABEL)
                .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(Machine.class, false))
                .build(),
            context));
  }

  /** Label on bootstrap Secrets, so the machine controller watches only those. */
  public static final String BOOTSTRAP_SECRET_LABEL = "slipway.dev/bootstrap";

  /** A machine counts as ready when its Ready condition is True (its Node is Ready). */
  public static boolean isReady(Machine m) {
    return m.getStatus() != null
        && Conditions.of(m.getStatus().conditions, null).isTrue(Types.READY);
  }

  @Override
  public UpdateControl<Machine> reconcile(Machine m, Context<Machine> context) {
    Machine.Status before = Statuses.copy(m.getStatus(), Machine.Status.class);
    Machine.Status status = m.getStatus() == null ? new Machine.Status() : m.getStatus();
    m.setStatus(status);
    Conditions cond = Conditions.of(status.conditions, m.getMetadata().getGeneration());
    long next = step(m, context, cond);
    status.conditions = cond.list();
    status.phase = phase(m, cond);
    status.observedGeneration = m.getMetadata().getGeneration();
    UpdateControl<Machine> control =
        Statuses.changed(before, status) ? UpdateControl.patchStatus(m) : UpdateControl.noUpdate();
    return next > 0 ? control.rescheduleAfter(next) : control;
  }

  /** Takes the next step towards a running VM; returns when to look again (0: on events only). */
  private long step(Machine m, Context<Machine> context, Conditions cond) {
    Machine.Status status = m.getStatus();
    KubernetesClient client = context.getClient();
    if (status.taskRef != null) {
      Long wait = followTask(m, cond);
      if (wait != null) {
        return wait;
      }
    }
    VSphereNamespace vns =
        client.resources(VSphereNamespace.class).withName(m.getMetadata().getNamespace()).get();
    if (vns == null || vns.getStatus() == null || vns.getStatus().folder == null) {
      cond.setFalse(
          Types.VM_PROVISIONED,
          Reasons.WAITING_FOR_NAMESPACE,
          "waiting for VSphereNamespace "
              + m.getMetadata().getNamespace()
              + " to have its resource pool and folder");
      return 5_000;
    }
    try {
      Optional<VmRef> vm = findVm(m, vns);
      if (vm.isEmpty()) {
        return startClone(m, client, vns, cond);
      }
      return observeVm(m, client, vm.get(), cond);
    } catch (VSphereException e) {
      return vsphereFailed(m, cond, e);
    }
  }

  /** Reads the stored task; null means the task is over and the reconcile may go on. */
  private Long followTask(Machine m, Conditions cond) {
    Machine.Status status = m.getStatus();
    TaskState t;
    try {
      t = vsphere.taskState(new TaskRef(status.taskRef));
    } catch (VSphereException e) {
      if (e.kind() == FaultKind.NOT_FOUND) {
        // vCenter forgot the task or this process restarted; the VM look-up decides what is next.
        status.taskRef = null;
        return null;
      }
      return vsphereFailed(m, cond, e);
    }
    switch (t.status()) {
      case QUEUED, RUNNING:
        return TASK_POLL_MILLIS;
      case SUCCESS:
        status.taskRef = null;
        return null;
      default:
        status.taskRef = null;
        VSphereException e = new VSphereException(t.error().orElseThrow(), null);
        if (e.kind() == FaultKind.ALREADY_EXISTS || e.kind() == FaultKind.INVALID_POWER_STATE) {
          return null; // the VM exists, or is already on: the next look-up sees which
        }
        return vsphereFailed(m, cond, e);
    }
  }

  private long vsphereFailed(Machine m, Conditions cond, VSphereException e) {
    m.getStatus().lastTaskError = e.getMessage();
    if (e.isRetryable() || e.kind() == FaultKind.TRANSIENT) {
      cond.setFalse(Types.VM_PROVISIONED, Reasons.TASK_FAILED, e.getMessage() + " (will retry)");
      events.record(m, EventReason.TaskFailed, e.getMessage());
      return 10_000;
    }
    cond.setFalse(Types.VM_PROVISIONED, Reasons.PERMANENT_FAILURE, e.getMessage());
    cond.setFalse(Types.READY, Reasons.PERMANENT_FAILURE, e.getMessage());
    events.record(m, EventReason.MachineFailed, e.getMessage());
    return 60_000;
  }

  private Optional<VmRef> findVm(Machine m, VSphereNamespace vns) {
    Optional<VmRef> byUuid = vsphere.findVmByInstanceUuid(m.getMetadata().getUid());
    if (byUuid.isPresent()) {
      return byUuid;
    }
    return vsphere.findVmByPath(folderPath(m, vns) + "/" + m.getMetadata().getName());
  }

  private String folderPath(Machine m, VSphereNamespace vns) {
    String parent =
        Optional.ofNullable(vns.getSpec().placement).map(p -> p.parentFolder).orElse(null);
    return placement.namespaceFolderPath(parent, m.getMetadata().getNamespace());
  }

  private long startClone(
      Machine m, KubernetesClient client, VSphereNamespace vns, Conditions cond) {
    Optional<Secret> bootstrap = bootstrapSecret(m, client);
    if (bootstrap.isEmpty()) {
      Optional<io.fabric8.kubernetes.api.model.Condition> problem =
          clusterBootstrapProblem(m, client);
      if (problem.isPresent()) {
        // The cluster cannot give out bootstrap data; say why here, where a person looks.
        cond.setFalse(Types.BOOTSTRAP_READY, problem.get().getReason(), problem.get().getMessage());
        cond.setFalse(Types.VM_PROVISIONED, problem.get().getReason(), "no bootstrap data");
        return 10_000;
      }
      cond.setFalse(
          Types.BOOTSTRAP_READY,
          Reasons.WAITING_FOR_BOOTSTRAP_DATA,
          "waiting for Secret " + m.getSpec().bootstrap.dataSecretName);
      cond.setFalse(
          Types.VM_PROVISIONED, Reasons.WAITING_FOR_BOOTSTRAP_DATA, "no bootstrap data yet");
      // The Secret's creation wakes this machine; a cluster-side problem needs a look later.
      return 10_000;
    }
    cond.setTrue(Types.BOOTSTRAP_READY, Reasons.BOOTSTRAP_DATA_READY, "");

    Templates.State template =
        templates.ensure(m.getSpec().image.contentLibrary, m.getSpec().image.item);
    if (template.vm().isEmpty()) {
      cond.setFalse(Types.VM_PROVISIONED, Reasons.PREPARING_TEMPLATE, template.message());
      return 2_000;
    }
    VirtualMachineClass vmClass = new VmClasses(client).get(m.getSpec().vmClass).orElse(null);
    if (vmClass == null) {
      cond.setFalse(
          Types.VM_PROVISIONED,
          Reasons.VM_CLASS_NOT_FOUND,
          "VirtualMachineClass " + m.getSpec().vmClass + " does not exist");
      return 10_000;
    }
    Optional<DatastoreRef> datastore = datastore(m, vns);
    CloneSpec spec =
        new CloneSpec(
            template.vm().get(),
            m.getMetadata().getName(),
            new FolderRef(vns.getStatus().folder),
            new PoolRef(vns.getStatus().resourcePool),
            datastore,
            VmConfigSpec.builder()
                .instanceUuid(m.getMetadata().getUid())
                .cpus(VmClasses.cpus(vmClass))
                .memoryMiB(VmClasses.memoryMiB(vmClass))
                .extraConfig(guestinfo(m, bootstrap.get()))
                .annotation(annotation(m))
                .build(),
            false);
    TaskRef task = vsphere.cloneVm(spec);
    m.getStatus().taskRef = task.id();
    m.getStatus().lastTaskError = null;
    cond.setFalse(
        Types.VM_PROVISIONED,
        Reasons.CLONING,
        "cloning " + m.getSpec().image.item + " into " + folderPath(m, vns));
    LOG.info("cloning VM {} (task {})", m.getMetadata().getName(), task.id());
    return TASK_POLL_MILLIS;
  }

  private static Optional<io.fabric8.kubernetes.api.model.Condition> clusterBootstrapProblem(
      Machine m, KubernetesClient client) {
    var tkc =
        client
            .resources(dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster.class)
            .inNamespace(m.getMetadata().getNamespace())
            .withName(m.getSpec().clusterName)
            .get();
    if (tkc == null || tkc.getStatus() == null) {
      return Optional.empty();
    }
    return Conditions.of(tkc.getStatus().conditions, null)
        .get(Types.BOOTSTRAP_READY)
        .filter(c -> Conditions.FALSE.equals(c.getStatus()));
  }

  private Optional<DatastoreRef> datastore(Machine m, VSphereNamespace vns) {
    return Optional.ofNullable(vns.getSpec().storageClasses).orElse(List.of()).stream()
        .filter(s -> s.name.equals(m.getSpec().storageClass))
        .findFirst()
        .flatMap(s -> vsphere.findDatastore(s.datastore));
  }

  private static Optional<Secret> bootstrapSecret(Machine m, KubernetesClient client) {
    if (m.getSpec().bootstrap == null || m.getSpec().bootstrap.dataSecretName == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(
        client
            .secrets()
            .inNamespace(m.getMetadata().getNamespace())
            .withName(m.getSpec().bootstrap.dataSecretName)
            .get());
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

  private long observeVm(Machine m, KubernetesClient client, VmRef vm, Conditions cond) {
    VmState state = vsphere.vmState(vm);
    Machine.Status status = m.getStatus();
    if (!m.getMetadata().getUid().equals(state.instanceUuid())) {
      String msg =
          "a VM named "
              + state.name()
              + " already exists in the namespace's folder and is not"
              + " this machine's (instance UUID "
              + state.instanceUuid()
              + ")";
      cond.setFalse(Types.VM_PROVISIONED, Reasons.PERMANENT_FAILURE, msg);
      cond.setFalse(Types.READY, Reasons.PERMANENT_FAILURE, msg);
      events.record(m, EventReason.MachineFailed, msg);
      return 60_000;
    }
    if (status.vmRef == null) {
      events.record(
          m, EventReason.VMCreated, "VM " + state.name() + " (" + vm.moref() + ") created");
    }
    status.vmRef = vm.moref();
    status.biosUUID = state.biosUuid();
    status.instanceUUID = state.instanceUuid();
    String providerId = "vsphere://" + state.biosUuid();
    if (!providerId.equals(m.getSpec().providerID)) {
      m.getSpec().providerID = providerId;
      client.resources(Machine.class).resource(m).patch();
    }
    Map<String, String> attrs = attributes(m);
    if (!state.customAttributes().entrySet().containsAll(attrs.entrySet())) {
      vsphere.setCustomAttributes(vm, attrs);
    }
    Optional<VmConfigSpec> fix = pendingReconfigure(m, state);
    if (fix.isPresent()) {
      status.taskRef = vsphere.reconfigure(vm, fix.get()).id();
      cond.setFalse(
          Types.VM_PROVISIONED, Reasons.CLONING, "setting the VM's notes and volume disks");
      return TASK_POLL_MILLIS;
    }
    if (state.powerState() != PowerState.ON) {
      status.taskRef = vsphere.powerOn(vm).id();
      cond.setFalse(Types.VM_PROVISIONED, Reasons.POWERING_ON, "powering on " + state.name());
      return TASK_POLL_MILLIS;
    }
    if (!cond.isTrue(Types.VM_PROVISIONED)) {
      events.record(m, EventReason.VMPoweredOn, "VM " + state.name() + " powered on");
    }
    cond.setTrue(Types.VM_PROVISIONED, Reasons.POWERED_ON, "VM " + state.name() + " is on");
    status.addresses =
        state.ipAddresses().isEmpty()
            ? null
            : state.ipAddresses().stream()
                .map(ip -> new Machine.Address("InternalIP", ip))
                .toList();
    return nodes.observe(m, cond);
  }

  /**
   * What the clone could not set: volume disks (a clone spec cannot add disks, so they come in one
   * reconfigure before the first boot) and the notes (some vCenters ignore a clone's annotation).
   */
  private Optional<VmConfigSpec> pendingReconfigure(Machine m, VmState state) {
    VmConfigSpec.Builder b = VmConfigSpec.builder();
    boolean needed = false;
    if (!annotation(m).equals(state.annotation())) {
      b.annotation(annotation(m));
      needed = true;
    }
    List<Long> volumes = volumesMiB(m);
    int templateDisks =
        templates.ensure(m.getSpec().image.contentLibrary, m.getSpec().image.item).disks();
    int missing =
        Math.min(volumes.size(), templateDisks + volumes.size() - state.diskCapacitiesMiB().size());
    if (state.powerState() != PowerState.ON && missing > 0) {
      volumes.subList(volumes.size() - missing, volumes.size()).forEach(b::addDiskMiB);
      needed = true;
    }
    return needed ? Optional.of(b.build()) : Optional.empty();
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
    a.put(ATTR_CLUSTER, m.getSpec().clusterName);
    a.put(ATTR_NAMESPACE, m.getMetadata().getNamespace());
    a.put(ATTR_MACHINE, m.getMetadata().getName());
    return a;
  }

  static String phase(Machine m, Conditions cond) {
    if (m.getMetadata().getDeletionTimestamp() != null) {
      return "Deleting";
    }
    if (cond.get(Types.VM_PROVISIONED)
        .map(c -> Reasons.PERMANENT_FAILURE.equals(c.getReason()))
        .orElse(false)) {
      return "Failed";
    }
    if (m.getStatus().nodeRef != null) {
      return "Running";
    }
    if (cond.isTrue(Types.VM_PROVISIONED)) {
      return "Provisioned";
    }
    if (m.getStatus().taskRef != null || m.getStatus().vmRef != null) {
      return "Provisioning";
    }
    return "Pending";
  }

  @Override
  public DeleteControl cleanup(Machine m, Context<Machine> context) {
    Machine.Status status = m.getStatus() == null ? new Machine.Status() : m.getStatus();
    m.setStatus(status);
    try {
      if (status.taskRef != null) {
        TaskState t = taskOrNull(status.taskRef);
        if (t != null
            && (t.status() == TaskState.Status.QUEUED || t.status() == TaskState.Status.RUNNING)) {
          // A clone still running would leave a VM behind if we let go now.
          return DeleteControl.noFinalizerRemoval().rescheduleAfter(TASK_POLL_MILLIS);
        }
      }
      Optional<VmRef> vm = vsphere.findVmByInstanceUuid(m.getMetadata().getUid());
      if (vm.isEmpty()) {
        if (status.vmRef != null) {
          events.record(m, EventReason.VMDeleted, "VM " + m.getMetadata().getName() + " deleted");
        }
        nodes.forget(m);
        events.forget(m);
        return DeleteControl.defaultDelete();
      }
      VmState state = vsphere.vmState(vm.get());
      TaskRef task =
          state.powerState() == PowerState.ON
              ? vsphere.powerOff(vm.get())
              : vsphere.destroy(vm.get());
      status.taskRef = task.id();
      status.phase = "Deleting";
      context.getClient().resource(m).patchStatus();
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(TASK_POLL_MILLIS);
    } catch (VSphereException e) {
      if (e.kind() == FaultKind.NOT_FOUND) {
        return DeleteControl.noFinalizerRemoval().rescheduleAfter(TASK_POLL_MILLIS);
      }
      LOG.warn("deleting the VM of {} failed: {}", m.getMetadata().getName(), e.getMessage());
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(5_000);
    }
  }

  private TaskState taskOrNull(String id) {
    try {
      return vsphere.taskState(new TaskRef(id));
    } catch (VSphereException e) {
      return null;
    }
  }
}
