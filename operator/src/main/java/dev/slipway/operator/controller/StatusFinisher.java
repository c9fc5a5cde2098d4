package dev.slipway.operator.controller;

import dev.slipway.operator.api.common.ObservedStatus;
import dev.slipway.operator.controller.steps.Next;
import dev.slipway.operator.status.Conditions;
import io.fabric8.kubernetes.client.CustomResource;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

/**
 * The end of every reconcile and cleanup: the conditions (which keep their lastTransitionTime) and
 * observedGeneration go into the status, and the status is written only when it differs from what
 * the pass started with. The write is a forced server-side apply of the status without a
 * resourceVersion: the status is this controller's alone (its field manager owns every field), so a
 * change to the object's spec or metadata meanwhile is no conflict and never costs a 409 and a
 * retry. The result is cached so the next pass starts from it (JOSDK runs one pass per object at a
 * time, so no older pass can overwrite it).
 */
final class StatusFinisher {
  private StatusFinisher() {}

  /** Finishes a reconcile: writes status if it changed and schedules the next look. */
  static <P extends CustomResource<?, S>, S extends ObservedStatus> UpdateControl<P> finish(
      P primary, S before, S status, Conditions cond, Context<P> context, Next next) {
    return finish(primary, primary, before, status, cond, context, next);
  }

  /**
   * As {@link #finish(CustomResource, ObservedStatus, ObservedStatus, Conditions, Context, Next)},
   * for a pass that wrote the resource itself before: {@code latest} is what that write returned
   * (see {@link #cacheOwnWrite}).
   */
  static <P extends CustomResource<?, S>, S extends ObservedStatus> UpdateControl<P> finish(
      P primary, P latest, S before, S status, Conditions cond, Context<P> context, Next next) {
    write(primary, latest, before, status, cond, context);
    return schedule(UpdateControl.noUpdate(), next);
  }

  /**
   * Hands what a write of the resource returned to the controller's cache, so that the next pass
   * sees it even before the informer does. A pass that writes the resource and then its status must
   * do this and name the result as the status write's {@code latest}: the cache takes a written
   * version only when it follows the version it holds, so a status write naming the version the
   * pass started from was dropped whenever the informer already held the first write; the next pass
   * then saw a status without the task just started and started it again (a second disk on the same
   * SCSI unit: InvalidDeviceSpec, the machine Failed; VCenterFaultsE2E, once vCenter's tasks took
   * their time in the test bed).
   */
  static <P extends CustomResource<?, ?>> P cacheOwnWrite(
      P written, P previous, Context<P> context) {
    context
        .eventSourceRetriever()
        .getControllerEventSource()
        .handleRecentResourceUpdate(ResourceID.fromResource(written), written, previous);
    return written;
  }

  /** The next look a pass asked for, on {@code control}. */
  static <P extends CustomResource<?, ?>> UpdateControl<P> schedule(
      UpdateControl<P> control, Next next) {
    return next.after().map(d -> control.rescheduleAfter(d.toMillis())).orElse(control);
  }

  /** Writes status if it changed; returns whether it did. */
  static <P extends CustomResource<?, S>, S extends ObservedStatus> boolean write(
      P primary, S before, S status, Conditions cond, Context<P> context) {
    return write(primary, primary, before, status, cond, context);
  }

  private static <P extends CustomResource<?, S>, S extends ObservedStatus> boolean write(
      P primary, P latest, S before, S status, Conditions cond, Context<P> context) {
    if (!observe(primary, before, status, cond)) {
      return false;
    }
    P fresh = fresh(primary);
    fresh.getMetadata().setResourceVersion(null);
    cacheOwnWrite(applyStatus(fresh, context), latest, context);
    return true;
  }

  private static <P extends CustomResource<?, ?>> P applyStatus(P fresh, Context<P> context) {
    return context
        .getClient()
        .resource(fresh)
        .subresource("status")
        .patch(
            new io.fabric8.kubernetes.client.dsl.base.PatchContext.Builder()
                .withForce(true)
                .withFieldManager(context.getControllerConfiguration().fieldManager())
                .withPatchType(io.fabric8.kubernetes.client.dsl.base.PatchType.SERVER_SIDE_APPLY)
                .build());
  }

  /**
   * As {@link #write}, for an object being deleted: applied without a resourceVersion and not
   * cached, since the object is about to go and a cached copy would outlive it.
   */
  static <P extends CustomResource<?, S>, S extends ObservedStatus> boolean writeWhileDeleting(
      P primary, S before, S status, Conditions cond, Context<P> context) {
    if (!observe(primary, before, status, cond)) {
      return false;
    }
    P fresh = fresh(primary);
    fresh.getMetadata().setResourceVersion(null);
    try {
      applyStatus(fresh, context);
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e;
      }
      return false; // gone already: nothing to report on
    }
    return true;
  }

  private static <P extends CustomResource<?, S>, S extends ObservedStatus> boolean observe(
      P primary, S before, S status, Conditions cond) {
    status.observed(cond.list(), primary.getMetadata().getGeneration());
    primary.setStatus(status);
    return Statuses.changed(before, status);
  }

  @SuppressWarnings("unchecked")
  private static <P extends CustomResource<?, ?>> P fresh(P primary) {
    P fresh = Statuses.copy(primary, (Class<P>) primary.getClass());
    fresh.getMetadata().setManagedFields(null);
    return fresh;
  }

  /** A status to work on: the resource's own, or a new one. */
  static <S> S statusOf(CustomResource<?, S> primary, java.util.function.Supplier<S> empty) {
    if (primary.getStatus() == null) {
      primary.setStatus(empty.get());
    }
    return primary.getStatus();
  }
}
