package dev.slipway.operator.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class HealthCheckTest {
  static final Instant NOW = Instant.parse("2030-01-01T12:00:00Z");
  static final HealthCheck.Settings SETTINGS =
      new HealthCheck.Settings(
          Duration.ofMinutes(20),
          Duration.ofMinutes(5),
          new HealthCheck.MaxUnhealthy(100, true),
          3,
          Duration.ofMinutes(1));

  static HealthCheck.Machine healthy(String name, MachineRole role) {
    return new HealthCheck.Machine(
        name,
        role,
        role == MachineRole.WORKER ? "workers" : null,
        null,
        NOW.minusSeconds(3600),
        true,
        null,
        true,
        null);
  }

  static HealthCheck.Machine worker(String name) {
    return healthy(name, MachineRole.WORKER);
  }

  static HealthCheck.Machine cp(String name) {
    return healthy(name, MachineRole.CONTROL_PLANE);
  }

  static HealthCheck.Machine failed(HealthCheck.Machine m) {
    return new HealthCheck.Machine(
        m.name(),
        m.role(),
        m.group(),
        "VM gone",
        m.poweredOnSince(),
        m.nodeJoined(),
        null,
        false,
        m.replacing());
  }

  static HealthCheck.Machine notReadySince(HealthCheck.Machine m, Instant since) {
    return new HealthCheck.Machine(
        m.name(), m.role(), m.group(), null, m.poweredOnSince(), true, since, false, m.replacing());
  }

  static HealthCheck.Machine noNodeOnSince(HealthCheck.Machine m, Instant on) {
    return new HealthCheck.Machine(
        m.name(), m.role(), m.group(), null, on, false, null, false, m.replacing());
  }

  static HealthCheck.Machine replacing(HealthCheck.Machine m, int count, Instant at) {
    return new HealthCheck.Machine(
        m.name(),
        m.role(),
        m.group(),
        m.failure(),
        m.poweredOnSince(),
        m.nodeJoined(),
        m.nodeNotReadySince(),
        m.healthyMember(),
        new HealthCheck.Record("earlier", count, at));
  }

  static HealthCheck.Result check(HealthCheck.Machine... machines) {
    return HealthCheck.check(List.of(machines), List.of(), true, SETTINGS, NOW);
  }

  static List<String> remediated(HealthCheck.Result r) {
    return r.remediate().stream().map(HealthCheck.Remediation::name).toList();
  }

  @Nested
  class Unhealthy {
    @Test
    void healthyMachinesAreLeftAlone() {
      HealthCheck.Result r = check(cp("cp-1"), worker("w-1"));

      assertThat(r.state()).isEqualTo(HealthCheck.State.HEALTHY);
      assertThat(r.unhealthy()).isEmpty();
      assertThat(r.remediate()).isEmpty();
      assertThat(r.recheckAt()).isEmpty();
    }

    @Test
    void aFailedMachineIsUnhealthyAtOnce() {
      HealthCheck.Result r = check(cp("cp-1"), failed(worker("w-1")));

      assertThat(r.unhealthy())
          .extracting(HealthCheck.Unhealthy::why)
          .containsExactly("failed: VM gone");
      assertThat(remediated(r)).containsExactly("w-1");
      assertThat(r.state()).isEqualTo(HealthCheck.State.REMEDIATING);
      assertThat(r.remediate().get(0).record().retryCount()).isEqualTo(1);
      assertThat(r.remediate().get(0).record().at()).isEqualTo(NOW);
      assertThat(r.remediate().get(0).group()).isEqualTo("workers");
    }

    @Test
    void aNodeNotReadyIsUnhealthyOnlyAfterTheTimeout() {
      HealthCheck.Result within =
          check(cp("cp-1"), notReadySince(worker("w-1"), NOW.minusSeconds(299)));
      assertThat(within.state()).isEqualTo(HealthCheck.State.HEALTHY);
      assertThat(within.recheckAt()).contains(NOW.plusSeconds(1));

      HealthCheck.Result after =
          check(cp("cp-1"), notReadySince(worker("w-1"), NOW.minusSeconds(300)));
      assertThat(remediated(after)).containsExactly("w-1");
      assertThat(after.unhealthy().get(0).why()).contains("Node not Ready since");
    }

    @Test
    void noNodeWithinTheStartupTimeoutAfterPowerOnIsUnhealthy() {
      HealthCheck.Result within =
          check(cp("cp-1"), noNodeOnSince(worker("w-1"), NOW.minusSeconds(60)));
      assertThat(within.state()).isEqualTo(HealthCheck.State.HEALTHY);
      assertThat(within.recheckAt()).contains(NOW.plusSeconds(1140));

      HealthCheck.Result after =
          check(cp("cp-1"), noNodeOnSince(worker("w-1"), NOW.minus(Duration.ofMinutes(20))));
      assertThat(remediated(after)).containsExactly("w-1");
      assertThat(after.unhealthy().get(0).why()).contains("no Node 1200s after");
    }

    @Test
    void aMachineNotYetPoweredOnIsNotJudged() {
      HealthCheck.Result r = check(cp("cp-1"), noNodeOnSince(worker("w-1"), null));

      assertThat(r.state()).isEqualTo(HealthCheck.State.HEALTHY);
      assertThat(r.recheckAt()).isEmpty();
    }
  }

  @Nested
  class ShortCircuit {
    List<HealthCheck.Machine> threeOfFourWorkersFailing() {
      return List.of(
          cp("cp-1"),
          failed(worker("w-1")),
          failed(worker("w-2")),
          notReadySince(worker("w-3"), NOW.minus(Duration.ofHours(1))),
          worker("w-4"));
    }

    @Test
    void moreUnhealthyThanAllowedStopsAllRemediation() {
      HealthCheck.Settings s =
          new HealthCheck.Settings(
              Duration.ofMinutes(20),
              Duration.ofMinutes(5),
              HealthCheck.MaxUnhealthy.parse("40%"),
              3,
              Duration.ofMinutes(1));

      HealthCheck.Result r =
          HealthCheck.check(threeOfFourWorkersFailing(), List.of(), true, s, NOW);

      assertThat(r.state()).isEqualTo(HealthCheck.State.TOO_MANY_UNHEALTHY);
      assertThat(r.remediate()).isEmpty();
      assertThat(r.message())
          .contains("3 of 5 machines are unhealthy, more than the 40% (2) allowed")
          .contains("w-1: failed: VM gone");
    }

    @Test
    void nodesNotReadyWhoseTimeoutStillRunsCountToo() {
      HealthCheck.Settings s =
          new HealthCheck.Settings(
              Duration.ofMinutes(20),
              Duration.ofMinutes(5),
              HealthCheck.MaxUnhealthy.parse("20%"),
              3,
              Duration.ofMinutes(1));
      List<HealthCheck.Machine> ms =
          List.of(
              cp("cp-1"),
              cp("cp-2"),
              cp("cp-3"),
              notReadySince(worker("w-1"), NOW.minusSeconds(300)),
              notReadySince(worker("w-2"), NOW.minusSeconds(295)));

      HealthCheck.Result r = HealthCheck.check(ms, List.of(), true, s, NOW);

      assertThat(r.state()).isEqualTo(HealthCheck.State.TOO_MANY_UNHEALTHY);
      assertThat(r.remediate()).isEmpty();
      assertThat(r.unhealthy()).extracting(HealthCheck.Unhealthy::name).containsExactly("w-1");
      assertThat(r.message())
          .contains("2 of 5 machines are unhealthy or not Ready, more than the 20% (1) allowed")
          .contains("w-2: Node not Ready since");
    }

    @Test
    void atTheLimitRemediationGoesOn() {
      HealthCheck.Settings s =
          new HealthCheck.Settings(
              Duration.ofMinutes(20),
              Duration.ofMinutes(5),
              HealthCheck.MaxUnhealthy.parse("3"),
              3,
              Duration.ofMinutes(1));

      HealthCheck.Result r =
          HealthCheck.check(threeOfFourWorkersFailing(), List.of(), true, s, NOW);

      assertThat(r.state()).isEqualTo(HealthCheck.State.REMEDIATING);
      assertThat(remediated(r)).containsExactly("w-1", "w-2", "w-3");
    }

    @Test
    void maxUnhealthyIsACountOrAPercentage() {
      assertThat(HealthCheck.MaxUnhealthy.parse("40%").allowed(5)).isEqualTo(2);
      assertThat(HealthCheck.MaxUnhealthy.parse("40%").allowed(4)).isEqualTo(1);
      assertThat(HealthCheck.MaxUnhealthy.parse(" 2 ").allowed(10)).isEqualTo(2);
      assertThatThrownBy(() -> HealthCheck.MaxUnhealthy.parse("lots"))
          .hasMessageContaining("\"lots\"");
      assertThatThrownBy(() -> HealthCheck.MaxUnhealthy.parse("140%")).hasMessageContaining("140%");
      assertThatThrownBy(() -> HealthCheck.MaxUnhealthy.parse("-1")).hasMessageContaining("-1");
    }
  }

  @Nested
  class ControlPlane {
    @Test
    void aDeadMemberOfThreeIsRemovedFirst() {
      HealthCheck.Result r = check(failed(cp("cp-1")), cp("cp-2"), cp("cp-3"));

      assertThat(remediated(r)).containsExactly("cp-1");
      assertThat(r.remediate().get(0).group()).isNull();
    }

    @Test
    void neverWhenTheHealthyMembersLeftAreNoMajority() {
      HealthCheck.Result r =
          check(
              failed(cp("cp-1")),
              notReadySince(cp("cp-2"), NOW.minus(Duration.ofHours(1))),
              cp("cp-3"));

      assertThat(r.remediate()).isEmpty();
      assertThat(r.state()).isEqualTo(HealthCheck.State.WAITING);
      assertThat(r.message()).contains("fewer than a majority");
    }

    @Test
    void aJoiningReplacementDoesNotCountAsHealthy() {
      HealthCheck.Machine joining =
          new HealthCheck.Machine(
              "cp-4", MachineRole.CONTROL_PLANE, null, null, NOW, false, null, false, null);

      HealthCheck.Result r = check(failed(cp("cp-2")), cp("cp-3"), joining);

      assertThat(r.remediate()).isEmpty();
      assertThat(r.message()).contains("removing it would leave 1 healthy etcd member(s) of 2");
    }

    @Test
    void oneAtATimeAndNeverWhileAnotherIsBeingDeleted() {
      HealthCheck.Result two =
          HealthCheck.check(
              List.of(failed(cp("cp-1")), failed(cp("cp-2")), cp("cp-3"), cp("cp-4"), cp("cp-5")),
              List.of(),
              true,
              SETTINGS,
              NOW);
      assertThat(remediated(two)).containsExactly("cp-1");
      assertThat(two.message()).contains("cp-2").contains("another control-plane machine");

      HealthCheck.Result deleting =
          HealthCheck.check(
              List.of(failed(cp("cp-2")), cp("cp-3"), cp("cp-4")),
              List.of("cp-1"),
              true,
              SETTINGS,
              NOW);
      assertThat(deleting.remediate()).isEmpty();
      assertThat(deleting.message()).contains("waits until control-plane machine cp-1 is deleted");
    }

    @Test
    void theOnlyControlPlaneMachineOfAnInitializedClusterIsNeverReplaced() {
      HealthCheck.Result r = check(failed(cp("cp-1")), worker("w-1"));

      assertThat(r.remediate()).isEmpty();
      assertThat(r.state()).isEqualTo(HealthCheck.State.STOPPED);
      assertThat(r.message()).contains("only control-plane machine of an initialized cluster");
    }

    @Test
    void beforeInitTheFirstMachineMayBeReplaced() {
      HealthCheck.Result r =
          HealthCheck.check(
              List.of(noNodeOnSince(cp("cp-1"), NOW.minus(Duration.ofHours(1)))),
              List.of(),
              false,
              SETTINGS,
              NOW);

      assertThat(remediated(r)).containsExactly("cp-1");
    }

    @Test
    void workersAreRemediatedBesideAControlPlaneMachine() {
      HealthCheck.Result r =
          check(failed(cp("cp-1")), cp("cp-2"), cp("cp-3"), failed(worker("w-1")));

      assertThat(remediated(r)).containsExactly("cp-1", "w-1");
    }
  }

  @Nested
  class Retries {
    @Test
    void aReplacementWaitsItsBackOffThenCountsOn() {
      HealthCheck.Machine second = replacing(failed(worker("w-2")), 2, NOW.minusSeconds(119));

      HealthCheck.Result early = check(cp("cp-1"), second);
      assertThat(early.remediate()).isEmpty();
      assertThat(early.state()).isEqualTo(HealthCheck.State.WAITING);
      assertThat(early.message()).contains("remediated again at " + NOW.plusSeconds(1));
      assertThat(early.recheckAt()).contains(NOW.plusSeconds(1));

      HealthCheck.Machine due = replacing(failed(worker("w-2")), 2, NOW.minusSeconds(120));
      HealthCheck.Result r = check(cp("cp-1"), due);
      assertThat(remediated(r)).containsExactly("w-2");
      assertThat(r.remediate().get(0).record().retryCount()).isEqualTo(3);
    }

    @Test
    void theRetryLimitStopsRemediationOfThatMachine() {
      HealthCheck.Machine third = replacing(failed(worker("w-3")), 3, NOW.minusSeconds(600));

      HealthCheck.Result r = check(cp("cp-1"), third, failed(worker("w-9")));

      assertThat(remediated(r)).containsExactly("w-9");
      assertThat(r.state()).isEqualTo(HealthCheck.State.STOPPED);
      assertThat(r.message()).contains("w-3").contains("3 time(s) in a row, the limit");
    }

    @Test
    void aReplacementThatLastedAnHourStartsTheCountAgain() {
      HealthCheck.Machine old =
          replacing(failed(worker("w-3")), 3, NOW.minus(HealthCheck.MIN_HEALTHY_PERIOD));

      HealthCheck.Result r = check(cp("cp-1"), old);

      assertThat(remediated(r)).containsExactly("w-3");
      assertThat(r.remediate().get(0).record().retryCount()).isEqualTo(1);
    }

    @Test
    void theBackOffDoubles() {
      Duration base = Duration.ofMinutes(1);
      List<Duration> seen = new ArrayList<>();
      for (int n = 1; n <= 4; n++) {
        seen.add(HealthCheck.backoff(base, n));
      }
      assertThat(seen)
          .containsExactly(
              Duration.ofMinutes(1),
              Duration.ofMinutes(2),
              Duration.ofMinutes(4),
              Duration.ofMinutes(8));
    }
  }
}
