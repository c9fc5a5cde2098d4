package dev.slipway.cli;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.NodePool;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.status.Reasons;
import dev.slipway.operator.status.Types;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A cluster as {@code clusterctl describe cluster} shows one: the TanzuKubernetesCluster, its
 * control plane and its machines, then each node pool and its machines, with READY, REASON, SINCE
 * and MESSAGE from their conditions. Sibling machines in the same state (Ready status and reason)
 * collapse into one line "N Machines...". Pure: no I/O, the clock is a parameter.
 */
public final class ClusterTree {
  private ClusterTree() {}

  /** What a line says about its object; every field may be empty. */
  public record Status(String ready, String reason, String message, Instant since) {
    static final Status NONE = new Status("", "", "", null);

    /** Same state for grouping: Ready status and reason (clusterctl also compares severity). */
    boolean sameStateAs(Status o) {
      return ready.equals(o.ready) && reason.equals(o.reason);
    }
  }

  /** One line of the tree and the lines under it. */
  public record Node(String name, Status status, List<Node> children) {
    public Node {
      children = List.copyOf(children);
    }
  }

  /** The tree of {@code tkc}; machines of other clusters in the list are ignored. */
  public static Node build(TanzuKubernetesCluster tkc, List<Machine> machines) {
    String cluster = tkc.getMetadata().getName();
    List<Machine> mine =
        machines.stream()
            .filter(m -> m.getSpec() != null && cluster.equals(m.getSpec().clusterName))
            .sorted(Comparator.comparing(m -> m.getMetadata().getName()))
            .toList();
    List<Condition> conditions =
        tkc.getStatus() == null ? List.of() : nonNull(tkc.getStatus().conditions);

    List<Node> children = new ArrayList<>();
    List<Machine> controlPlane =
        mine.stream().filter(m -> m.getSpec().role == Machine.Role.controlPlane).toList();
    children.add(
        new Node(
            "ControlPlane",
            fromCondition(conditions, Types.CONTROL_PLANE_READY),
            machineLines(controlPlane)));

    List<Node> pools = new ArrayList<>();
    for (Map.Entry<String, List<Machine>> pool : workersByPool(tkc, mine).entrySet()) {
      boolean inSpec = specPools(tkc).stream().anyMatch(p -> pool.getKey().equals(p.name));
      pools.add(
          new Node(
              "NodePool/" + pool.getKey(),
              inSpec
                  ? poolStatus(desiredReplicas(tkc, pool.getKey()), pool.getValue())
                  : removedPoolStatus(pool.getValue()),
              machineLines(pool.getValue())));
    }
    if (!pools.isEmpty()) {
      children.add(new Node("Workers", Status.NONE, pools));
    }
    return new Node(
        "TanzuKubernetesCluster/" + cluster, fromCondition(conditions, Types.READY), children);
  }

  /** The tree as a table: NAME, READY, REASON, SINCE, MESSAGE, ages measured at {@code now}. */
  public static String render(Node root, Instant now) {
    Table table = new Table("NAME", "READY", "REASON", "SINCE", "MESSAGE");
    addRows(table, root, "", "", now);
    return table.render();
  }

  private static void addRows(
      Table table, Node node, String linePrefix, String childPrefix, Instant now) {
    Status s = node.status();
    // A True line needs no reason: clusterctl leaves it empty, and "Ready Ready" says nothing.
    String reason = "True".equals(s.ready()) ? "" : s.reason();
    table.row(linePrefix + node.name(), s.ready(), reason, Ages.since(s.since(), now), s.message());
    List<Node> children = node.children();
    for (int i = 0; i < children.size(); i++) {
      boolean last = i == children.size() - 1;
      addRows(
          table,
          children.get(i),
          childPrefix + (last ? "└─" : "├─"),
          childPrefix + (last ? "  " : "│ "),
          now);
    }
  }

  /** Machines one per line, except that two or more in the same state share one line. */
  static List<Node> machineLines(List<Machine> machines) {
    Map<Status, List<Machine>> byState = new LinkedHashMap<>();
    List<Status> keys = new ArrayList<>();
    for (Machine m : machines) {
      Status s = machineStatus(m);
      Status key = keys.stream().filter(k -> k.sameStateAs(s)).findFirst().orElse(null);
      if (key == null) {
        keys.add(s);
        key = s;
      }
      byState.computeIfAbsent(key, k -> new ArrayList<>()).add(m);
    }
    List<Node> out = new ArrayList<>();
    for (List<Machine> same : byState.values()) {
      if (same.size() == 1) {
        Machine m = same.get(0);
        out.add(new Node("Machine/" + m.getMetadata().getName(), machineStatus(m), List.of()));
      } else {
        out.add(group(same));
      }
    }
    out.sort(Comparator.comparing(ClusterTree::sortKey));
    return out;
  }

  private static String sortKey(Node n) {
    // A group sorts where its first machine would: "See a, b" sorts by a.
    return n.name().startsWith("Machine/")
        ? n.name().substring("Machine/".length())
        : n.status().message().substring("See ".length());
  }

  private static Node group(List<Machine> same) {
    Status first = machineStatus(same.get(0));
    // The group has been in this state since its most recent change.
    Instant since = latestChange(same);
    String names =
        same.stream().map(m -> m.getMetadata().getName()).collect(Collectors.joining(", "));
    return new Node(
        same.size() + " Machines...",
        new Status(first.ready(), first.reason(), "See " + names, since),
        List.of());
  }

  /**
   * A machine's Ready condition; before the machine controller has set one, the first of its
   * progress conditions that is not True says why it is not ready yet.
   */
  static Status machineStatus(Machine m) {
    if (m.getMetadata().getDeletionTimestamp() != null) {
      return new Status(
          "False",
          Reasons.DELETING,
          "deleting the machine and its VM",
          Ages.parse(m.getMetadata().getDeletionTimestamp()));
    }
    List<Condition> conditions =
        m.getStatus() == null ? List.of() : nonNull(m.getStatus().conditions);
    Optional<Condition> ready = find(conditions, Types.READY);
    if (ready.isPresent()) {
      return of(ready.get());
    }
    for (String type : List.of(Types.BOOTSTRAP_READY, Types.VM_PROVISIONED, Types.NODE_HEALTHY)) {
      Optional<Condition> c = find(conditions, type).filter(x -> !"True".equals(x.getStatus()));
      if (c.isPresent()) {
        return new Status("False", str(c.get().getReason()), str(c.get().getMessage()), time(c));
      }
    }
    String phase = m.getStatus() == null || m.getStatus().phase == null ? "" : m.getStatus().phase;
    return new Status(
        "False", "", phase.isEmpty() ? "" : "phase " + phase, Ages.parse(creation(m)));
  }

  /** Ready when every wanted machine exists and is ready. */
  static Status poolStatus(int desired, List<Machine> machines) {
    List<Machine> live =
        machines.stream().filter(m -> m.getMetadata().getDeletionTimestamp() == null).toList();
    long ready = live.stream().filter(m -> "True".equals(machineStatus(m).ready())).count();
    Instant since = latestChange(machines);
    String message = ready + " of " + desired + " machine(s) ready";
    if (live.size() != desired) {
      return new Status("False", Reasons.SCALING, message + ", " + live.size() + " exist", since);
    }
    if (ready < desired) {
      return new Status("False", Reasons.MACHINES_NOT_READY, message, since);
    }
    return new Status("True", Reasons.READY, message, since);
  }

  /** A pool taken out of the spec whose machines are still going. */
  static Status removedPoolStatus(List<Machine> machines) {
    return new Status(
        "False",
        Reasons.DELETING,
        "removed from the cluster's spec; " + machines.size() + " machine(s) left",
        latestChange(machines));
  }

  private static Instant latestChange(List<Machine> machines) {
    return machines.stream()
        .map(m -> machineStatus(m).since())
        .filter(Objects::nonNull)
        .max(Comparator.naturalOrder())
        .orElse(null);
  }

  /** Pools of the spec in spec order, then pools that only machines still name (being removed). */
  private static Map<String, List<Machine>> workersByPool(
      TanzuKubernetesCluster tkc, List<Machine> machines) {
    Set<String> names = new LinkedHashSet<>();
    for (NodePool p : specPools(tkc)) {
      names.add(p.name);
    }
    machines.stream()
        .filter(m -> m.getSpec().role == Machine.Role.worker && m.getSpec().pool != null)
        .map(m -> m.getSpec().pool)
        .forEach(names::add);
    Map<String, List<Machine>> out = new LinkedHashMap<>();
    for (String name : names) {
      out.put(
          name,
          machines.stream()
              .filter(m -> m.getSpec().role == Machine.Role.worker)
              .filter(m -> name.equals(m.getSpec().pool))
              .toList());
    }
    return out;
  }

  private static int desiredReplicas(TanzuKubernetesCluster tkc, String pool) {
    Optional<NodePool> spec = specPools(tkc).stream().filter(p -> pool.equals(p.name)).findFirst();
    if (spec.isPresent() && spec.get().replicas != null) {
      return spec.get().replicas;
    }
    // Replicas left unset (an autoscaler owns them): what the status last counted.
    return tkc.getStatus() == null || tkc.getStatus().nodePools == null
        ? 0
        : tkc.getStatus().nodePools.stream()
            .filter(p -> pool.equals(p.name) && p.desiredReplicas != null)
            .map(p -> p.desiredReplicas)
            .findFirst()
            .orElse(0);
  }

  private static List<NodePool> specPools(TanzuKubernetesCluster tkc) {
    return tkc.getSpec() == null
            || tkc.getSpec().topology == null
            || tkc.getSpec().topology.nodePools == null
        ? List.of()
        : tkc.getSpec().topology.nodePools;
  }

  private static Status fromCondition(List<Condition> conditions, String type) {
    return find(conditions, type).map(ClusterTree::of).orElse(Status.NONE);
  }

  private static Status of(Condition c) {
    return new Status(
        str(c.getStatus()),
        str(c.getReason()),
        str(c.getMessage()),
        Ages.parse(c.getLastTransitionTime()));
  }

  private static Instant time(Optional<Condition> c) {
    return c.map(x -> Ages.parse(x.getLastTransitionTime())).orElse(null);
  }

  private static Optional<Condition> find(List<Condition> conditions, String type) {
    return conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  private static <T> List<T> nonNull(List<T> list) {
    return list == null ? List.of() : list;
  }

  private static String creation(Machine m) {
    return m.getMetadata().getCreationTimestamp();
  }

  private static String str(String s) {
    return s == null ? "" : s;
  }
}
