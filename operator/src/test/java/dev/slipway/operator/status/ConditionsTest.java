package dev.slipway.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionsTest {
  private static final Clock T0 =
      Clock.fixed(Instant.parse("2026-01-10T10:00:00Z"), ZoneOffset.UTC);
  private static final Clock T1 =
      Clock.fixed(Instant.parse("2026-01-10T10:05:00Z"), ZoneOffset.UTC);

  private static List<String> types(List<Condition> cs) {
    return cs.stream().map(c -> c.getType() + "=" + c.getStatus()).toList();
  }

  @Test
  void stalledFollowsReadyWhenTheReasonWaitsForAPerson() {
    List<Condition> failed =
        Conditions.of(List.of(), 3L, T0)
            .setFalse(Types.VM_PROVISIONED, Reasons.PERMANENT_FAILURE, "VM gone")
            .setFalse(Types.READY, Reasons.PERMANENT_FAILURE, "VM gone")
            .list();
    assertThat(types(failed)).containsExactly("Ready=False", "Stalled=True", "VMProvisioned=False");
    Condition stalled = failed.get(1);
    assertThat(stalled.getReason()).isEqualTo(Reasons.PERMANENT_FAILURE);
    assertThat(stalled.getMessage()).isEqualTo("VM gone");
    assertThat(stalled.getObservedGeneration()).isEqualTo(3L);

    // written again later: the transition time stays
    List<Condition> again =
        Conditions.of(failed, 3L, T1).setFalse(Types.READY, Reasons.MACHINE_FAILED, "m").list();
    assertThat(again.get(1).getLastTransitionTime()).isEqualTo("2026-01-10T10:00:00Z");
    assertThat(again.get(1).getReason()).isEqualTo(Reasons.MACHINE_FAILED);
  }

  @Test
  void reconcilingWhileWaitingNothingOnceReady() {
    List<Condition> waiting =
        Conditions.of(List.of(), 1L, T0)
            .setFalse(Types.READY, Reasons.WAITING_FOR_CONTROL_PLANE, "0 of 1")
            .list();
    assertThat(types(waiting)).containsExactly("Ready=False", "Reconciling=True");
    assertThat(waiting.get(1).getReason()).isEqualTo(Reasons.WAITING_FOR_CONTROL_PLANE);

    List<Condition> stalled =
        Conditions.of(waiting, 1L, T1).setFalse(Types.READY, Reasons.TKR_NOT_FOUND, "x").list();
    assertThat(types(stalled)).containsExactly("Ready=False", "Stalled=True");
    List<Condition> fixed =
        Conditions.of(stalled, 2L, T1).setTrue(Types.READY, Reasons.READY, "").list();
    assertThat(types(fixed)).containsExactly("Ready=True");
    List<Condition> retried =
        Conditions.of(stalled, 2L, T1).setFalse(Types.READY, Reasons.TASK_FAILED, "retry").list();
    assertThat(types(retried)).containsExactly("Ready=False", "Reconciling=True");
  }

  @Test
  void reconcilingBeforeThereIsAReadyCondition() {
    // a Machine waiting for its bootstrap Secret has no Ready condition yet
    List<Condition> pending =
        Conditions.of(List.of(), 1L, T0)
            .setFalse(Types.BOOTSTRAP_READY, Reasons.WAITING_FOR_BOOTSTRAP_DATA, "no Secret yet")
            .setFalse(Types.VM_PROVISIONED, Reasons.WAITING_FOR_BOOTSTRAP_DATA, "no data yet")
            .list();
    assertThat(types(pending))
        .containsExactly("BootstrapReady=False", "Reconciling=True", "VMProvisioned=False");
    Condition reconciling = pending.get(1);
    assertThat(reconciling.getMessage()).isEqualTo("no Secret yet");
    // the next reconcile keeps the transition time
    List<Condition> again = Conditions.of(pending, 1L, T1).list();
    assertThat(again.get(1).getLastTransitionTime()).isEqualTo("2026-01-10T10:00:00Z");
  }
}
