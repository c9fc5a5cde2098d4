package dev.slipway.operator.controller;

import dev.slipway.operator.addons.AddonManifest;
import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesClusterStatus;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesRelease;
import dev.slipway.operator.api.vmoperator.v1alpha1.VSphereNamespace;
import dev.slipway.operator.api.vmoperator.v1alpha1.VirtualMachineClass;
import dev.slipway.operator.config.AddonSettings;
import dev.slipway.operator.config.Guardrails;
import dev.slipway.operator.controller.steps.Next;
import dev.slipway.operator.controller.steps.Pipeline;
import dev.slipway.operator.plan.NameSuffixes;
import dev.slipway.operator.status.Conditions;
import dev.slipway.operator.status.EventReason;
import dev.slipway.operator.status.Events;
import dev.slipway.operator.status.Reasons;
import dev.slipway.operator.status.Types;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
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
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Turns a TanzuKubernetesCluster into Machines as a pipeline of named steps ({@link
 * ClusterSteps#pipeline()}): resolve → access → plan → limits → apply → bootstrap → addons; then
 * the status is summarized ({@link ClusterStatus}) and written once ({@link StatusFinisher}).
 * Deleting a cluster deletes its machines and waits until they (and so their VMs) are gone.
 */
@ControllerConfiguration(name = "tanzukubernetescluster")
public class TanzuKubernetesClusterReconciler
    implements Reconciler<TanzuKubernetesCluster>, Cleaner<TanzuKubernetesCluster> {
  public static final String CLUSTER_LABEL = "slipway.dev/cluster";
  public static final String ROLE_LABEL = "slipway.dev/role";
  public static final String POOL_LABEL = "slipway.dev/pool";
  public static final String DELETE_MACHINE_ANNOTATION = "slipway.dev/delete-machine";

  private final ClusterAccess access;
  private final Events events;
  private final WorkloadClusters workloads;
  private final MachineExpectations expectations;
  private final Pipeline<ClusterPass> pipeline;
  private final ClusterHealth health;
  private final MachineView machineView;
  private final AddonSettings addonSettings;

  /** How the reconciler sees a cluster's machines; tests put a lagging view in between. */
  @FunctionalInterface
  public interface MachineView {
    List<Machine> machines(TanzuKubernetesCluster tkc, Context<TanzuKubernetesCluster> context);

    /** The informer's machines owned by the cluster. */
    MachineView INFORMER =
        (tkc, context) -> List.copyOf(context.getSecondaryResources(Machine.class));
  }

  private final SecretScope secrets;
  private final VSphereTags tags;

  public TanzuKubernetesClusterReconciler(
      Events events,
      NameSuffixes suffixes,
      BootstrapData bootstrap,
      ClusterAccess access,
      WorkloadClusters workloads,
      MachineView machineView,
      Guardrails guardrails,
      AddonSettings addons,
      SecretScope secrets,
      VSphereTags tags) {
    this.secrets = secrets;
    this.events = events;
    this.tags = tags;
    this.access = access;
    this.workloads = workloads;
    this.machineView = machineView;
    this.expectations = new MachineExpectations(Clock.systemUTC());
    this.addonSettings = addons;
    ClusterSteps steps =
        new ClusterSteps(
            events,
            suffixes,
            bootstrap,
            access,
            expectations,
            guardrails,
            new ClusterAddons(workloads, addons));
    this.health = steps.health();
    this.pipeline = steps.pipeline();
  }

  @Override
  public List<EventSource<?, TanzuKubernetesCluster>> prepareEventSources(
      EventSourceContext<TanzuKubernetesCluster> context) {
    // Every cluster's own Secrets (bootstrap data, PKI, kubeconfig, SSH keys), cached for
    // ClusterSecrets: they wake nothing.
    InformerEventSource<Secret, TanzuKubernetesCluster> clusterSecrets =
        secrets.informer(
            namespaces ->
                InformerEventSourceConfiguration.from(Secret.class, TanzuKubernetesCluster.class)
                    .withName("cluster-secrets")
                    .withNamespaces(namespaces)
                    .withLabelSelector(CLUSTER_LABEL)
                    .withSecondaryToPrimaryMapper(s -> Set.of())
                    .build(),
            context);
    workloads.secrets().use(clusterSecrets::get);
    // What a cluster refers to wakes the clusters that refer to it (here: all of a namespace's,
    // or all clusters for cluster-scoped kinds; resolution is cheap and reads caches only).
    return List.of(
        source(
            context,
            Machine.class,
            Mappers.fromOwnerReferences(TanzuKubernetesCluster.class, false)),
        source(context, VSphereNamespace.class, clustersIn(context, false)),
        source(context, TanzuKubernetesRelease.class, clustersIn(context, true)),
        source(context, VirtualMachineClass.class, clustersIn(context, true)),
        clusterSecrets,
        // The addons' manifests: one that changes wakes every cluster (ClusterAddons).
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(ConfigMap.class, TanzuKubernetesCluster.class)
                .withNamespaces(Set.of(addonSettings.namespace()))
                .withLabelSelector(AddonManifest.ADDON_LABEL)
                .withSecondaryToPrimaryMapper(clustersIn(context, true))
                .withItemStore(Caches.withoutManagedFields())
                .build(),
            context));
  }

  private static <R extends HasMetadata> EventSource<?, TanzuKubernetesCluster> source(
      EventSourceContext<TanzuKubernetesCluster> context,
      Class<R> type,
      SecondaryToPrimaryMapper<R> mapper) {
    return new InformerEventSource<>(
        InformerEventSourceConfiguration.from(type, TanzuKubernetesCluster.class)
            .withSecondaryToPrimaryMapper(mapper)
            .withItemStore(Caches.withoutManagedFields())
            .build(),
        context);
  }

  private static <R extends HasMetadata> SecondaryToPrimaryMapper<R> clustersIn(
      EventSourceContext<TanzuKubernetesCluster> context, boolean everyNamespace) {
    return r ->
        (everyNamespace
                ? context.getPrimaryCache().list()
                : context.getPrimaryCache().list(r.getMetadata().getName()))
            .map(ResourceID::fromResource)
            .collect(Collectors.toSet());
  }

  @Override
  public UpdateControl<TanzuKubernetesCluster> reconcile(
      TanzuKubernetesCluster tkc, Context<TanzuKubernetesCluster> context) {
    TanzuKubernetesClusterStatus before =
        Statuses.copy(tkc.getStatus(), TanzuKubernetesClusterStatus.class);
    ClusterPass pass = pass(tkc, context);
    Next next = pipeline.run(pass).next().sooner(pass.lookAgain);
    if (expectations.pending(pass.key())) {
      // The informer's event for our own write may have come before the cache showed it.
      next = next.sooner(Next.waitFor("own writes not in the cache yet", Requeue.DEPENDENCY));
    }
    if (ClusterStatus.summarize(tkc, pass.machines, pass.cond, pass.status, pass.rollout)) {
      events.record(tkc, EventReason.ClusterReady, "cluster is ready");
    }
    return StatusFinisher.finish(tkc, before, pass.status, pass.cond, context, next);
  }

  private ClusterPass pass(TanzuKubernetesCluster tkc, Context<TanzuKubernetesCluster> context) {
    String key = tkc.getMetadata().getNamespace() + "/" + tkc.getMetadata().getName();
    List<Machine> machines = expectations.view(key, machineView.machines(tkc, context));
    List<Machine> inNamespace =
        VSphereNamespaceReconciler.inNamespace(
            context, Machine.class, tkc.getMetadata().getNamespace());
    return new ClusterPass(tkc, context.getClient(), Lookups.of(context), machines, inNamespace);
  }

  @Override
  public DeleteControl cleanup(
      TanzuKubernetesCluster tkc, Context<TanzuKubernetesCluster> context) {
    List<Machine> machines = new ArrayList<>(context.getSecondaryResources(Machine.class));
    String key = tkc.getMetadata().getNamespace() + "/" + tkc.getMetadata().getName();
    if (machines.isEmpty()) {
      // Its VMs are gone: so may their tag (a failure is an Event and is swept when the
      // namespace goes), and the address may go to another cluster now.
      tags.deleteClusterTag(tkc.getMetadata().getNamespace(), tkc.getMetadata().getName(), tkc);
      access.release(context.getClient(), tkc);
      events.forget(tkc);
      expectations.forget(key);
      health.forget(key);
      workloads.forget(tkc.getMetadata().getNamespace(), tkc.getMetadata().getName());
      return DeleteControl.defaultDelete();
    }
    machines.stream()
        .filter(m -> m.getMetadata().getDeletionTimestamp() == null)
        .forEach(m -> context.getClient().resource(m).delete());
    TanzuKubernetesClusterStatus before =
        Statuses.copy(tkc.getStatus(), TanzuKubernetesClusterStatus.class);
    TanzuKubernetesClusterStatus status =
        StatusFinisher.statusOf(tkc, TanzuKubernetesClusterStatus::new);
    Conditions cond = Conditions.of(status.conditions, tkc.getMetadata().getGeneration());
    cond.setFalse(
        Types.READY, Reasons.DELETING, "deleting " + machines.size() + " machine(s) and their VMs");
    status.phase = "deleting";
    StatusFinisher.writeWhileDeleting(tkc, before, status, cond, context);
    return DeleteControl.noFinalizerRemoval().rescheduleAfter(Requeue.DELETION_POLL.toMillis());
  }
}
