package dev.slipway.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.operator.api.vmoperator.v1alpha1.VSphereNamespace;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class UsagePaceTest {
  static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  static final String UID = "3f1c";

  final UsagePace pace = new UsagePace();

  static VSphereNamespace.Status status(int machines) {
    VSphereNamespace.Status s = new VSphereNamespace.Status();
    s.namespace = "team-a";
    s.folder = "group-v7";
    s.conditions.add(
        TestObjects.condition(
            dev.slipway.operator.status.Types.READY, "True", "Ready", "namespace is ready"));
    s.usage = new VSphereNamespace.Usage();
    s.usage.tanzuKubernetesClusters = 1;
    s.usage.machines = machines;
    s.usage.cpus = 2 * machines;
    s.usage.memory = new Quantity(8 * machines + "Gi");
    return s;
  }

  @Test
  void aUsageChangeSoonAfterAWriteWaitsForTheRestOfTheInterval() {
    pace.wrote(UID, T0);
    assertThat(pace.hold(UID, status(1), status(2), T0.plusSeconds(2)))
        .contains(UsagePace.INTERVAL.minusSeconds(2));
  }

  @Test
  void aUsageChangeOnceTheIntervalIsOverIsWrittenAtOnce() {
    pace.wrote(UID, T0);
    assertThat(pace.hold(UID, status(1), status(2), T0.plus(UsagePace.INTERVAL))).isEmpty();
  }

  @Test
  void theFirstWriteThisProcessMakesIsNeverHeld() {
    assertThat(pace.hold(UID, status(1), status(2), T0)).isEmpty();
    pace.wrote(UID, T0);
    pace.forget(UID);
    assertThat(pace.hold(UID, status(1), status(2), T0)).isEmpty();
  }

  @Test
  void anythingBesidesUsageIsWrittenAtOnce() {
    pace.wrote(UID, T0);
    VSphereNamespace.Status after = status(2);
    after.conditions.get(0).setStatus("False");
    assertThat(pace.hold(UID, status(1), after, T0.plusSeconds(1))).isEmpty();
    VSphereNamespace.Status folder = status(2);
    folder.folder = "group-v9";
    assertThat(pace.hold(UID, status(1), folder, T0.plusSeconds(1))).isEmpty();
    assertThat(pace.hold(UID, null, status(2), T0.plusSeconds(1))).as("no status yet").isEmpty();
  }

  @Test
  void onlyUsageDiffersSeesTheMemoryToo() {
    VSphereNamespace.Status more = status(1);
    more.usage.memory = new Quantity("16Gi");
    assertThat(UsagePace.onlyUsageDiffers(status(1), more)).isTrue();
    assertThat(UsagePace.onlyUsageDiffers(status(1), status(1))).isFalse();
  }
}
