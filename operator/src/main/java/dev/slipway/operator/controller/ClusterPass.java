package dev.slipway.operator.controller;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesClusterStatus;
import dev.slipway.operator.controller.ClusterResolver.Resolved;
import dev.slipway.operator.controller.steps.Next;
import dev.slipway.operator.plan.MachineToDelete;
import dev.slipway.operator.status.Conditions;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;

/** One reconcile of one TanzuKubernetesCluster: what its steps found and decided so far. */
final class ClusterPass {
  final TanzuKubernetesCluster tkc;
  final TanzuKubernetesClusterStatus status;
  final Conditions cond;
  final KubernetesClient client;
  final Lookups lookups;

  /** The cluster's machines: the informer's list corrected by this process's own writes. */
  final List<Machine> machines;

  /** All machines of the cluster's namespace (for its limits). */
  final List<Machine> namespaceMachines;

  Resolved resolved;

  /** How far the machines are from their templates; null when the pass did not plan. */
  dev.slipway.operator.plan.Rollout rollout;

  boolean accessOk;
  List<Machine> toCreate = new ArrayList<>();
  List<MachineToDelete> toDelete = new ArrayList<>();

  /** Machines the planner wants but holds back this pass (Plan.waitingFor). */
  List<String> heldBack = new ArrayList<>();

  /** When to look again even if the pass went to the end (e.g. the addons' drift check). */
  Next lookAgain = Next.proceed();

  void lookAgain(java.time.Duration after) {
    lookAgain = lookAgain.sooner(Next.waitFor("look at the addons again", after));
  }

  ClusterPass(
      TanzuKubernetesCluster tkc,
      KubernetesClient client,
      Lookups lookups,
      List<Machine> machines,
      List<Machine> namespaceMachines) {
    this.tkc = tkc;
    this.status = StatusFinisher.statusOf(tkc, TanzuKubernetesClusterStatus::new);
    this.cond = Conditions.of(status.conditions, tkc.getMetadata().getGeneration());
    this.client = client;
    this.lookups = lookups;
    this.machines = new ArrayList<>(machines);
    this.namespaceMachines = namespaceMachines;
  }

  String key() {
    return tkc.getMetadata().getNamespace() + "/" + tkc.getMetadata().getName();
  }
}
