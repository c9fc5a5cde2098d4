package dev.slipway.operator.api.run.v1alpha2;

import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesClusterSpec;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesClusterStatus;
import dev.slipway.operator.api.run.v1alpha3.TkcRules;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * The v1alpha2 version of TanzuKubernetesCluster, served with the same schema as v1alpha3
 * (conversion strategy None) so that vSphere 7 manifests apply unchanged. Slipway's controllers
 * read v1alpha3; the API server stores every object as v1alpha3. Printer columns and root rules
 * repeat the v1alpha3 ones (CRD versions carry their own).
 */
@Group(TkcRules.GROUP)
@Version(value = "v1alpha2", storage = false)
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
    implements Namespaced {}
