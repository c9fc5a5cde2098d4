package dev.slipway.operator.controller;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.bootstrap.CertKey;
import dev.slipway.operator.bootstrap.ClientCertificates;
import dev.slipway.operator.controller.etcd.EtcdClient;
import dev.slipway.operator.controller.etcd.EtcdException;
import dev.slipway.operator.controller.etcd.EtcdMember;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slipway's way into a workload cluster's etcd: per cluster, one HTTP client presenting a
 * short-lived certificate issued from the cluster's etcd CA, renewed before it expires. Members are
 * reached on port 2379 of the control-plane machines' addresses.
 */
final class EtcdAccess {
  /** Renewed this long before the certificate's hour is up. */
  static final Duration REUSE = Duration.ofMinutes(50);

  private record Cached(HttpClient http, Instant until) {}

  private final Map<String, Cached> byCluster = new ConcurrentHashMap<>();
  private final Clock clock;
  private final WorkloadGuard guard;
  private final ClusterSecrets secrets;

  EtcdAccess(Clock clock, WorkloadGuard guard, ClusterSecrets secrets) {
    this.clock = clock;
    this.guard = guard;
    this.secrets = secrets;
  }

  EtcdClient client(KubernetesClient management, TanzuKubernetesCluster tkc, List<URI> endpoints) {
    Instant now = clock.instant();
    Cached c = byCluster.get(tkc.getMetadata().getUid());
    if (c == null || c.until().isBefore(now)) {
      CertKey ca = ClusterAccess.pki(secrets, management, tkc).etcd();
      CertKey me = ClientCertificates.issue(ClientCertificates.ETCD_CLIENT, ca, now);
      c =
          new Cached(
              EtcdClient.http(
                  ClientCertificates.sslContext(me, ca), Requeue.DEPENDENCY, WorkloadHttp.EXECUTOR),
              now.plus(REUSE));
      byCluster.put(tkc.getMetadata().getUid(), c);
    }
    return new EtcdClient(c.http(), endpoints, Requeue.DEPENDENCY).guardedBy(guard::check);
  }

  /**
   * A control-plane machine's member: why it is not a healthy voting member, if it is not, and the
   * members as listed (empty when they could not be).
   */
  record Check(Optional<String> problem, List<EtcdMember> members) {}

  /** {@link Check} of {@code m}'s member, asking its own endpoint. */
  Check check(KubernetesClient management, TanzuKubernetesCluster tkc, Machine m) {
    Optional<URI> own = clientUrl(m);
    if (own.isEmpty()) {
      return new Check(Optional.of("the machine has no address yet"), List.of());
    }
    try {
      EtcdClient etcd = client(management, tkc, List.of(own.get()));
      String name = m.getStatus().nodeRef.name;
      List<EtcdMember> members = etcd.members();
      Optional<EtcdMember> member = members.stream().filter(x -> name.equals(x.name())).findFirst();
      if (member.isEmpty()) {
        return new Check(Optional.of("not an etcd member yet"), members);
      }
      if (member.get().learner()) {
        return new Check(
            Optional.of("etcd member " + name + " is still joining (learner)"), members);
      }
      return new Check(
          etcd.healthy(own.get())
              ? Optional.empty()
              : Optional.of("etcd member " + name + " is not healthy"),
          members);
    } catch (EtcdException e) {
      return new Check(Optional.of("etcd at " + own.get() + ": " + e.getMessage()), List.of());
    }
  }

  /**
   * Removes a member whose machine and VM are gone (no control-plane machine has its name and it
   * does not answer), one per call and only while the rest keep a healthy majority; returns the
   * name of the one removed. {@code members} are the ones {@link #check} just listed; the members
   * are probed only when one of them is a stranger ({@link EtcdClient#strangerToRemove}).
   */
  Optional<String> removeStranger(
      KubernetesClient management,
      TanzuKubernetesCluster tkc,
      Machine m,
      List<EtcdMember> members,
      java.util.function.Predicate<String> controlPlaneMachine) {
    Optional<URI> own = clientUrl(m);
    if (own.isEmpty()) {
      return Optional.empty();
    }
    EtcdClient etcd = client(management, tkc, List.of(own.get()));
    Optional<EtcdMember> stranger =
        EtcdClient.strangerToRemove(members, controlPlaneMachine, etcd::healthy);
    stranger.ifPresent(x -> etcd.remove(x.id()));
    return stranger.map(EtcdMember::name);
  }

  static Optional<URI> clientUrl(Machine m) {
    return Optional.ofNullable(m.getStatus().addresses).orElse(List.of()).stream()
        .filter(a -> "InternalIP".equals(a.type))
        .map(a -> URI.create("https://" + a.address + ":2379"))
        .findFirst();
  }

  void forget(TanzuKubernetesCluster tkc) {
    byCluster.remove(tkc.getMetadata().getUid());
  }
}
