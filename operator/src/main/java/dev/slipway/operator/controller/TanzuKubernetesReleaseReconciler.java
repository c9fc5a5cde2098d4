package dev.slipway.operator.controller;

import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesRelease;
import dev.slipway.operator.controller.steps.Next;
import dev.slipway.operator.status.Conditions;
import dev.slipway.operator.status.Reasons;
import dev.slipway.operator.status.Types;
import dev.slipway.vsphere.ContentLibrary;
import dev.slipway.vsphere.VSphereException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.timer.TimerEventSource;
import java.util.ArrayList;
import java.util.List;

/**
 * A release is Ready when every OS image it names exists as a content-library item in vCenter, and
 * Compatible when Slipway can run its Kubernetes version. Checked again every minute: libraries
 * change outside Kubernetes.
 */
@ControllerConfiguration(name = TanzuKubernetesReleaseReconciler.NAME)
public class TanzuKubernetesReleaseReconciler implements Reconciler<TanzuKubernetesRelease> {
  public static final String NAME = "tanzukubernetesrelease";

  /** The oldest Kubernetes minor Slipway's kubeadm bootstrap writes configuration for. */
  static final String OLDEST_SUPPORTED = "v1.31.0";

  private final ContentLibrary vsphere;

  /** Lets the release sync ask for a look now, when it saw an item appear or go. */
  private final TimerEventSource<TanzuKubernetesRelease> recheck =
      new TimerEventSource<>("release-recheck", false);

  public TanzuKubernetesReleaseReconciler(ContentLibrary vsphere) {
    this.vsphere = vsphere;
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public List<EventSource<?, TanzuKubernetesRelease>> prepareEventSources(
      EventSourceContext<TanzuKubernetesRelease> context) {
    // JOSDK's timer source is typed for any primary.
    return List.of((EventSource) recheck);
  }

  /** Checks release {@code name} again now rather than at its next resync. */
  public void recheck(String name) {
    recheck.scheduleOnce(new ResourceID(name), 0);
  }

  @Override
  public UpdateControl<TanzuKubernetesRelease> reconcile(
      TanzuKubernetesRelease tkr, Context<TanzuKubernetesRelease> context) {
    TanzuKubernetesRelease.Status before =
        Statuses.copy(tkr.getStatus(), TanzuKubernetesRelease.Status.class);
    TanzuKubernetesRelease.Status status =
        StatusFinisher.statusOf(tkr, TanzuKubernetesRelease.Status::new);
    Conditions cond = Conditions.of(status.conditions, tkr.getMetadata().getGeneration());
    checkImages(tkr, cond);
    checkVersion(tkr, cond);
    Next next =
        Next.waitFor(
            "resync", cond.isTrue(Types.READY) ? Requeue.RELEASE_RESYNC : Requeue.USER_FIX);
    return StatusFinisher.finish(tkr, before, status, cond, context, next);
  }

  /** Ready: every OS image exists in its content library. */
  private void checkImages(TanzuKubernetesRelease tkr, Conditions cond) {
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
  }

  /** Compatible: a Kubernetes version Slipway's bootstrap writes configuration for. */
  private static void checkVersion(TanzuKubernetesRelease tkr, Conditions cond) {
    String version = tkr.getSpec().kubernetes.version;
    if (Versions.compare(version, OLDEST_SUPPORTED) < 0) {
      cond.setFalse(
          Types.COMPATIBLE,
          Reasons.VERSION_TOO_OLD,
          "Kubernetes "
              + version
              + " is older than "
              + OLDEST_SUPPORTED
              + ", the oldest Slipway bootstraps");
    } else {
      cond.setTrue(Types.COMPATIBLE, Reasons.READY, "Slipway can bootstrap Kubernetes " + version);
    }
  }
}
