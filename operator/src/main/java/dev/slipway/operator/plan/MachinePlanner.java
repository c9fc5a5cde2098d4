package dev.slipway.operator.plan;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * Decides which Machines a TanzuKubernetesCluster creates and deletes in one reconcile.
 *
 * <p>The rules, in short:
 *
 * <ul>
 *   <li>Machines with a deletion timestamp do not count toward any replica count and are never
 *       deleted again.
 *   <li>The control plane starts with exactly one machine (the one that runs {@code kubeadm init});
 *       once the control plane is initialized it grows by one machine at a time, each only when
 *       every other control-plane machine is healthy (Ready, not failed, a healthy etcd member) and
 *       none is being deleted. It never shrinks below its replicas.
 *   <li>Workers are created only once the control plane is initialized; a managed pool gets all its
 *       missing machines in one plan. Scale-in removes failed machines and machines marked for
 *       deletion first (failed ones first), then those not Ready, then outdated ones, then the
 *       newest: it never removes a serving machine while one that does not serve stays. Pools
 *       without replicas (autoscaled) are left alone.
 *   <li>Workers of pools no longer in the spec, or of no pool at all, are deleted.
 *   <li>Deleting is always allowed, even before the control plane is initialized.
 * </ul>
 *
 * <p>Rollouts. A machine is <em>outdated</em> when its template hash differs from its group's
 * (control plane or pool). Outdated machines are replaced, control plane first:
 *
 * <ul>
 *   <li>Control plane: surge by one. With every control-plane machine healthy and none being
 *       deleted, one machine of the new template is created; once it is healthy, the outdated
 *       machine to go (unhealthy first, then marked, then the oldest) is deleted, provided the
 *       healthy machines left are a majority of both the replicas and the members left. So at most
 *       one control-plane machine is ever joining or leaving.
 *   <li>Pools, one at a time in spec order, once the control plane has no outdated machine, not
 *       even one being deleted: as a MachineDeployment does with {@link RollingUpdate} (default
 *       maxSurge 1, maxUnavailable 0): at most replicas + maxSurge machines, and outdated machines
 *       are deleted only while at least replicas - maxUnavailable machines stay available
 *       (unavailable outdated ones first).
 *   <li>While the control plane has outdated machines, or one is still being deleted, no worker is
 *       created (a new worker could run a newer kubelet than the API servers, or join through an
 *       API server that is leaving).
 *   <li>A failed machine stops a rollout: it is never counted as a replacement, so no outdated
 *       machine is deleted for it; {@link Plan#rollout()} names it.
 * </ul>
 */
public final class MachinePlanner {
  /** Characters of generated name suffixes: no vowels, so no words, as Cluster API does. */
  public static final String SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

  /** Length of generated name suffixes. */
  public static final int SUFFIX_LENGTH = 5;

  /**
   * How many suffixes one name may draw before the planner gives up: with random suffixes a
   * collision is already rare, so a long run of them means a broken supplier, not bad luck.
   */
  static final int MAX_SUFFIX_ATTEMPTS = 100;

  private static final String CONTROL_PLANE_SUFFIX = "control-plane";

  private MachinePlanner() {}

  /**
   * The plan for one reconcile. Pure: the same inputs and the same suffixes give the same plan,
   * whatever the order of {@code observed}.
   *
   * @param desired what the spec asks for, with each group's template hash
   * @param observed every Machine of the cluster, including those being deleted
   * @param bringUp how far the cluster's bring-up has come
   * @param suffixes where new names get their random part
   * @throws NullPointerException when an argument or an observed machine is null
   * @throws IllegalArgumentException when two observed machines share a name
   * @throws IllegalStateException when {@code suffixes} keeps yielding names that are taken
   */
  public static Plan plan(
      DesiredTopology desired,
      List<ObservedMachine> observed,
      BringUp bringUp,
      NameSuffixes suffixes) {
    Objects.requireNonNull(desired, "desired");
    Objects.requireNonNull(observed, "observed");
    Objects.requireNonNull(bringUp, "bringUp");
    Objects.requireNonNull(suffixes, "suffixes");

    Set<String> taken = new HashSet<>();
    List<ObservedMachine> controlPlane = new ArrayList<>();
    List<String> controlPlaneDeleting = new ArrayList<>();
    boolean outdatedControlPlaneLeaving = false;
    Map<String, List<ObservedMachine>> workersByPool = new LinkedHashMap<>();
    List<ObservedMachine> workersWithoutPool = new ArrayList<>();
    for (int i = 0; i < observed.size(); i++) {
      ObservedMachine machine = Objects.requireNonNull(observed.get(i), "observed machine " + i);
      if (!taken.add(machine.name())) {
        throw new IllegalArgumentException("two observed machines are named " + machine.name());
      }
      if (machine.deleting()) {
        if (machine.role() == MachineRole.CONTROL_PLANE) {
          controlPlaneDeleting.add(machine.name());
          outdatedControlPlaneLeaving |= machine.outdated(desired.controlPlaneTemplate());
        }
        continue;
      }
      if (machine.role() == MachineRole.CONTROL_PLANE) {
        controlPlane.add(machine);
      } else if (machine.pool() == null) {
        workersWithoutPool.add(machine);
      } else {
        workersByPool.computeIfAbsent(machine.pool(), p -> new ArrayList<>()).add(machine);
      }
    }
    Collections.sort(controlPlaneDeleting);

    Planning planning = new Planning(desired.clusterName(), taken, suffixes);
    new ControlPlanePlanning(desired, controlPlane, controlPlaneDeleting, bringUp, planning).plan();
    // Until the last outdated machine is gone: while it leaves (drain, etcd member, VM) the
    // control-plane endpoint moves, and Cluster API's topology holds workers back while the control
    // plane scales, too.
    boolean controlPlaneRolling =
        outdatedControlPlaneLeaving
            || controlPlane.stream().anyMatch(m -> m.outdated(desired.controlPlaneTemplate()));
    String rollingPool = null;
    for (PoolSpec pool : desired.pools()) {
      List<ObservedMachine> machines = workersByPool.remove(pool.name());
      PoolPlanning p =
          new PoolPlanning(
              pool,
              machines == null ? List.of() : machines,
              bringUp,
              controlPlaneRolling,
              rollingPool,
              planning);
      if (p.plan()) {
        rollingPool = pool.name();
      }
    }
    // Sorted so the plan does not depend on the order the machines were listed in.
    for (Map.Entry<String, List<ObservedMachine>> removed :
        new TreeMap<>(workersByPool).entrySet()) {
      deleteAll(
          removed.getValue(), "pool " + removed.getKey() + " removed from the spec", planning);
    }
    deleteAll(workersWithoutPool, "worker machine belongs to no pool", planning);
    return planning.toPlan();
  }

  /**
   * Production suffixes: {@value #SUFFIX_LENGTH} characters drawn from {@value #SUFFIX_ALPHABET}.
   */
  public static NameSuffixes randomSuffixes(RandomGenerator random) {
    Objects.requireNonNull(random, "random");
    return () -> {
      char[] suffix = new char[SUFFIX_LENGTH];
      for (int i = 0; i < suffix.length; i++) {
        suffix[i] = SUFFIX_ALPHABET.charAt(random.nextInt(SUFFIX_ALPHABET.length()));
      }
      return new String(suffix);
    };
  }

  private static void deleteAll(List<ObservedMachine> machines, String reason, Planning planning) {
    machines.stream()
        .map(ObservedMachine::name)
        .sorted()
        .forEach(name -> planning.delete(name, reason));
  }

  static String moreControlPlaneMachines(int count) {
    return count + (count == 1 ? " more control-plane machine" : " more control-plane machines");
  }

  static String names(List<ObservedMachine> machines) {
    return String.join(", ", machines.stream().map(ObservedMachine::name).sorted().toList());
  }

  static String isOrAre(List<?> things) {
    return things.size() == 1 ? " is" : " are";
  }

  /** The first failed machine by name, described for a condition. */
  static Optional<String> firstFailure(List<ObservedMachine> machines) {
    return machines.stream()
        .filter(ObservedMachine::failed)
        .min(Comparator.comparing(ObservedMachine::name))
        .map(m -> "machine " + m.name() + " failed: " + m.failure());
  }

  /** The plan being built, and the names it may no longer hand out. */
  static final class Planning {
    private final String clusterName;
    private final Set<String> taken;
    private final NameSuffixes suffixes;
    private final List<MachineToCreate> create = new ArrayList<>();
    private final List<MachineToDelete> delete = new ArrayList<>();
    private final List<String> waitingFor = new ArrayList<>();
    private final List<Rollout.Group> groups = new ArrayList<>();

    Planning(String clusterName, Set<String> taken, NameSuffixes suffixes) {
      this.clusterName = clusterName;
      this.taken = taken;
      this.suffixes = suffixes;
    }

    String create(MachineRole role, String pool, String templateHash) {
      String prefix =
          clusterName + "-" + (role == MachineRole.CONTROL_PLANE ? CONTROL_PLANE_SUFFIX : pool);
      String name = freeName(prefix);
      create.add(new MachineToCreate(name, role, pool, templateHash));
      return name;
    }

    void delete(String name, String reason) {
      delete.add(new MachineToDelete(name, reason));
    }

    void waitFor(String reason) {
      waitingFor.add(reason);
    }

    void report(Rollout.Group group) {
      groups.add(group);
    }

    int changes() {
      return create.size() + delete.size();
    }

    Plan toPlan() {
      return new Plan(create, delete, waitingFor, new Rollout(groups));
    }

    private String freeName(String prefix) {
      for (int attempt = 0; attempt < MAX_SUFFIX_ATTEMPTS; attempt++) {
        String suffix =
            Objects.requireNonNull(suffixes.next(), "NameSuffixes.next() returned null");
        String name = prefix + "-" + suffix;
        if (taken.add(name)) {
          return name;
        }
      }
      throw new IllegalStateException(
          "no free machine name "
              + prefix
              + "-<suffix> after "
              + MAX_SUFFIX_ATTEMPTS
              + " suffixes: the suffix supplier keeps repeating taken ones");
    }
  }
}
