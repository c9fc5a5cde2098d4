package dev.slipway.operator.controller;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.controller.steps.Next;
import dev.slipway.operator.status.EventReason;
import dev.slipway.operator.status.Events;
import dev.slipway.operator.status.Reasons;
import dev.slipway.operator.status.Types;
import dev.slipway.vsphere.FaultKind;
import dev.slipway.vsphere.VSphereException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a machine does after vCenter says no. A retryable fault backs off exponentially, with the
 * attempts and the next time in {@code status.retry} (so a restart does not reset it); a permanent
 * one makes the machine Failed and stops every retry until its spec changes or a person asks for
 * one with the annotation {@value #RETRY_ANNOTATION} (any new value).
 */
final class MachineFaults {
  static final String RETRY_ANNOTATION = "slipway.dev/retry";

  private final Requeue.Backoff backoff;
  private final Events events;

  MachineFaults(Requeue.Backoff backoff, Events events) {
    this.backoff = backoff;
    this.events = events;
  }

  /** The first step: honours a requested retry, a permanent failure and a running back-off. */
  Next gate(MachinePass p) {
    Optional<String> asked = retryRequest(p.machine);
    if (asked.isPresent() && !asked.get().equals(retry(p).acknowledgedRequest)) {
      retry(p).acknowledgedRequest = asked.get();
      retry(p).attempts = null;
      retry(p).notBefore = null;
      p.cond.setFalse(Types.VM_PROVISIONED, Reasons.RETRY_REQUESTED, "retry requested");
      p.cond.remove(Types.READY);
      return Next.proceed();
    }
    if (failedAtThisGeneration(p)) {
      return Next.waitForEvents("failed permanently; waiting for a spec change or a retry request");
    }
    Instant notBefore = notBefore(p);
    if (notBefore != null && notBefore.isAfter(p.now)) {
      return Next.waitFor(
          "backing off after " + retry(p).attempts + " failure(s)",
          Duration.between(p.now, notBefore));
    }
    return Next.proceed();
  }

  /**
   * Faults about Slipway's access to vCenter, not about the machine: a rotated password, a lost
   * privilege or a replaced certificate would otherwise fail every machine at once. They back off
   * like transient faults until an administrator fixes the access.
   */
  private static final Set<FaultKind> ACCESS =
      EnumSet.of(
          FaultKind.NOT_AUTHENTICATED, FaultKind.PERMISSION, FaultKind.UNTRUSTED_CERTIFICATE);

  /** vCenter refused or failed a step. */
  Next failed(MachinePass p, VSphereException e) {
    p.status.lastTaskError = e.getMessage();
    if (!e.isRetryable() && e.kind() != FaultKind.TRANSIENT && !ACCESS.contains(e.kind())) {
      return permanent(p, e.getMessage());
    }
    Machine.Retry r = retry(p);
    r.attempts = (r.attempts == null ? 0 : r.attempts) + 1;
    Duration delay = backoff.delay(r.attempts);
    if (e.isUnreachable()) {
      // vCenter down or restarting: noticed within seconds of its return, not after a back-off
      // grown through the outage.
      delay = backoff.atMost(delay, Requeue.VCENTER_UNREACHABLE);
    }
    r.notBefore = format(p.now.plus(delay));
    String msg = e.getMessage() + " (attempt " + r.attempts + "; next try at " + r.notBefore + ")";
    p.cond.setFalse(Types.VM_PROVISIONED, Reasons.TASK_FAILED, msg);
    events.record(p.machine, EventReason.TaskFailed, e.getMessage());
    return Next.waitFor("vCenter fault " + e.kind() + ", backing off", delay);
  }

  /** The machine cannot be built as specified: Failed, no more retries at this generation. */
  Next permanent(MachinePass p, String message) {
    return permanent(p, Reasons.PERMANENT_FAILURE, message);
  }

  /**
   * As {@link #permanent(MachinePass, String)}, with a reason of {@link Reasons#MACHINE_FAULTS}.
   */
  Next permanent(MachinePass p, String reason, String message) {
    p.cond.setFalse(Types.VM_PROVISIONED, reason, message);
    p.cond.setFalse(Types.READY, reason, message);
    events.record(p.machine, EventReason.MachineFailed, message);
    return Next.waitForEvents("failed permanently: " + message);
  }

  /** The VM is provisioned: the back-off starts from scratch next time. */
  void progressed(MachinePass p) {
    if (p.status.retry == null) {
      return;
    }
    p.status.retry.attempts = null;
    p.status.retry.notBefore = null;
    if (p.status.retry.acknowledgedRequest == null) {
      p.status.retry = null;
    }
  }

  static boolean isFailed(Machine.Status status, Long generation) {
    return status.conditions.stream()
        .anyMatch(
            c ->
                Types.VM_PROVISIONED.equals(c.getType())
                    && Reasons.MACHINE_FAULTS.contains(c.getReason())
                    && (generation == null || generation.equals(c.getObservedGeneration())));
  }

  private static boolean failedAtThisGeneration(MachinePass p) {
    return p.cond
        .get(Types.VM_PROVISIONED)
        .filter(c -> Reasons.MACHINE_FAULTS.contains(c.getReason()))
        .filter(
            c ->
                java.util.Objects.equals(
                    p.machine.getMetadata().getGeneration(), c.getObservedGeneration()))
        .isPresent();
  }

  private static Optional<String> retryRequest(Machine m) {
    Map<String, String> a = m.getMetadata().getAnnotations();
    return Optional.ofNullable(a == null ? null : a.get(RETRY_ANNOTATION));
  }

  private static Machine.Retry retry(MachinePass p) {
    if (p.status.retry == null) {
      p.status.retry = new Machine.Retry();
    }
    return p.status.retry;
  }

  private static Instant notBefore(MachinePass p) {
    return p.status.retry == null || p.status.retry.notBefore == null
        ? null
        : Instant.parse(p.status.retry.notBefore);
  }

  private static String format(Instant t) {
    return DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.MILLIS));
  }
}
