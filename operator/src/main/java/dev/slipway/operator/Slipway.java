package dev.slipway.operator;

import dev.slipway.operator.config.Placement;
import dev.slipway.operator.controller.BootstrapData;
import dev.slipway.operator.controller.MachineReconciler;
import dev.slipway.operator.controller.NodeObserver;
import dev.slipway.operator.controller.TanzuKubernetesClusterReconciler;
import dev.slipway.operator.controller.TanzuKubernetesReleaseReconciler;
import dev.slipway.operator.controller.VSphereNamespaceReconciler;
import dev.slipway.operator.plan.MachinePlanner;
import dev.slipway.operator.plan.NameSuffixes;
import dev.slipway.operator.status.Events;
import dev.slipway.vsphere.VSphereProvider;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Objects;

/**
 * Slipway's control loops in one process: the VSphereNamespace, TanzuKubernetesRelease,
 * TanzuKubernetesCluster and Machine controllers on one JOSDK operator, sharing one vCenter
 * connection. Used by the operator's main, the local demo and the end-to-end tests.
 */
public final class Slipway implements AutoCloseable {

  /** Everything the loops need; built by the caller. */
  public record Wiring(
      KubernetesClient client,
      VSphereProvider vsphere,
      Placement placement,
      BootstrapData bootstrap,
      NodeObserver nodes,
      LeaderElection leaderElection,
      int reconcileThreads) {
    public Wiring {
      Objects.requireNonNull(client, "client");
      Objects.requireNonNull(vsphere, "vsphere");
      Objects.requireNonNull(placement, "placement");
      Objects.requireNonNull(bootstrap, "bootstrap");
      Objects.requireNonNull(nodes, "nodes");
    }
  }

  /**
   * A Lease in {@code namespace}; {@code exitOnStopLeading} ends the JVM when leadership is lost
   * (right for a Deployment's pod, wrong in a test JVM).
   */
  public record LeaderElection(
      String leaseName, String namespace, String identity, boolean exitOnStopLeading) {}

  private final Operator operator;

  private Slipway(Operator operator) {
    this.operator = operator;
  }

  public static Slipway start(Wiring w) {
    Operator operator =
        new Operator(
            o -> {
              o.withKubernetesClient(w.client())
                  .withCloseClientOnStop(false)
                  .withStopOnInformerErrorDuringStartup(true);
              if (w.reconcileThreads() > 0) {
                o.withConcurrentReconciliationThreads(w.reconcileThreads());
              }
              if (w.leaderElection() != null) {
                LeaderElection le = w.leaderElection();
                o.withLeaderElectionConfiguration(
                    LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(le.leaseName())
                        .withLeaseNamespace(le.namespace())
                        .withIdentity(le.identity())
                        .withLeaseDuration(Duration.ofSeconds(15))
                        .withRenewDeadline(Duration.ofSeconds(10))
                        .withRetryPeriod(Duration.ofSeconds(2))
                        .withExitOnStopLeading(le.exitOnStopLeading())
                        .build());
              }
            });
    Events events = new Events(w.client());
    NameSuffixes suffixes = MachinePlanner.randomSuffixes(new SecureRandom());
    operator.register(new VSphereNamespaceReconciler(w.vsphere(), w.placement(), events));
    operator.register(new TanzuKubernetesReleaseReconciler(w.vsphere()));
    operator.register(new TanzuKubernetesClusterReconciler(events, suffixes, w.bootstrap()));
    operator.register(new MachineReconciler(w.vsphere(), w.placement(), events, w.nodes()));
    operator.start();
    return new Slipway(operator);
  }

  public Operator operator() {
    return operator;
  }

  @Override
  public void close() {
    operator.stop();
  }
}
