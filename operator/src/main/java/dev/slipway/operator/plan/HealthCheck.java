package dev.slipway.operator.plan;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Which machines of a cluster are unhealthy and which of them to replace now, as Cluster API's
 * MachineHealthCheck and KubeadmControlPlane remediation decide it. Pure: the same facts and the
 * same time give the same result.
 *
 * <p>A machine is <em>unhealthy</em> when it failed for good (a VM missing, a permanent vCenter
 * fault, refused init data), when its Node joined and has not been Ready for longer than {@link
 * Settings#unhealthyTimeout()}, or when no Node joined within {@link Settings#nodeStartupTimeout()}
 * of its VM's power-on.
 *
 * <p>Remediation deletes unhealthy machines; the planner then creates their replacements (a new
 * Machine that joins: never the same Machine cloned again). It stops:
 *
 * <ul>
 *   <li>for the whole cluster while more machines are unhealthy than {@link
 *       Settings#maxUnhealthy()} allows (short circuit: something bigger is wrong, replacing
 *       machines would only make it worse). Unlike Cluster API, machines whose Node is not Ready
 *       but whose timeout still runs count too: nodes that fail together cross their timeouts
 *       seconds apart, and the first must not be remediated alone for crossing first;
 *   <li>for a machine that is itself the replacement of one remediated {@link
 *       Settings#maxRetries()} times in a row (the count starts again once a replacement stayed for
 *       {@link #MIN_HEALTHY_PERIOD}), and waits {@link Settings#retryPeriod()} × 2^(n-1) after the
 *       n-th remediation before the next;
 *   <li>for a control-plane machine, unless the healthy control-plane machines left are a majority
 *       of those left (the etcd members stay in quorum) and no other control-plane machine is being
 *       deleted; one control-plane machine at a time. The only control-plane machine of an
 *       initialized cluster is never remediated: its etcd holds the cluster's only copy of the
 *       data.
 * </ul>
 *
 * <p>Control-plane machines are deleted before their replacement is created, as KubeadmControlPlane
 * remediation and etcd's runtime-reconfiguration guide do: adding a member to a cluster with a dead
 * member raises the quorum while the dead member still counts, removing the dead member first never
 * lowers the healthy majority.
 */
public final class HealthCheck {
  /** A replacement that stayed this long after its remediation resets the retry count. */
  public static final Duration MIN_HEALTHY_PERIOD = Duration.ofHours(1);

  private HealthCheck() {}

  /**
   * How a cluster's machines are checked.
   *
   * @param nodeStartupTimeout how long after power-on a machine may go without a Node
   * @param unhealthyTimeout how long a joined Node may be not Ready (False or Unknown)
   * @param maxUnhealthy how many machines may be unhealthy before remediation stops
   * @param maxRetries how many times in a row a machine and its replacements are remediated
   * @param retryPeriod the wait after the first remediation of a line of replacements; doubles
   */
  public record Settings(
      Duration nodeStartupTimeout,
      Duration unhealthyTimeout,
      MaxUnhealthy maxUnhealthy,
      int maxRetries,
      Duration retryPeriod) {
    public Settings {
      Objects.requireNonNull(nodeStartupTimeout, "nodeStartupTimeout");
      Objects.requireNonNull(unhealthyTimeout, "unhealthyTimeout");
      Objects.requireNonNull(maxUnhealthy, "maxUnhealthy");
      Objects.requireNonNull(retryPeriod, "retryPeriod");
      if (maxRetries < 0) {
        throw new IllegalArgumentException("maxRetries must be 0 or more, not " + maxRetries);
      }
    }
  }

  /** A count or a percentage of the cluster's machines (rounded down, as Cluster API does). */
  public record MaxUnhealthy(int value, boolean percent) {
    public MaxUnhealthy {
      if (value < 0 || (percent && value > 100)) {
        throw new IllegalArgumentException(
            "max unhealthy must be a count or a percentage from 0% to 100%, not "
                + value
                + (percent ? "%" : ""));
      }
    }

    /** "40%" or "2". */
    public static MaxUnhealthy parse(String text) {
      String t = text.strip();
      boolean percent = t.endsWith("%");
      try {
        return new MaxUnhealthy(
            Integer.parseInt(percent ? t.substring(0, t.length() - 1) : t), percent);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "max unhealthy must be a count (\"2\") or a percentage (\"40%\"), not \""
                + text
                + "\"");
      }
    }

    int allowed(int total) {
      return percent ? total * value / 100 : value;
    }

    @Override
    public String toString() {
      return value + (percent ? "%" : "");
    }
  }

  /**
   * One live machine (not being deleted) as the check sees it.
   *
   * @param name the Machine's name
   * @param role control plane or worker
   * @param group the control plane ({@code null}) or the pool: its replacement is in the same group
   * @param failure why it failed for good; null when it has not
   * @param poweredOnSince when its VM was (last) powered on; null while it is not on
   * @param nodeJoined its Node joined the cluster once ({@code status.nodeRef})
   * @param nodeNotReadySince since when its joined Node is not Ready; null while Ready
   * @param healthyMember the machine serves its role (Ready and, for the control plane, a healthy
   *     etcd member): counted for quorum when another control-plane machine is remediated
   * @param replacing the remediation this machine is the replacement of; null for any other
   */
  public record Machine(
      String name,
      MachineRole role,
      String group,
      String failure,
      Instant poweredOnSince,
      boolean nodeJoined,
      Instant nodeNotReadySince,
      boolean healthyMember,
      Record replacing) {
    public Machine {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(role, "role of " + name);
    }
  }

  /**
   * A remediation, kept on the replacement Machine.
   *
   * @param machine the machine that was remediated
   * @param retryCount how many remediations in a row this line of replacements has seen
   * @param at when
   */
  public record Record(String machine, int retryCount, Instant at) {
    public Record {
      Objects.requireNonNull(machine, "machine");
      Objects.requireNonNull(at, "at");
    }
  }

  /** An unhealthy machine and why, for conditions and events. */
  public record Unhealthy(String name, String why) {}

  /** A machine to delete now, and the record its replacement carries. */
  public record Remediation(String name, String why, Record record, String group) {}

  /** What the condition says. */
  public enum State {
    /** No machine is unhealthy. */
    HEALTHY,
    /** Unhealthy machines are being replaced (or their replacements come up). */
    REMEDIATING,
    /** Unhealthy machines wait for a back-off, quorum, or a machine still being deleted. */
    WAITING,
    /** A machine is not remediated for good (retries spent, a lone control-plane machine). */
    STOPPED,
    /** Too many machines are unhealthy: no remediation at all. */
    TOO_MANY_UNHEALTHY
  }

  /**
   * The check's outcome.
   *
   * @param unhealthy every unhealthy machine, by name
   * @param remediate the machines to delete in this pass
   * @param state what the condition says
   * @param message the condition's message; empty when healthy
   * @param recheckAt when a machine's timeout or back-off runs out; empty when nothing is pending
   */
  public record Result(
      List<Unhealthy> unhealthy,
      List<Remediation> remediate,
      State state,
      String message,
      Optional<Instant> recheckAt) {}

  /**
   * Checks the live machines of one cluster.
   *
   * @param machines every machine of the cluster not being deleted
   * @param controlPlaneDeleting names of control-plane machines being deleted
   * @param initialized the cluster ran kubeadm init
   */
  public static Result check(
      List<Machine> machines,
      List<String> controlPlaneDeleting,
      boolean initialized,
      Settings settings,
      Instant now) {
    List<Unhealthy> unhealthy = new ArrayList<>();
    List<Unhealthy> suspect = new ArrayList<>();
    Instant recheck = null;
    List<Machine> sorted = machines.stream().sorted(Comparator.comparing(Machine::name)).toList();
    for (Machine m : sorted) {
      Verdict v = verdict(m, settings, now);
      if (v.why != null) {
        unhealthy.add(new Unhealthy(m.name(), v.why));
      } else if (m.nodeJoined() && m.nodeNotReadySince() != null) {
        suspect.add(new Unhealthy(m.name(), "Node not Ready since " + m.nodeNotReadySince()));
      }
      recheck = earlier(recheck, v.recheckAt);
    }
    if (unhealthy.isEmpty()) {
      return new Result(List.of(), List.of(), State.HEALTHY, "", Optional.ofNullable(recheck));
    }
    int allowed = settings.maxUnhealthy().allowed(machines.size());
    // Nodes that fail together cross their timeouts seconds apart (each kubelet's last heartbeat
    // differs): counting those whose timeout still runs keeps the first from being remediated
    // alone just because it crossed first.
    int failing = unhealthy.size() + suspect.size();
    if (failing > allowed) {
      List<Unhealthy> named = new ArrayList<>(unhealthy);
      named.addAll(suspect);
      named.sort(Comparator.comparing(Unhealthy::name));
      return new Result(
          unhealthy,
          List.of(),
          State.TOO_MANY_UNHEALTHY,
          failing
              + " of "
              + machines.size()
              + " machines are unhealthy"
              + (suspect.isEmpty() ? "" : " or not Ready")
              + ", more than the "
              + settings.maxUnhealthy()
              + " ("
              + allowed
              + ") allowed: no machine is remediated until fewer are unhealthy ("
              + describe(named)
              + ")",
          Optional.ofNullable(recheck));
    }
    return remediate(sorted, unhealthy, controlPlaneDeleting, initialized, settings, now, recheck);
  }

  private static Result remediate(
      List<Machine> machines,
      List<Unhealthy> unhealthy,
      List<String> controlPlaneDeleting,
      boolean initialized,
      Settings settings,
      Instant now,
      Instant recheck) {
    List<Remediation> remediate = new ArrayList<>();
    List<String> waiting = new ArrayList<>();
    List<String> stopped = new ArrayList<>();
    boolean controlPlaneTaken = !controlPlaneDeleting.isEmpty();
    for (Unhealthy u : unhealthy) {
      Machine m =
          machines.stream().filter(x -> x.name().equals(u.name())).findFirst().orElseThrow();
      Record previous = effectiveRecord(m, now);
      int count = previous == null ? 0 : previous.retryCount();
      if (count >= settings.maxRetries()) {
        stopped.add(
            m.name()
                + " ("
                + u.why()
                + ") is the replacement of a machine remediated "
                + count
                + " time(s) in a row, the limit: remediation stopped; delete it by hand to try"
                + " again");
        continue;
      }
      if (previous != null) {
        Instant notBefore = previous.at().plus(backoff(settings.retryPeriod(), count));
        if (now.isBefore(notBefore)) {
          waiting.add(m.name() + " (" + u.why() + ") is remediated again at " + notBefore);
          recheck = earlier(recheck, notBefore);
          continue;
        }
      }
      if (m.role() == MachineRole.CONTROL_PLANE) {
        Optional<Refusal> unsafe =
            controlPlaneUnsafe(m, machines, controlPlaneDeleting, controlPlaneTaken, initialized);
        if (unsafe.isPresent()) {
          (unsafe.get().forGood() ? stopped : waiting)
              .add(m.name() + " (" + u.why() + "): " + unsafe.get().why());
          continue;
        }
        controlPlaneTaken = true;
      }
      remediate.add(
          new Remediation(m.name(), u.why(), new Record(m.name(), count + 1, now), m.group()));
    }
    State state;
    List<String> parts = new ArrayList<>();
    if (!remediate.isEmpty()) {
      parts.add(
          "replacing "
              + String.join(
                  ", ", remediate.stream().map(r -> r.name() + " (" + r.why() + ")").toList()));
    }
    parts.addAll(waiting);
    parts.addAll(stopped);
    if (!stopped.isEmpty()) {
      state = State.STOPPED;
    } else if (!remediate.isEmpty()) {
      state = State.REMEDIATING;
    } else {
      state = State.WAITING;
    }
    return new Result(
        unhealthy, remediate, state, String.join("; ", parts), Optional.ofNullable(recheck));
  }

  private record Refusal(String why, boolean forGood) {
    static Optional<Refusal> waits(String why) {
      return Optional.of(new Refusal(why, false));
    }
  }

  /** Why deleting control-plane machine {@code m} now could cost etcd its quorum; empty if not. */
  private static Optional<Refusal> controlPlaneUnsafe(
      Machine m,
      List<Machine> machines,
      List<String> deleting,
      boolean anotherTaken,
      boolean initialized) {
    if (!deleting.isEmpty()) {
      return Refusal.waits(
          "waits until control-plane machine "
              + String.join(", ", deleting)
              + " is deleted (one control-plane machine at a time)");
    }
    if (anotherTaken) {
      return Refusal.waits("waits: another control-plane machine is being replaced");
    }
    List<Machine> others =
        machines.stream()
            .filter(x -> x.role() == MachineRole.CONTROL_PLANE && !x.name().equals(m.name()))
            .toList();
    if (others.isEmpty()) {
      // Before init there is nothing to lose: the init claim passes to the replacement.
      return initialized
          ? Optional.of(
              new Refusal(
                  "it is the only control-plane machine of an initialized cluster; its etcd holds"
                      + " the cluster's data, so it is not replaced",
                  true))
          : Optional.empty();
    }
    long healthy = others.stream().filter(Machine::healthyMember).count();
    if (healthy < majority(others.size())) {
      return Refusal.waits(
          "waits: removing it would leave "
              + healthy
              + " healthy etcd member(s) of "
              + others.size()
              + ", fewer than a majority");
    }
    return Optional.empty();
  }

  static int majority(int members) {
    return members / 2 + 1;
  }

  /** The replacement record, unless the replacement outlived {@link #MIN_HEALTHY_PERIOD}. */
  private static Record effectiveRecord(Machine m, Instant now) {
    Record r = m.replacing();
    if (r == null || !now.isBefore(r.at().plus(MIN_HEALTHY_PERIOD))) {
      return null;
    }
    return r;
  }

  static Duration backoff(Duration base, int previousRemediations) {
    int shift = Math.max(0, Math.min(previousRemediations - 1, 16));
    return base.multipliedBy(1L << shift);
  }

  private record Verdict(String why, Instant recheckAt) {}

  private static Verdict verdict(Machine m, Settings s, Instant now) {
    if (m.failure() != null) {
      return new Verdict("failed: " + m.failure(), null);
    }
    if (m.nodeJoined()) {
      if (m.nodeNotReadySince() == null) {
        return new Verdict(null, null);
      }
      Instant due = m.nodeNotReadySince().plus(s.unhealthyTimeout());
      return now.isBefore(due)
          ? new Verdict(null, due)
          : new Verdict(
              "Node not Ready since "
                  + m.nodeNotReadySince()
                  + ", longer than "
                  + s.unhealthyTimeout().toSeconds()
                  + "s",
              null);
    }
    if (m.poweredOnSince() == null) {
      return new Verdict(null, null);
    }
    Instant due = m.poweredOnSince().plus(s.nodeStartupTimeout());
    return now.isBefore(due)
        ? new Verdict(null, due)
        : new Verdict(
            "no Node "
                + s.nodeStartupTimeout().toSeconds()
                + "s after its VM was powered on at "
                + m.poweredOnSince(),
            null);
  }

  private static String describe(List<Unhealthy> unhealthy) {
    return String.join(", ", unhealthy.stream().map(u -> u.name() + ": " + u.why()).toList());
  }

  private static Instant earlier(Instant a, Instant b) {
    if (a == null) {
      return b;
    }
    return b == null || a.isBefore(b) ? a : b;
  }
}
