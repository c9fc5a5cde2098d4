package dev.slipway.operator.controller;

import dev.slipway.operator.api.run.v1alpha3.DistributionStatus;
import dev.slipway.operator.api.run.v1alpha3.NodePool;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesRelease;
import dev.slipway.operator.api.run.v1alpha3.TopologySettings;
import dev.slipway.operator.api.run.v1alpha3.Volume;
import dev.slipway.operator.api.vmoperator.v1alpha1.VSphereNamespace;
import dev.slipway.operator.api.vmoperator.v1alpha1.VirtualMachineClass;
import dev.slipway.operator.status.Conditions;
import dev.slipway.operator.status.Reasons;
import dev.slipway.operator.status.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything a cluster refers to, checked before a single machine is planned: the releases exist
 * and are Ready and are no downgrade, the cluster's namespace is a Ready VSphereNamespace that
 * grants every VM class, storage class and content library the cluster uses.
 */
final class ClusterResolver {
  /** What a resolved cluster's machines are built from. */
  record Resolved(
      VSphereNamespace namespace,
      Map<String, TanzuKubernetesRelease> releases,
      Map<String, VirtualMachineClass> classes,
      DistributionStatus distribution) {

    Resolved(
        VSphereNamespace namespace,
        Map<String, TanzuKubernetesRelease> releases,
        Map<String, VirtualMachineClass> classes) {
      this(namespace, releases, classes, null);
    }

    /** A group's release: its own, else the control plane's, else spec.distribution's. */
    TanzuKubernetesRelease release(TopologySettings s, TopologySettings controlPlane) {
      String name = tkrName(s, controlPlane);
      return releases.get(name != null ? name : distribution.release);
    }
  }

  /** Why a cluster cannot be resolved: a condition reason and a message naming the object. */
  record Unresolved(String reason, String message) {}

  /** Thrown inside the resolver at the first reference that does not resolve. */
  private static final class NotResolved extends RuntimeException {
    private final Unresolved why;

    NotResolved(String reason, String message) {
      super(message, null, false, false);
      this.why = new Unresolved(reason, message);
    }
  }

  private final Lookups lookups;

  ClusterResolver(Lookups lookups) {
    this.lookups = lookups;
  }

  /** The release a control plane or pool uses: its own, else the control plane's. */
  static String tkrName(TopologySettings s, TopologySettings controlPlane) {
    if (s.tkr != null && s.tkr.reference != null && s.tkr.reference.name != null) {
      return s.tkr.reference.name;
    }
    return controlPlane.tkr == null || controlPlane.tkr.reference == null
        ? null
        : controlPlane.tkr.reference.name;
  }

  /** A {@link Resolved} or the first {@link Unresolved} reference, in the documented order. */
  Object resolve(TanzuKubernetesCluster tkc) {
    try {
      String ns = tkc.getMetadata().getNamespace();
      List<TopologySettings> groups = groups(tkc);
      VSphereNamespace vns = readyNamespace(ns);
      DistributionStatus distribution = distribution(tkc);
      Map<String, TanzuKubernetesRelease> releases =
          releases(tkc, groups, distribution == null ? null : distribution.release);
      Map<String, VirtualMachineClass> classes = classes(vns, groups);
      checkStorage(vns, groups);
      checkStorageSettings(vns, tkc);
      checkLibraries(vns, releases.values());
      return new Resolved(vns, releases, classes, distribution);
    } catch (NotResolved e) {
      return e.why;
    }
  }

  private static List<TopologySettings> groups(TanzuKubernetesCluster tkc) {
    List<TopologySettings> groups = new ArrayList<>();
    groups.add(tkc.getSpec().topology.controlPlane);
    groups.addAll(pools(tkc));
    return groups;
  }

  private VSphereNamespace readyNamespace(String ns) {
    VSphereNamespace vns =
        lookups
            .namespace(ns)
            .orElseThrow(
                () ->
                    new NotResolved(
                        Reasons.NAMESPACE_NOT_FOUND,
                        "namespace "
                            + ns
                            + " is not a vSphere Namespace: create a VSphereNamespace named "
                            + ns));
    if (vns.getStatus() == null
        || !Conditions.of(vns.getStatus().conditions, null).isTrue(Types.READY)) {
      throw new NotResolved(
          Reasons.NAMESPACE_NOT_READY, "VSphereNamespace " + ns + " is not Ready yet");
    }
    return vns;
  }

  /**
   * For a control plane that names no release: spec.distribution's release, sticky in
   * status.distribution ({@link Distributions}); null when the control plane names one.
   */
  private DistributionStatus distribution(TanzuKubernetesCluster tkc) {
    TopologySettings cp = tkc.getSpec().topology.controlPlane;
    if (tkrName(cp, cp) != null) {
      return null;
    }
    Object choice =
        Distributions.choose(
            tkc.getSpec().distribution,
            tkc.getStatus() == null ? null : tkc.getStatus().distribution,
            lookups.releases());
    if (choice instanceof Unresolved u) {
      throw new NotResolved(u.reason(), u.message());
    }
    return (DistributionStatus) choice;
  }

  private Map<String, TanzuKubernetesRelease> releases(
      TanzuKubernetesCluster tkc, List<TopologySettings> groups, String distributionRelease) {
    TopologySettings cp = tkc.getSpec().topology.controlPlane;
    Map<String, TanzuKubernetesRelease> releases = new LinkedHashMap<>();
    for (TopologySettings g : groups) {
      String name = tkrName(g, cp);
      releases.computeIfAbsent(name != null ? name : distributionRelease, this::readyRelease);
    }
    versionRules(tkc, releases, distributionRelease)
        .ifPresent(
            u -> {
              throw new NotResolved(u.reason(), u.message());
            });
    return releases;
  }

  private TanzuKubernetesRelease readyRelease(String name) {
    TanzuKubernetesRelease tkr =
        lookups
            .release(name)
            .orElseThrow(
                () ->
                    new NotResolved(
                        Reasons.TKR_NOT_FOUND,
                        "TanzuKubernetesRelease " + name + " does not exist"));
    Conditions cond =
        Conditions.of(tkr.getStatus() == null ? null : tkr.getStatus().conditions, null);
    if (!cond.isTrue(Types.READY)) {
      String why =
          tkr.getStatus() == null
              ? "it has no status yet"
              : cond.get(Types.READY).map(c -> c.getMessage()).orElse("it has no Ready condition");
      throw new NotResolved(
          Reasons.TKR_NOT_READY, "TanzuKubernetesRelease " + name + " is not Ready: " + why);
    }
    return tkr;
  }

  private Map<String, VirtualMachineClass> classes(
      VSphereNamespace vns, List<TopologySettings> groups) {
    Set<String> granted = set(vns.getSpec().vmClasses);
    Map<String, VirtualMachineClass> classes = new LinkedHashMap<>();
    for (TopologySettings g : groups) {
      if (!granted.contains(g.vmClass)) {
        throw notGranted(
            Reasons.VM_CLASS_NOT_GRANTED, "VirtualMachineClass " + g.vmClass, vns, granted);
      }
      VirtualMachineClass c =
          lookups
              .vmClass(g.vmClass)
              .orElseThrow(
                  () ->
                      new NotResolved(
                          Reasons.VM_CLASS_NOT_FOUND,
                          "VirtualMachineClass " + g.vmClass + " does not exist"));
      classes.put(g.vmClass, c);
    }
    return classes;
  }

  private static void checkStorage(VSphereNamespace vns, List<TopologySettings> groups) {
    Set<String> granted = new LinkedHashSet<>();
    Optional.ofNullable(vns.getSpec().storageClasses)
        .orElse(List.of())
        .forEach(s -> granted.add(s.name));
    for (TopologySettings g : groups) {
      for (String sc : storageClasses(g)) {
        if (!granted.contains(sc)) {
          throw notGranted(Reasons.STORAGE_CLASS_NOT_GRANTED, "storage class " + sc, vns, granted);
        }
      }
    }
  }

  /** The StorageClasses offered inside the workload cluster must be granted too. */
  private static void checkStorageSettings(VSphereNamespace vns, TanzuKubernetesCluster tkc) {
    var storage = tkc.getSpec().settings == null ? null : tkc.getSpec().settings.storage;
    if (storage == null) {
      return;
    }
    Set<String> granted = new LinkedHashSet<>();
    Optional.ofNullable(vns.getSpec().storageClasses)
        .orElse(List.of())
        .forEach(s -> granted.add(s.name));
    List<String> wanted = new ArrayList<>(Optional.ofNullable(storage.classes).orElse(List.of()));
    if (storage.defaultClass != null) {
      wanted.add(storage.defaultClass);
    }
    for (String sc : wanted) {
      if (!granted.contains(sc)) {
        throw notGranted(
            Reasons.STORAGE_CLASS_NOT_GRANTED,
            "storage class " + sc + " of spec.settings.storage",
            vns,
            granted);
      }
    }
    if (storage.defaultClass != null
        && storage.classes != null
        && !storage.classes.contains(storage.defaultClass)) {
      throw new NotResolved(
          Reasons.STORAGE_CLASS_NOT_GRANTED,
          "spec.settings.storage.defaultClass "
              + storage.defaultClass
              + " is not one of spec.settings.storage.classes ("
              + String.join(", ", storage.classes)
              + ")");
    }
  }

  private static void checkLibraries(
      VSphereNamespace vns, java.util.Collection<TanzuKubernetesRelease> releases) {
    Set<String> granted = set(vns.getSpec().contentLibraries);
    for (TanzuKubernetesRelease tkr : releases) {
      String lib = tkr.getSpec().osImages.get(0).contentLibrary;
      if (!granted.contains(lib)) {
        throw notGranted(
            Reasons.LIBRARY_NOT_GRANTED,
            "content library " + lib + " of TanzuKubernetesRelease " + tkr.getMetadata().getName(),
            vns,
            granted);
      }
    }
  }

  private static NotResolved notGranted(
      String reason, String what, VSphereNamespace vns, Set<String> granted) {
    return new NotResolved(
        reason,
        what
            + " is not granted to namespace "
            + vns.getMetadata().getName()
            + " (granted: "
            + describe(granted)
            + ")");
  }

  private static List<String> storageClasses(TopologySettings g) {
    List<String> out = new ArrayList<>();
    out.add(g.storageClass);
    for (Volume v : Optional.ofNullable(g.volumes).orElse(List.of())) {
      if (v.storageClass != null) {
        out.add(v.storageClass);
      }
    }
    return out;
  }

  /**
   * The version rules, with the releases' Kubernetes versions (names are not trusted here): the
   * control plane moves from the version the cluster runs ({@code status.version}) to the same or
   * the next minor version, never back and never to another major; no pool's release is newer than
   * the control plane's. A cluster that has not run yet may start at any version.
   */
  static Optional<Unresolved> versionRules(
      TanzuKubernetesCluster tkc, Map<String, TanzuKubernetesRelease> releases) {
    return versionRules(tkc, releases, null);
  }

  static Optional<Unresolved> versionRules(
      TanzuKubernetesCluster tkc,
      Map<String, TanzuKubernetesRelease> releases,
      String distributionRelease) {
    TopologySettings cp = tkc.getSpec().topology.controlPlane;
    String cpName = tkrName(cp, cp);
    TanzuKubernetesRelease cpRelease = releases.get(cpName != null ? cpName : distributionRelease);
    String wanted = cpRelease.getSpec().kubernetes.version;
    String running = tkc.getStatus() == null ? null : tkc.getStatus().version;
    if (running != null) {
      Optional<Unresolved> step = controlPlaneStep(cpRelease, wanted, running);
      if (step.isPresent()) {
        return step;
      }
    }
    for (NodePool pool : pools(tkc)) {
      String poolName = tkrName(pool, cp);
      TanzuKubernetesRelease r = releases.get(poolName != null ? poolName : distributionRelease);
      String version = r.getSpec().kubernetes.version;
      if (Versions.compare(version, wanted) > 0) {
        return Optional.of(
            new Unresolved(
                Reasons.WORKER_VERSION_NEWER,
                "pool "
                    + pool.name
                    + " uses TanzuKubernetesRelease "
                    + r.getMetadata().getName()
                    + " with Kubernetes "
                    + version
                    + ", newer than the control plane's "
                    + wanted
                    + ": workers may not run a newer Kubernetes than the control plane"));
      }
    }
    return Optional.empty();
  }

  private static Optional<Unresolved> controlPlaneStep(
      TanzuKubernetesRelease tkr, String wanted, String running) {
    String release = "TanzuKubernetesRelease " + tkr.getMetadata().getName();
    if (Versions.compare(wanted, running) < 0) {
      return Optional.of(
          new Unresolved(
              Reasons.VERSION_DOWNGRADE,
              release
                  + " has Kubernetes "
                  + wanted
                  + ", older than the "
                  + running
                  + " the cluster runs: downgrades are not supported"));
    }
    int[] to = Versions.parse(wanted);
    int[] from = Versions.parse(running);
    if (to[0] != from[0] || to[1] > from[1] + 1) {
      return Optional.of(
          new Unresolved(
              Reasons.VERSION_SKIP,
              release
                  + " has Kubernetes "
                  + wanted
                  + " but the cluster runs "
                  + running
                  + ": upgrade one minor version at a time (v"
                  + from[0]
                  + "."
                  + from[1]
                  + " -> v"
                  + from[0]
                  + "."
                  + (from[1] + 1)
                  + " first)"));
    }
    return Optional.empty();
  }

  private static Set<String> set(List<String> l) {
    return new LinkedHashSet<>(l == null ? List.of() : l);
  }

  private static String describe(Set<String> s) {
    return s.isEmpty() ? "none" : String.join(", ", s);
  }

  static List<NodePool> pools(TanzuKubernetesCluster tkc) {
    return Optional.ofNullable(tkc.getSpec().topology.nodePools).orElse(List.of());
  }
}
