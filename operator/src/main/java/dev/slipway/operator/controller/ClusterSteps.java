package dev.slipway.operator.controller;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.common.ApiEndpoint;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesRelease;
import dev.slipway.operator.config.Guardrails;
import dev.slipway.operator.controller.ClusterResolver.Resolved;
import dev.slipway.operator.controller.ClusterResolver.Unresolved;
import dev.slipway.operator.controller.steps.Next;
import dev.slipway.operator.controller.steps.Pipeline;
import dev.slipway.operator.plan.MachinePlanner;
import dev.slipway.operator.plan.MachineToCreate;
import dev.slipway.operator.plan.MachineToDelete;
import dev.slipway.operator.plan.NameSuffixes;
import dev.slipway.operator.plan.Plan;
import dev.slipway.operator.status.Conditions;
import dev.slipway.operator.status.EventReason;
import dev.slipway.operator.status.Events;
import dev.slipway.operator.status.Reasons;
import dev.slipway.operator.status.Types;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TanzuKubernetesCluster pipeline's steps, in the order {@link #pipeline()} lists them: resolve
 * → access → plan → remediate → limits → apply → bootstrap → addons. The status is summarized after
 * the pass whatever step it ended in ({@link ClusterStatus}).
 */
final class ClusterSteps {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterSteps.class);

  private final Events events;
  private final NameSuffixes suffixes;
  private final BootstrapData bootstrap;
  private final ClusterAccess access;
  private final MachineExpectations expectations;
  private final Guardrails guardrails;
  private final ClusterAddons addons;
  private final ClusterHealth health;

  ClusterSteps(
      Events events,
      NameSuffixes suffixes,
      BootstrapData bootstrap,
      ClusterAccess access,
      MachineExpectations expectations,
      Guardrails guardrails,
      ClusterAddons addons) {
    this.addons = addons;
    this.events = events;
    this.suffixes = suffixes;
    this.bootstrap = bootstrap;
    this.access = access;
    this.expectations = expectations;
    this.guardrails = guardrails;
    this.health = new ClusterHealth(events, java.time.Clock.systemUTC());
  }

  ClusterHealth health() {
    return health;
  }

  Pipeline<ClusterPass> pipeline() {
    return Pipeline.<ClusterPass>builder("cluster")
        .step("resolve", this::resolve)
        .step("access", this::access)
        .step("plan", this::plan)
        .step("remediate", health::remediate)
        .step("limits", this::limits)
        .step("apply", this::apply)
        .step("bootstrap", this::bootstrap)
        .step("addons", this::addons)
        .build();
  }

  /** Every reference resolves before a single machine is planned (ResourcesResolved). */
  Next resolve(ClusterPass p) {
    Optional<String> invalid = ClusterSpecCheck.invalid(p.tkc);
    if (invalid.isPresent()) {
      p.cond.setFalse(Types.RESOURCES_RESOLVED, Reasons.INVALID_SPEC, invalid.get());
      events.record(p.tkc, EventReason.ResolutionFailed, invalid.get());
      return Next.waitFor("invalid spec", Requeue.USER_FIX);
    }
    Optional<String> over = ClusterGuardrails.exceeded(guardrails, p.tkc, p.machines);
    if (over.isPresent()) {
      p.cond.setFalse(Types.RESOURCES_RESOLVED, Reasons.OVER_GUARDRAIL, over.get());
      events.record(p.tkc, EventReason.ResolutionFailed, over.get());
      return Next.waitFor("over a guardrail", Requeue.USER_FIX);
    }
    Object resolution = new ClusterResolver(p.lookups).resolve(p.tkc);
    if (resolution instanceof Unresolved u) {
      p.cond.setFalse(Types.RESOURCES_RESOLVED, u.reason(), u.message());
      events.record(p.tkc, EventReason.ResolutionFailed, u.message());
      return Next.waitFor("unresolved: " + u.reason(), Requeue.RESOLUTION);
    }
    p.resolved = (Resolved) resolution;
    // Recorded only once everything resolved: a choice the cluster could not use is not sticky.
    p.status.distribution = p.resolved.distribution();
    var cp = ClusterMachines.controlPlane(p.tkc);
    TanzuKubernetesRelease tkr = p.resolved.release(cp, cp);
    p.cond.setTrue(
        Types.RESOURCES_RESOLVED,
        Reasons.RESOLVED,
        "release "
            + tkr.getMetadata().getName()
            + " in namespace "
            + p.tkc.getMetadata().getNamespace());
    Conditions.of(tkr.getStatus().conditions, null)
        .get(Types.COMPATIBLE)
        .ifPresent(
            c -> p.cond.set(Types.TKR_COMPATIBLE, c.getStatus(), c.getReason(), c.getMessage()));
    updatesAvailable(p, tkr);
    return Next.proceed();
  }

  /**
   * UpdatesAvailable: Ready, compatible releases the control plane may move to next (newer, and at
   * most one minor version up), as TKG Service lists them.
   */
  static void updatesAvailable(ClusterPass p, TanzuKubernetesRelease current) {
    String running = current.getSpec().kubernetes.version;
    List<String> newer =
        p.lookups.releases().stream()
            .filter(r -> r.getStatus() != null)
            .filter(r -> Conditions.of(r.getStatus().conditions, null).isTrue(Types.READY))
            .filter(r -> Conditions.of(r.getStatus().conditions, null).isTrue(Types.COMPATIBLE))
            .filter(r -> Versions.later(r.getSpec().version, current.getSpec().version))
            .filter(r -> Versions.minorSteps(running, r.getSpec().kubernetes.version) <= 1)
            .map(r -> r.getMetadata().getName())
            .sorted()
            .toList();
    if (newer.isEmpty()) {
      p.cond.setFalse(Types.UPDATES_AVAILABLE, Reasons.UP_TO_DATE, "");
    } else {
      p.cond.setTrue(
          Types.UPDATES_AVAILABLE, Reasons.UPDATES_AVAILABLE, "[" + String.join(" ", newer) + "]");
    }
  }

  /**
   * PKI, endpoint, kubeconfig (BootstrapReady). A failure does not stop planning: the machines wait
   * for bootstrap data and show this reason.
   */
  Next access(ClusterPass p) {
    ClusterAccess.Result a = access.ensure(p.client, p.tkc);
    p.accessOk = a.ok();
    if (!a.ok()) {
      p.cond.setFalse(Types.BOOTSTRAP_READY, a.problemReason(), a.problem());
      events.record(p.tkc, EventReason.BootstrapFailed, a.problem());
      return Next.proceed();
    }
    p.cond.setTrue(
        Types.BOOTSTRAP_READY,
        Reasons.READY,
        "certificates, kubeconfig and endpoint " + a.endpoint() + ":" + ClusterAccess.API_PORT);
    p.status.apiEndpoints = List.of(new ApiEndpoint(a.endpoint(), ClusterAccess.API_PORT));
    return Next.proceed();
  }

  /** What to create and delete, from the pure planner. */
  Next plan(ClusterPass p) {
    Plan plan =
        MachinePlanner.plan(
            ClusterMachines.desired(p.tkc, p.resolved),
            ClusterMachines.observed(p.machines),
            ClusterMachines.bringUp(p.machines, p.cond.isTrue(Types.CONTROL_PLANE_INITIALIZED)),
            suffixes);
    for (MachineToCreate c : plan.create()) {
      p.toCreate.add(ClusterMachines.newMachine(p.tkc, p.resolved, c));
    }
    p.toDelete.addAll(plan.delete());
    p.heldBack.addAll(plan.waitingFor());
    p.rollout = plan.rollout();
    return Next.proceed();
  }

  /**
   * New machines fit the namespace's limits all together, or none is created; at most {@code
   * guardrails.maxMachinesInFlightPerCluster} of the cluster's machines are provisioning at once.
   */
  Next limits(ClusterPass p) {
    int room =
        Math.max(
            0, guardrails.maxMachinesInFlightPerCluster() - ClusterGuardrails.inFlight(p.machines));
    if (p.toCreate.size() > room) {
      String paced =
          String.format(
              "%d machine(s) provisioning; creating %d of %d now, the rest as they finish"
                  + " (guardrails.maxMachinesInFlightPerCluster=%d)",
              ClusterGuardrails.inFlight(p.machines),
              room,
              p.toCreate.size(),
              guardrails.maxMachinesInFlightPerCluster());
      events.record(p.tkc, EventReason.CreationPaced, paced);
      p.heldBack.add(paced);
      p.toCreate = new java.util.ArrayList<>(p.toCreate.subList(0, room));
    }
    if (p.toCreate.isEmpty()) {
      // An earlier verdict stands only while the planner holds machines back; with nothing
      // wanted at all (e.g. the spec now fits what exists) there is nothing over any limit.
      if (p.heldBack.isEmpty() || !p.cond.isFalse(Types.WITHIN_NAMESPACE_LIMITS)) {
        p.cond.setTrue(Types.WITHIN_NAMESPACE_LIMITS, Reasons.WITHIN_LIMITS, "");
      }
      return Next.proceed();
    }
    Optional<String> over =
        NamespaceLimits.exceeded(
            p.resolved.namespace(),
            p.namespaceMachines,
            p.toCreate,
            new VmClasses(p.lookups),
            guardrails.maxMachinesPerNamespace());
    if (over.isPresent()) {
      p.cond.setFalse(Types.WITHIN_NAMESPACE_LIMITS, Reasons.LIMIT_EXCEEDED, over.get());
      events.record(p.tkc, EventReason.LimitExceeded, over.get());
      p.toCreate.clear();
    } else {
      p.cond.setTrue(Types.WITHIN_NAMESPACE_LIMITS, Reasons.WITHIN_LIMITS, "");
    }
    return Next.proceed();
  }

  /** Creates and deletes what the plan says; the next pass sees both even if the cache lags. */
  Next apply(ClusterPass p) {
    for (Machine m : p.toCreate) {
      health.stamp(p, m);
      Machine made = p.client.resource(m).create();
      expectations.created(p.key(), made);
      p.machines.add(made);
      events.record(
          p.tkc,
          EventReason.MachineCreated,
          "created machine " + m.getMetadata().getName() + describeGroup(m));
    }
    for (MachineToDelete d : p.toDelete) {
      p.machines.stream()
          .filter(m -> m.getMetadata().getName().equals(d.name()))
          .findFirst()
          .ifPresent(m -> expectations.deleted(p.key(), m));
      p.client
          .resources(Machine.class)
          .inNamespace(p.tkc.getMetadata().getNamespace())
          .withName(d.name())
          .delete();
      events.record(
          p.tkc, EventReason.MachineDeleted, "deleting machine " + d.name() + ": " + d.reason());
    }
    return Next.proceed();
  }

  /** Every live machine without bootstrap data gets its Secret; joiners need the workload API. */
  Next bootstrap(ClusterPass p) {
    if (!p.accessOk) {
      return Next.waitFor("cluster access not ready", Requeue.RESOLUTION);
    }
    boolean all = true;
    for (Machine m : p.machines) {
      if (!needsBootstrapData(p, m)) {
        continue;
      }
      try {
        TanzuKubernetesRelease tkr =
            p.resolved.release(
                ClusterMachines.groupOf(p.tkc, m), ClusterMachines.controlPlane(p.tkc));
        bootstrap.ensure(p.client, p.tkc, m, tkr);
      } catch (RuntimeException e) {
        LOG.info("bootstrap data for {} must wait: {}", m.getMetadata().getName(), e.getMessage());
        all = false;
      }
    }
    return all ? Next.proceed() : Next.waitFor("bootstrap data must wait", Requeue.DEPENDENCY);
  }

  /**
   * The CNI, cloud provider, CSI and StorageClasses in the workload cluster once its control plane
   * answers (AddonsReady); looked at again on an interval, without ending the pass.
   */
  Next addons(ClusterPass p) {
    addons.apply(p);
    return Next.proceed();
  }

  private static boolean needsBootstrapData(ClusterPass p, Machine m) {
    if (m.getMetadata().getDeletionTimestamp() != null) {
      return false;
    }
    if (m.getStatus() != null
        && Conditions.of(m.getStatus().conditions, null).isTrue(Types.BOOTSTRAP_READY)) {
      return false;
    }
    String secret = m.getSpec().bootstrap == null ? null : m.getSpec().bootstrap.dataSecretName;
    return secret == null || p.lookups.secret(m.getMetadata().getNamespace(), secret).isEmpty();
  }

  private static String describeGroup(Machine m) {
    return m.getSpec().role == Machine.Role.controlPlane
        ? " (control plane)"
        : " (pool " + m.getSpec().pool + ")";
  }
}
