package dev.slipway.operator.controller;

import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesRelease;
import dev.slipway.operator.status.Conditions;
import dev.slipway.operator.status.Reasons;
import dev.slipway.operator.status.Types;
import dev.slipway.vsphere.VSphereException;
import dev.slipway.vsphere.VSphereProvider;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.util.ArrayList;
import java.util.List;

/**
 * A release is Ready when every OS image it names exists as a content-library item in vCenter, and
 * Compatible when Slipway can run its Kubernetes version. Checked again every minute: libraries
 * change outside Kubernetes.
 */
@ControllerConfiguration(name = "tanzukubernetesrelease")
public class TanzuKubernetesReleaseReconciler implements Reconciler<TanzuKubernetesRelease> {
  /** The oldest Kubernetes minor Slipway's kubeadm bootstrap writes configuration for. */
  static final String OLDEST_SUPPORTED = "v1.31.0";

  private final VSphereProvider vsphere;

  public TanzuKubernetesReleaseReconciler(VSphereProvider vsphere) {
    this.vsphere = vsphere;
  }

  @Override
  public UpdateControl<TanzuKubernetesRelease> reconcile(
      TanzuKubernetesRelease tkr, Context<TanzuKubernetesRelease> context) {
    TanzuKubernetesRelease.Status before =
        Statuses.copy(tkr.getStatus(), TanzuKubernetesRelease.Status.class);
    TanzuKubernetesRelease.Status status =
        tkr.getStatus() == null ? new TanzuKubernetesRelease.Status() : tkr.getStatus();
    Conditions cond = Conditions.of(status.conditions, tkr.getMetadata().getGeneration());

    List<String> missing = new ArrayList<>();
    String error = null;
    for (var image : tkr.getSpec().osImages) {
      try {
        if (vsphere.findItem(image.contentLibrary, image.item).isEmpty()) {
          missing.add(image.contentLibrary + "/" + image.item);
        }
      } catch (VSphereException e) {
        error = e.getMessage();
      }
    }
    if (error != null) {
      cond.setUnknown(
          Types.READY, Reasons.VSPHERE_ERROR, "cannot read content libraries: " + error);
    } else if (!missing.isEmpty()) {
      cond.setFalse(
          Types.READY,
          Reasons.IMAGE_NOT_FOUND,
          "content-library item(s) not found: " + String.join(", ", missing));
    } else {
      cond.setTrue(Types.READY, Reasons.READY, "every OS image exists in vCenter");
    }
    String version = tkr.getSpec().kubernetes.version;
    if (Versions.compare(version, OLDEST_SUPPORTED) < 0) {
      cond.setFalse(
          Types.COMPATIBLE,
          "VersionTooOld",
          "Kubernetes "
              + version
              + " is older than "
              + OLDEST_SUPPORTED
              + ", the oldest Slipway"
              + " bootstraps");
    } else {
      cond.setTrue(Types.COMPATIBLE, Reasons.READY, "Slipway can bootstrap Kubernetes " + version);
    }
    status.conditions = cond.list();
    status.observedGeneration = tkr.getMetadata().getGeneration();
    tkr.setStatus(status);
    UpdateControl<TanzuKubernetesRelease> control =
        Statuses.changed(before, status)
            ? UpdateControl.patchStatus(tkr)
            : UpdateControl.noUpdate();
    return control.rescheduleAfter(cond.isTrue(Types.READY) ? 60_000 : 10_000);
  }
}
