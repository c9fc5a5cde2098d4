package dev.slipway.operator.controller;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.controller.drain.GoDurations;
import dev.slipway.operator.controller.steps.Next;
import dev.slipway.operator.plan.HealthCheck;
import dev.slipway.operator.plan.MachineRole;
import dev.slipway.operator.plan.MachineToDelete;
import dev.slipway.operator.status.Conditions;
import dev.slipway.operator.status.EventReason;
import dev.slipway.operator.status.Events;
import dev.slipway.operator.status.Reasons;
import dev.slipway.operator.status.Types;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cluster pipeline's health check ({@link HealthCheck}, pure): reads the per-cluster settings
 * from the cluster's annotations, the machines' facts from their status, sets MachinesHealthy, adds
 * the machines to remediate to the pass's deletions, and stamps each replacement with the record of
 * the remediation it answers ({@value #REMEDIATION_FOR_ANNOTATION}), which holds the retry count
 * and time for the next one.
 */
final class ClusterHealth {
  static final String NODE_STARTUP_TIMEOUT = "slipway.dev/health-node-startup-timeout";
  static final String UNHEALTHY_TIMEOUT = "slipway.dev/health-unhealthy-timeout";
  static final String MAX_UNHEALTHY = "slipway.dev/health-max-unhealthy";
  static final String MAX_RETRIES = "slipway.dev/remediation-max-retries";
  static final String RETRY_PERIOD = "slipway.dev/remediation-retry-period";

  /** On a replacement Machine: the remediation it answers, as JSON (machine, retryCount, at). */
  static final String REMEDIATION_FOR_ANNOTATION = "slipway.dev/remediation-for";

  /**
   * The defaults: TKG's own MachineHealthChecks wait 20 minutes for a Node and 5 minutes for a Node
   * that is not Ready; Cluster API's default maxUnhealthy is 100%. A line of replacements is
   * retried 3 times, 1 minute after the first remediation, then 2, then 4.
   */
  static final HealthCheck.Settings DEFAULTS =
      new HealthCheck.Settings(
          Duration.ofMinutes(20),
          Duration.ofMinutes(5),
          new HealthCheck.MaxUnhealthy(100, true),
          3,
          Duration.ofMinutes(1));

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Events events;
  private final Clock clock;

  /**
   * Remediations whose replacement the planner has not created yet, by cluster key and group. Kept
   * in memory: after a restart between a deletion and its replacement, the replacement's count
   * starts again from 1 (the settings stay as they are).
   */
  private final Map<String, HealthCheck.Record> pending = new ConcurrentHashMap<>();

  ClusterHealth(Events events, Clock clock) {
    this.events = events;
    this.clock = clock;
  }

  /** The step: check, set MachinesHealthy, and delete what is to be remediated. */
  Next remediate(ClusterPass p) {
    Instant now = clock.instant();
    HealthCheck.Settings settings;
    try {
      settings = settings(p.tkc);
    } catch (IllegalArgumentException e) {
      setCondition(p, Conditions.FALSE, Reasons.INVALID_HEALTH_CHECK, e.getMessage());
      return Next.proceed();
    }
    List<String> plannedDeletes = p.toDelete.stream().map(MachineToDelete::name).toList();
    // No node is Ready before the cluster's CNI is there: while the addons are not applied a
    // NotReady node starts no timeout, and once they are it is timed from then. At 1 000 clusters
    // a cluster's CNI came 6.8 minutes after its Node joined, and 83 single control-plane machines
    // were remediated for it (docs/performance.md, run 4).
    Instant addonsApplied =
        p.cond
            .get(Types.ADDONS_READY)
            .filter(c -> Conditions.TRUE.equals(c.getStatus()))
            .map(c -> Instant.parse(c.getLastTransitionTime()))
            .orElse(null);
    List<HealthCheck.Machine> live = new ArrayList<>();
    List<String> controlPlaneDeleting = new ArrayList<>();
    for (Machine m : p.machines) {
      boolean deleting =
          m.getMetadata().getDeletionTimestamp() != null
              || plannedDeletes.contains(m.getMetadata().getName());
      if (!deleting) {
        live.add(facts(m, addonsApplied));
      } else if (m.getSpec().role == Machine.Role.controlPlane) {
        controlPlaneDeleting.add(m.getMetadata().getName());
      }
    }
    HealthCheck.Result r =
        HealthCheck.check(
            live,
            controlPlaneDeleting,
            // kubeadm init ran once a control-plane Node registered, Ready or not: from then on
            // the only control-plane machine's etcd holds the cluster.
            p.cond.isTrue(Types.CONTROL_PLANE_INITIALIZED) || ClusterAddons.initialized(p.machines),
            settings,
            now);
    for (HealthCheck.Remediation x : r.remediate()) {
      p.toDelete.add(new MachineToDelete(x.name(), "remediation: " + x.why()));
      pending.put(groupKey(p, x.group()), x.record());
      events.record(
          p.tkc,
          EventReason.MachineRemediated,
          "machine "
              + x.name()
              + " is unhealthy ("
              + x.why()
              + "): deleting it; a new machine replaces it (remediation "
              + x.record().retryCount()
              + " of at most "
              + settings.maxRetries()
              + ")");
    }
    switch (r.state()) {
      case HEALTHY -> setCondition(p, Conditions.TRUE, Reasons.READY, "every machine is healthy");
      case REMEDIATING -> setCondition(p, Conditions.FALSE, Reasons.REMEDIATING, r.message());
      case WAITING -> setCondition(p, Conditions.FALSE, Reasons.REMEDIATION_WAITING, r.message());
      case STOPPED -> setCondition(p, Conditions.FALSE, Reasons.REMEDIATION_STOPPED, r.message());
      case TOO_MANY_UNHEALTHY ->
          setCondition(p, Conditions.FALSE, Reasons.TOO_MANY_UNHEALTHY, r.message());
    }
    r.recheckAt()
        .ifPresent(
            at ->
                p.lookAgain =
                    p.lookAgain.sooner(
                        Next.waitFor(
                            "a health check timeout runs out",
                            Duration.between(now, at).plusSeconds(1))));
    return Next.proceed();
  }

  /**
   * A machine about to be created replaces one remediated in its group: it carries the record, so
   * that remediating it in turn counts on.
   */
  void stamp(ClusterPass p, Machine m) {
    String group = m.getSpec().role == Machine.Role.controlPlane ? null : m.getSpec().pool;
    HealthCheck.Record r = pending.remove(groupKey(p, group));
    if (r == null) {
      return;
    }
    Map<String, String> a =
        new LinkedHashMap<>(Optional.ofNullable(m.getMetadata().getAnnotations()).orElse(Map.of()));
    a.put(REMEDIATION_FOR_ANNOTATION, toJson(r));
    m.getMetadata().setAnnotations(a);
  }

  void forget(String clusterKey) {
    pending.keySet().removeIf(k -> k.startsWith(clusterKey + "|"));
  }

  /** MachinesHealthy, with an Event each time its reason changes to a problem. */
  private void setCondition(ClusterPass p, String status, String reason, String message) {
    Optional<Condition> before = p.cond.get(Types.MACHINES_HEALTHY);
    boolean changed = before.map(c -> !reason.equals(c.getReason())).orElse(true);
    p.cond.set(Types.MACHINES_HEALTHY, status, reason, message);
    if (changed
        && (Reasons.REMEDIATION_STOPPED.equals(reason)
            || Reasons.TOO_MANY_UNHEALTHY.equals(reason)
            || Reasons.INVALID_HEALTH_CHECK.equals(reason))) {
      events.record(p.tkc, EventReason.RemediationStopped, message);
    }
  }

  private static String groupKey(ClusterPass p, String group) {
    return p.key() + "|" + (group == null ? "(control plane)" : group);
  }

  /**
   * The cluster's unhealthy timeout, or the default while its annotation does not parse (the
   * cluster's MachinesHealthy says so).
   */
  static Duration unhealthyTimeout(TanzuKubernetesCluster tkc) {
    Map<String, String> a =
        Optional.ofNullable(tkc.getMetadata().getAnnotations()).orElse(Map.of());
    try {
      return duration(a, UNHEALTHY_TIMEOUT, DEFAULTS.unhealthyTimeout());
    } catch (IllegalArgumentException e) {
      return DEFAULTS.unhealthyTimeout();
    }
  }

  /** The cluster's settings: its annotations over {@link #DEFAULTS}. */
  static HealthCheck.Settings settings(TanzuKubernetesCluster tkc) {
    Map<String, String> a =
        Optional.ofNullable(tkc.getMetadata().getAnnotations()).orElse(Map.of());
    HealthCheck.Settings d = DEFAULTS;
    return new HealthCheck.Settings(
        duration(a, NODE_STARTUP_TIMEOUT, d.nodeStartupTimeout()),
        duration(a, UNHEALTHY_TIMEOUT, d.unhealthyTimeout()),
        a.containsKey(MAX_UNHEALTHY)
            ? invalidIf(
                MAX_UNHEALTHY, a, () -> HealthCheck.MaxUnhealthy.parse(a.get(MAX_UNHEALTHY)))
            : d.maxUnhealthy(),
        a.containsKey(MAX_RETRIES)
            ? invalidIf(MAX_RETRIES, a, () -> nonNegative(Integer.parseInt(a.get(MAX_RETRIES))))
            : d.maxRetries(),
        duration(a, RETRY_PERIOD, d.retryPeriod()));
  }

  private static Duration duration(Map<String, String> a, String key, Duration fallback) {
    if (!a.containsKey(key)) {
      return fallback;
    }
    Duration d = invalidIf(key, a, () -> GoDurations.parse(a.get(key).strip()));
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(
          "annotation "
              + key
              + " must be a positive duration such as \"5m\", not \""
              + a.get(key)
              + "\"");
    }
    return d;
  }

  private static int nonNegative(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("must be 0 or more");
    }
    return n;
  }

  private static <T> T invalidIf(
      String key, Map<String, String> a, java.util.function.Supplier<T> parse) {
    try {
      return parse.get();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "annotation "
              + key
              + "=\""
              + a.get(key)
              + "\" is not valid ("
              + e.getMessage()
              + "): no machine is remediated until it is fixed",
          e);
    }
  }

  /** What the check needs of one live machine. */
  /** As below, for a cluster whose addons were always there. */
  static HealthCheck.Machine facts(Machine m) {
    return facts(m, Instant.EPOCH);
  }

  /**
   * What the health check learns from {@code m}. {@code addonsApplied}: since when the cluster's
   * addons (its CNI) are applied, null while they are not; a NotReady Node is not timed before.
   */
  static HealthCheck.Machine facts(Machine m, Instant addonsApplied) {
    Machine.Status s = m.getStatus() == null ? new Machine.Status() : m.getStatus();
    Conditions c = Conditions.of(s.conditions, null);
    Instant poweredOn =
        c.get(Types.VM_PROVISIONED)
            .filter(x -> Conditions.TRUE.equals(x.getStatus()))
            .map(x -> Instant.parse(x.getLastTransitionTime()))
            .orElse(null);
    Instant notReady =
        s.nodeRef == null
            ? null
            // Unknown (the workload API does not answer) starts no timeout: only the Node's own
            // NotReady does.
            : c.get(Types.NODE_HEALTHY)
                .filter(x -> Conditions.FALSE.equals(x.getStatus()))
                .map(x -> Instant.parse(x.getLastTransitionTime()))
                .map(since -> addonsApplied == null ? null : later(since, addonsApplied))
                .orElse(null);
    boolean cp = m.getSpec().role == Machine.Role.controlPlane;
    return new HealthCheck.Machine(
        m.getMetadata().getName(),
        cp ? MachineRole.CONTROL_PLANE : MachineRole.WORKER,
        cp ? null : m.getSpec().pool,
        ClusterMachines.failure(m),
        poweredOn,
        s.nodeRef != null,
        notReady,
        MachineReconciler.isReady(m),
        record(m));
  }

  private static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  /** The record on a replacement; a value that does not parse counts as none. */
  static HealthCheck.Record record(Machine m) {
    String v =
        Optional.ofNullable(m.getMetadata().getAnnotations())
            .map(a -> a.get(REMEDIATION_FOR_ANNOTATION))
            .orElse(null);
    if (v == null) {
      return null;
    }
    try {
      var node = JSON.readTree(v);
      return new HealthCheck.Record(
          node.get("machine").asText(),
          node.get("retryCount").asInt(),
          Instant.parse(node.get("timestamp").asText()));
    } catch (JsonProcessingException | RuntimeException e) {
      return null;
    }
  }

  static String toJson(HealthCheck.Record r) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("machine", r.machine());
    out.put("retryCount", r.retryCount());
    out.put("timestamp", r.at().toString());
    try {
      return JSON.writeValueAsString(out);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
