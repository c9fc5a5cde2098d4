package dev.slipway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.controller.MachineReconciler;
import dev.slipway.testenv.Manifests;
import dev.slipway.vsphere.FolderRef;
import dev.slipway.vsphere.VSphereProvider;
import dev.slipway.vsphere.VmState;
import dev.slipway.vsphere.VmSummary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 14 item 2, vCenter faults, on VM-only doubles (a powered-on VM is a Ready node) so that
 * only vCenter's behaviour matters:
 *
 * <ol>
 *   <li>task faults injected into every kind of vCenter work Slipway does (template deploy, clone,
 *       reconfigure, power on, power off, destroy), each once, with 2–10 s of added latency: the
 *       cluster is built and scaled in anyway, with back-off (reconciles and vCenter calls per
 *       machine and minute bounded) and nothing leaked;
 *   <li>the operator's vCenter session terminated by an administrator: re-login without a single
 *       failed machine step;
 *   <li>vCenter down for {@link #OUTAGE} (killed; sessions and tasks in flight lost) while one
 *       cluster is created and another rolls out, then back with its inventory: Slipway logs in
 *       again and both converge within 30 s of its return, nothing duplicated or leaked;
 *   <li>the administrator's password rotated in vCenter before the operator is told: a few login
 *       attempts (the brake), no storm; the new credentials are used at once.
 * </ol>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VCenterFaultsE2E {
  private static final Logger LOG = LoggerFactory.getLogger(VCenterFaultsE2E.class);
  static final String NS = "team-a";
  static final Duration OUTAGE =
      Duration.ofSeconds(Integer.getInteger("slipway.reliability.vcenterOutageSeconds", 60));

  /** vCenter's work as Slipway asks for it: the SOAP methods each fault is injected into. */
  static final List<String> TASK_METHODS =
      List.of(
          "ImportVApp", // the library deploy of the template (vcsim runs it through vim25)
          "CloneVM_Task",
          "ReconfigVM_Task",
          "PowerOnVM_Task",
          "PowerOffVM_Task",
          "Destroy_Task");

  static final ReconcileCounter reconciles = new ReconcileCounter();
  static final dev.slipway.operator.controller.Requeue.Backoff BACKOFF =
      dev.slipway.operator.controller.Requeue.Backoff.withCap(Duration.ofSeconds(20));
  static SlipwayEnv env;

  @BeforeAll
  static void start() {
    env =
        SlipwayEnv.start(
            e -> VmOnlyDoubles.hostnameOnlyBootstrap(),
            e -> VmOnlyDoubles.poweredOnIsReady(),
            // operator.retryBackoffCapSeconds=20: the faults below come one after another on
            // the first machine, and the default cap (5 min) would make the test wait for minutes
            w -> SlipwayEnv.withoutAddons(w).withBackoff(BACKOFF),
            o -> o.withMetrics(reconciles));
    env.applyNamespaceSamples();
  }

  @AfterAll
  static void stop() {
    if (env != null) {
      env.close();
    }
  }

  static List<Machine> machines(String cluster) {
    return env.client.resources(Machine.class).inNamespace(NS).list().getItems().stream()
        .filter(m -> cluster.equals(m.getSpec().clusterName))
        .toList();
  }

  /** After a wait ran out: every machine and cluster as it stands, and the reconcile threads. */
  static void logWhereItStands() {
    for (Machine m : allMachines()) {
      LOG.warn(
          "machine {} class {} status {}",
          m.getMetadata().getName(),
          m.getSpec().vmClass,
          Manifests.toMap(m).get("status"));
    }
    for (TanzuKubernetesCluster c :
        env.client.resources(TanzuKubernetesCluster.class).inNamespace(NS).list().getItems()) {
      LOG.warn("cluster {} status {}", c.getMetadata().getName(), Manifests.toMap(c).get("status"));
    }
    env.client.v1().events().inNamespace(NS).list().getItems().stream()
        .sorted(java.util.Comparator.comparing(e -> e.getMetadata().getCreationTimestamp()))
        .forEach(
            e ->
                LOG.warn(
                    "event {} {} {}: {}",
                    e.getMetadata().getCreationTimestamp(),
                    e.getInvolvedObject().getName(),
                    e.getReason(),
                    e.getMessage()));
    Thread.getAllStackTraces()
        .forEach(
            (t, stack) -> {
              if (t.getName().startsWith("ReconcilerExecutor")) {
                StringBuilder b = new StringBuilder();
                for (StackTraceElement f : stack) {
                  b.append("\n\tat ").append(f);
                }
                LOG.warn("thread {} {}{}", t.getName(), t.getState(), b);
              }
            });
  }

  /** Runs {@code wait}; when it runs out, logs where things stand first. */
  static void loggingWhereItStands(Runnable wait) {
    try {
      wait.run();
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      logWhereItStands();
      throw e;
    }
  }

  static List<Machine> allMachines() {
    return env.client.resources(Machine.class).inNamespace(NS).list().getItems();
  }

  static TanzuKubernetesCluster tkc(String name) {
    return env.client.resources(TanzuKubernetesCluster.class).inNamespace(NS).withName(name).get();
  }

  static void edit(String name, java.util.function.Consumer<TanzuKubernetesCluster> change) {
    env.client
        .resources(TanzuKubernetesCluster.class)
        .inNamespace(NS)
        .withName(name)
        .edit(
            t -> {
              change.accept(t);
              return t;
            });
  }

  static void awaitConverged(String name, int machines, String workerClass, Duration atMost) {
    loggingWhereItStands(
        () ->
            await()
                .atMost(atMost)
                .pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertConverged(name, machines, workerClass)));
  }

  static void assertConverged(String name, int machines, String workerClass) {
    List<Machine> ms = machines(name);
    assertThat(ms).hasSize(machines);
    assertThat(ms)
        .allSatisfy(
            m -> {
              assertThat(m.getMetadata().getDeletionTimestamp()).isNull();
              assertThat(MachineReconciler.isReady(m)).as(m.getMetadata().getName()).isTrue();
              if (workerClass != null && m.getSpec().role == Machine.Role.worker) {
                assertThat(m.getSpec().vmClass).isEqualTo(workerClass);
              }
            });
    TanzuKubernetesCluster t = tkc(name);
    assertThat(t.getStatus().phase).isEqualTo("running");
  }

  /** vCenter holds exactly one VM per Machine (by instance UUID = UID, and by name). */
  static void assertNothingLeaked() {
    List<VmState> vms = env.vms(NS);
    List<Machine> ms = allMachines();
    assertThat(vms.stream().map(VmState::instanceUuid).sorted().toList())
        .isEqualTo(ms.stream().map(m -> m.getMetadata().getUid()).sorted().toList());
    assertThat(vms.stream().map(VmState::name).sorted().toList())
        .isEqualTo(ms.stream().map(m -> m.getMetadata().getName()).sorted().toList());
    // one template per library item, no leftover deploy
    try (VSphereProvider v = env.connect()) {
      FolderRef templates = v.findFolder(env.placement.templatesFolderPath()).orElseThrow();
      List<String> names = v.listVms(templates).stream().map(VmSummary::name).toList();
      assertThat(names).doesNotHaveDuplicates();
      assertThat(names).allSatisfy(n -> assertThat(n).endsWith(SlipwayEnv.ITEM));
    }
  }

  static long calls(Map<String, Long> counts) {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }

  static long logins() {
    return env.vsphere().callCounts().getOrDefault("Login", 0L);
  }

  static long failedTaskEvents(Instant since) {
    return env.client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> "TaskFailed".equals(e.getReason()))
        .filter(
            e -> {
              String t =
                  e.getLastTimestamp() != null
                      ? e.getLastTimestamp()
                      : e.getMetadata().getCreationTimestamp();
              return t != null && !Instant.parse(t).isBefore(since.minusSeconds(1));
            })
        .count();
  }

  @Test
  @Order(1)
  void taskFaultsAndLatencyAreRetriedWithBackoffNoHotLoopAndNothingLeaks() {
    Map<String, Long> reconcilesBefore = reconciles.snapshot();
    Map<String, Long> callsBefore = env.vsphere().callCounts();
    Instant started = Instant.now();
    // 2 s on every call that starts work, and its task takes 2–10 s more (LockHandoff: the VM's
    // properties stay readable meanwhile).
    Map<String, Integer> delays = new LinkedHashMap<>();
    TASK_METHODS.forEach(m -> delays.put(m, 2_000));
    delays.put("CloneVm", 10_000);
    delays.put("ReconfigVm", 3_000);
    delays.put("PowerOn", 3_000);
    delays.put("PowerOff", 2_000);
    delays.put("Destroy", 2_000);
    delays.put("LockHandoff", 0);
    env.vcsim.setDelays(delays);
    for (String m : TASK_METHODS) {
      env.vcsim.addFault(m, "NetworkFailure", "vcenter-faults-e2e: " + m + " failed", 1);
    }
    Set<String> everyMachine = new java.util.HashSet<>();
    try {
      // The workers have a volume disk, so they are powered on by a PowerOnVM_Task of their own
      // after its reconfigure (a VM without one is powered on by its clone).
      Map<String, Object> faulty = env.sampleCluster("faulty", 2);
      Manifests.set(
          faulty,
          "spec.topology.nodePools[0].volumes",
          List.of(
              Map.of(
                  "name",
                  "containerd",
                  "mountPath",
                  "/var/lib/containerd",
                  "capacity",
                  Map.of("storage", "1Gi"))));
      env.client.resource(Manifests.fromMap(faulty)).create();
      loggingWhereItStands(
          () ->
              await()
                  .atMost(Duration.ofMinutes(4))
                  .pollInterval(Duration.ofSeconds(1))
                  .untilAsserted(
                      () -> {
                        machines("faulty")
                            .forEach(m -> everyMachine.add(m.getMetadata().getName()));
                        assertConverged("faulty", 3, null);
                      }));
      LOG.info(
          "cluster built under faults and latency in {} s",
          Duration.between(started, Instant.now()).toSeconds());
      edit("faulty", t -> t.getSpec().topology.nodePools.get(0).replicas = 1);
      await()
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofSeconds(1))
          .untilAsserted(
              () -> {
                assertConverged("faulty", 2, null);
                assertThat(env.vms(NS)).hasSize(2);
              });
      JsonNode stats = env.vcsim.faultStats();
      LOG.info("vcsim fault stats: {}", stats);
      for (String m : TASK_METHODS) {
        assertThat(injected(stats, m)).as("faults injected into %s", m).isEqualTo(1);
      }
    } finally {
      env.vcsim.clearFaults();
      env.vcsim.setDelays(Map.of());
    }
    double minutes = Math.max(1, Duration.between(started, Instant.now()).toMillis() / 60_000.0);
    Map<String, Long> perMachine = reconciles.since(reconcilesBefore, "Machine");
    long vcenterCalls = calls(env.vsphere().callCounts()) - calls(callsBefore);
    long maxPerMachine = perMachine.values().stream().mapToLong(Long::longValue).max().orElse(0);
    double callsPerMachineMinute = vcenterCalls / (everyMachine.size() * minutes);
    LOG.info(
        "under faults, {} min: machine reconciles {} (max {}/machine, {}/machine/min);"
            + " vCenter calls {} ({}/machine/min)",
        String.format("%.1f", minutes),
        perMachine,
        maxPerMachine,
        String.format("%.1f", maxPerMachine / minutes),
        vcenterCalls,
        String.format("%.1f", callsPerMachineMinute));
    // No hot loop: a machine is looked at about once a second while a task runs (Requeue.TASK_POLL)
    // and backs off 5 s, 10 s ... after a fault; a hot loop makes hundreds a minute.
    assertThat(maxPerMachine / minutes).as("reconciles per machine per minute").isLessThan(90);
    assertThat(callsPerMachineMinute).as("vCenter calls per machine per minute").isLessThan(300);
    if (everyMachine.size() != 3) {
      logWhereItStands();
    }
    assertThat(everyMachine).hasSize(3);
    assertThat(failedTaskEvents(started)).as("retried machine steps").isPositive();
    assertNothingLeaked();
  }

  /** Faults the rule for {@code method} injected: rules count in the order they were added. */
  static long injected(JsonNode stats, String method) {
    return stats.path("rule_" + TASK_METHODS.indexOf(method) + "_count").asLong(-1);
  }

  @Test
  @Order(2)
  void aTerminatedSessionIsReplacedTransparently() {
    long loginsBefore = logins();
    Instant started = Instant.now();
    int removed = terminateSessions();
    assertThat(removed).isPositive();
    edit("faulty", t -> t.getSpec().topology.nodePools.get(0).replicas = 2);
    awaitConverged("faulty", 3, null, Duration.ofSeconds(60));
    long relogins = logins() - loginsBefore;
    LOG.info("{} session(s) terminated; {} login(s) after", removed, relogins);
    assertThat(relogins).as("logins after the session was terminated").isBetween(1L, 2L);
    assertThat(failedTaskEvents(started)).as("machine steps that failed").isZero();
    assertNothingLeaked();
  }

  /** {@code govc session.rm} of every session vCenter lists but govc's own. */
  static int terminateSessions() {
    return terminateSessions(env);
  }

  static int terminateSessions(SlipwayEnv env) {
    JsonNode ls;
    try {
      ls =
          new com.fasterxml.jackson.databind.ObjectMapper()
              .readTree(env.vcsim.govc("session.ls", "-json"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String own =
        ls.path("currentSession")
            .path("key")
            .asText(ls.path("CurrentSession").path("Key").asText());
    List<String> keys = new ArrayList<>();
    JsonNode list = ls.has("sessionList") ? ls.get("sessionList") : ls.path("SessionList");
    for (JsonNode s : list) {
      String key = s.path("key").asText(s.path("Key").asText());
      if (!key.isEmpty() && !key.equals(own)) {
        keys.add(key);
      }
    }
    if (!keys.isEmpty()) {
      List<String> args = new ArrayList<>(List.of("session.rm"));
      args.addAll(keys);
      env.vcsim.govc(args.toArray(String[]::new));
    }
    return keys.size();
  }

  @Test
  @Order(3)
  void vcenterDownDuringCreateAndRolloutThenBackWithItsInventory() throws Exception {
    // Clones take 20 s: the outage (saved and killed as soon as a clone is seen in flight) finds
    // tasks in flight, which the restarted vCenter (without delays) never heard of. Until
    // 2026-12-04 the test bed ignored task delays: clones were instant, the test had to catch a
    // task reference in a status between two polls, and missed it in two full verifies (the wait
    // below ran out with nothing left to do). With real delays, the saved inventory holds the
    // clone as running, which the restarted vcsim never ends: Vcsim.saveInventory leaves it out.
    env.vcsim.setDelays(Map.of("CloneVm", 20_000, "LockHandoff", 0));
    edit("faulty", t -> t.getSpec().topology.nodePools.get(0).vmClass = "guaranteed-medium");
    env.client.resource(Manifests.fromMap(env.sampleCluster("fresh", 1))).create();
    loggingWhereItStands(
        () ->
            await()
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .until(
                    () ->
                        machines("fresh").stream().anyMatch(VCenterFaultsE2E::cloning)
                            && machines("faulty").stream()
                                .anyMatch(m -> "guaranteed-medium".equals(m.getSpec().vmClass))));
    long loginsBefore = logins();
    Path saved = saveAndKill();
    assertThat(tasksInFlightAtKill).as("clones in flight when vCenter went down").isPositive();
    Instant down = Instant.now();
    LOG.info("vCenter down at {} for {} s", down, OUTAGE.toSeconds());
    Thread.sleep(OUTAGE.toMillis());
    env.vcsim.startFrom(saved, null);
    env.restoreLibrary();
    Instant back = Instant.now();
    LOG.info("vCenter back after {} s", Duration.between(down, back).toSeconds());
    awaitConverged("fresh", 2, null, Duration.ofSeconds(120));
    awaitConverged("faulty", 3, "guaranteed-medium", Duration.ofSeconds(120));
    Duration recovery = Duration.between(back, Instant.now());
    LOG.info("converged {} s after vCenter returned", recovery.toSeconds());
    assertThat(logins() - loginsBefore).as("logins after the restart").isPositive();
    await()
        .pollDelay(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(VCenterFaultsE2E::assertNothingLeaked);
  }

  /** The SOAP methods that change vCenter's inventory, as Slipway calls them. */
  static final List<String> MUTATING =
      List.of(
          "ImportVApp",
          "CloneVM_Task",
          "ReconfigVM_Task",
          "PowerOnVM_Task",
          "PowerOffVM_Task",
          "Destroy_Task",
          "CreateFolder",
          "CreateResourcePool",
          "SetCustomValue",
          "MarkAsTemplate",
          "MarkAsVirtualMachine");

  /** Tasks the last {@link #saveAndKill} found in flight: the restarted vCenter knows none. */
  static int tasksInFlightAtKill;

  /**
   * vCenter refuses new work, then its inventory is saved and it dies: the saved inventory is what
   * it last did, as a real vCenter's database is. (Without this, a VM destroyed between the save
   * and the kill came back from the saved inventory as an orphan: a test-bed artefact, not
   * something a vCenter does.)
   */
  static Path saveAndKill() throws IOException {
    for (String m : MUTATING) {
      env.vcsim.addFault(m, "NetworkFailure", "vCenter going down", 0);
    }
    Path saved = Files.createTempDirectory(env.root.resolve("target"), "vcsim-inventory-");
    tasksInFlightAtKill = env.vcsim.saveInventory(saved);
    env.vcsim.kill();
    LOG.info("vCenter killed with {} task(s) in flight", tasksInFlightAtKill);
    return saved;
  }

  static boolean cloning(Machine m) {
    return m.getStatus() != null && m.getStatus().taskRef != null;
  }

  @Test
  @Order(4)
  void aRotatedPasswordCausesNoLoginStorm() throws Exception {
    Path saved = saveAndKill();
    String rotated = "pw-rotated-" + java.util.UUID.randomUUID();
    env.vcsim.startFrom(saved, rotated);
    env.restoreLibrary();
    long loginsBefore = logins();
    Instant rotatedAt = Instant.now();
    edit("faulty", t -> t.getSpec().topology.nodePools.get(0).replicas = 3);
    // The operator still has the old password: every login is refused, and the brake (15 s,
    // doubling) keeps the attempts few whatever the number of machines asking.
    Thread.sleep(40_000);
    long refused = logins() - loginsBefore;
    LOG.info("{} login attempt(s) in 40 s with the old password", refused);
    assertThat(refused).as("login attempts with the old password in 40 s").isBetween(1L, 3L);
    assertThat(machines("faulty")).hasSize(4);
    // the Secret changes: CredentialsWatch hands the new password to the connection
    env.vsphere().updateCredentials(env.vcsim.username(), rotated.toCharArray());
    Instant updated = Instant.now();
    awaitConverged("faulty", 4, "guaranteed-medium", Duration.ofSeconds(90));
    LOG.info(
        "converged {} s after the new credentials ({} s after the rotation)",
        Duration.between(updated, Instant.now()).toSeconds(),
        Duration.between(rotatedAt, Instant.now()).toSeconds());
    assertNothingLeaked();
  }
}
