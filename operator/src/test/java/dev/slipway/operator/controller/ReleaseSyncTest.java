package dev.slipway.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesRelease;
import dev.slipway.operator.controller.ReleaseSync.Decisions;
import dev.slipway.operator.controller.ReleaseSync.Found;
import dev.slipway.operator.controller.fake.InMemoryVSphere;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The release sync's decisions, over an in-memory vCenter and lists of releases. */
class ReleaseSyncTest {
  static final String IMAGE = "ob-24321-photon-5-amd64-v1.37.2---vmware.1-tkg.1";
  static final String NAME = "v1.37.2---vmware.1-tkg.1";

  final InMemoryVSphere vsphere = new InMemoryVSphere();
  final List<String> logged = new ArrayList<>();
  final ReleaseSync.Once once = (key, format, args) -> logged.add(key);

  Map<String, Found> scan(String... libraries) {
    return ReleaseSync.scan(vsphere, List.of(libraries), once);
  }

  static TanzuKubernetesRelease ready(TanzuKubernetesRelease r, boolean ready) {
    TanzuKubernetesRelease copy = Statuses.copy(r, TanzuKubernetesRelease.class);
    copy.setStatus(TestObjects.release(NAME, r.getSpec().version, ready).getStatus());
    return copy;
  }

  @Test
  void nodeImagesBecomeReleasesAndOtherItemsAreLoggedNotPublished() {
    vsphere.addOvfItem("tkgs", IMAGE);
    vsphere.addOvfItem("tkgs", "haproxy-v1.2.4");

    Map<String, Found> found = scan("tkgs", "no-such-library");

    assertThat(found).containsOnlyKeys(NAME);
    assertThat(logged).contains("item:tkgs/haproxy-v1.2.4", "lib:no-such-library");
    Decisions d = ReleaseSync.decide(found, List.of(), once);
    assertThat(d.apply()).hasSize(1);
    TanzuKubernetesRelease r = d.apply().get(0);
    assertThat(r.getMetadata().getName()).isEqualTo(NAME);
    assertThat(r.getMetadata().getLabels()).containsEntry(ReleaseSync.SYNCED_LABEL, "true");
    assertThat(r.getSpec().osImages.get(0).contentLibrary).isEqualTo("tkgs");
    assertThat(r.getSpec().osImages.get(0).item).isEqualTo(IMAGE);
  }

  @Test
  void theSameVersionInTwoLibrariesComesFromTheFirst() {
    vsphere.addOvfItem("second", "ob-99-photon-5-v1.37.2---vmware.1-tkg.1");
    vsphere.addOvfItem("first", IMAGE);

    Map<String, Found> found = scan("first", "second");

    assertThat(found.get(NAME).library()).isEqualTo("first");
    assertThat(logged).contains("dup:second/ob-99-photon-5-v1.37.2---vmware.1-tkg.1");
  }

  @Test
  void aHandWrittenReleaseIsNeverTouched() {
    vsphere.addOvfItem("tkgs", IMAGE);
    TanzuKubernetesRelease hand = TestObjects.release(NAME, "v1.37.2+vmware.1-tkg.1", true);

    Decisions d = ReleaseSync.decide(scan("tkgs"), List.of(hand), once);

    assertThat(d.apply()).isEmpty();
    assertThat(d.recheck()).isEmpty();
  }

  @Test
  void aSyncedReleaseIsNotAppliedAgainNorRepointed() {
    vsphere.addOvfItem("tkgs", IMAGE);
    TanzuKubernetesRelease published =
        ready(ReleaseSync.decide(scan("tkgs"), List.of(), once).apply().get(0), true);

    assertThat(ReleaseSync.decide(scan("tkgs"), List.of(published), once).apply()).isEmpty();

    // The item moves to another library: the release keeps its image and is rechecked.
    InMemoryVSphere other = new InMemoryVSphere();
    other.addOvfItem("elsewhere", IMAGE);
    Map<String, Found> moved = ReleaseSync.scan(other, List.of("elsewhere"), once);
    Decisions d = ReleaseSync.decide(moved, List.of(published), once);
    assertThat(d.apply()).isEmpty();
    assertThat(d.recheck()).containsExactly(NAME);
  }

  @Test
  void aReleaseIsRecheckedWhenItsItemGoesOrComesBack() {
    vsphere.addOvfItem("tkgs", IMAGE);
    TanzuKubernetesRelease published =
        ReleaseSync.decide(scan("tkgs"), List.of(), once).apply().get(0);

    Map<String, Found> none = new HashMap<>();
    assertThat(ReleaseSync.decide(none, List.of(ready(published, true)), once).recheck())
        .containsExactly(NAME);
    assertThat(ReleaseSync.decide(none, List.of(ready(published, false)), once).recheck())
        .isEmpty();
    assertThat(ReleaseSync.decide(scan("tkgs"), List.of(ready(published, false)), once).recheck())
        .containsExactly(NAME);
    assertThat(ReleaseSync.decide(scan("tkgs"), List.of(ready(published, true)), once).recheck())
        .isEmpty();
  }
}
