package dev.slipway.e2e;

import static dev.slipway.testenv.Manifests.set;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.slipway.guest.GuestSimulator;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesRelease;
import dev.slipway.operator.controller.ReleaseSync;
import dev.slipway.testenv.Manifests;
import dev.slipway.vsphere.VSphereProvider;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Releases from the content library: a node image added to the demo library becomes a Ready release
 * within one sync interval; a v1alpha2 manifest that names only {@code distribution.version}
 * resolves to the newest match, keeps it when a newer one arrives, and builds; an image taken away
 * turns its release not Ready.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReleaseSyncE2E {
  static final String NS = "team-a";
  static final Duration INTERVAL = Duration.ofSeconds(5);
  static final String ITEM = "ob-24321-photon-5-amd64-v1.37.2---vmware.3-tkg.1";
  static final String RELEASE = "v1.37.2---vmware.3-tkg.1";
  static final String NEWER_ITEM = "ob-24399-photon-5-amd64-v1.37.2---vmware.4-tkg.1";
  static final String NEWER = "v1.37.2---vmware.4-tkg.1";
  static final String HAND_WRITTEN = "v1.37.2---vmware.1-tkg.1";
  static final String HAND_WRITTEN_ITEM = "ob-11111-ubuntu-2404-amd64-v1.37.2---vmware.1-tkg.1";

  static SlipwayEnv env;
  static GuestSimulator guests;

  @BeforeAll
  static void start() {
    env =
        SlipwayEnv.start(
            e -> null,
            e -> null,
            w -> w.withReleaseSync(new ReleaseSync.Settings(List.of(), INTERVAL)));
    guests = new GuestSimulator(env::connect, List.of(env.placement.parentFolder() + "/" + NS));
    env.applyNamespaceSamples();
  }

  @AfterAll
  static void stop() {
    if (guests != null) {
      guests.close();
    }
    if (env != null) {
      env.close();
    }
  }

  static TanzuKubernetesRelease tkr(String name) {
    return env.client.resources(TanzuKubernetesRelease.class).withName(name).get();
  }

  static Optional<Condition> condition(List<Condition> conditions, String type) {
    return conditions.stream().filter(c -> c.getType().equals(type)).findFirst();
  }

  static boolean ready(TanzuKubernetesRelease r) {
    return r != null
        && r.getStatus() != null
        && condition(r.getStatus().conditions, "Ready")
            .map(c -> c.getStatus().equals("True"))
            .orElse(false);
  }

  @Test
  @Order(1)
  void anImageAddedToTheLibraryIsAReadyReleaseWithinOneInterval() {
    // An image of the demo's hand-written release's version: the release must stay as written.
    env.uploadImage(HAND_WRITTEN_ITEM);
    long start = System.nanoTime();
    env.uploadImage(ITEM);

    // One interval, plus the release controller's first look.
    await()
        .atMost(INTERVAL.plusSeconds(5))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> ready(tkr(RELEASE)));
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    TanzuKubernetesRelease r = tkr(RELEASE);
    assertThat(r.getSpec().version).isEqualTo("v1.37.2+vmware.3-tkg.1");
    assertThat(r.getSpec().kubernetes.version).isEqualTo("v1.37.2+vmware.3");
    assertThat(r.getSpec().osImages).hasSize(1);
    assertThat(r.getSpec().osImages.get(0).contentLibrary).isEqualTo(SlipwayEnv.LIBRARY);
    assertThat(r.getSpec().osImages.get(0).item).isEqualTo(ITEM);
    assertThat(r.getMetadata().getLabels())
        .containsEntry(ReleaseSync.SYNCED_LABEL, "true")
        .containsEntry("os-name", "photon")
        .containsEntry("os-version", "5")
        .containsEntry("os-arch", "amd64")
        .containsEntry("os-type", "linux")
        .containsEntry("v1.37", "")
        .containsEntry("v1.37.2", "")
        .containsEntry(RELEASE, "");
    assertThat(condition(r.getStatus().conditions, "Compatible").orElseThrow().getStatus())
        .isEqualTo("True");
    assertThat(took).isLessThan(INTERVAL.plusSeconds(5));

    // The hand-written release of the demo is left as it is, although an image of its version
    // was in the library in the same pass: no synced label, its own image, still Ready.
    TanzuKubernetesRelease hand = tkr(HAND_WRITTEN);
    assertThat(hand.getMetadata().getLabels()).doesNotContainKey(ReleaseSync.SYNCED_LABEL);
    assertThat(hand.getSpec().osImages.get(0).item).isEqualTo(SlipwayEnv.ITEM);
    assertThat(hand.getSpec().kubernetes.imageRepository).isEqualTo("registry.k8s.io");
    assertThat(ready(hand)).isTrue();
  }

  static Map<String, Object> v1alpha2Cluster(String name, String hint, String fullVersion) {
    Map<String, Object> m = env.sampleCluster(name, 1);
    set(m, "apiVersion", "run.tanzu.vmware.com/v1alpha2");
    set(m, "spec.topology.controlPlane.tkr", null);
    set(
        m,
        "spec.distribution",
        fullVersion == null
            ? Map.of("version", hint)
            : Map.of("version", hint, "fullVersion", fullVersion));
    return m;
  }

  static TanzuKubernetesCluster tkc(String name) {
    return env.client.resources(TanzuKubernetesCluster.class).inNamespace(NS).withName(name).get();
  }

  @Test
  @Order(2)
  void aV1alpha2ManifestWithOnlyDistributionVersionResolvesStaysAndBuilds() {
    env.client.resource(Manifests.fromMap(v1alpha2Cluster("hinted", "v1.37.2", null))).create();

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              TanzuKubernetesCluster tkc = tkc("hinted");
              assertThat(tkc.getStatus()).isNotNull();
              assertThat(tkc.getStatus().distribution).isNotNull();
              // The newest Ready match: the synced vmware.3, not the hand-written vmware.1.
              assertThat(tkc.getStatus().distribution.release).isEqualTo(RELEASE);
              assertThat(tkc.getStatus().distribution.fullVersion)
                  .isEqualTo("v1.37.2+vmware.3-tkg.1");
              assertThat(tkc.getStatus().distribution.version).isEqualTo("v1.37.2");
            });
    // GitOps sees no drift: the spec is as applied.
    assertThat(tkc("hinted").getSpec().distribution.fullVersion).isNull();
    assertThat(tkc("hinted").getSpec().topology.controlPlane.tkr).isNull();

    // A newer match arrives: the cluster keeps its release (no silent rollout).
    env.uploadImage(NEWER_ITEM);
    await()
        .atMost(INTERVAL.plusSeconds(5))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> ready(tkr(NEWER)));

    await()
        .atMost(Duration.ofSeconds(180))
        .failFast("a guest failed to boot", () -> guests.anyFailure().isPresent())
        .untilAsserted(
            () -> {
              TanzuKubernetesCluster tkc = tkc("hinted");
              assertThat(condition(tkc.getStatus().conditions, "Ready"))
                  .hasValueSatisfying(c -> assertThat(c.getStatus()).isEqualTo("True"));
            });
    TanzuKubernetesCluster tkc = tkc("hinted");
    assertThat(tkc.getStatus().distribution.release).isEqualTo(RELEASE);
    assertThat(
            env.client
                .resources(dev.slipway.operator.api.cluster.v1alpha1.Machine.class)
                .inNamespace(NS)
                .list()
                .getItems())
        .allSatisfy(m -> assertThat(m.getSpec().release).isEqualTo(RELEASE));
  }

  @Test
  @Order(3)
  void aHintMatchingNothingSaysSoAndAContradictingFullVersionIsRejected() {
    env.client.resource(Manifests.fromMap(v1alpha2Cluster("nomatch", "v1.3", null))).create();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              TanzuKubernetesCluster tkc = tkc("nomatch");
              assertThat(tkc.getStatus()).isNotNull();
              assertThat(condition(tkc.getStatus().conditions, "ResourcesResolved"))
                  .hasValueSatisfying(
                      c -> {
                        assertThat(c.getStatus()).isEqualTo("False");
                        assertThat(c.getReason()).isEqualTo("NoMatchingRelease");
                        assertThat(c.getMessage()).contains("v1.3");
                      });
            });
    env.client.resources(TanzuKubernetesCluster.class).inNamespace(NS).withName("nomatch").delete();

    assertThatThrownBy(
            () ->
                env.client
                    .resource(
                        Manifests.fromMap(
                            v1alpha2Cluster("contradiction", "v1.36", "v1.37.2+vmware.3-tkg.1")))
                    .create())
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("does not match spec.distribution.version v1.36");
  }

  @Test
  @Order(4)
  void anImageTakenAwayTurnsItsReleaseNotReady() {
    try (VSphereProvider v = env.connect()) {
      v.deleteItem(v.getItem(SlipwayEnv.LIBRARY, NEWER_ITEM).id());
    }
    await()
        .atMost(INTERVAL.plusSeconds(5))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> !ready(tkr(NEWER)));

    TanzuKubernetesRelease r = tkr(NEWER);
    Condition c = condition(r.getStatus().conditions, "Ready").orElseThrow();
    assertThat(c.getStatus()).isEqualTo("False");
    assertThat(c.getReason()).isEqualTo("ImageNotFound");
    assertThat(c.getMessage()).contains(NEWER_ITEM);
    // Kept, so that an admin sees what went; the release in use is untouched.
    assertThat(ready(tkr(RELEASE))).isTrue();
  }
}
