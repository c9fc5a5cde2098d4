package dev.slipway.operator.controller;

import static dev.slipway.operator.controller.TestObjects.ITEM;
import static dev.slipway.operator.controller.TestObjects.LIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.operator.config.Placement;
import dev.slipway.operator.controller.fake.InMemoryVSphere;
import dev.slipway.vsphere.ContentLibrary;
import dev.slipway.vsphere.DeploySpec;
import dev.slipway.vsphere.FaultKind;
import dev.slipway.vsphere.VSphereException;
import dev.slipway.vsphere.VmRef;
import dev.slipway.vsphere.VmState;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TemplatesTest {
  static final String OTHER = "photon-5-v1.29.4";
  static final String TEMPLATES = "/DC0/vm/slipway-templates";
  static final String PATH = TEMPLATES + "/" + Templates.templateName(LIB, ITEM);
  static final String PREPARING = "another machine is preparing";

  final Placement placement = Placement.vcsimDefaults();
  final ExecutorService pool = Executors.newFixedThreadPool(8);
  InMemoryVSphere vs;

  @BeforeEach
  void setUp() {
    vs = InMemoryVSphere.standard();
    vs.addOvfItem(LIB, ITEM, 2, 2048, List.of(20480L));
    vs.addOvfItem(LIB, OTHER, 2, 2048, List.of(16384L, 1024L));
  }

  @AfterEach
  void tearDown() {
    pool.shutdownNow();
  }

  Templates templates() {
    return templates(vs);
  }

  Templates templates(ContentLibrary library) {
    return new Templates(vs, vs, vs, library, placement, new VSphereTags(vs, null));
  }

  /** The fake's library, with {@code hook} run (on the calling thread) before each getItem. */
  ContentLibrary libraryWithHook(Consumer<String> hook) {
    return (ContentLibrary)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {ContentLibrary.class},
            (self, method, args) -> {
              if (method.getName().equals("getItem")) {
                hook.accept((String) args[1]);
              }
              try {
                return method.invoke(vs, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  static void await(CountDownLatch latch, long millis) {
    try {
      latch.await(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void theFirstAskStartsADeployIntoTheTemplatesFolderAndWaits() {
    Templates.State s = templates().ensure(LIB, ITEM);

    assertThat(s.vm()).isEmpty();
    assertThat(s.message()).contains("deploying " + LIB + "/" + ITEM + " to " + PATH);
    DeploySpec spec = (DeploySpec) vs.calls("deployOvf").get(0).args().get(0);
    assertThat(spec.name()).isEqualTo(Templates.templateName(LIB, ITEM));
    assertThat(spec.itemId()).isEqualTo(vs.findItem(LIB, ITEM).orElseThrow().id());
    assertThat(spec.folder()).isEqualTo(vs.findFolder(TEMPLATES).orElseThrow());
    assertThat(spec.pool()).isEqualTo(vs.findResourcePool(placement.parentResourcePool()).get());
  }

  @Test
  void onceDeployedItIsATemplateWithTheItemsDisks() {
    Templates t = templates();
    t.ensure(LIB, ITEM);
    assertThat(t.ensure(LIB, ITEM).vm()).as("the task finishes on this poll").isEmpty();

    Templates.State s = t.ensure(LIB, ITEM);

    assertThat(s.vm()).isPresent();
    assertThat(s.disks()).isEqualTo(1);
    VmState vm = vs.inspect(s.vm().get()).orElseThrow();
    assertThat(vm.template()).isTrue();
    assertThat(vm.name()).isEqualTo(Templates.templateName(LIB, ITEM));
    assertThat(vs.callCount("deployOvf")).isEqualTo(1);

    vs.resetCalls();
    assertThat(t.ensure(LIB, ITEM)).isEqualTo(s);
    assertThat(vs.callCount("findVmInFolder")).as("a known template is only checked").isZero();
    assertThat(vs.callCount("deployOvf")).isZero();
  }

  @Test
  void behindTheVmCacheAReadyTemplateIsReadOncePerReportedChangeNotOncePerClone() {
    long[] stamp = {1};
    VmStateCache cache =
        new VmStateCache(
            vs,
            ref -> java.util.OptionalLong.of(stamp[0]),
            Requeue.VM_RESYNC,
            java.time.Clock.fixed(TestObjects.T0, java.time.ZoneOffset.UTC));
    Templates t = new Templates(cache, vs, vs, vs, placement, new VSphereTags(vs, null));
    t.ensure(LIB, ITEM);
    t.ensure(LIB, ITEM);
    VmRef template = t.ensure(LIB, ITEM).vm().orElseThrow();
    vs.resetCalls();

    for (int clone = 0; clone < 5; clone++) {
      assertThat(t.ensure(LIB, ITEM).vm()).contains(template);
    }
    assertThat(vs.callCount("vmState"))
        .as("five checks, nothing reported: one read, since marking it a template dropped it")
        .isEqualTo(1);
    vs.resetCalls();

    stamp[0]++; // the watch reports the template changed: gone
    vs.deleteVm(template);
    assertThat(t.ensure(LIB, ITEM).vm()).as("a template that went is deployed again").isEmpty();
    assertThat(vs.callCount("vmState")).isEqualTo(1);
    assertThat(vs.callCount("deployOvf")).isEqualTo(1);
  }

  @Test
  void oneDeployPerItemWhenManyMachinesAskAtOnce() throws Exception {
    vs.holdTasks(true);
    // Whoever reaches the deploy waits a while for a second thread to get there too: with the
    // claim, none can; without it, every thread that looked before the first deploy would.
    CountDownLatch two = new CountDownLatch(2);
    Templates t =
        templates(
            libraryWithHook(
                item -> {
                  two.countDown();
                  await(two, 300);
                }));
    int threads = 8;
    CyclicBarrier start = new CyclicBarrier(threads);
    List<Future<List<Templates.State>>> results = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      results.add(
          pool.submit(
              () -> {
                start.await();
                List<Templates.State> seen = new ArrayList<>();
                for (int j = 0; j < 20; j++) {
                  seen.add(t.ensure(LIB, ITEM));
                }
                return seen;
              }));
    }
    List<Templates.State> all = new ArrayList<>();
    for (Future<List<Templates.State>> f : results) {
      all.addAll(f.get(30, TimeUnit.SECONDS));
    }

    assertThat(vs.callCount("deployOvf")).isEqualTo(1);
    assertThat(all).hasSize(160).allSatisfy(s -> assertThat(s.vm()).isEmpty());
    assertThat(all)
        .extracting(Templates.State::message)
        .allSatisfy(m -> assertThat(m).containsAnyOf(PREPARING, "deploying " + LIB + "/" + ITEM));

    vs.holdTasks(false);
    vs.completeAll();
    List<Future<Templates.State>> after = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      after.add(pool.submit(() -> t.ensure(LIB, ITEM)));
    }
    for (Future<Templates.State> f : after) {
      Templates.State s = f.get(30, TimeUnit.SECONDS);
      if (s.vm().isPresent()) {
        assertThat(vs.inspect(s.vm().get()).orElseThrow().template()).isTrue();
      }
    }
    assertThat(t.ensure(LIB, ITEM).vm()).isPresent();
    assertThat(vs.callCount("deployOvf")).isEqualTo(1);
    assertThat(vs.vms()).hasSize(1);
  }

  @Test
  void anotherItemDoesNotWaitForThisOne() throws Exception {
    vs.holdTasks(true);
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Templates t =
        templates(
            libraryWithHook(
                item -> {
                  if (item.equals(ITEM)) {
                    inside.countDown();
                    await(release, 30_000);
                  }
                }));
    Future<Templates.State> slow = pool.submit(() -> t.ensure(LIB, ITEM));
    assertThat(inside.await(10, TimeUnit.SECONDS)).as("the first machine is deploying").isTrue();

    Future<Templates.State> other = pool.submit(() -> t.ensure(LIB, OTHER));
    Future<Templates.State> same = pool.submit(() -> t.ensure(LIB, ITEM));
    Templates.State otherState = other.get(5, TimeUnit.SECONDS);
    Templates.State sameState = same.get(5, TimeUnit.SECONDS);

    assertThat(otherState.message()).contains("deploying " + LIB + "/" + OTHER);
    assertThat(sameState.message()).as("told to wait, not blocked").contains(PREPARING);
    assertThat(slow.isDone()).isFalse();

    release.countDown();
    assertThat(slow.get(10, TimeUnit.SECONDS).message()).contains("deploying " + LIB + "/" + ITEM);
    assertThat(vs.calls("deployOvf"))
        .extracting(c -> ((DeploySpec) c.args().get(0)).name())
        .containsExactlyInAnyOrder(
            Templates.templateName(LIB, OTHER), Templates.templateName(LIB, ITEM));
  }

  @Test
  void aTemplateFoundByPathAfterARestartIsNotDeployedAgain() {
    Templates before = templates();
    before.ensure(LIB, ITEM);
    vs.completeAll();
    VmRef deployed = before.ensure(LIB, ITEM).vm().orElseThrow();

    Templates after = templates();
    vs.resetCalls();
    Templates.State s = after.ensure(LIB, ITEM);

    assertThat(s.vm()).contains(deployed);
    assertThat(s.disks()).isEqualTo(1);
    assertThat(vs.callCount("deployOvf")).isZero();
    assertThat(vs.callCount("markAsTemplate")).isZero();
  }

  @Test
  void aDeployFinishedButNotMarkedBeforeARestartIsMarkedNotRedeployed() {
    vs.addFolder(TEMPLATES);
    VmRef half =
        vs.vm(TEMPLATES, Templates.templateName(LIB, ITEM))
            .pool(placement.parentResourcePool())
            .disksMiB(20480L)
            .create();

    Templates.State s = templates().ensure(LIB, ITEM);

    assertThat(s.vm()).contains(half);
    assertThat(vs.inspect(half).orElseThrow().template()).isTrue();
    assertThat(vs.callCount("deployOvf")).isZero();
  }

  @Test
  void aFailedDeployTaskSurfacesAsAVSphereExceptionAndIsStartedAgainNextTime() {
    vs.failTask("deployOvf", FaultKind.INSUFFICIENT_RESOURCES, "datastore LocalDS_0 is full");
    Templates t = templates();
    t.ensure(LIB, ITEM);

    assertThatThrownBy(() -> t.ensure(LIB, ITEM))
        .isInstanceOfSatisfying(
            VSphereException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(FaultKind.INSUFFICIENT_RESOURCES);
              assertThat(e.getMessage()).contains("datastore LocalDS_0 is full");
            });

    Templates.State again = t.ensure(LIB, ITEM);
    assertThat(again.message()).doesNotContain(PREPARING).contains("deploying");
    assertThat(vs.callCount("deployOvf")).isEqualTo(2);
  }

  @Test
  void aRefusedDeployReleasesTheClaim() {
    vs.failNext("deployOvf", FaultKind.PERMISSION, "no ContentLibrary.DeployLibraryItem");
    Templates t = templates();
    assertThatThrownBy(() -> t.ensure(LIB, ITEM))
        .isInstanceOfSatisfying(
            VSphereException.class, e -> assertThat(e.kind()).isEqualTo(FaultKind.PERMISSION));

    assertThat(t.ensure(LIB, ITEM).message()).doesNotContain(PREPARING).contains("deploying");
  }

  @Test
  void aMissingItemIsNotFound() {
    assertThatThrownBy(() -> templates().ensure(LIB, "no-such-item"))
        .isInstanceOfSatisfying(
            VSphereException.class, e -> assertThat(e.kind()).isEqualTo(FaultKind.NOT_FOUND));
    assertThat(vs.callCount("deployOvf")).isZero();
  }

  @Test
  void aDeployLostWithItsTaskIsStartedAgain() {
    vs.holdTasks(true);
    Templates t = templates();
    t.ensure(LIB, ITEM);
    vs.loseTask(vs.pendingTasks().get(0));

    assertThat(t.ensure(LIB, ITEM).message()).contains("lost; starting again");
    t.ensure(LIB, ITEM);

    assertThat(vs.callCount("deployOvf")).isEqualTo(2);
  }

  @Test
  void aTemplateDeletedBehindSlipwaysBackIsDeployedAgain() {
    Templates t = templates();
    t.ensure(LIB, ITEM);
    vs.completeAll();
    VmRef first = t.ensure(LIB, ITEM).vm().orElseThrow();
    vs.deleteVm(first);

    Templates.State s = t.ensure(LIB, ITEM);

    assertThat(s.vm()).isEmpty();
    assertThat(vs.callCount("deployOvf")).isEqualTo(2);
  }

  @Test
  void eachItemHasItsOwnTemplate() {
    Templates t = templates();
    t.ensure(LIB, ITEM);
    t.ensure(LIB, OTHER);
    vs.completeAll();

    Templates.State a = t.ensure(LIB, ITEM);
    Templates.State b = t.ensure(LIB, OTHER);

    assertThat(a.vm()).isPresent().isNotEqualTo(b.vm());
    assertThat(a.disks()).isEqualTo(1);
    assertThat(b.disks()).isEqualTo(2);
  }
}
