package dev.slipway.operator.plan;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 *       every other control-plane machine is ready. It never shrinks.
 *   <li>Workers are created only once the control plane is initialized; a managed pool gets all its
 *       missing machines in one plan. Scale-in removes machines marked for deletion first, then the
 *       newest. Pools without replicas (autoscaled) are left alone.
 *   <li>Workers of pools no longer in the spec, or of no pool at all, are deleted.
 *   <li>Deleting is always allowed, even before the control plane is initialized.
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

  // A mark is someone's explicit choice (a person, or the autoscaler); past that, the newest
  // machines hold the least that is worth keeping. Names only make the order total.
  private static final Comparator<ObservedMachine> SCALE_IN_ORDER =
      Comparator.comparing(ObservedMachine::markedForDeletion)
          .reversed()
          .thenComparing(ObservedMachine::created, Comparator.reverseOrder())
          .thenComparing(ObservedMachine::name, Comparator.reverseOrder());

  private MachinePlanner() {}

  /**
   * The plan for one reconcile. Pure: the same inputs and the same suffixes give the same plan,
   * whatever the order of {@code observed}.
   *
   * @param desired what the spec asks for
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
    Map<String, List<ObservedMachine>> workersByPool = new LinkedHashMap<>();
    List<ObservedMachine> workersWithoutPool = new ArrayList<>();
    for (int i = 0; i < observed.size(); i++) {
      ObservedMachine machine = Objects.requireNonNull(observed.get(i), "observed machine " + i);
      if (!taken.add(machine.name())) {
        throw new IllegalArgumentException("two observed machines are named " + machine.name());
      }
      if (machine.deleting()) {
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

    Planning planning = new Planning(desired.clusterName(), taken, suffixes);
    planControlPlane(desired.controlPlaneReplicas(), controlPlane, bringUp, planning);
    for (PoolSpec pool : desired.pools()) {
      List<ObservedMachine> machines = workersByPool.remove(pool.name());
      planPool(pool, machines == null ? List.of() : machines, bringUp, planning);
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

  private static void planControlPlane(
      int wanted, List<ObservedMachine> current, BringUp bringUp, Planning planning) {
    // Never fewer: the API forbids lowering control-plane replicas, and removing an etcd member
    // needs more care than a planner can take; extra machines are left for a human.
    if (current.size() >= wanted) {
      return;
    }
    int missing = wanted - current.size();
    if (current.isEmpty()) {
      // Only one machine may run kubeadm init; two would each start a cluster of their own.
      planning.create(MachineRole.CONTROL_PLANE, null);
      if (missing > 1) {
        planning.waitFor(
            "control plane not initialized: "
                + moreControlPlaneMachines(missing - 1)
                + " held back until the first has run kubeadm init");
      }
      return;
    }
    if (!bringUp.controlPlaneInitialized()) {
      planning.waitFor(
          "control plane not initialized: "
              + moreControlPlaneMachines(missing)
              + " held back until the first has run kubeadm init");
      return;
    }
    List<String> notReady =
        current.stream().filter(m -> !m.ready()).map(ObservedMachine::name).sorted().toList();
    // One etcd member joins at a time: a second join while the first is still catching up can
    // lose quorum.
    if (!notReady.isEmpty()) {
      planning.waitFor(
          "control plane grows one machine at a time: "
              + moreControlPlaneMachines(missing)
              + " held back until "
              + String.join(", ", notReady)
              + (notReady.size() == 1 ? " is" : " are")
              + " Ready");
      return;
    }
    String created = planning.create(MachineRole.CONTROL_PLANE, null);
    if (missing > 1) {
      planning.waitFor(
          "control plane grows one machine at a time: "
              + moreControlPlaneMachines(missing - 1)
              + " held back until "
              + created
              + " is Ready");
    }
  }

  private static void planPool(
      PoolSpec pool, List<ObservedMachine> current, BringUp bringUp, Planning planning) {
    if (!pool.isManaged()) {
      return;
    }
    int wanted = pool.replicas().getAsInt();
    if (current.size() > wanted) {
      String reason = "pool " + pool.name() + " scaled from " + current.size() + " to " + wanted;
      current.stream()
          .sorted(SCALE_IN_ORDER)
          .limit(current.size() - wanted)
          .forEach(
              m ->
                  planning.delete(
                      m.name(),
                      m.markedForDeletion() ? reason + " (marked for deletion)" : reason));
    } else if (current.size() < wanted) {
      int missing = wanted - current.size();
      // A worker's kubeadm join needs an API server to join.
      if (!bringUp.controlPlaneInitialized()) {
        planning.waitFor(
            "control plane not initialized: "
                + missing
                + (missing == 1 ? " more machine" : " more machines")
                + " of pool "
                + pool.name()
                + " held back");
        return;
      }
      for (int i = 0; i < missing; i++) {
        planning.create(MachineRole.WORKER, pool.name());
      }
    }
  }

  private static void deleteAll(List<ObservedMachine> machines, String reason, Planning planning) {
    machines.stream()
        .map(ObservedMachine::name)
        .sorted()
        .forEach(name -> planning.delete(name, reason));
  }

  private static String moreControlPlaneMachines(int count) {
    return count + (count == 1 ? " more control-plane machine" : " more control-plane machines");
  }

  /** The plan being built, and the names it may no longer hand out. */
  private static final class Planning {
    private final String clusterName;
    private final Set<String> taken;
    private final NameSuffixes suffixes;
    private final List<MachineToCreate> create = new ArrayList<>();
    private final List<MachineToDelete> delete = new ArrayList<>();
    private final List<String> waitingFor = new ArrayList<>();

    Planning(String clusterName, Set<String> taken, NameSuffixes suffixes) {
      this.clusterName = clusterName;
      this.taken = taken;
      this.suffixes = suffixes;
    }

    String create(MachineRole role, String pool) {
      String prefix =
          clusterName + "-" + (role == MachineRole.CONTROL_PLANE ? CONTROL_PLANE_SUFFIX : pool);
      String name = freeName(prefix);
      create.add(new MachineToCreate(name, role, pool));
      return name;
    }

    void delete(String name, String reason) {
      delete.add(new MachineToDelete(name, reason));
    }

    void waitFor(String reason) {
      waitingFor.add(reason);
    }

    Plan toPlan() {
      return new Plan(create, delete, waitingFor);
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
