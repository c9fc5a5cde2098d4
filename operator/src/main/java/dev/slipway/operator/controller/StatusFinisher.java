package dev.slipway.operator.controller;

import dev.slipway.operator.api.common.ObservedStatus;
import dev.slipway.operator.controller.steps.Next;
import dev.slipway.operator.status.Conditions;
import io.fabric8.kubernetes.client.CustomResource;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;

/**
 * The end of every reconcile and cleanup: the conditions (which keep their lastTransitionTime) and
 * observedGeneration go into the status, and the status is written only when it differs from what
 * the pass started with. The write is a server-side apply of the status that is retried on a fresh
 * copy when the object changed meanwhile (no 409 reaches the logs), and the result is cached so the
 * next pass starts from it.
 */
final class StatusFinisher {
  private StatusFinisher() {}

  /** Finishes a reconcile: writes status if it changed and schedules the next look. */
  static <P extends CustomResource<?, S>, S extends ObservedStatus> UpdateControl<P> finish(
      P primary, S before, S status, Conditions cond, Context<P> context, Next next) {
    write(primary, before, status, cond, context);
    UpdateControl<P> control = UpdateControl.noUpdate();
    return next.after().map(d -> control.rescheduleAfter(d.toMillis())).orElse(control);
  }

  /** Writes status if it changed; returns whether it did. Also for cleanups. */
  static <P extends CustomResource<?, S>, S extends ObservedStatus> boolean write(
      P primary, S before, S status, Conditions cond, Context<P> context) {
    status.observed(cond.list(), primary.getMetadata().getGeneration());
    primary.setStatus(status);
    if (!Statuses.changed(before, status)) {
      return false;
    }
    @SuppressWarnings("unchecked")
    P fresh = Statuses.copy(primary, (Class<P>) primary.getClass());
    fresh.getMetadata().setManagedFields(null);
    PrimaryUpdateAndCacheUtils.ssaPatchStatusAndCacheResource(primary, fresh, context);
    return true;
  }

  /** A status to work on: the resource's own, or a new one. */
  static <S> S statusOf(CustomResource<?, S> primary, java.util.function.Supplier<S> empty) {
    if (primary.getStatus() == null) {
      primary.setStatus(empty.get());
    }
    return primary.getStatus();
  }
}
