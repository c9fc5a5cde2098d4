package dev.slipway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.guest.GuestSimulator;
import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.bootstrap.CertKey;
import dev.slipway.operator.bootstrap.ClientCertificates;
import dev.slipway.operator.bootstrap.ClusterPki;
import dev.slipway.operator.controller.MachineReconciler;
import dev.slipway.operator.controller.etcd.EtcdClient;
import dev.slipway.operator.controller.etcd.EtcdMember;
import dev.slipway.testenv.Manifests;
import dev.slipway.vsphere.VmState;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Crash anywhere: the operator as its own JVM (deploy/'s entry point, config file and credentials
 * Secret), SIGKILLed at moments drawn from a seeded random schedule while three clusters are
 * created, scaled out and in, upgraded (rolling) and one is deleted, and started again after each
 * kill, as the kubelet restarts a container. Afterwards vCenter, the Machines and the Secrets must
 * be exactly what was asked: nothing duplicated, nothing orphaned, nothing lost.
 *
 * <p>CI: 10 kill points. {@code -Dslipway.reliability.large=true}: 100. {@code
 * -Dslipway.crash.seed=N} replays a schedule (the seed is printed at the start and on failure).
 */
class CrashAnywhereE2E {
  static final String NS = "team-a";
  static final String RELEASE_B = SlipwayEnv.NEXT_RELEASE;
  static final boolean LARGE = Boolean.getBoolean("slipway.reliability.large");
  static final int KILLS = Integer.getInteger("slipway.crash.kills", LARGE ? 100 : 10);
  static final long SEED = Long.getLong("slipway.crash.seed", System.nanoTime() & 0xffffffL);

  /**
   * How long after the operator's last start (or the phase's change, for a phase's first kill) a
   * kill may come: long enough for it to be killed while starting, while taking the Lease and while
   * reconciling. (A window per phase instead put a large form's kills less than a second apart, so
   * the operator was killed before it ever worked.)
   */
  static final int GAP_MS = 12_000;

  /** Longest the operator stays down after a kill (the kubelet's restart, minus back-off). */
  static final int MAX_DOWN_MS = 3_000;

  static SlipwayEnv env;
  static GuestSimulator guests;
  static OperatorJvm operator;

  /**
   * One kill: in which phase, how long after the operator's last start (or the phase's change), how
   * long the operator stays down.
   */
  record KillPoint(int phase, int afterMs, int downMs) {}

  /**
   * The kill points of {@code seed}: {@code kills} of them dealt round the {@code phases} phases
   * (so every phase gets its share), each a random time after the one before.
   */
  static List<KillPoint> schedule(long seed, int kills, int phases) {
    Random r = new Random(seed);
    List<KillPoint> points = new ArrayList<>();
    for (int i = 0; i < kills; i++) {
      points.add(new KillPoint(i % phases, r.nextInt(GAP_MS), r.nextInt(MAX_DOWN_MS)));
    }
    points.sort(Comparator.comparingInt(KillPoint::phase));
    return points;
  }

  /** What each cluster should be: workers wanted, release, or absent (deleted). */
  final Map<String, Integer> workers = new LinkedHashMap<>();

  final Map<String, String> releases = new HashMap<>();
  final List<String> log = new ArrayList<>();
  int selfExits;

  @BeforeAll
  static void start() {
    env = SlipwayEnv.withoutOperator();
    guests = new GuestSimulator(env::connect, List.of(env.placement.parentFolder() + "/" + NS));
    // Where each pass ended, so that a failure can say what a stuck machine was waiting for.
    operator =
        OperatorJvm.prepare(env, "slipway-operator-0")
            .jvmFlags("-Dslipway.log.passes=DEBUG")
            .start();
    env.applyNamespaceSamples();
    env.applyNextRelease();
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.close();
    }
    if (guests != null) {
      guests.close();
    }
    if (env != null) {
      env.close();
    }
  }

  @Test
  void killedAnywhereTheOperatorConvergesWithoutDuplicatesOrLeaks() {
    List<KillPoint> points = schedule(SEED, KILLS, 4);
    System.out.printf(
        "CrashAnywhereE2E: seed %d (replay with -Dslipway.crash.seed=%d), %d kill points: %s%n",
        SEED, SEED, KILLS, points);
    Instant start = Instant.now();
    try {
      phase(
          0,
          "create three clusters",
          points,
          () -> {
            create("crash-a", 1);
            create("crash-b", 2);
            create("crash-c", 1);
          });
      phase(
          1,
          "scale crash-a out to 2 workers and crash-b in to 1",
          points,
          () -> {
            scale("crash-a", 2);
            scale("crash-b", 1);
          });
      phase(2, "upgrade crash-c to " + RELEASE_B + " (rolling)", points, () -> upgrade("crash-c"));
      phase(3, "delete crash-b", points, () -> delete("crash-b"));
      assertConsistent();
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError(
          "seed "
              + SEED
              + " (replay with -Dslipway.crash.seed="
              + SEED
              + "); operator log: "
              + operator.log()
              + "\n"
              + String.join("\n", log)
              + "\noperator warnings and errors (last 40):\n"
              + operator.problems(40)
              + unsettled(),
          e);
    }
    System.out.printf(
        "CrashAnywhereE2E: %d kills, %d operator starts (%d after it exited by itself), converged"
            + " in %d s; %s%n",
        KILLS,
        operator.starts(),
        selfExits,
        Duration.between(start, Instant.now()).toSeconds(),
        String.join("; ", log));
  }

  /**
   * Applies the change, kills and restarts the operator at this phase's kill points (measured from
   * the change), then waits until every cluster is as wanted.
   */
  void phase(int index, String what, List<KillPoint> points, Runnable change) {
    Instant begun = Instant.now();
    change.run();
    Instant since = begun;
    int kills = 0;
    for (KillPoint p : points) {
      if (p.phase() != index) {
        continue;
      }
      long wait = p.afterMs() - Duration.between(since, Instant.now()).toMillis();
      sleep(Math.max(0, wait));
      operator.kill();
      sleep(p.downMs());
      operator.start();
      since = Instant.now();
      kills++;
    }
    Instant converged = awaitConverged(Duration.ofMinutes(LARGE ? 15 : 6));
    log.add(
        String.format(
            "phase %d (%s): %d kills, converged %d s after the change",
            index, what, kills, Duration.between(begun, converged).toSeconds()));
  }

  void create(String name, int poolWorkers) {
    workers.put(name, poolWorkers);
    releases.put(name, null);
    Map<String, Object> m = env.sampleCluster(name, poolWorkers);
    env.client.resource(Manifests.fromMap(m)).create();
  }

  void scale(String name, int poolWorkers) {
    workers.put(name, poolWorkers);
    edit(
        name,
        t -> {
          t.getSpec().topology.nodePools.get(0).replicas = poolWorkers;
          return t;
        });
  }

  void upgrade(String name) {
    releases.put(name, RELEASE_B);
    edit(
        name,
        t -> {
          t.getSpec().topology.controlPlane.tkr.reference.name = RELEASE_B;
          return t;
        });
  }

  void delete(String name) {
    workers.remove(name);
    env.client.resources(TanzuKubernetesCluster.class).inNamespace(NS).withName(name).delete();
  }

  static void edit(String name, java.util.function.UnaryOperator<TanzuKubernetesCluster> change) {
    env.client.resources(TanzuKubernetesCluster.class).inNamespace(NS).withName(name).edit(change);
  }

  static TanzuKubernetesCluster tkc(String name) {
    return env.client.resources(TanzuKubernetesCluster.class).inNamespace(NS).withName(name).get();
  }

  static List<Machine> machines(String cluster) {
    return env.client
        .resources(Machine.class)
        .inNamespace(NS)
        .withLabel("slipway.dev/cluster", cluster)
        .list()
        .getItems();
  }

  /** Every wanted cluster running with its machines Ready on its release; deleted ones gone. */
  Instant awaitConverged(Duration atMost) {
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofSeconds(2))
        .failFast("a guest failed to boot", () -> guests.anyFailure().isPresent())
        .untilAsserted(
            () -> {
              if (!operator.isAlive()) {
                // it ended by itself (exit 1: a lost Lease, say): restarted, as the kubelet would
                selfExits++;
                operator.start();
              }
              for (String name : List.of("crash-a", "crash-b", "crash-c")) {
                if (!workers.containsKey(name)) {
                  if (releases.containsKey(name)) {
                    assertThat(tkc(name)).as(name + " deleted").isNull();
                    assertThat(machines(name)).as(name + "'s machines").isEmpty();
                    assertThat(vmsOf(name)).as(name + "'s VMs").isEmpty();
                  }
                  continue;
                }
                List<Machine> ms = machines(name);
                assertThat(ms).as(() -> env.describe(NS, name)).hasSize(1 + workers.get(name));
                assertThat(ms)
                    .as(() -> env.describe(NS, name))
                    .allMatch(MachineReconciler::isReady);
                if (releases.get(name) != null) {
                  assertThat(ms)
                      .allSatisfy(
                          x -> assertThat(x.getSpec().release).isEqualTo(releases.get(name)));
                }
                TanzuKubernetesCluster t = tkc(name);
                assertThat(t.getStatus().phase)
                    .as(() -> env.describe(NS, name))
                    .isEqualTo("running");
                assertThat(vmsOf(name)).as(name + "'s VMs").hasSize(ms.size());
              }
            });
    return Instant.now();
  }

  /** Each wanted cluster that is not as wanted: its status and the operator's last words on it. */
  String unsettled() {
    StringBuilder b = new StringBuilder();
    for (String name : workers.keySet()) {
      List<Machine> ms = machines(name);
      if (ms.size() == 1 + workers.get(name) && ms.stream().allMatch(MachineReconciler::isReady)) {
        continue;
      }
      b.append("\n").append(env.describe(NS, name));
      b.append("\noperator log about ").append(name).append(" (last 30 lines):\n");
      b.append(operator.about(NS + "/" + name, 30));
    }
    return b.toString();
  }

  /** The cluster's VMs in vCenter (clones are named after their Machine, so after the cluster). */
  static List<VmState> vmsOf(String cluster) {
    return env.vms(NS).stream().filter(v -> v.name().startsWith(cluster + "-")).toList();
  }

  void assertConsistent() throws AssertionError {
    List<VmState> vms = env.vms(NS);
    List<String> wanted = new ArrayList<>(workers.keySet());
    List<Machine> all = new ArrayList<>();
    for (String name : wanted) {
      all.addAll(machines(name));
    }
    Set<String> machineNames =
        all.stream().map(m -> m.getMetadata().getName()).collect(Collectors.toSet());
    // VMs in vCenter == Machines == desired, and nothing else in the namespace's folder.
    int desired = wanted.stream().mapToInt(n -> 1 + workers.get(n)).sum();
    assertThat(all).as("Machines").hasSize(desired);
    assertThat(vms.stream().map(VmState::name).sorted().toList())
        .as("VMs in vCenter == Machines (no orphan, none missing)")
        .isEqualTo(machineNames.stream().sorted().toList());
    assertThat(vms.stream().map(VmState::instanceUuid).distinct().count())
        .as("distinct instance UUIDs")
        .isEqualTo(vms.size());
    for (Machine m : all) {
      VmState vm =
          vms.stream().filter(v -> v.name().equals(m.getMetadata().getName())).findFirst().get();
      assertThat(m.getStatus().instanceUUID)
          .as(m.getMetadata().getName() + "'s instance UUID")
          .isEqualTo(vm.instanceUuid());
    }
    // No Slipway VM anywhere else in the inventory (a clone placed wrong would be one).
    List<String> elsewhere =
        env.govc("find", "/", "-type", "m").lines().filter(l -> l.contains("/crash-")).toList();
    assertThat(elsewhere)
        .as("Slipway VMs anywhere in vCenter")
        .allMatch(l -> l.startsWith(env.placement.parentFolder() + "/" + NS + "/"))
        .hasSize(vms.size());
    // No leftover template deploys: one template per image item, nothing else in the folder.
    List<String> templates =
        env.govc(
                "find",
                env.placement.parentFolder() + "/" + env.placement.templatesFolder(),
                "-type",
                "m")
            .lines()
            .filter(l -> !l.isBlank())
            .toList();
    assertThat(templates)
        .as("templates folder")
        .doesNotHaveDuplicates()
        .hasSizeLessThanOrEqualTo(2);

    List<String> vips = new ArrayList<>();
    for (String name : wanted) {
      TanzuKubernetesCluster t = tkc(name);
      vips.add(t.getStatus().apiEndpoints.get(0).host);
      // Every Secret consistent: the PKI verifies, the kubeconfig reaches the cluster.
      Map<String, Map<String, String>> pki = new LinkedHashMap<>();
      for (String suffix : ClusterPki.SECRET_SUFFIXES) {
        Secret s =
            env.client
                .secrets()
                .inNamespace(NS)
                .withName(ClusterPki.secretName(name, suffix))
                .get();
        assertThat(s).as(name + "-" + suffix).isNotNull();
        pki.put(suffix, decoded(s));
      }
      ClusterPki.fromSecretData(name, pki);
      try (KubernetesClient w = workload(secret(name + "-kubeconfig", "value"))) {
        assertThat(w.nodes().list().getItems().stream().map(n -> n.getMetadata().getName()))
            .as(name + "'s Nodes through its kubeconfig")
            .containsExactlyInAnyOrderElementsOf(
                machines(name).stream().map(m -> m.getMetadata().getName()).toList());
      }
      // etcd members == control-plane Machines.
      List<Machine> cps =
          machines(name).stream()
              .filter(m -> m.getSpec().role == Machine.Role.controlPlane)
              .toList();
      assertThat(etcd(name).members().stream().map(EtcdMember::name).collect(Collectors.toSet()))
          .as(name + "'s etcd members")
          .isEqualTo(cps.stream().map(m -> m.getMetadata().getName()).collect(Collectors.toSet()));
    }
    assertThat(vips).as("every cluster's VIP").doesNotHaveDuplicates();
    // The deleted cluster left no Secrets behind.
    for (String gone : releases.keySet()) {
      if (!workers.containsKey(gone)) {
        assertThat(
                env.client.secrets().inNamespace(NS).list().getItems().stream()
                    .map(s -> s.getMetadata().getName())
                    .filter(n -> n.startsWith(gone + "-")))
            .as(gone + "'s Secrets")
            .isEmpty();
      }
    }
  }

  static Map<String, String> decoded(Secret s) {
    Map<String, String> out = new LinkedHashMap<>();
    s.getData()
        .forEach(
            (k, v) ->
                out.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    return out;
  }

  static String secret(String name, String key) {
    return decoded(env.client.secrets().inNamespace(NS).withName(name).get()).get(key);
  }

  static KubernetesClient workload(String kubeconfig) {
    Config c = Config.fromKubeconfig(kubeconfig);
    c.setRequestRetryBackoffLimit(0);
    c.setRequestTimeout(5_000);
    c.setConnectionTimeout(2_000);
    return new KubernetesClientBuilder().withConfig(c).build();
  }

  static EtcdClient etcd(String cluster) {
    CertKey ca =
        new CertKey(secret(cluster + "-etcd", "tls.crt"), secret(cluster + "-etcd", "tls.key"));
    CertKey me = ClientCertificates.issue("crash-e2e", ca, Instant.now());
    List<URI> endpoints = new ArrayList<>();
    for (Machine m : machines(cluster)) {
      if (m.getSpec().role == Machine.Role.controlPlane && m.getStatus().addresses != null) {
        m.getStatus()
            .addresses
            .forEach(a -> endpoints.add(URI.create("https://" + a.address + ":2379")));
      }
    }
    return new EtcdClient(ClientCertificates.sslContext(me, ca), endpoints, Duration.ofSeconds(2));
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
