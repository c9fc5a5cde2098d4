package dev.slipway.operator.controller;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.controller.drain.DrainProgress;
import dev.slipway.operator.controller.drain.NodeDrain;
import dev.slipway.operator.controller.etcd.EtcdClient;
import dev.slipway.operator.controller.etcd.EtcdException;
import dev.slipway.operator.controller.etcd.EtcdMember;
import dev.slipway.operator.controller.steps.Next;
import dev.slipway.operator.status.Conditions;
import dev.slipway.operator.status.Reasons;
import dev.slipway.operator.status.Types;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a machine that leaves a live cluster (scale-in, rollout, pool removal) does before its VM
 * goes: its Node is drained (cordon, evictions that honour PodDisruptionBudgets, up to the group's
 * {@code nodeDrainTimeout}), and a control-plane machine's etcd member is removed (leadership moved
 * off it first, and only while the members left keep a healthy majority). After the VM is gone its
 * Node is deleted (not before: a running kubelet would register it again). A machine whose Node
 * never joined, and every machine of a cluster being deleted, skips all of this. Each stage is a
 * condition on the Machine (NodeDrained, EtcdMemberRemoved), so a restart resumes where it was.
 */
final class MachineDeparture {
  /** Access to the leaving machine's workload cluster. */
  interface Workload {
    /** The machine's cluster, if it exists and is not being deleted. */
    Optional<TanzuKubernetesCluster> liveCluster(Machine m);

    /** A client of the machine's workload cluster, if it has a kubeconfig. */
    Optional<KubernetesClient> client(Machine m);

    /** An etcd client for the cluster's members at {@code endpoints}. */
    EtcdClient etcd(TanzuKubernetesCluster tkc, List<URI> endpoints);

    /** The cluster's control-plane machines (this one included). */
    List<Machine> controlPlane(Machine m);
  }

  private final Workload workload;
  private final NodeDrain drain;

  MachineDeparture(Workload workload, NodeDrain drain) {
    this.workload = workload;
    this.drain = drain;
  }

  /** Before the VM goes: drain, then (control plane) the etcd member. */
  Next beforeVmGoes(Machine m, Conditions cond, Instant now) {
    Optional<TanzuKubernetesCluster> tkc = leavingALiveCluster(m);
    if (tkc.isEmpty()) {
      return Next.proceed();
    }
    Optional<KubernetesClient> client = workload.client(m);
    if (client.isEmpty()) {
      cond.setFalse(Types.NODE_DRAINED, Reasons.WORKLOAD_UNREACHABLE, "no kubeconfig");
      return Next.waitFor("no workload access", Requeue.DEPENDENCY);
    }
    if (!cond.isTrue(Types.NODE_DRAINED)) {
      Next drained = drainNode(m, tkc.get(), client.get(), cond, now);
      if (!drained.proceeds()) {
        return drained;
      }
    }
    if (m.getSpec().role == Machine.Role.controlPlane && !cond.isTrue(Types.ETCD_MEMBER_REMOVED)) {
      return removeEtcdMember(m, tkc.get(), cond);
    }
    return Next.proceed();
  }

  /** After the VM is gone: its Node goes too. */
  Next afterVmGone(Machine m) {
    if (leavingALiveCluster(m).isEmpty()) {
      return Next.proceed();
    }
    try {
      workload.client(m).ifPresent(c -> drain.deleteNode(c, m.getStatus().nodeRef.name));
      return Next.proceed();
    } catch (KubernetesClientException e) {
      return Next.waitFor("cannot delete the Node: " + e.getMessage(), Requeue.DEPENDENCY);
    }
  }

  private Optional<TanzuKubernetesCluster> leavingALiveCluster(Machine m) {
    if (m.getStatus() == null || m.getStatus().nodeRef == null) {
      return Optional.empty();
    }
    return workload.liveCluster(m);
  }

  private Next drainNode(
      Machine m,
      TanzuKubernetesCluster tkc,
      KubernetesClient client,
      Conditions cond,
      Instant now) {
    if (m.getStatus().drainStartedAt == null) {
      m.getStatus().drainStartedAt = now.toString();
    }
    Duration timeout = NodeDrain.timeoutOf(ClusterMachines.groupOf(tkc, m).nodeDrainTimeout);
    DrainProgress p =
        drain.step(
            client,
            m.getStatus().nodeRef.name,
            Instant.parse(m.getStatus().drainStartedAt),
            timeout,
            now);
    if (!p.done()) {
      cond.setFalse(Types.NODE_DRAINED, Reasons.DRAINING, p.message());
      return Next.waitFor("draining", p.retryAfter());
    }
    String reason =
        p.state() == DrainProgress.State.TIMED_OUT ? Reasons.DRAIN_TIMED_OUT : Reasons.DRAINED;
    cond.setTrue(Types.NODE_DRAINED, reason, p.message());
    return Next.proceed();
  }

  private Next removeEtcdMember(Machine m, TanzuKubernetesCluster tkc, Conditions cond) {
    String name = m.getStatus().nodeRef.name;
    List<URI> endpoints = endpoints(m);
    if (endpoints.isEmpty()) {
      cond.setFalse(
          Types.ETCD_MEMBER_REMOVED, Reasons.ETCD_UNREACHABLE, "no control-plane machine address");
      return Next.waitFor("no etcd endpoint", Requeue.DEPENDENCY);
    }
    try {
      EtcdClient etcd = workload.etcd(tkc, endpoints);
      List<EtcdMember> members = etcd.members();
      Optional<EtcdMember> leaving =
          members.stream().filter(x -> name.equals(x.name())).findFirst();
      if (leaving.isEmpty()) {
        cond.setTrue(Types.ETCD_MEMBER_REMOVED, Reasons.ETCD_MEMBER_GONE, "no member " + name);
        return Next.proceed();
      }
      Set<Long> healthy = healthy(etcd, members);
      Optional<String> unsafe = EtcdClient.removalUnsafe(members, healthy, leaving.get().id());
      if (unsafe.isPresent()) {
        cond.setFalse(Types.ETCD_MEMBER_REMOVED, Reasons.ETCD_QUORUM_AT_RISK, unsafe.get());
        return Next.waitFor("etcd quorum at risk", Requeue.USER_FIX);
      }
      Optional<Long> target = healthy.stream().filter(id -> id != leaving.get().id()).findFirst();
      if (target.isPresent() && etcd.moveLeaderOff(leaving.get().id(), target.get())) {
        cond.setFalse(
            Types.ETCD_MEMBER_REMOVED, Reasons.REMOVING_ETCD_MEMBER, "moved etcd leadership off");
        return Next.waitFor("etcd leadership moving", Requeue.TEMPLATE_POLL);
      }
      etcd.remove(leaving.get().id());
      cond.setTrue(
          Types.ETCD_MEMBER_REMOVED, Reasons.ETCD_MEMBER_GONE, "removed etcd member " + name);
      return Next.proceed();
    } catch (EtcdException e) {
      cond.setFalse(Types.ETCD_MEMBER_REMOVED, Reasons.ETCD_UNREACHABLE, e.getMessage());
      return Next.waitFor("etcd: " + e.getMessage(), Requeue.DEPENDENCY);
    }
  }

  /** The members that say they are healthy at their own client URL. */
  private static Set<Long> healthy(EtcdClient etcd, List<EtcdMember> members) {
    return members.stream()
        .filter(x -> !x.clientUrls().isEmpty() && etcd.healthy(URI.create(x.clientUrls().get(0))))
        .map(EtcdMember::id)
        .collect(Collectors.toSet());
  }

  /** etcd's client port on each control-plane machine's address, this one last. */
  private List<URI> endpoints(Machine leaving) {
    String me = leaving.getMetadata().getName();
    return workload.controlPlane(leaving).stream()
        .sorted(
            (a, b) ->
                Boolean.compare(
                    me.equals(a.getMetadata().getName()), me.equals(b.getMetadata().getName())))
        .flatMap(x -> Optional.ofNullable(x.getStatus()).stream())
        .flatMap(s -> Optional.ofNullable(s.addresses).orElse(List.of()).stream())
        .filter(a -> "InternalIP".equals(a.type))
        .map(a -> URI.create("https://" + a.address + ":2379"))
        .distinct()
        .toList();
  }
}
