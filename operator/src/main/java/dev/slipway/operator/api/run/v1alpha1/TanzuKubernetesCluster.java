package dev.slipway.operator.api.run.v1alpha1;

import dev.slipway.operator.api.run.v1alpha3.TkcRules;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * The vSphere 7.0 (TKGS v1alpha1) shape of TanzuKubernetesCluster, served so that manifests of that
 * time apply unchanged: {@code topology.controlPlane} and {@code topology.workers} as {@code
 * {count, class, storageClass}}, and {@code distribution.version}. Never stored: the operator's
 * conversion webhook ({@code dev.slipway.operator.webhook}) turns it into v1alpha3 and back; fields
 * v1alpha1 has no place for are kept in the annotation {@code slipway.dev/conversion-data}. Printer
 * columns are TKGS v1alpha1's.
 */
@Group(TkcRules.GROUP)
@Version(value = "v1alpha1", storage = false)
@ShortNames("tkc")
@AdditionalPrinterColumn(
    name = "Control Plane",
    jsonPath = ".spec.topology.controlPlane.count",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Worker",
    jsonPath = ".spec.topology.workers.count",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Distribution",
    jsonPath = ".spec.distribution.fullVersion",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(
    name = "Phase",
    jsonPath = ".status.phase",
    type = AdditionalPrinterColumn.Type.STRING)
@ValidationRule(value = TkcRules.NAME_RULE, message = TkcRules.NAME_MESSAGE)
public class TanzuKubernetesCluster
    extends CustomResource<TanzuKubernetesClusterSpec, TanzuKubernetesClusterStatus>
    implements Namespaced {}
