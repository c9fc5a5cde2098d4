package dev.slipway.operator.controller;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.api.vmoperator.v1alpha1.VSphereNamespace;
import dev.slipway.operator.api.vmoperator.v1alpha1.VSphereNamespace.Permission;
import dev.slipway.operator.api.vmoperator.v1alpha1.VSphereNamespace.Role;
import dev.slipway.operator.api.vmoperator.v1alpha1.VirtualMachineClass;
import dev.slipway.operator.config.Guardrails;
import dev.slipway.operator.config.Placement;
import dev.slipway.operator.controller.steps.Next;
import dev.slipway.operator.status.Conditions;
import dev.slipway.operator.status.EventReason;
import dev.slipway.operator.status.Events;
import dev.slipway.operator.status.Reasons;
import dev.slipway.operator.status.Types;
import dev.slipway.vsphere.FolderRef;
import dev.slipway.vsphere.Inventory;
import dev.slipway.vsphere.PoolLimits;
import dev.slipway.vsphere.PoolRef;
import dev.slipway.vsphere.VSphereException;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.api.model.rbac.SubjectBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.cache.Cache;
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
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A VSphereNamespace becomes a Kubernetes Namespace of the same name (labelled as Slipway's), one
 * RoleBinding per granted role, a ResourceQuota for its object limits, and in vCenter a resource
 * pool with its CPU and memory limits and a VM folder. Deleting it waits until its clusters are
 * gone, then removes what it created.
 */
@ControllerConfiguration(name = "vspherenamespace")
public class VSphereNamespaceReconciler
    implements Reconciler<VSphereNamespace>, Cleaner<VSphereNamespace> {

  public static final String MANAGED_LABEL = "slipway.dev/managed";
  public static final String NAMESPACE_LABEL = "slipway.dev/vsphere-namespace";
  public static final String QUOTA_NAME = "slipway-object-limits";
  static final Map<Role, String> CLUSTER_ROLES =
      Map.of(
          Role.owner, "slipway-namespace-owner",
          Role.edit, "slipway-namespace-edit",
          Role.view, "slipway-namespace-view");

  private final Inventory vsphere;
  private final VSphereTags tags;
  private final Guardrails guardrails;
  private final Placement placement;
  private final Events events;
  private final SecretScope secrets;

  /**
   * The {@link #stamp} (object and generation) whose Namespace, RoleBindings and counted quota this
   * process last applied, by namespace: later passes of that generation (usage changes) neither
   * read nor write them. A new generation, an error, a restart or another replica taking over
   * applies them again. (Reading them from informers instead would need list and watch on
   * namespaces and role bindings in every namespace, which the operator's RBAC deliberately does
   * not grant.)
   */
  private final Map<String, String> kubernetesApplied =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * The {@link #stamp} whose resource pool, limits, folder and tags were last found as they should
   * be, by namespace: later passes of that generation leave vCenter alone. A new generation, an
   * error, a restart or another replica taking over looks again.
   */
  private final Map<String, String> vsphereVerified =
      new java.util.concurrent.ConcurrentHashMap<>();

  private final UsagePace usagePace = new UsagePace();

  /**
   * Which object and which generation of it: a VSphereNamespace deleted and made again under the
   * same name starts at generation 1 again, and a replica that last led before that must not take
   * the new one's generation 1 for the one it applied.
   */
  static String stamp(VSphereNamespace vns) {
    return vns.getMetadata().getUid() + "/" + vns.getMetadata().getGeneration();
  }

  public VSphereNamespaceReconciler(
      Inventory vsphere,
      Placement placement,
      Events events,
      VSphereTags tags,
      Guardrails guardrails,
      SecretScope secrets) {
    this.secrets = secrets;
    this.vsphere = vsphere;
    this.guardrails = guardrails;
    this.tags = tags;
    this.placement = placement;
    this.events = events;
  }

  @Override
  public List<EventSource<?, VSphereNamespace>> prepareEventSources(
      EventSourceContext<VSphereNamespace> context) {
    // Machines and clusters of a namespace change its usage and whether it may be deleted: a
    // machine's status changing does neither, so only its arrival, class or departure counts, and
    // a cluster only by arriving or going. VM classes only fill the cache usage is computed from.
    // Machines and clusters are cached as summaries (Caches): usage reads a machine's class only.
    return List.of(
        byNamespaceName(
            context,
            Machine.class,
            Caches.machineSummaries(),
            (now, old) ->
                !java.util.Objects.equals(now.getSpec().vmClass, old.getSpec().vmClass)
                    || (now.getMetadata().getDeletionTimestamp() == null)
                        != (old.getMetadata().getDeletionTimestamp() == null)),
        byNamespaceName(
            context,
            TanzuKubernetesCluster.class,
            Caches.clusterSummaries(),
            (now, old) ->
                (now.getMetadata().getDeletionTimestamp() == null)
                    != (old.getMetadata().getDeletionTimestamp() == null)),
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(VirtualMachineClass.class, VSphereNamespace.class)
                .withSecondaryToPrimaryMapper(c -> Set.of())
                .withItemStore(Caches.withoutManagedFields())
                .build(),
            context));
  }

  private static <R extends io.fabric8.kubernetes.api.model.HasMetadata>
      EventSource<?, VSphereNamespace> byNamespaceName(
          EventSourceContext<VSphereNamespace> context,
          Class<R> type,
          io.fabric8.kubernetes.client.informers.cache.ItemStore<R> store,
          io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter<R> onUpdate) {
    return new InformerEventSource<>(
        InformerEventSourceConfiguration.from(type, VSphereNamespace.class)
            .withSecondaryToPrimaryMapper(
                r -> Set.of(new ResourceID(r.getMetadata().getNamespace())))
            .withOnUpdateFilter(onUpdate)
            .withItemStore(store)
            .build(),
        context);
  }

  @SuppressWarnings("unchecked")
  static <R extends io.fabric8.kubernetes.api.model.HasMetadata> List<R> inNamespace(
      Context<?> context, Class<R> type, String namespace) {
    InformerEventSource<R, ?> source =
        (InformerEventSource<R, ?>) context.eventSourceRetriever().getEventSourceFor(type);
    // The informers' namespace index, not a scan of every cached object: at 1 000 clusters that
    // scan (2 000 Machines per cluster pass) was a quarter of a Ready cluster's resync.
    return source.byIndex(Cache.NAMESPACE_INDEX, namespace);
  }

  @Override
  public UpdateControl<VSphereNamespace> reconcile(
      VSphereNamespace vns, Context<VSphereNamespace> context) {
    VSphereNamespace.Status before = Statuses.copy(vns.getStatus(), VSphereNamespace.Status.class);
    VSphereNamespace.Status status = StatusFinisher.statusOf(vns, VSphereNamespace.Status::new);
    Conditions cond = Conditions.of(status.conditions, vns.getMetadata().getGeneration());
    String name = vns.getMetadata().getName();
    boolean applied = kubernetesApplied(vns, cond);
    Optional<String> refused =
        applied
            ? Optional.empty()
            : notOurs(name, context.getClient().namespaces().withName(name).get());
    Next next;
    if (refused.isPresent()) {
      kubernetesApplied.remove(name);
      // Nothing is written into a namespace that is not Slipway's, nor made in vCenter for it.
      for (String type :
          List.of(Types.NAMESPACE_READY, Types.VSPHERE_RESOURCES_READY, Types.READY)) {
        cond.setFalse(type, Reasons.NAMESPACE_NOT_OURS, refused.get());
      }
      events.record(vns, EventReason.NamespaceRefused, refused.get());
      next = Next.waitFor("namespace not Slipway's", Requeue.USER_FIX);
    } else {
      if (!applied) {
        kubernetesObjects(context.getClient(), vns, cond);
      }
      if (!vsphereVerified(vns, status, cond)) {
        vsphereObjects(vns, status, cond);
      }
      next = summarize(cond);
    }
    status.usage = usage(context, vns.getMetadata().getName());
    cond.remove(Types.DELETION_BLOCKED);
    return finish(vns, before, status, cond, context, next);
  }

  /** As {@link StatusFinisher#finish}, with a status that changed in usage alone paced. */
  private UpdateControl<VSphereNamespace> finish(
      VSphereNamespace vns,
      VSphereNamespace.Status before,
      VSphereNamespace.Status status,
      Conditions cond,
      Context<VSphereNamespace> context,
      Next next) {
    String uid = vns.getMetadata().getUid();
    java.time.Instant now = java.time.Instant.now();
    status.observed(cond.list(), vns.getMetadata().getGeneration());
    Optional<java.time.Duration> hold = usagePace.hold(uid, before, status, now);
    if (hold.isPresent()) {
      return StatusFinisher.schedule(
          UpdateControl.noUpdate(), next.sooner(Next.waitFor("usage paced", hold.get())));
    }
    if (StatusFinisher.write(vns, before, status, cond, context)) {
      usagePace.wrote(uid, now);
    }
    return StatusFinisher.schedule(UpdateControl.noUpdate(), next);
  }

  /**
   * Why the Namespace of this name is not Slipway's to use: a reserved name, or a Namespace that
   * exists without Slipway's marker (made by someone else: never adopted, never deleted).
   */
  static Optional<String> notOurs(String name, io.fabric8.kubernetes.api.model.Namespace existing) {
    if (name.equals("default") || name.startsWith("kube-")) {
      return Optional.of(
          "namespace "
              + name
              + " is reserved for Kubernetes; choose another VSphereNamespace name");
    }
    if (existing != null && !isOurs(existing, name)) {
      return Optional.of(
          "namespace "
              + name
              + " already exists and was not made by Slipway (no label "
              + NAMESPACE_LABEL
              + "="
              + name
              + "); Slipway does not take over a namespace it did not make. Choose another name,"
              + " or delete the VSphereNamespace");
    }
    return Optional.empty();
  }

  static boolean isOurs(io.fabric8.kubernetes.api.model.Namespace ns, String name) {
    return ns.getMetadata().getLabels() != null
        && name.equals(ns.getMetadata().getLabels().get(NAMESPACE_LABEL));
  }

  /** The Namespace, its RoleBindings and its quota (NamespaceReady). */
  private void kubernetesObjects(KubernetesClient client, VSphereNamespace vns, Conditions cond) {
    String name = vns.getMetadata().getName();
    ensureNamespace(client, vns);
    int bindings = ensureRoleBindings(client, vns);
    ensureSecretAccess(client, name);
    Optional<String> quotaPending = ensureQuota(client, vns);
    vns.getStatus().namespace = name;
    if (!secrets.grant(client, name)) {
      kubernetesApplied.remove(name);
      cond.setFalse(
          Types.NAMESPACE_READY,
          Reasons.WAITING_FOR_SECRET_ACCESS,
          "the API server does not let the operator read Secrets of "
              + name
              + " yet (RoleBinding "
              + SecretScope.BINDING
              + ")");
    } else if (quotaPending.isPresent()) {
      kubernetesApplied.remove(name);
      cond.setFalse(Types.NAMESPACE_READY, Reasons.WAITING_FOR_QUOTA, quotaPending.get());
    } else {
      kubernetesApplied.put(name, stamp(vns));
      cond.setTrue(
          Types.NAMESPACE_READY,
          Reasons.CREATED,
          "namespace " + name + " with " + bindings + " role binding(s)");
    }
  }

  /**
   * Whether this process applied this generation's Kubernetes objects and saw the quota counted.
   */
  private boolean kubernetesApplied(VSphereNamespace vns, Conditions cond) {
    return stamp(vns).equals(kubernetesApplied.get(vns.getMetadata().getName()))
        && cond.isTrue(Types.NAMESPACE_READY);
  }

  /** Whether this generation's vSphere objects were already found as they should be. */
  private boolean vsphereVerified(
      VSphereNamespace vns, VSphereNamespace.Status status, Conditions cond) {
    return stamp(vns).equals(vsphereVerified.get(vns.getMetadata().getName()))
        && status.resourcePool != null
        && status.folder != null
        && cond.isTrue(Types.VSPHERE_RESOURCES_READY);
  }

  /** The resource pool with its limits and the VM folder (VSphereResourcesReady). */
  private void vsphereObjects(
      VSphereNamespace vns, VSphereNamespace.Status status, Conditions cond) {
    String name = vns.getMetadata().getName();
    try {
      PoolRef pool = ensurePool(vns);
      FolderRef folder = vsphere.ensureFolder(parentFolder(vns), name);
      tags.ensure(pool, VSphereTags.namespaceObject("pool", name), vns);
      tags.ensure(folder, VSphereTags.namespaceObject("folder", name), vns);
      if (status.resourcePool == null) {
        events.record(
            vns,
            EventReason.VSphereResourcesCreated,
            "resource pool " + pool.moref() + " and folder " + folder.moref() + " ready");
      }
      status.resourcePool = pool.moref();
      status.folder = folder.moref();
      String where = parentPool(vns) + "/" + name + " and folder " + parentFolder(vns) + "/" + name;
      cond.setTrue(Types.VSPHERE_RESOURCES_READY, Reasons.CREATED, "resource pool " + where);
      vsphereVerified.put(name, stamp(vns));
    } catch (VSphereException e) {
      vsphereVerified.remove(name);
      cond.setFalse(Types.VSPHERE_RESOURCES_READY, Reasons.VSPHERE_ERROR, e.getMessage());
    }
  }

  /** Ready when both sides are; a quota being counted is looked at again soon. */
  private static Next summarize(Conditions cond) {
    if (cond.isTrue(Types.NAMESPACE_READY) && cond.isTrue(Types.VSPHERE_RESOURCES_READY)) {
      cond.setTrue(Types.READY, Reasons.READY, "namespace and vSphere resources are ready");
      return Next.proceed();
    }
    cond.setFalse(
        Types.READY,
        Reasons.WAITING_FOR_CONDITIONS,
        cond.get(Types.VSPHERE_RESOURCES_READY).map(c -> c.getMessage()).orElse(""));
    return cond.isTrue(Types.NAMESPACE_READY)
        ? Next.waitFor("vSphere resources not ready", Requeue.USER_FIX)
        : Next.waitFor("quota not counted or Secret access not in effect yet", Requeue.QUOTA_POLL);
  }

  private String parentPool(VSphereNamespace vns) {
    return Optional.ofNullable(vns.getSpec().placement)
        .map(p -> p.parentResourcePool)
        .orElse(placement.parentResourcePool());
  }

  private String parentFolder(VSphereNamespace vns) {
    return Optional.ofNullable(vns.getSpec().placement)
        .map(p -> p.parentFolder)
        .orElse(placement.parentFolder());
  }

  private PoolRef ensurePool(VSphereNamespace vns) {
    PoolLimits wanted = limits(vns);
    PoolRef pool = vsphere.ensureResourcePool(parentPool(vns), vns.getMetadata().getName(), wanted);
    if (!wanted.equals(vsphere.poolLimits(pool))) {
      vsphere.updatePoolLimits(pool, wanted);
    }
    return pool;
  }

  PoolLimits limits(VSphereNamespace vns) {
    VSphereNamespace.Limits l = vns.getSpec().limits;
    if (l == null) {
      return PoolLimits.unlimited();
    }
    long cpu =
        l.cpu == null
            ? PoolLimits.UNLIMITED
            : Quantity.getAmountInBytes(l.cpu)
                .multiply(java.math.BigDecimal.valueOf(placement.mhzPerVcpu()))
                .longValue();
    long mem =
        l.memory == null
            ? PoolLimits.UNLIMITED
            : Quantity.getAmountInBytes(l.memory).longValue() / (1024 * 1024);
    return new PoolLimits(cpu, mem);
  }

  private void ensureNamespace(KubernetesClient client, VSphereNamespace vns) {
    client
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(vns.getMetadata().getName())
                .addToLabels(MANAGED_LABEL, "true")
                .addToLabels(NAMESPACE_LABEL, vns.getMetadata().getName())
                .endMetadata()
                .build())
        .fieldManager("slipway")
        .forceConflicts()
        .serverSideApply();
  }

  private int ensureRoleBindings(KubernetesClient client, VSphereNamespace vns) {
    String ns = vns.getMetadata().getName();
    Map<Role, List<Subject>> byRole = new EnumMap<>(Role.class);
    for (Permission p : Optional.ofNullable(vns.getSpec().permissions).orElse(List.of())) {
      byRole.computeIfAbsent(p.role, r -> new java.util.ArrayList<>()).add(subject(p, ns));
    }
    for (Role role : Role.values()) {
      String name = "slipway-" + role.name();
      List<Subject> subjects = byRole.get(role);
      if (subjects == null) {
        client.rbac().roleBindings().inNamespace(ns).withName(name).delete();
        continue;
      }
      applyBinding(client, ns, name, CLUSTER_ROLES.get(role), subjects);
    }
    return byRole.size();
  }

  /**
   * Binds the operator's Secret access in this namespace ({@link SecretScope}): it has none
   * cluster-wide, and this binding is the only one it may create of that role.
   */
  private void ensureSecretAccess(KubernetesClient client, String ns) {
    applyBinding(
        client,
        ns,
        SecretScope.BINDING,
        SecretScope.ROLE,
        List.of(
            new SubjectBuilder()
                .withKind("ServiceAccount")
                .withNamespace(secrets.operatorNamespace())
                .withName(SecretScope.SERVICE_ACCOUNT)
                .build()));
  }

  /** Applies RoleBinding {@code name} of ClusterRole {@code clusterRole}, labelled Slipway's. */
  private static void applyBinding(
      KubernetesClient client, String ns, String name, String clusterRole, List<Subject> subjects) {
    RoleBinding rb =
        new RoleBindingBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(ns)
            .addToLabels(MANAGED_LABEL, "true")
            .endMetadata()
            .withNewRoleRef()
            .withApiGroup("rbac.authorization.k8s.io")
            .withKind("ClusterRole")
            .withName(clusterRole)
            .endRoleRef()
            .withSubjects(subjects)
            .build();
    client
        .rbac()
        .roleBindings()
        .inNamespace(ns)
        .resource(rb)
        .fieldManager("slipway")
        .forceConflicts()
        .serverSideApply();
  }

  static Subject subject(Permission p, String namespace) {
    return switch (p.kind) {
      case User, Group ->
          new SubjectBuilder()
              .withKind(p.kind.name())
              .withApiGroup("rbac.authorization.k8s.io")
              .withName(p.name)
              .build();
      case ServiceAccount -> {
        String[] parts = p.name.split(":", 2);
        yield new SubjectBuilder()
            .withKind("ServiceAccount")
            .withNamespace(parts.length == 2 ? parts[0] : namespace)
            .withName(parts.length == 2 ? parts[1] : parts[0])
            .build();
      }
    };
  }

  /**
   * Applies the object-limit quota; returns why the namespace cannot be used yet. Until the quota
   * controller has evaluated a new quota, the API server refuses every object it counts ("status
   * unknown for quota"), so the namespace is not Ready before that.
   */
  private Optional<String> ensureQuota(KubernetesClient client, VSphereNamespace vns) {
    String ns = vns.getMetadata().getName();
    Map<String, Quantity> hard =
        hardLimits(vns.getSpec().objectLimits, guardrails.maxMachinesPerNamespace());
    var applied =
        client
            .resourceQuotas()
            .inNamespace(ns)
            .resource(
                new ResourceQuotaBuilder()
                    .withNewMetadata()
                    .withName(QUOTA_NAME)
                    .withNamespace(ns)
                    .addToLabels(MANAGED_LABEL, "true")
                    .endMetadata()
                    .withNewSpec()
                    .withHard(hard)
                    .endSpec()
                    .build())
            .fieldManager("slipway")
            .forceConflicts()
            .serverSideApply();
    // The API server admits counted objects only once the controller reports their usage.
    Map<String, Quantity> used = applied.getStatus() == null ? null : applied.getStatus().getUsed();
    if (used == null || !used.keySet().containsAll(hard.keySet())) {
      return Optional.of(
          "waiting for the quota controller to evaluate ResourceQuota " + QUOTA_NAME);
    }
    return Optional.empty();
  }

  /**
   * The quota's counts: the namespace's object limits, and machines never more than the guardrail
   * {@code guardrails.maxMachinesPerNamespace} (so every namespace has a quota).
   */
  static Map<String, Quantity> hardLimits(VSphereNamespace.ObjectLimits ol, int machineCeiling) {
    Map<String, Quantity> hard = new java.util.TreeMap<>();
    putCount(
        hard,
        "count/machines.cluster.slipway.dev",
        ol == null || ol.machines == null ? machineCeiling : Math.min(ol.machines, machineCeiling));
    if (ol != null) {
      putCount(
          hard, "count/tanzukubernetesclusters.run.tanzu.vmware.com", ol.tanzuKubernetesClusters);
      putCount(hard, "secrets", ol.secrets);
      putCount(hard, "configmaps", ol.configMaps);
    }
    return hard;
  }

  private static void putCount(Map<String, Quantity> hard, String key, Integer value) {
    if (value != null) {
      hard.put(key, new Quantity(String.valueOf(value)));
    }
  }

  private VSphereNamespace.Usage usage(Context<VSphereNamespace> context, String ns) {
    List<Machine> machines = inNamespace(context, Machine.class, ns);
    Usage u = Usage.of(machines, new VmClasses(Lookups.of(context)));
    VSphereNamespace.Usage out = new VSphereNamespace.Usage();
    out.machines = machines.size();
    out.tanzuKubernetesClusters = inNamespace(context, TanzuKubernetesCluster.class, ns).size();
    out.cpus = u.cpus();
    out.memory = new Quantity(u.memoryMiB() + "Mi");
    return out;
  }

  @Override
  public DeleteControl cleanup(VSphereNamespace vns, Context<VSphereNamespace> context) {
    String ns = vns.getMetadata().getName();
    kubernetesApplied.remove(ns);
    vsphereVerified.remove(ns);
    usagePace.forget(vns.getMetadata().getUid());
    List<String> clusters =
        inNamespace(context, TanzuKubernetesCluster.class, ns).stream()
            .map(c -> c.getMetadata().getName())
            .sorted()
            .toList();
    if (!clusters.isEmpty()) {
      String message =
          "deletion waits for "
              + clusters.size()
              + " cluster(s) in namespace "
              + ns
              + ": "
              + String.join(", ", clusters);
      blockDeletion(context, vns, Reasons.CLUSTERS_EXIST, message);
      events.record(vns, EventReason.DeletionBlocked, message);
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(Requeue.DEPENDENCY.toMillis());
    }
    List<Machine> machines = inNamespace(context, Machine.class, ns);
    if (!machines.isEmpty()) {
      blockDeletion(
          context,
          vns,
          Reasons.CLUSTERS_EXIST,
          "deletion waits for " + machines.size() + " machine(s) to go");
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(Requeue.DELETION_POLL.toMillis());
    }
    try {
      if (removeVSphereObjects(vns)) {
        return DeleteControl.noFinalizerRemoval().rescheduleAfter(Requeue.TASK_POLL.toMillis());
      }
    } catch (VSphereException e) {
      String message =
          "cannot remove vSphere objects: "
              + e.getMessage()
              + " (see docs/troubleshooting.md, \"A deletion that does not finish\")";
      blockDeletion(context, vns, Reasons.VSPHERE_OBJECTS_IN_USE, message);
      events.record(vns, EventReason.DeletionBlocked, message);
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(Requeue.USER_FIX.toMillis());
    }
    if (!tags.deleteNamespaceTags(ns, vns)) {
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(Requeue.DEPENDENCY.toMillis());
    }
    // Its Secrets are no longer watched; the RoleBinding goes with the Namespace.
    secrets.revoke(ns);
    // Only a Namespace Slipway made goes with the VSphereNamespace.
    var namespace = context.getClient().namespaces().withName(ns).get();
    if (namespace != null && isOurs(namespace, ns)) {
      context.getClient().namespaces().withName(ns).delete();
    }
    events.forget(vns);
    return DeleteControl.defaultDelete();
  }

  /** Starts deleting the pool and folder if they still exist; true while something remains. */
  private boolean removeVSphereObjects(VSphereNamespace vns) {
    String name = vns.getMetadata().getName();
    Optional<FolderRef> folder = vsphere.findFolder(parentFolder(vns) + "/" + name);
    Optional<PoolRef> pool = vsphere.findResourcePool(parentPool(vns) + "/" + name);
    folder.filter(vsphere::isManaged).ifPresent(vsphere::deleteFolder);
    pool.filter(vsphere::isManaged).ifPresent(vsphere::deleteResourcePool);
    return folder.filter(vsphere::isManaged).isPresent()
        || pool.filter(vsphere::isManaged).isPresent();
  }

  private void blockDeletion(
      Context<VSphereNamespace> context, VSphereNamespace vns, String reason, String message) {
    VSphereNamespace.Status before = Statuses.copy(vns.getStatus(), VSphereNamespace.Status.class);
    VSphereNamespace.Status status = StatusFinisher.statusOf(vns, VSphereNamespace.Status::new);
    Conditions cond = Conditions.of(status.conditions, vns.getMetadata().getGeneration());
    cond.setTrue(Types.DELETION_BLOCKED, reason, message);
    cond.setFalse(Types.READY, Reasons.DELETING, message);
    StatusFinisher.writeWhileDeleting(vns, before, status, cond, context);
  }
}
