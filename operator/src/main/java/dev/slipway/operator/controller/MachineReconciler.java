package dev.slipway.operator.controller;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.api.vmoperator.v1alpha1.VSphereNamespace;
import dev.slipway.operator.api.vmoperator.v1alpha1.VirtualMachineClass;
import dev.slipway.operator.config.Placement;
import dev.slipway.operator.controller.drain.NodeDrain;
import dev.slipway.operator.controller.etcd.EtcdClient;
import dev.slipway.operator.controller.etcd.EtcdException;
import dev.slipway.operator.controller.etcd.EtcdMember;
import dev.slipway.operator.controller.steps.Next;
import dev.slipway.operator.controller.steps.Pipeline;
import dev.slipway.operator.status.Conditions;
import dev.slipway.operator.status.EventReason;
import dev.slipway.operator.status.Events;
import dev.slipway.operator.status.Reasons;
import dev.slipway.operator.status.Types;
import dev.slipway.vsphere.ContentLibrary;
import dev.slipway.vsphere.Inventory;
import dev.slipway.vsphere.Tasks;
import dev.slipway.vsphere.VSphereException;
import dev.slipway.vsphere.VirtualMachines;
import dev.slipway.vsphere.VmWatches;
import io.fabric8.kubernetes.api.model.HasMetadata;
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
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * One Machine, one VM, as a pipeline of named steps ({@link MachineSteps#pipeline()}): retry gate →
 * follow task → namespace placement → find VM → bootstrap data → template → clone → identity →
 * hardware → power → addresses → node. The first step that waits ends the pass; the status is
 * written once, at the end, by {@link StatusFinisher}.
 *
 * <p>Phases: Pending (waiting for its namespace, image or bootstrap data) → Provisioning (clone or
 * power-on in flight) → Provisioned (VM on) → Running (its Node exists) → Deleting; Failed when
 * vCenter says the machine cannot be built as specified.
 */
@ControllerConfiguration(name = "machine")
public class MachineReconciler implements Reconciler<Machine>, Cleaner<Machine> {
  public static final String ATTR_CLUSTER = "slipway.dev/cluster";
  public static final String ATTR_NAMESPACE = "slipway.dev/namespace";
  public static final String ATTR_MACHINE = "slipway.dev/machine";

  /**
   * The finalizer this controller guards a Machine's VM with (JOSDK's default name for the kind).
   * The cluster controller creates Machines with it, so JOSDK need not patch it on: one write less
   * per machine, and no moment in which a Machine exists unguarded.
   */
  public static final String FINALIZER =
      io.javaoperatorsdk.operator.ReconcilerUtils.getDefaultFinalizerName(Machine.class);

  /** Label on bootstrap Secrets, so the machine controller watches only those. */
  public static final String BOOTSTRAP_SECRET_LABEL = "slipway.dev/bootstrap";

  private final MachineSteps steps;
  private final Pipeline<MachinePass> pipeline;
  private final MachineFaults faults;
  private final MachineCleanup cleanup;
  private final WorkloadClusters workloads;
  private final NodeDrain drain = new NodeDrain();
  private final EtcdAccess etcd;
  private final Events events;
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(MachineReconciler.class);
  private final Clock clock;

  private final SecretScope secrets;
  private final VmEvents vmEvents;
  private final VmStateCache vmCache;

  public MachineReconciler(
      VirtualMachines vms,
      VmWatches watches,
      Tasks tasks,
      Inventory inventory,
      ContentLibrary library,
      Placement placement,
      Events events,
      NodeObserver nodes,
      Requeue.Backoff backoff,
      WorkloadClusters workloads,
      VSphereTags tags,
      SecretScope secrets) {
    this.secrets = secrets;
    this.clock = Clock.systemUTC();
    this.etcd = new EtcdAccess(clock, workloads.guard(), workloads.secrets());
    this.events = events;
    this.faults = new MachineFaults(backoff, events);
    // A running machine's VM is read again when the watch reports it changed, not every pass.
    this.vmEvents = new VmEvents(watches, this::vmGone);
    this.vmCache = new VmStateCache(vms, vmEvents::stamp, Requeue.VM_RESYNC, clock);
    // The template's check before each clone is a read of its VM: from the same cache, so one
    // read per template until the watch reports it changed, not one per clone.
    Templates templates = new Templates(vmCache, tasks, inventory, library, placement, tags);
    this.steps =
        new MachineSteps(
            vmCache,
            vmEvents,
            tasks,
            inventory,
            templates,
            placement,
            nodes,
            events,
            faults,
            this::etcdProblem,
            tags);
    this.pipeline = steps.pipeline();
    this.cleanup = new MachineCleanup(vms, tasks, nodes, events);
    this.workloads = workloads;
  }

  @Override
  public List<EventSource<?, Machine>> prepareEventSources(EventSourceContext<Machine> context) {
    vmEvents.machines(() -> context.getPrimaryCache().list());
    return List.of(
        // A VM that changed, appeared or went in vCenter wakes its machine.
        vmEvents,
        // A machine waits for its bootstrap Secret; the Secret's arrival wakes it.
        // Only in the namespaces the operator may read Secrets of (SecretScope).
        secrets.informer(
            namespaces ->
                InformerEventSourceConfiguration.from(Secret.class, Machine.class)
                    .withName("bootstrap-secrets")
                    .withNamespaces(namespaces)
                    .withLabelSelector(BOOTSTRAP_SECRET_LABEL)
                    .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(Machine.class, false))
                    .build(),
            context),
        // Its namespace's pool and folder, and its cluster's bootstrap problems, wake it too.
        source(context, VSphereNamespace.class, machinesIn(context, ns -> true)),
        source(
            context,
            TanzuKubernetesCluster.class,
            c ->
                machinesIn(context, m -> c.getMetadata().getName().equals(m.getSpec().clusterName))
                    .toPrimaryResourceIDs(c)),
        source(context, VirtualMachineClass.class, c -> Set.of()));
  }

  private static <R extends HasMetadata> EventSource<?, Machine> source(
      EventSourceContext<Machine> context, Class<R> type, SecondaryToPrimaryMapper<R> mapper) {
    return new InformerEventSource<>(
        InformerEventSourceConfiguration.from(type, Machine.class)
            .withSecondaryToPrimaryMapper(mapper)
            .withItemStore(Caches.withoutManagedFields())
            .build(),
        context);
  }

  /** Machines of the namespace named like the object (a VSphereNamespace) or of its namespace. */
  private static <R extends HasMetadata> SecondaryToPrimaryMapper<R> machinesIn(
      EventSourceContext<Machine> context, Predicate<Machine> which) {
    return r -> {
      String ns =
          r.getMetadata().getNamespace() != null
              ? r.getMetadata().getNamespace()
              : r.getMetadata().getName();
      return context
          .getPrimaryCache()
          .list(ns)
          .filter(which)
          .map(ResourceID::fromResource)
          .collect(Collectors.toSet());
    };
  }

  private void vmGone(dev.slipway.vsphere.VmRef vm) {
    vmCache.forget(vm);
  }

  /** A machine counts as ready when its Ready condition is True (its Node is Ready). */
  public static boolean isReady(Machine m) {
    return m.getStatus() != null
        && Conditions.of(m.getStatus().conditions, null).isTrue(Types.READY);
  }

  @Override
  public UpdateControl<Machine> reconcile(Machine m, Context<Machine> context) {
    Machine.Status before = Statuses.copy(m.getStatus(), Machine.Status.class);
    // What this pass last wrote of the machine (its spec: the provider ID), for the status write.
    AtomicReference<Machine> latest = new AtomicReference<>(m);
    MachinePass pass =
        new MachinePass(
            m,
            Lookups.of(context),
            clock.instant(),
            x ->
                latest.set(
                    StatusFinisher.cacheOwnWrite(
                        context.getClient().resource(x).patch(), latest.get(), context)));
    pass.management = context.getClient();
    pass.isControlPlaneMachine = name -> isControlPlaneMachine(context, m, name);
    Next next;
    try {
      next = pipeline.run(pass).next();
    } catch (VSphereException e) {
      next = steps.fault(pass, e);
    }
    if (pass.statusHeld) {
      return StatusFinisher.schedule(UpdateControl.noUpdate(), next);
    }
    pass.status.phase = phase(m, pass.cond);
    steps.passEnded(pass);
    return StatusFinisher.finish(m, latest.get(), before, pass.status, pass.cond, context, next);
  }

  /** The member of a joined control-plane machine, checked through the cluster's etcd CA. */
  private Optional<String> etcdProblem(MachinePass p) {
    Optional<TanzuKubernetesCluster> tkc =
        p.lookups.cluster(p.namespaceName(), p.spec().clusterName);
    if (tkc.isEmpty()) {
      return Optional.of("the cluster is gone");
    }
    EtcdAccess.Check check = etcd.check(p.management, tkc.get(), p.machine);
    if (check.problem().isEmpty()) {
      removeStrangers(p, tkc.get(), check.members());
    }
    return check.problem();
  }

  /** A healthy member also clears members whose machines are gone (one per pass). */
  private void removeStrangers(
      MachinePass p, TanzuKubernetesCluster tkc, java.util.List<EtcdMember> members) {
    try {
      etcd.removeStranger(p.management, tkc, p.machine, members, p.isControlPlaneMachine)
          .ifPresent(
              name ->
                  events.record(
                      tkc,
                      EventReason.EtcdMemberRemoved,
                      "removed etcd member " + name + ": no control-plane machine has its name"));
    } catch (EtcdException e) {
      LOG.info("etcd members of {} not checked: {}", tkc.getMetadata().getName(), e.getMessage());
    }
  }

  static String phase(Machine m, Conditions cond) {
    if (m.getMetadata().getDeletionTimestamp() != null) {
      return "Deleting";
    }
    if (cond.get(Types.VM_PROVISIONED)
        .map(c -> Reasons.MACHINE_FAULTS.contains(c.getReason()))
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
    Machine.Status before = Statuses.copy(m.getStatus(), Machine.Status.class);
    Machine.Status status = StatusFinisher.statusOf(m, Machine.Status::new);
    Conditions cond = Conditions.of(status.conditions, m.getMetadata().getGeneration());
    MachineDeparture departure = new MachineDeparture(workload(context), drain);
    Next next = cleanup.run(m, departure, cond, clock.instant());
    if (next.proceeds()) {
      steps.forget(m);
      return DeleteControl.defaultDelete();
    }
    status.phase = "Deleting";
    StatusFinisher.writeWhileDeleting(m, before, status, cond, context);
    return DeleteControl.noFinalizerRemoval()
        .rescheduleAfter(next.after().orElse(Requeue.TASK_POLL).toMillis());
  }

  private static boolean isControlPlaneMachine(Context<Machine> context, Machine m, String name) {
    return context
        .getPrimaryCache()
        .get(new ResourceID(name, m.getMetadata().getNamespace()))
        .filter(x -> m.getSpec().clusterName.equals(x.getSpec().clusterName))
        .filter(x -> x.getSpec().role == Machine.Role.controlPlane)
        .isPresent();
  }

  /** The leaving machine's workload cluster, through this controller's caches. */
  private MachineDeparture.Workload workload(Context<Machine> context) {
    Lookups lookups = Lookups.of(context);
    return new MachineDeparture.Workload() {
      @Override
      public Optional<TanzuKubernetesCluster> liveCluster(Machine m) {
        return lookups
            .cluster(m.getMetadata().getNamespace(), m.getSpec().clusterName)
            .filter(c -> c.getMetadata().getDeletionTimestamp() == null);
      }

      @Override
      public Optional<KubernetesClient> client(Machine m) {
        return workloads.client(
            context.getClient(), m.getMetadata().getNamespace(), m.getSpec().clusterName);
      }

      @Override
      public EtcdClient etcd(TanzuKubernetesCluster tkc, List<URI> endpoints) {
        return etcd.client(context.getClient(), tkc, endpoints);
      }

      @Override
      public List<Machine> controlPlane(Machine m) {
        return context
            .getPrimaryCache()
            .list(m.getMetadata().getNamespace())
            .filter(x -> m.getSpec().clusterName.equals(x.getSpec().clusterName))
            .filter(x -> x.getSpec().role == Machine.Role.controlPlane)
            .toList();
      }
    };
  }
}
