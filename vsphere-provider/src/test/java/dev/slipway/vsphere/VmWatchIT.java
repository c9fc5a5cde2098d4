package dev.slipway.vsphere;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.testenv.Vcsim;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The VM watch (one property collector, WaitForUpdatesEx) against a vcsim of its own. */
class VmWatchIT {
  static Vcsim vcsim;
  static VSphereProvider p;
  static FolderRef folder;
  static PoolRef pool;
  static VmRef source;

  @BeforeAll
  static void setUp() {
    vcsim = Vcsim.start();
    p = It.connect(vcsim);
    folder = p.ensureFolder("/DC0/vm", It.unique("watch"));
    pool = p.findResourcePool("/DC0/host/DC0_C0/Resources").orElseThrow();
    source = p.findVmByPath("/DC0/vm/DC0_C0_RP0_VM0").orElseThrow();
  }

  @AfterAll
  static void tearDown() {
    p.close();
    vcsim.close();
  }

  private static VmRef clone(String uuid) {
    VmConfigSpec config = VmConfigSpec.builder().instanceUuid(uuid).build();
    return new VmRef(
        It.awaitSuccess(
            p,
            p.cloneVm(
                new CloneSpec(
                    source, It.unique("vm"), folder, pool, Optional.empty(), config, false))));
  }

  /**
   * The test bed's task delays (which E2E tests use to catch a clone in flight) hold the task
   * running that long, while the source VM's properties stay readable.
   */
  @Test
  void aTaskDelayKeepsTheTaskRunningAndItsVmReadable() {
    vcsim.setDelays(Map.of("CloneVm", 2_000));
    try {
      long started = System.nanoTime();
      TaskRef t =
          p.cloneVm(
              new CloneSpec(
                  source,
                  It.unique("vm"),
                  folder,
                  pool,
                  Optional.empty(),
                  VmConfigSpec.builder().instanceUuid(UUID.randomUUID().toString()).build(),
                  false));
      assertThat(p.vmState(source).ref()).isEqualTo(source);
      assertThat(p.taskState(t).isDone()).as("the clone, after a read of its source VM").isFalse();
      VmRef vm = new VmRef(It.awaitSuccess(p, t));
      assertThat(Duration.ofNanos(System.nanoTime() - started))
          .isGreaterThanOrEqualTo(Duration.ofSeconds(2));
      It.awaitSuccess(p, p.destroy(vm));
    } finally {
      vcsim.setDelays(Map.of());
    }
  }

  /** The client's calls, without the watch's own waits (which go on meanwhile). */
  private static Map<String, Long> callsButTheWatchs() {
    Map<String, Long> m = new java.util.HashMap<>(p.callCounts());
    m.remove("WaitForUpdatesEx");
    return m;
  }

  private static OptionalLong awaitInStep(VmWatch w, VmRef vm) {
    await().atMost(Duration.ofSeconds(90)).until(() -> w.stamp(vm).isPresent());
    return w.stamp(vm);
  }

  private static void awaitChange(List<VmChange> seen, VmChange expected) {
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(50))
        .untilAsserted(() -> assertThat(seen).contains(expected));
  }

  @Test
  void aNewVmItsPowerChangesAndItsDestructionAreReportedAndChangeItsStamp() {
    List<VmChange> seen = new CopyOnWriteArrayList<>();
    try (VmWatch w = p.watchVms(seen::add)) {
      await().atMost(Duration.ofSeconds(30)).until(() -> w.stamp(source).isPresent());
      // The first full set reports every VM there is.
      assertThat(seen).anyMatch(c -> c.vm().equals(source) && !c.removed());
      long waitsBefore = p.callCounts().getOrDefault("WaitForUpdatesEx", 0L);
      VmRef bystander = p.findVmByPath("/DC0/vm/DC0_H0_VM1").orElseThrow();
      OptionalLong bystanderStamp = w.stamp(bystander);

      String uuid = UUID.randomUUID().toString();
      VmRef vm = clone(uuid);
      awaitChange(seen, new VmChange(vm, uuid, false));
      OptionalLong created = awaitInStep(w, vm);

      seen.clear();
      It.awaitSuccess(p, p.powerOn(vm));
      awaitChange(seen, new VmChange(vm, uuid, false));
      OptionalLong on = w.stamp(vm);
      assertThat(on).isPresent().isNotEqualTo(created);

      seen.clear();
      It.awaitSuccess(p, p.powerOff(vm));
      awaitChange(seen, new VmChange(vm, uuid, false));
      assertThat(w.stamp(vm)).isPresent().isNotEqualTo(on);

      OptionalLong beforeDestroy = w.stamp(vm);
      It.awaitSuccess(p, p.destroy(vm));
      awaitChange(seen, new VmChange(vm, uuid, true));
      assertThat(w.stamp(vm)).isPresent().isNotEqualTo(beforeDestroy);

      // Nothing happened to another VM: its stamp holds, and a few waits cost all of this.
      assertThat(seen).noneMatch(c -> c.vm().equals(bystander));
      assertThat(w.stamp(bystander)).isEqualTo(bystanderStamp);
      assertThat(p.callCounts().getOrDefault("WaitForUpdatesEx", 0L) - waitsBefore)
          .isBetween(1L, 12L);
    }
  }

  /**
   * The filter leaves out the configuration's large parts (bootstrap data, devices): a change of
   * any of them alone is still reported, through the configuration's change version.
   */
  @Test
  void aChangeOfTheConfigurationAloneIsReportedThoughItsPartsAreNotWatched() {
    List<VmChange> seen = new CopyOnWriteArrayList<>();
    try (VmWatch w = p.watchVms(seen::add)) {
      String uuid = UUID.randomUUID().toString();
      VmRef vm = clone(uuid);
      awaitChange(seen, new VmChange(vm, uuid, false));
      OptionalLong stamp = awaitInStep(w, vm);
      for (VmConfigSpec change :
          List.of(
              VmConfigSpec.builder().extraConfig("guestinfo.userdata", "c2xpcHdheQ==").build(),
              VmConfigSpec.builder().annotation("watched").build(),
              VmConfigSpec.builder().addDiskMiB(64).build(),
              VmConfigSpec.builder().cpus(3).build())) {
        seen.clear();
        It.awaitSuccess(p, p.reconfigure(vm, change));
        awaitChange(seen, new VmChange(vm, uuid, false));
        OptionalLong now = w.stamp(vm);
        assertThat(now).as("after %s", change).isPresent().isNotEqualTo(stamp);
        stamp = now;
      }
      It.awaitSuccess(p, p.destroy(vm));
    }
  }

  @Test
  void inStepTheWatchFindsAVmByInstanceUuidAndByNameInItsFolderWithoutACall() {
    try (VmWatch w = p.watchVms(c -> {})) {
      awaitInStep(w, source);
      String uuid = UUID.randomUUID().toString();
      String name = It.unique("found");
      assertThat(w.byInstanceUuid(uuid)).contains(Optional.empty());
      assertThat(w.inFolder(folder, name)).contains(Optional.empty());

      VmRef vm =
          new VmRef(
              It.awaitSuccess(
                  p,
                  p.cloneVm(
                      new CloneSpec(
                          source,
                          name,
                          folder,
                          pool,
                          Optional.empty(),
                          VmConfigSpec.builder().instanceUuid(uuid).build(),
                          false))));
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(w.byInstanceUuid(uuid)).contains(Optional.of(vm)));
      FolderRef other = p.findFolder("/DC0/vm").orElseThrow();
      Map<String, Long> before = callsButTheWatchs();
      assertThat(w.inFolder(folder, name)).contains(Optional.of(vm));
      assertThat(w.inFolder(other, name)).as("another folder").contains(Optional.empty());
      assertThat(w.byInstanceUuid(uuid)).contains(Optional.of(vm));
      assertThat(callsButTheWatchs()).as("no call to vCenter").isEqualTo(before);

      It.awaitSuccess(p, p.destroy(vm));
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                assertThat(w.byInstanceUuid(uuid)).contains(Optional.empty());
                assertThat(w.inFolder(folder, name)).contains(Optional.empty());
              });
      w.close();
      assertThat(w.byInstanceUuid(uuid)).as("closed: ask vCenter").isEmpty();
    }
  }

  /**
   * Many VMs made and destroyed at once, with slow tasks, while the watch waits: every one is
   * reported, and the watch stays in step.
   */
  @Test
  void manyVmsMadeAndDestroyedAtOnceAreAllReported() throws Exception {
    List<VmChange> seen = new CopyOnWriteArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    // Tasks that take a while, the VMs' properties readable meanwhile (as VCenterFaultsE2E).
    vcsim.setDelays(Map.of("CloneVm", 2_000, "Destroy", 1_000, "LockHandoff", 0));
    try (VmWatch w = p.watchVms(seen::add)) {
      await().atMost(Duration.ofSeconds(30)).until(() -> w.stamp(source).isPresent());
      List<Future<VmRef>> made = new ArrayList<>();
      List<String> uuids = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        String uuid = UUID.randomUUID().toString();
        uuids.add(uuid);
        made.add(pool.submit(() -> clone(uuid)));
      }
      List<VmRef> vms = new ArrayList<>();
      for (int i = 0; i < made.size(); i++) {
        VmRef vm = made.get(i).get(90, TimeUnit.SECONDS);
        vms.add(vm);
        awaitChange(seen, new VmChange(vm, uuids.get(i), false));
      }
      List<Future<String>> destroyed = new ArrayList<>();
      for (VmRef vm : vms) {
        destroyed.add(pool.submit(() -> It.awaitSuccess(p, p.destroy(vm))));
      }
      for (Future<String> d : destroyed) {
        d.get(90, TimeUnit.SECONDS);
      }
      for (int i = 0; i < vms.size(); i++) {
        awaitChange(seen, new VmChange(vms.get(i), uuids.get(i), true));
      }
      assertThat(awaitInStep(w, source)).isPresent();
    } finally {
      vcsim.setDelays(Map.of());
      pool.shutdownNow();
    }
  }

  /**
   * A wait that outlives the call's timeout (vCenter goes on with it): the watch destroys the
   * collector it gave up on, and vCenter accepts that, before it makes the next one. Each collector
   * but the one in use was destroyed.
   */
  @Test
  void aCollectorGivenUpOnIsDestroyedBeforeTheNextIsMade() {
    Map<String, AtomicInteger> answered = new ConcurrentHashMap<>();
    CallObserver observer =
        (method, took, failed) -> {
          if (!failed) {
            answered.computeIfAbsent(method, m -> new AtomicInteger()).incrementAndGet();
          }
        };
    // Calls time out after 12 s, so a wait asks for 2 s; vCenter starts each wait 15 s late.
    vcsim.setDelays(Map.of("WaitForUpdatesEx", 15_000));
    try (VSphereProvider slow =
            VSphereProvider.connect(
                It.config(vcsim)
                    .requestTimeout(Duration.ofSeconds(12))
                    .callObserver(observer)
                    .build());
        VmWatch w = slow.watchVms(c -> {})) {
      await()
          .atMost(Duration.ofSeconds(90))
          .until(() -> slow.callCounts().getOrDefault("CreatePropertyCollector", 0L) >= 2);
      assertThat(w.stamp(source)).as("never in step while every wait times out").isEmpty();
      vcsim.setDelays(Map.of());
      awaitInStep(w, source);
      long made = slow.callCounts().get("CreatePropertyCollector");
      assertThat(answered.getOrDefault("DestroyPropertyCollector", new AtomicInteger()).get())
          .as("collectors destroyed by vCenter, of %d made", made)
          .isEqualTo(made - 1);
    } finally {
      vcsim.setDelays(Map.of());
    }
  }

  /**
   * A collector made again in the same session (its wait timed out on this side) keeps the stamps
   * of the VMs that did not change meanwhile, so nothing cached of them is read again; a VM that
   * changed while no collector was in step gets a new one.
   */
  @Test
  void aCollectorMadeAgainInTheSameSessionChangesOnlyTheStampsOfWhatChanged() {
    String uuid = UUID.randomUUID().toString();
    VmRef vm = clone(uuid);
    List<VmChange> seen = new CopyOnWriteArrayList<>();
    try (VSphereProvider slow =
            VSphereProvider.connect(
                It.config(vcsim).requestTimeout(Duration.ofSeconds(12)).build());
        VmWatch w = slow.watchVms(seen::add)) {
      OptionalLong vmBefore = awaitInStep(w, vm);
      OptionalLong sourceBefore = w.stamp(source);
      long logins = slow.callCounts().getOrDefault("Login", 0L);

      // Every wait now starts after the call timed out: the watch falls out of step, again and
      // again, in the same session.
      vcsim.setDelays(Map.of("WaitForUpdatesEx", 15_000));
      await()
          .atMost(Duration.ofSeconds(90))
          .until(() -> slow.callCounts().getOrDefault("CreatePropertyCollector", 0L) >= 2);
      assertThat(w.stamp(vm)).as("out of step").isEmpty();
      seen.clear();
      It.awaitSuccess(p, p.powerOn(vm));
      vcsim.setDelays(Map.of());

      awaitChange(seen, new VmChange(vm, uuid, false));
      awaitInStep(w, source);
      assertThat(slow.callCounts().getOrDefault("Login", 0L)).isEqualTo(logins);
      assertThat(w.stamp(source)).as("unchanged meanwhile").isEqualTo(sourceBefore);
      assertThat(w.stamp(vm)).as("powered on meanwhile").isPresent().isNotEqualTo(vmBefore);
      It.awaitSuccess(p, p.powerOff(vm));
      It.awaitSuccess(p, p.destroy(vm));
    } finally {
      vcsim.setDelays(Map.of());
    }
  }

  @Test
  void theWatchSurvivesATerminatedSessionAndReportsWhatChangedMeanwhile() throws Exception {
    List<VmChange> seen = new CopyOnWriteArrayList<>();
    String uuid = UUID.randomUUID().toString();
    VmRef vm = clone(uuid);
    try (VmWatch w = p.watchVms(seen::add)) {
      OptionalLong before = awaitInStep(w, vm);
      long logins = p.callCounts().getOrDefault("Login", 0L);

      assertThat(terminateSessions()).isPositive();
      seen.clear();
      // The first call after it logs in again; the watch's collector died with the old session.
      It.awaitSuccess(p, p.powerOn(vm));
      awaitChange(seen, new VmChange(vm, uuid, false));
      OptionalLong after = awaitInStep(w, vm);
      assertThat(after).isNotEqualTo(before);
      assertThat(p.callCounts().getOrDefault("Login", 0L)).isGreaterThan(logins);

      // Followed in the new session: a later change still arrives.
      seen.clear();
      It.awaitSuccess(p, p.powerOff(vm));
      awaitChange(seen, new VmChange(vm, uuid, false));
      assertThat(w.stamp(vm)).isPresent().isNotEqualTo(after);
    }
  }

  @Test
  void aVmThatWentWhileVcenterWasDownIsReportedRemovedWhenItIsBack() {
    try (Vcsim own = Vcsim.start();
        VSphereProvider q = It.connect(own)) {
      VmRef stock = q.findVmByPath("/DC0/vm/DC0_C0_RP0_VM0").orElseThrow();
      String uuid = UUID.randomUUID().toString();
      VmRef vm =
          new VmRef(
              It.awaitSuccess(
                  q,
                  q.cloneVm(
                      new CloneSpec(
                          stock,
                          It.unique("vm"),
                          q.findFolder("/DC0/vm").orElseThrow(),
                          q.findResourcePool("/DC0/host/DC0_C0/Resources").orElseThrow(),
                          Optional.empty(),
                          VmConfigSpec.builder().instanceUuid(uuid).build(),
                          false))));
      List<VmChange> seen = new CopyOnWriteArrayList<>();
      try (VmWatch w = q.watchVms(seen::add)) {
        awaitInStep(w, vm);
        assertThat(w.byInstanceUuid(uuid)).contains(Optional.of(vm));
        own.stop();
        // Not in step while vCenter does not answer: nothing read before may be trusted.
        await().atMost(Duration.ofSeconds(100)).until(() -> w.stamp(vm).isEmpty());
        assertThat(w.byInstanceUuid(uuid)).as("out of step: ask vCenter").isEmpty();
        seen.clear();
        own.restart(); // the stock inventory again: the clone is gone
        awaitChange(seen, new VmChange(vm, uuid, true));
        assertThat(awaitInStep(w, stock)).isPresent();
        assertThat(w.byInstanceUuid(uuid))
            .as("gone while nobody looked")
            .contains(Optional.empty());
      }
    }
  }

  /** {@code govc session.rm} of every session vcsim lists but govc's own. */
  private static int terminateSessions() throws Exception {
    JsonNode ls = new ObjectMapper().readTree(It.govc(vcsim, "session.ls", "-json"));
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
    List<String> args = new ArrayList<>(List.of("session.rm"));
    args.addAll(keys);
    It.govc(vcsim, args.toArray(String[]::new));
    return keys.size();
  }
}
