package dev.slipway.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.controller.fake.InMemoryVSphere;
import dev.slipway.vsphere.FaultKind;
import dev.slipway.vsphere.PowerState;
import dev.slipway.vsphere.VSphereException;
import dev.slipway.vsphere.VmChange;
import dev.slipway.vsphere.VmConfigSpec;
import dev.slipway.vsphere.VmRef;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A VM's state kept between passes while the watch reports no change, and when it is not. */
class VmStateCacheTest {
  static final Duration MAX_AGE = Duration.ofMinutes(10);

  InMemoryVSphere vs;
  VmRef vm;
  final Map<VmRef, Long> stamps = new HashMap<>();
  boolean inStep = true;
  Instant now = TestObjects.T0;
  VmStateCache cache;

  @BeforeEach
  void setUp() {
    vs = InMemoryVSphere.standard();
    vs.addFolder("/DC0/vm/ns1");
    vm = vs.vm("/DC0/vm/ns1", "m1").powerState(PowerState.ON).create();
    stamps.put(vm, 1L);
    cache =
        new VmStateCache(
            vs,
            ref -> inStep ? OptionalLong.of(stamps.getOrDefault(ref, 0L)) : OptionalLong.empty(),
            MAX_AGE,
            new Clock() {
              @Override
              public Instant instant() {
                return now;
              }

              @Override
              public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
              }

              @Override
              public Clock withZone(java.time.ZoneId zone) {
                return this;
              }
            });
  }

  private long reads() {
    return vs.calls().stream().filter(c -> c.method().equals("vmState")).count();
  }

  @Test
  void aVmWhoseStampHoldsIsReadOnceUntilItsMaxAge() {
    assertThat(cache.vmState(vm).powerState()).isEqualTo(PowerState.ON);
    now = now.plus(MAX_AGE.minusSeconds(1));
    assertThat(cache.vmState(vm).powerState()).isEqualTo(PowerState.ON);
    assertThat(reads()).isEqualTo(1);

    now = now.plusSeconds(1); // the safety re-read
    cache.vmState(vm);
    assertThat(reads()).isEqualTo(2);
  }

  @Test
  void aChangeTheWatchReportsIsReadAtTheNextPass() {
    cache.vmState(vm);
    vs.setPowerState(vm, PowerState.OFF); // someone powered it off in vCenter
    assertThat(cache.vmState(vm).powerState()).isEqualTo(PowerState.ON); // not reported yet
    stamps.put(vm, 2L);
    assertThat(cache.vmState(vm).powerState()).isEqualTo(PowerState.OFF);
    assertThat(reads()).isEqualTo(2);
  }

  @Test
  void aVmThatWentIsNotFoundOnceTheWatchSaysSo() {
    cache.vmState(vm);
    vs.deleteVm(vm);
    stamps.put(vm, 2L);
    assertThatThrownBy(() -> cache.vmState(vm))
        .isInstanceOfSatisfying(
            VSphereException.class, e -> assertThat(e.kind()).isEqualTo(FaultKind.NOT_FOUND));
    assertThat(cache.size()).isZero();
  }

  @Test
  void nothingIsKeptWhileTheWatchIsNotInStep() {
    inStep = false;
    cache.vmState(vm);
    cache.vmState(vm);
    assertThat(reads()).isEqualTo(2);
    assertThat(cache.size()).isZero();

    inStep = true; // back in step: read once more, then kept
    cache.vmState(vm);
    cache.vmState(vm);
    assertThat(reads()).isEqualTo(3);
  }

  @Test
  void slipwaysOwnChangesDropWhatWasKept() {
    cache.vmState(vm);
    cache.setCustomAttributes(vm, Map.of("slipway.dev/machine", "m1"));
    cache.vmState(vm);
    cache.reconfigure(vm, VmConfigSpec.builder().annotation("x").build());
    vs.completeAll();
    assertThat(cache.vmState(vm).annotation()).isEqualTo("x");
    cache.powerOff(vm);
    vs.completeAll();
    assertThat(cache.vmState(vm).powerState()).isEqualTo(PowerState.OFF);
    assertThat(reads()).isEqualTo(4);
  }

  @Test
  void aChangeConcernsTheMachineThatRecordedTheVmOrWhoseUidIsItsInstanceUuid() {
    Machine m = TestObjects.machine("m1", Machine.Role.worker, "p1");
    m.getMetadata().setUid("uid-1");
    m.setStatus(new Machine.Status());
    assertThat(VmEvents.concerns(m, new VmChange(new VmRef("vm-9"), "uid-1", false))).isTrue();
    assertThat(VmEvents.concerns(m, new VmChange(new VmRef("vm-9"), "", true))).isFalse();
    m.getStatus().vmRef = "vm-9";
    assertThat(VmEvents.concerns(m, new VmChange(new VmRef("vm-9"), "", true))).isTrue();
    assertThat(VmEvents.concerns(m, new VmChange(new VmRef("vm-8"), "other", false))).isFalse();
  }

  @Test
  void aChangeWakesTheMachinesItConcernsOnceTheSourceRuns() {
    List<ResourceID> woken = new ArrayList<>();
    List<VmRef> gone = new ArrayList<>();
    VmEvents events = new VmEvents(vs, gone::add);
    Machine m = TestObjects.machine("m1", Machine.Role.worker, "p1");
    m.setStatus(new Machine.Status());
    m.getStatus().vmRef = "vm-9";
    Machine other = TestObjects.machine("m2", Machine.Role.worker, "p1");
    events.machines(() -> Stream.of(m, other));
    events.setEventHandler(e -> woken.add(e.getRelatedCustomResourceID()));
    VmChange removed = new VmChange(new VmRef("vm-9"), "", true);

    events.changed(removed);
    assertThat(woken).isEmpty(); // not started: the controller does not process events yet

    events.start();
    events.changed(removed);
    assertThat(woken).containsExactly(ResourceID.fromResource(m));
    assertThat(gone).containsExactly(new VmRef("vm-9"), new VmRef("vm-9"));
    assertThat(events.stamp(vm)).isEmpty(); // the fake's watch is never in step
    events.stop();
    assertThat(events.stamp(vm)).isEmpty();
  }
}
