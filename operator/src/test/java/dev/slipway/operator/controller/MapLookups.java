package dev.slipway.operator.controller;

import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesRelease;
import dev.slipway.operator.api.vmoperator.v1alpha1.VSphereNamespace;
import dev.slipway.operator.api.vmoperator.v1alpha1.VirtualMachineClass;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** {@link Lookups} over maps: what a step's informer caches would hold, set by the test. */
final class MapLookups implements Lookups {
  final Map<String, VSphereNamespace> namespaces = new HashMap<>();
  final Map<String, VirtualMachineClass> classes = new HashMap<>();
  final Map<String, TanzuKubernetesRelease> releases = new HashMap<>();
  final Map<String, TanzuKubernetesCluster> clusters = new HashMap<>();
  final Map<String, Secret> secrets = new HashMap<>();
  int bootstrapReads;
  boolean bootstrapDataGone;

  /** Puts objects in the map of their kind, by name (and namespace when namespaced). */
  MapLookups add(HasMetadata... objects) {
    for (HasMetadata o : objects) {
      String name = o.getMetadata().getName();
      if (o instanceof VSphereNamespace n) {
        namespaces.put(name, n);
      } else if (o instanceof VirtualMachineClass c) {
        classes.put(name, c);
      } else if (o instanceof TanzuKubernetesRelease r) {
        releases.put(name, r);
      } else if (o instanceof TanzuKubernetesCluster c) {
        clusters.put(key(o.getMetadata().getNamespace(), name), c);
      } else if (o instanceof Secret s) {
        secrets.put(key(o.getMetadata().getNamespace(), name), s);
      } else {
        throw new IllegalArgumentException("no map for " + o.getKind());
      }
    }
    return this;
  }

  private static String key(String namespace, String name) {
    return namespace + "/" + name;
  }

  @Override
  public Optional<VSphereNamespace> namespace(String name) {
    return Optional.ofNullable(namespaces.get(name));
  }

  @Override
  public Optional<VirtualMachineClass> vmClass(String name) {
    return Optional.ofNullable(classes.get(name));
  }

  @Override
  public Optional<TanzuKubernetesRelease> release(String name) {
    return Optional.ofNullable(releases.get(name));
  }

  @Override
  public java.util.List<TanzuKubernetesRelease> releases() {
    return java.util.List.copyOf(releases.values());
  }

  @Override
  public Optional<TanzuKubernetesCluster> cluster(String namespace, String name) {
    return Optional.ofNullable(clusters.get(key(namespace, name)));
  }

  @Override
  public Optional<Secret> secret(String namespace, String name) {
    // As the informer holds it.
    return Optional.ofNullable(secrets.get(key(namespace, name)))
        .map(s -> Caches.pruned(new SecretBuilder(s).build()));
  }

  /** Counted: the GETs a step made. */
  @Override
  public Optional<Secret> bootstrapData(String namespace, String name) {
    bootstrapReads++;
    if (bootstrapDataGone) {
      return Optional.empty();
    }
    return Optional.ofNullable(secrets.get(key(namespace, name)));
  }
}
