package dev.slipway.operator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Properties of {@link HealthCheck#check} (remediation) over generated clusters: machines failed,
 * not Ready for a while, never joined, replacements of earlier remediations, control-plane machines
 * being deleted. Only unhealthy machines are remediated; none while more are unhealthy than
 * allowed; at most one control-plane machine per pass and none while one is leaving; the healthy
 * control-plane members left keep a majority; the only control-plane machine of an initialized
 * cluster is never remediated; the same facts in any order give the same result.
 */
class HealthCheckPropertiesTest {
  static final Instant NOW = Instant.parse("2030-01-01T12:00:00Z");

  record Case(
      List<HealthCheck.Machine> machines,
      List<String> deleting,
      boolean initialized,
      HealthCheck.Settings settings) {
    HealthCheck.Result check(List<HealthCheck.Machine> ms) {
      return HealthCheck.check(ms, deleting, initialized, settings, NOW);
    }
  }

  @Provide
  Arbitrary<Case> clusters() {
    Arbitrary<Integer> minutes = Arbitraries.integers().between(0, 30);
    Arbitrary<HealthCheck.Machine> machine =
        Combinators.combine(
                Arbitraries.of(true, false, false),
                Arbitraries.frequency(Tuple.of(1, true), Tuple.of(6, false)),
                Arbitraries.of(0, 1, 2),
                minutes,
                Arbitraries.of(true, false),
                Arbitraries.frequency(Tuple.of(1, 1), Tuple.of(1, 2), Tuple.of(2, 0)),
                Arbitraries.integers().between(0, 3))
            .as(
                (cp, failed, node, since, member, replacing, retries) ->
                    new HealthCheck.Machine(
                        "m",
                        cp ? MachineRole.CONTROL_PLANE : MachineRole.WORKER,
                        cp ? null : "workers",
                        failed ? "VM missing" : null,
                        NOW.minus(Duration.ofMinutes(since + 1L)),
                        node > 0,
                        node == 2 ? NOW.minus(Duration.ofMinutes(since)) : null,
                        member && node != 2 && !failed,
                        replacing == 0
                            ? null
                            : new HealthCheck.Record(
                                "old", retries, NOW.minus(Duration.ofMinutes(since * replacing)))));
    Arbitrary<HealthCheck.Settings> settings =
        Combinators.combine(
                Arbitraries.of(
                    HealthCheck.MaxUnhealthy.parse("100%"),
                    HealthCheck.MaxUnhealthy.parse("40%"),
                    HealthCheck.MaxUnhealthy.parse("1"),
                    HealthCheck.MaxUnhealthy.parse("3")),
                Arbitraries.integers().between(0, 3))
            .as(
                (max, retries) ->
                    new HealthCheck.Settings(
                        Duration.ofMinutes(10),
                        Duration.ofMinutes(5),
                        max,
                        retries,
                        Duration.ofMinutes(2)));
    return Combinators.combine(
            machine.list().ofMaxSize(10),
            Arbitraries.frequency(Tuple.of(1, true), Tuple.of(4, false)),
            Arbitraries.of(true, false),
            settings)
        .as(
            (ms, leaving, initialized, s) -> {
              List<HealthCheck.Machine> named = new ArrayList<>();
              for (int i = 0; i < ms.size(); i++) {
                HealthCheck.Machine m = ms.get(i);
                named.add(
                    new HealthCheck.Machine(
                        (m.role() == MachineRole.CONTROL_PLANE ? "cp-" : "w-") + i,
                        m.role(),
                        m.group(),
                        m.failure(),
                        m.poweredOnSince(),
                        m.nodeJoined(),
                        m.nodeNotReadySince(),
                        m.healthyMember(),
                        m.replacing()));
              }
              return new Case(named, leaving ? List.of("cp-leaving") : List.of(), initialized, s);
            });
  }

  @Property(tries = 10_000)
  void remediationNeverCostsEtcdItsQuorumOrTouchesHealthyMachines(
      @ForAll("clusters") Case c, @ForAll Random random) {
    HealthCheck.Result r = c.check(c.machines());
    Set<String> unhealthy =
        r.unhealthy().stream().map(HealthCheck.Unhealthy::name).collect(Collectors.toSet());
    List<String> remediated = r.remediate().stream().map(HealthCheck.Remediation::name).toList();
    String why = c.toString();
    assertThat(unhealthy).as(why).containsAll(remediated);
    assertThat(remediated).as(why).doesNotHaveDuplicates();
    if (r.state() == HealthCheck.State.TOO_MANY_UNHEALTHY) {
      assertThat(remediated).as(why).isEmpty();
    }
    List<HealthCheck.Machine> cps =
        c.machines().stream().filter(m -> m.role() == MachineRole.CONTROL_PLANE).toList();
    List<String> cpRemediated =
        remediated.stream().filter(n -> cps.stream().anyMatch(m -> m.name().equals(n))).toList();
    assertThat(cpRemediated)
        .as("one control-plane machine at a time\n%s", why)
        .hasSizeLessThanOrEqualTo(1);
    if (!c.deleting().isEmpty()) {
      assertThat(cpRemediated).as("none while one leaves\n%s", why).isEmpty();
    }
    for (String victim : cpRemediated) {
      List<HealthCheck.Machine> others =
          cps.stream().filter(m -> !m.name().equals(victim)).toList();
      if (others.isEmpty()) {
        assertThat(c.initialized())
            .as("the only member of an initialized cluster\n%s", why)
            .isFalse();
      } else {
        long healthy = others.stream().filter(HealthCheck.Machine::healthyMember).count();
        assertThat(healthy)
            .as("etcd majority left\n%s", why)
            .isGreaterThanOrEqualTo(others.size() / 2 + 1);
      }
    }
    // Pure: the same facts in another order, the same result.
    List<HealthCheck.Machine> shuffled = new ArrayList<>(c.machines());
    Collections.shuffle(shuffled, random);
    assertThat(c.check(shuffled)).as(why).isEqualTo(r);
  }
}
