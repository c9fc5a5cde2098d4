package dev.slipway.operator.api.run.v1alpha3;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A workload cluster: control plane, node pools, network and storage settings, and a Kubernetes
 * version through a TanzuKubernetesRelease. Field names follow vSphere with Tanzu's TKG Service so
 * that existing manifests apply unchanged.
 */
@Group(TanzuKubernetesCluster.GROUP)
@Version(value = "v1alpha3", storage = true)
@ShortNames("tkc")
@AdditionalPrinterColumn(
    name = "Control Plane",
    jsonPath = ".spec.topology.controlPlane.replicas",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Worker",
    jsonPath = ".status.totalWorkerReplicas",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "TKR Name",
    jsonPath = ".spec.topology.controlPlane.tkr.reference.name",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "TKR Compatible",
    jsonPath = ".status.conditions[?(@.type==\"TanzuKubernetesReleaseCompatible\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Updates Available",
    jsonPath = ".status.conditions[?(@.type==\"UpdatesAvailable\")].message",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Phase",
    jsonPath = ".status.phase",
    type = AdditionalPrinterColumn.Type.STRING)
@ValidationRule(value = TkcRules.NAME_RULE, message = TkcRules.NAME_MESSAGE)
@ValidationRule(value = TkcRules.POOL_NAME_RULE, message = TkcRules.POOL_NAME_MESSAGE)
@ValidationRule(
    value = TkcRules.TKR_STEP_RULE,
    message = TkcRules.TKR_STEP_FALLBACK,
    messageExpression = TkcRules.TKR_STEP_MESSAGE)
@ValidationRule(
    value = TkcRules.POOL_TKR_RULE,
    message = TkcRules.POOL_TKR_FALLBACK,
    messageExpression = TkcRules.POOL_TKR_MESSAGE)
public class TanzuKubernetesCluster
    extends CustomResource<TanzuKubernetesClusterSpec, TanzuKubernetesClusterStatus>
    implements Namespaced {
  public static final String GROUP = TkcRules.GROUP;
}
