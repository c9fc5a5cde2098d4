package dev.slipway.operator.app;

import dev.slipway.operator.Slipway;
import dev.slipway.operator.controller.BootstrapData;
import dev.slipway.operator.controller.ClusterAccess;
import dev.slipway.operator.controller.KubeadmBootstrap;
import dev.slipway.operator.controller.MachineReconciler;
import dev.slipway.operator.controller.NodeObserver;
import dev.slipway.operator.controller.TanzuKubernetesClusterReconciler;
import dev.slipway.operator.controller.TanzuKubernetesReleaseReconciler;
import dev.slipway.operator.controller.VSphereNamespaceReconciler;
import dev.slipway.operator.controller.WorkloadClusters;
import dev.slipway.operator.controller.WorkloadNodes;
import dev.slipway.operator.plan.MachinePlanner;
import dev.slipway.operator.plan.NameSuffixes;
import dev.slipway.operator.status.Events;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ConfigurationServiceOverrider;
import java.security.SecureRandom;
import java.util.function.Consumer;

/**
 * Slipway's four controllers on one JOSDK operator, as {@link Slipway#start} builds them, plus the
 * process's own settings (metrics, leader-election callbacks, shutdown timeout) applied after
 * Slipway's. {@link Slipway#start} has no hook for those yet; once it takes a {@code
 * Consumer<ConfigurationServiceOverrider>}, this class becomes a call to it.
 */
final class Controllers implements AutoCloseable {
  private final Operator operator;
  private final WorkloadClusters workloads;

  private Controllers(Operator operator, WorkloadClusters workloads) {
    this.operator = operator;
    this.workloads = workloads;
  }

  static Controllers start(
      Slipway.Wiring w, Consumer<ConfigurationServiceOverrider> processSettings) {
    Operator operator =
        new Operator(
            o -> {
              o.withKubernetesClient(w.client())
                  .withCloseClientOnStop(false)
                  .withStopOnInformerErrorDuringStartup(true);
              if (w.reconcileThreads() > 0) {
                o.withConcurrentReconciliationThreads(w.reconcileThreads());
              }
              processSettings.accept(o);
            });
    Events events = new Events(w.client());
    WorkloadClusters workloads = new WorkloadClusters();
    BootstrapData bootstrap =
        w.bootstrap() != null ? w.bootstrap() : new KubeadmBootstrap(workloads);
    NodeObserver nodes =
        w.nodes() != null ? w.nodes() : new WorkloadNodes(w.client(), workloads, events);
    NameSuffixes suffixes = MachinePlanner.randomSuffixes(new SecureRandom());
    operator.register(new VSphereNamespaceReconciler(w.vsphere(), w.placement(), events));
    operator.register(new TanzuKubernetesReleaseReconciler(w.vsphere()));
    operator.register(
        new TanzuKubernetesClusterReconciler(
            events, suffixes, bootstrap, new ClusterAccess(w.vips()), workloads));
    operator.register(new MachineReconciler(w.vsphere(), w.placement(), events, nodes));
    try {
      operator.start();
    } catch (RuntimeException e) {
      workloads.close();
      throw e;
    }
    return new Controllers(operator, workloads);
  }

  Operator operator() {
    return operator;
  }

  @Override
  public void close() {
    operator.stop();
    workloads.close();
  }
}
