package dev.slipway.operator.controller;

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
import io.fabric8.kubernetes.client.KubernetesClient;
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
      Map<String, VirtualMachineClass> classes) {

    TanzuKubernetesRelease release(TopologySettings s, TopologySettings controlPlane) {
      return releases.get(tkrName(s, controlPlane));
    }
  }

  /** Why a cluster cannot be resolved: a condition reason and a message naming the object. */
  record Unresolved(String reason, String message) {}

  private final KubernetesClient client;

  ClusterResolver(KubernetesClient client) {
    this.client = client;
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

  Object resolve(TanzuKubernetesCluster tkc) {
    String ns = tkc.getMetadata().getNamespace();
    var cp = tkc.getSpec().topology.controlPlane;
    List<TopologySettings> groups = new ArrayList<>();
    groups.add(cp);
    groups.addAll(Optional.ofNullable(tkc.getSpec().topology.nodePools).orElse(List.of()));

    VSphereNamespace vns = client.resources(VSphereNamespace.class).withName(ns).get();
    if (vns == null) {
      return new Unresolved(
          Reasons.NAMESPACE_NOT_FOUND,
          "namespace " + ns + " is not a vSphere Namespace: create a VSphereNamespace named " + ns);
    }
    if (vns.getStatus() == null
        || !Conditions.of(vns.getStatus().conditions, null).isTrue(Types.READY)) {
      return new Unresolved(
          Reasons.NAMESPACE_NOT_READY, "VSphereNamespace " + ns + " is not Ready yet");
    }

    Map<String, TanzuKubernetesRelease> releases = new LinkedHashMap<>();
    for (TopologySettings g : groups) {
      String name = tkrName(g, cp);
      if (name == null) {
        return new Unresolved(
            Reasons.TKR_NOT_FOUND,
            "spec.topology.controlPlane.tkr.reference.name is not set: name a"
                + " TanzuKubernetesRelease");
      }
      if (releases.containsKey(name)) {
        continue;
      }
      TanzuKubernetesRelease tkr =
          client.resources(TanzuKubernetesRelease.class).withName(name).get();
      if (tkr == null) {
        return new Unresolved(
            Reasons.TKR_NOT_FOUND, "TanzuKubernetesRelease " + name + " does not exist");
      }
      if (tkr.getStatus() == null
          || !Conditions.of(tkr.getStatus().conditions, null).isTrue(Types.READY)) {
        String why =
            tkr.getStatus() == null
                ? "it has no status yet"
                : Conditions.of(tkr.getStatus().conditions, null)
                    .get(Types.READY)
                    .map(c -> c.getMessage())
                    .orElse("it has no Ready condition");
        return new Unresolved(
            Reasons.TKR_NOT_READY, "TanzuKubernetesRelease " + name + " is not Ready: " + why);
      }
      releases.put(name, tkr);
    }
    Optional<Unresolved> downgrade = downgrade(tkc, releases.get(tkrName(cp, cp)));
    if (downgrade.isPresent()) {
      return downgrade.get();
    }

    Set<String> grantedClasses = set(vns.getSpec().vmClasses);
    Map<String, VirtualMachineClass> classes = new LinkedHashMap<>();
    for (TopologySettings g : groups) {
      if (!grantedClasses.contains(g.vmClass)) {
        return new Unresolved(
            Reasons.VM_CLASS_NOT_GRANTED,
            "VirtualMachineClass "
                + g.vmClass
                + " is not granted to namespace "
                + ns
                + " (granted: "
                + describe(grantedClasses)
                + ")");
      }
      VirtualMachineClass c = client.resources(VirtualMachineClass.class).withName(g.vmClass).get();
      if (c == null) {
        return new Unresolved(
            Reasons.VM_CLASS_NOT_FOUND, "VirtualMachineClass " + g.vmClass + " does not exist");
      }
      classes.put(g.vmClass, c);
    }

    Set<String> grantedStorage = new LinkedHashSet<>();
    Optional.ofNullable(vns.getSpec().storageClasses)
        .orElse(List.of())
        .forEach(s -> grantedStorage.add(s.name));
    for (TopologySettings g : groups) {
      for (String sc : storageClasses(g)) {
        if (!grantedStorage.contains(sc)) {
          return new Unresolved(
              Reasons.STORAGE_CLASS_NOT_GRANTED,
              "storage class "
                  + sc
                  + " is not granted to namespace "
                  + ns
                  + " (granted: "
                  + describe(grantedStorage)
                  + ")");
        }
      }
    }

    Set<String> libraries = set(vns.getSpec().contentLibraries);
    for (TanzuKubernetesRelease tkr : releases.values()) {
      String lib = tkr.getSpec().osImages.get(0).contentLibrary;
      if (!libraries.contains(lib)) {
        return new Unresolved(
            Reasons.LIBRARY_NOT_GRANTED,
            "content library "
                + lib
                + " of TanzuKubernetesRelease "
                + tkr.getMetadata().getName()
                + " is not granted to namespace "
                + ns
                + " (granted: "
                + describe(libraries)
                + ")");
      }
    }
    return new Resolved(vns, releases, classes);
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

  /** A cluster that runs version X may not be moved to a release older than X. */
  private static Optional<Unresolved> downgrade(
      TanzuKubernetesCluster tkc, TanzuKubernetesRelease tkr) {
    String running = tkc.getStatus() == null ? null : tkc.getStatus().version;
    if (running == null) {
      return Optional.empty();
    }
    String wanted = tkr.getSpec().kubernetes.version;
    if (Versions.compare(wanted, running) < 0) {
      return Optional.of(
          new Unresolved(
              Reasons.VERSION_DOWNGRADE,
              "TanzuKubernetesRelease "
                  + tkr.getMetadata().getName()
                  + " has Kubernetes "
                  + wanted
                  + ", older than the "
                  + running
                  + " the cluster runs: downgrades are"
                  + " not supported"));
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
