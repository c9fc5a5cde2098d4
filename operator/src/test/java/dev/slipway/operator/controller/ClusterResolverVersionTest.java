package dev.slipway.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.operator.api.run.v1alpha3.ControlPlane;
import dev.slipway.operator.api.run.v1alpha3.NodePool;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesClusterSpec;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesClusterStatus;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesRelease;
import dev.slipway.operator.api.run.v1alpha3.TkrReference;
import dev.slipway.operator.api.run.v1alpha3.Topology;
import dev.slipway.operator.controller.ClusterResolver.Unresolved;
import dev.slipway.operator.status.Reasons;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClusterResolverVersionTest {

  @Test
  void aClusterThatNeverRanMayStartAtAnyVersion() {
    assertThat(check(null, "v1.38.0")).isEmpty();
  }

  @Test
  void samePatchOrNextMinorIsAllowed() {
    assertThat(check("v1.36.2+vmware.1", "v1.36.2")).isEmpty();
    assertThat(check("v1.36.2+vmware.1", "v1.36.5")).isEmpty();
    assertThat(check("v1.36.2+vmware.1", "v1.37.0")).isEmpty();
  }

  @Test
  void downgradeIsRefusedNamingBothVersions() {
    assertThat(check("v1.37.2+vmware.1", "v1.36.9"))
        .hasValue(
            new Unresolved(
                Reasons.VERSION_DOWNGRADE,
                "TanzuKubernetesRelease v1.36.9---vmware.1-tkg.1 has Kubernetes v1.36.9+vmware.1,"
                    + " older than the v1.37.2+vmware.1 the cluster runs: downgrades are not"
                    + " supported"));
  }

  @Test
  void skippingAMinorVersionIsRefusedNamingBothVersions() {
    assertThat(check("v1.36.2+vmware.1", "v1.38.0"))
        .hasValue(
            new Unresolved(
                Reasons.VERSION_SKIP,
                "TanzuKubernetesRelease v1.38.0---vmware.1-tkg.1 has Kubernetes v1.38.0+vmware.1"
                    + " but the cluster runs v1.36.2+vmware.1: upgrade one minor version at a time"
                    + " (v1.36 -> v1.37 first)"));
  }

  @Test
  void anotherMajorVersionIsRefused() {
    assertThat(check("v1.36.2+vmware.1", "v2.0.0").map(Unresolved::reason))
        .hasValue(Reasons.VERSION_SKIP);
  }

  @Test
  void aPoolNewerThanTheControlPlaneIsRefused() {
    TanzuKubernetesCluster tkc = cluster(null, "v1.37.2");
    tkc.getSpec().topology.nodePools.get(0).tkr = ref(name("v1.38.0"));
    Map<String, TanzuKubernetesRelease> releases = releases("v1.37.2", "v1.38.0");

    assertThat(ClusterResolver.versionRules(tkc, releases))
        .hasValue(
            new Unresolved(
                Reasons.WORKER_VERSION_NEWER,
                "pool workers uses TanzuKubernetesRelease v1.38.0---vmware.1-tkg.1 with Kubernetes"
                    + " v1.38.0+vmware.1, newer than the control plane's v1.37.2+vmware.1: workers"
                    + " may not run a newer Kubernetes than the control plane"));
  }

  @Test
  void aPoolOlderThanTheControlPlaneIsAllowed() {
    TanzuKubernetesCluster tkc = cluster(null, "v1.37.2");
    tkc.getSpec().topology.nodePools.get(0).tkr = ref(name("v1.36.1"));

    assertThat(ClusterResolver.versionRules(tkc, releases("v1.37.2", "v1.36.1"))).isEmpty();
  }

  private static Optional<Unresolved> check(String running, String wanted) {
    return ClusterResolver.versionRules(cluster(running, wanted), releases(wanted));
  }

  private static TanzuKubernetesCluster cluster(String running, String controlPlane) {
    TanzuKubernetesCluster tkc = new TanzuKubernetesCluster();
    tkc.setMetadata(new ObjectMetaBuilder().withName("demo").withNamespace("team-a").build());
    tkc.setSpec(new TanzuKubernetesClusterSpec());
    tkc.getSpec().topology = new Topology();
    tkc.getSpec().topology.controlPlane = new ControlPlane();
    tkc.getSpec().topology.controlPlane.tkr = ref(name(controlPlane));
    NodePool pool = new NodePool();
    pool.name = "workers";
    tkc.getSpec().topology.nodePools = new ArrayList<>(List.of(pool));
    tkc.setStatus(new TanzuKubernetesClusterStatus());
    tkc.getStatus().version = running;
    return tkc;
  }

  private static String name(String version) {
    return version + "---vmware.1-tkg.1";
  }

  private static TkrReference ref(String name) {
    TkrReference r = new TkrReference();
    r.reference = new TkrReference.Reference();
    r.reference.name = name;
    return r;
  }

  private static Map<String, TanzuKubernetesRelease> releases(String... versions) {
    Map<String, TanzuKubernetesRelease> out = new LinkedHashMap<>();
    for (String v : versions) {
      TanzuKubernetesRelease tkr = new TanzuKubernetesRelease();
      tkr.setMetadata(new ObjectMetaBuilder().withName(name(v)).build());
      tkr.setSpec(new TanzuKubernetesRelease.Spec());
      tkr.getSpec().version = v + "+vmware.1-tkg.1";
      tkr.getSpec().kubernetes = new TanzuKubernetesRelease.Kubernetes();
      tkr.getSpec().kubernetes.version = v + "+vmware.1";
      out.put(name(v), tkr);
    }
    return out;
  }
}
