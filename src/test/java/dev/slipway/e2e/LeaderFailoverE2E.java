package dev.slipway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.guest.GuestSimulator;
import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.controller.MachineReconciler;
import dev.slipway.testenv.Manifests;
import dev.slipway.vsphere.VmState;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Leader failover between two operator processes (deploy/'s Main, leader election on, one Lease):
 * the leader SIGKILLed mid-rollout, the standby acting within 20 s and nothing done twice; then the
 * new leader SIGSTOPped until its Lease ran out and the other replica took over, and SIGCONTed: it
 * must not act again. "Acts" is read from the API server's audit log (writes it carried out), where
 * each replica's writes carry its own user agent ({@code slipway-operator/<version> (<pod name>)}).
 * Both replicas run as a Deployment's pods do ({@link OperatorJvm#asPod()}: deploy/'s
 * ServiceAccount and RBAC, a pod-bound token), so deploy/'s leader fence (slipway-leader-fence)
 * refuses at the API server a write of the replica the Lease does not name.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LeaderFailoverE2E {
  static final String NS = "team-a";
  static final String NAME = "failover";
  static final String LEASE = "slipway-operator";
  static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Not acting: the election's own traffic, and the reviews that only ask the API server (JOSDK
   * checks its permissions at start-up with a create of a SelfSubjectRulesReview).
   */
  static final java.util.Set<String> NOT_ACTING =
      java.util.Set.of(
          "leases", "selfsubjectrulesreviews", "selfsubjectaccessreviews", "subjectaccessreviews");

  static SlipwayEnv env;
  static GuestSimulator guests;
  static OperatorJvm a;
  static OperatorJvm b;

  @BeforeAll
  static void start() {
    env = SlipwayEnv.withoutOperator();
    guests = new GuestSimulator(env::connect, List.of(env.placement.parentFolder() + "/" + NS));
    a = OperatorJvm.prepare(env, "slipway-operator-a").asPod().start();
    await().atMost(Duration.ofSeconds(90)).until(() -> a.podName().equals(holder()));
    b = OperatorJvm.prepare(env, "slipway-operator-b").asPod().start();
    env.applyNamespaceSamples();
    env.applyNextRelease();
  }

  @AfterAll
  static void stop() {
    for (OperatorJvm o : new OperatorJvm[] {a, b}) {
      if (o != null && o.isAlive()) {
        o.resume(); // never leave one stopped
        o.close();
      }
    }
    if (guests != null) {
      guests.close();
    }
    if (env != null) {
      env.close();
    }
  }

  @Test
  @Order(1)
  void theStandbyFinishesARolloutWhoseLeaderWasKilledDoingNothingTwice() {
    env.client.resource(Manifests.fromMap(env.sampleCluster(NAME, 1))).create();
    awaitSettled(2, null, Duration.ofMinutes(5));
    assertThat(writers(Instant.EPOCH)).as("writers so far").containsOnlyKeys(a.podName());

    edit(
        t -> {
          t.getSpec().topology.controlPlane.tkr.reference.name = SlipwayEnv.NEXT_RELEASE;
          return t;
        });
    // mid-rollout: the first machine of the new release exists, the old ones still run
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                machines().stream()
                    .anyMatch(m -> SlipwayEnv.NEXT_RELEASE.equals(m.getSpec().release)));
    Instant killed = Instant.now();
    a.kill();

    await().atMost(Duration.ofSeconds(40)).until(() -> b.podName().equals(holder()));
    Instant tookOver = Instant.now();
    await().atMost(Duration.ofSeconds(40)).until(() -> writers(killed).containsKey(b.podName()));
    Instant acted = firstWrite(b.podName(), killed).orElseThrow();
    long seconds = Duration.between(killed, acted).toMillis();
    System.out.printf(
        "LeaderFailoverE2E SIGKILL: Lease taken %d ms after the kill, first write %d ms after%n",
        Duration.between(killed, tookOver).toMillis(), seconds);
    assertThat(seconds).as("ms from the kill to the standby's first write").isLessThan(20_000);

    awaitSettled(2, SlipwayEnv.NEXT_RELEASE, Duration.ofMinutes(6));
    assertNothingDoubled();
  }

  @Test
  @Order(2)
  void aLeaderPausedPastItsLeaseNeverActsAgainAfterItResumes() throws IOException {
    a.start(); // the killed one comes back, as a standby
    await().atMost(Duration.ofSeconds(60)).until(() -> a.output().contains("started as"));
    assertThat(holder()).isEqualTo(b.podName());

    edit(
        t -> {
          t.getSpec().topology.nodePools.get(0).replicas = 2;
          return t;
        });
    // b is at work on the new machine when it is frozen
    await().atMost(Duration.ofSeconds(60)).until(() -> machines().size() == 3);
    b.pause();
    Instant paused = Instant.now();
    await().atMost(Duration.ofSeconds(60)).until(() -> a.podName().equals(holder()));
    await().atMost(Duration.ofSeconds(40)).until(() -> writers(paused).containsKey(a.podName()));
    Instant resumed = Instant.now();
    b.resume();

    Optional<Integer> exit = b.awaitExit(Duration.ofSeconds(30));
    System.out.printf(
        "LeaderFailoverE2E SIGSTOP: paused %d s; after SIGCONT it exited with %s%n",
        Duration.between(paused, resumed).toSeconds(), exit);
    assertThat(exit).as("the resumed process exits").contains(1);
    // Which of its threads notices first is a race: the fence (it halts the process), or the
    // elector's renew loop (a shutdown, during which the fence refuses whatever is still tried).
    assertThat(b.output())
        .containsAnyOf(
            "refusing every further action and exiting", b.podName() + " lost the leader Lease");
    awaitSettled(3, SlipwayEnv.NEXT_RELEASE, Duration.ofMinutes(5));
    // A request made just before SIGSTOP may still leave after SIGCONT (LeaseFence cannot stop a
    // request already handed to the HTTP client); the API server's leader fence refuses it.
    System.out.printf(
        "LeaderFailoverE2E SIGSTOP: requests of %s refused after SIGCONT: %s%n",
        b.podName(), requests(b.podName(), resumed, e -> !accepted(e)));
    assertThat(requests(b.podName(), resumed, LeaderFailoverE2E::accepted))
        .as("writes by " + b.podName() + " after SIGCONT (audit log)")
        .isEmpty();
    assertNothingDoubled();
  }

  void assertNothingDoubled() {
    List<Machine> ms = machines();
    List<VmState> vms = env.vms(NS);
    assertThat(vms.stream().map(VmState::name).sorted().toList())
        .as("VMs in vCenter == Machines")
        .isEqualTo(ms.stream().map(m -> m.getMetadata().getName()).sorted().toList());
    assertThat(vms.stream().map(VmState::instanceUuid).distinct().count()).isEqualTo(vms.size());
    // every Machine and every clone was made once: one successful create per Machine name
    Map<String, Long> creates =
        events(e -> e.path("verb").asText().equals("create"))
            .filter(e -> e.path("objectRef").path("resource").asText().equals("machines"))
            .filter(e -> e.path("responseStatus").path("code").asInt() == 201)
            .collect(
                Collectors.groupingBy(
                    e -> e.path("objectRef").path("name").asText(""), Collectors.counting()));
    assertThat(creates.values()).as("successful creates per Machine").allMatch(n -> n == 1);
  }

  static void awaitSettled(int count, String release, Duration atMost) {
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofSeconds(2))
        .failFast("a guest failed to boot", () -> guests.anyFailure().isPresent())
        .untilAsserted(
            () -> {
              List<Machine> ms = machines();
              assertThat(ms).hasSize(count);
              assertThat(ms).allSatisfy(x -> assertThat(MachineReconciler.isReady(x)).isTrue());
              if (release != null) {
                assertThat(ms).allSatisfy(x -> assertThat(x.getSpec().release).isEqualTo(release));
              }
              assertThat(tkc().getStatus().phase).isEqualTo("running");
              assertThat(env.vms(NS)).hasSize(count);
            });
  }

  static void edit(java.util.function.UnaryOperator<TanzuKubernetesCluster> change) {
    env.client.resources(TanzuKubernetesCluster.class).inNamespace(NS).withName(NAME).edit(change);
  }

  static TanzuKubernetesCluster tkc() {
    return env.client.resources(TanzuKubernetesCluster.class).inNamespace(NS).withName(NAME).get();
  }

  static List<Machine> machines() {
    return env.client
        .resources(Machine.class)
        .inNamespace(NS)
        .withLabel("slipway.dev/cluster", NAME)
        .list()
        .getItems();
  }

  static String holder() {
    Lease l = env.client.leases().inNamespace(SlipwayEnv.SYSTEM_NAMESPACE).withName(LEASE).get();
    return l == null ? null : l.getSpec().getHolderIdentity();
  }

  /** The audit log's write events, as JSON. */
  static java.util.stream.Stream<JsonNode> events(Predicate<JsonNode> filter) {
    List<JsonNode> out = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(env.controlPlane.auditLog())) {
        if (!line.isBlank()) {
          JsonNode e = JSON.readTree(line);
          if (filter.test(e)) {
            out.add(e);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.stream();
  }

  /**
   * Write requests by the operator replica {@code pod} received after {@code since} that {@code
   * filter} keeps, other than {@link #NOT_ACTING}, as "verb resource/name at time", and for a
   * request the API server refused also " refused code reason".
   */
  static List<String> requests(String pod, Instant since, Predicate<JsonNode> filter) {
    return events(e -> e.path("userAgent").asText().endsWith("(" + pod + ")"))
        .filter(e -> !NOT_ACTING.contains(e.path("objectRef").path("resource").asText()))
        .filter(e -> received(e).isAfter(since))
        .filter(filter)
        .map(
            e ->
                e.path("verb").asText()
                    + " "
                    + e.path("objectRef").path("resource").asText()
                    + "/"
                    + e.path("objectRef").path("name").asText()
                    + " at "
                    + received(e)
                    + (accepted(e)
                        ? ""
                        : " refused "
                            + e.path("responseStatus").path("code").asInt()
                            + " "
                            + e.path("responseStatus").path("message").asText()))
        .toList();
  }

  /**
   * Whether the API server carried the write out (a 2xx answer): one it refused (the leader fence,
   * a conflict) changed nothing.
   */
  static boolean accepted(JsonNode e) {
    return e.path("responseStatus").path("code").asInt() / 100 == 2;
  }

  static Optional<Instant> firstWrite(String pod, Instant since) {
    return events(e -> e.path("userAgent").asText().endsWith("(" + pod + ")"))
        .filter(LeaderFailoverE2E::accepted)
        .filter(e -> !NOT_ACTING.contains(e.path("objectRef").path("resource").asText()))
        .map(LeaderFailoverE2E::received)
        .filter(t -> t.isAfter(since))
        .min(Instant::compareTo);
  }

  /** Replicas that wrote (besides the Lease) after {@code since}, with their counts. */
  static Map<String, Long> writers(Instant since) {
    return events(e -> e.path("userAgent").asText().startsWith("slipway-operator/"))
        .filter(LeaderFailoverE2E::accepted)
        .filter(e -> !NOT_ACTING.contains(e.path("objectRef").path("resource").asText()))
        .filter(e -> received(e).isAfter(since))
        .collect(
            Collectors.groupingBy(
                e -> e.path("userAgent").asText().replaceAll(".*\\((.*)\\)$", "$1"),
                Collectors.counting()));
  }

  static Instant received(JsonNode e) {
    return Instant.parse(e.path("requestReceivedTimestamp").asText());
  }
}
