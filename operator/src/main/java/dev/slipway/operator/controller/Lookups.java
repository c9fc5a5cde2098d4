package dev.slipway.operator.controller;

import dev.slipway.operator.addons.AddonManifest;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesRelease;
import dev.slipway.operator.api.vmoperator.v1alpha1.VSphereNamespace;
import dev.slipway.operator.api.vmoperator.v1alpha1.VirtualMachineClass;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.Optional;

/**
 * The objects a reconcile reads besides its own, from the controller's informer caches (never a GET
 * per reconcile). Tests of single steps give a map-backed implementation.
 */
public interface Lookups {
  Optional<VSphereNamespace> namespace(String name);

  Optional<VirtualMachineClass> vmClass(String name);

  Optional<TanzuKubernetesRelease> release(String name);

  /** Every release the cache holds. */
  default java.util.List<TanzuKubernetesRelease> releases() {
    return java.util.List.of();
  }

  Optional<TanzuKubernetesCluster> cluster(String namespace, String name);

  /** The addon manifests (ConfigMaps labelled slipway.dev/addon in the operator's namespace). */
  default java.util.Map<String, AddonManifest> addonManifests() {
    return java.util.Map.of();
  }

  /**
   * Only Secrets the controller watches (bootstrap Secrets, labelled): as cached, a bootstrap
   * Secret without its data ({@link Caches#secretsWithoutBootstrapData}).
   */
  Optional<Secret> secret(String namespace, String name);

  /**
   * A bootstrap Secret with its data: a GET, made once per machine, for its VM's clone (the caches
   * keep no cloud-config).
   */
  Optional<Secret> bootstrapData(String namespace, String name);

  /** Reads from the event sources the controller registered for each kind. */
  static Lookups of(Context<?> context) {
    return new Lookups() {
      @Override
      public Optional<VSphereNamespace> namespace(String name) {
        return get(context, VSphereNamespace.class, new ResourceID(name));
      }

      @Override
      public Optional<VirtualMachineClass> vmClass(String name) {
        return get(context, VirtualMachineClass.class, new ResourceID(name));
      }

      @Override
      public Optional<TanzuKubernetesRelease> release(String name) {
        return get(context, TanzuKubernetesRelease.class, new ResourceID(name));
      }

      @Override
      @SuppressWarnings("unchecked")
      public java.util.List<TanzuKubernetesRelease> releases() {
        var source = context.eventSourceRetriever().getEventSourceFor(TanzuKubernetesRelease.class);
        return ((InformerEventSource<TanzuKubernetesRelease, ?>) source).list(r -> true).toList();
      }

      @Override
      @SuppressWarnings("unchecked")
      public java.util.Map<String, AddonManifest> addonManifests() {
        var source = context.eventSourceRetriever().getEventSourceFor(ConfigMap.class);
        java.util.Map<String, AddonManifest> out = new java.util.HashMap<>();
        ((InformerEventSource<ConfigMap, ?>) source)
            .list(c -> true)
            .forEach(
                c ->
                    out.put(
                        c.getMetadata().getName(),
                        AddonManifest.of(
                            c.getMetadata().getName(), c.getMetadata().getLabels(), c.getData())));
        return out;
      }

      @Override
      public Optional<TanzuKubernetesCluster> cluster(String namespace, String name) {
        return get(context, TanzuKubernetesCluster.class, new ResourceID(name, namespace));
      }

      @Override
      public Optional<Secret> secret(String namespace, String name) {
        return get(context, Secret.class, new ResourceID(name, namespace));
      }

      @Override
      public Optional<Secret> bootstrapData(String namespace, String name) {
        return Optional.ofNullable(
            context.getClient().secrets().inNamespace(namespace).withName(name).get());
      }
    };
  }

  @SuppressWarnings("unchecked")
  private static <R extends HasMetadata> Optional<R> get(
      Context<?> context, Class<R> type, ResourceID id) {
    var source = context.eventSourceRetriever().getEventSourceFor(type);
    return ((InformerEventSource<R, ?>) source).get(id);
  }
}
