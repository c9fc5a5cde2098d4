package dev.slipway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.guest.GuestSimulator;
import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.testenv.Manifests;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Addons: a new cluster gets its own CNI (calico here, antrea is the default), the vSphere CPI and
 * CSI stand-ins and its StorageClasses in the workload cluster; its nodes report NotReady
 * (NetworkPluginNotReady) until the CNI's DaemonSet is there and Ready only after; an object
 * deleted or changed by hand comes back; a manifest that does not parse is a condition, and fixing
 * it brings AddonsReady back.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AddonsE2E {
  static final String NS = "team-a";
  static final String NAME = "addons";

  /** addons.resyncSeconds, short here: the default (10 min) would make the drift test slow. */
  static final Duration RESYNC = Duration.ofSeconds(20);

  static SlipwayEnv env;
  static GuestSimulator guests;

  /** Every node seen NotReady because of its network, with when (the test's clock). */
  static final Map<String, Instant> seenNetworkNotReady = new ConcurrentHashMap<>();

  @BeforeAll
  static void start() {
    env = SlipwayEnv.start(e -> null, e -> null, w -> w.withAddons(w.addons().resyncEvery(RESYNC)));
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

  static TanzuKubernetesCluster cluster() {
    return env.client.resources(TanzuKubernetesCluster.class).inNamespace(NS).withName(NAME).get();
  }

  static Optional<Condition> condition(String type) {
    TanzuKubernetesCluster c = cluster();
    return c == null || c.getStatus() == null
        ? Optional.empty()
        : c.getStatus().conditions.stream().filter(x -> x.getType().equals(type)).findFirst();
  }

  static Optional<KubernetesClient> workload() {
    var s = env.client.secrets().inNamespace(NS).withName(NAME + "-kubeconfig").get();
    if (s == null) {
      return Optional.empty();
    }
    Config c =
        Config.fromKubeconfig(
            new String(
                Base64.getDecoder().decode(s.getData().get("value")), StandardCharsets.UTF_8));
    c.setRequestTimeout(5_000);
    c.setConnectionTimeout(2_000);
    c.setRequestRetryBackoffLimit(0);
    return Optional.of(new KubernetesClientBuilder().withConfig(c).build());
  }

  static Optional<NodeCondition> ready(Node n) {
    return n.getStatus() == null || n.getStatus().getConditions() == null
        ? Optional.empty()
        : n.getStatus().getConditions().stream()
            .filter(c -> c.getType().equals("Ready"))
            .findFirst();
  }

  /** Watches the workload cluster's nodes while the cluster comes up (a poll, 250 ms). */
  static Thread observeNodes() {
    Thread t =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                try (var w = workload().orElse(null)) {
                  if (w != null) {
                    for (Node n : w.nodes().list().getItems()) {
                      ready(n)
                          .filter(c -> c.getStatus().equals("False"))
                          .filter(c -> c.getMessage().contains("NetworkPluginNotReady"))
                          .ifPresent(
                              c ->
                                  seenNetworkNotReady.putIfAbsent(
                                      n.getMetadata().getName(), Instant.now()));
                    }
                  }
                } catch (RuntimeException e) {
                  // the workload API is not up yet
                }
                try {
                  Thread.sleep(250);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "addons-e2e-nodes");
    t.setDaemon(true);
    t.start();
    return t;
  }

  @Test
  @Order(1)
  void aNewClusterGetsItsCniAndStorageClassesAndNodesAreReadyOnlyAfterTheCni() {
    Map<String, Object> m = env.sampleCluster(NAME, 1);
    Manifests.set(m, "spec.settings.network.cni.name", "calico");
    Manifests.set(m, "spec.settings.network.pods.cidrBlocks", List.of("172.20.0.0/16"));
    Thread observer = observeNodes();
    try {
      env.apply(Manifests.fromMap(m));
      await()
          .atMost(Duration.ofMinutes(5))
          .pollInterval(Duration.ofSeconds(1))
          .failFast("a guest failed to boot", () -> guests.anyFailure().isPresent())
          .untilAsserted(
              () -> {
                assertThat(condition("Ready")).map(Condition::getStatus).contains("True");
              });
    } finally {
      observer.interrupt();
    }
    Condition addons = condition("AddonsReady").orElseThrow();
    assertThat(addons.getStatus()).isEqualTo("True");
    assertThat(addons.getReason()).isEqualTo("AddonsApplied");
    assertThat(addons.getMessage())
        .isEqualTo(
            "calico (ConfigMap calico-stand-in), vsphere-cpi (ConfigMap vsphere-cpi-stand-in),"
                + " vsphere-csi (ConfigMap vsphere-csi-stand-in); storage classes: gold (default)");

    try (KubernetesClient w = workload().orElseThrow()) {
      // the cluster's CNI, rendered with its pod network; not the other CNI
      DaemonSet calico =
          w.apps().daemonSets().inNamespace("kube-system").withName("calico-node").get();
      assertThat(calico).isNotNull();
      assertThat(w.apps().daemonSets().inNamespace("kube-system").withName("antrea-agent").get())
          .isNull();
      assertThat(
              w.configMaps().inNamespace("kube-system").withName("calico-config").get().getData())
          .containsEntry("ipv4pool_cidr", "172.20.0.0/16");
      assertThat(calico.getMetadata().getManagedFields())
          .anySatisfy(f -> assertThat(f.getManager()).isEqualTo("slipway"));
      // the cloud provider and CSI stand-ins
      assertThat(w.configMaps().inNamespace("kube-system").withName("vsphere-cloud-config").get())
          .isNotNull();
      assertThat(w.storage().v1().csiDrivers().withName("csi.vsphere.vmware.com").get())
          .isNotNull();
      // settings.storage: classes [gold], defaultClass gold
      StorageClass gold = w.storage().v1().storageClasses().withName("gold").get();
      assertThat(gold.getProvisioner()).isEqualTo("csi.vsphere.vmware.com");
      assertThat(gold.getParameters()).containsEntry("svStorageClass", "gold");
      assertThat(gold.getMetadata().getAnnotations())
          .containsEntry("storageclass.kubernetes.io/is-default-class", "true");

      // Every node became Ready only after the CNI's DaemonSet existed, and was seen NotReady for
      // want of a network before.
      Instant cniCreated = Instant.parse(calico.getMetadata().getCreationTimestamp());
      List<Node> nodes = w.nodes().list().getItems();
      assertThat(nodes).hasSize(2);
      for (Node n : nodes) {
        NodeCondition r = ready(n).orElseThrow();
        assertThat(r.getStatus()).as(n.getMetadata().getName()).isEqualTo("True");
        assertThat(Instant.parse(r.getLastTransitionTime()))
            .as("%s Ready since", n.getMetadata().getName())
            .isAfterOrEqualTo(cniCreated);
      }
      assertThat(seenNetworkNotReady.keySet())
          .as("nodes seen NotReady with NetworkPluginNotReady")
          .isNotEmpty()
          .isSubsetOf(nodes.stream().map(n -> n.getMetadata().getName()).toList());
      // and the machines' Ready with them
      for (Machine mc : env.client.resources(Machine.class).inNamespace(NS).list().getItems()) {
        Condition r =
            mc.getStatus().conditions.stream()
                .filter(c -> c.getType().equals("Ready"))
                .findFirst()
                .orElseThrow();
        assertThat(Instant.parse(r.getLastTransitionTime()))
            .as("machine %s Ready since", mc.getMetadata().getName())
            .isAfterOrEqualTo(cniCreated);
      }

      // Deleted by hand: it comes back (a new object) within a resync. Changed by hand: changed
      // back.
      String uid = calico.getMetadata().getUid();
      w.apps().daemonSets().inNamespace("kube-system").withName("calico-node").delete();
      w.configMaps()
          .inNamespace("kube-system")
          .withName("calico-config")
          .edit(
              c -> {
                c.getData().put("ipv4pool_cidr", "10.0.0.0/8");
                return c;
              });
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofSeconds(1))
          .untilAsserted(
              () -> {
                DaemonSet again =
                    w.apps().daemonSets().inNamespace("kube-system").withName("calico-node").get();
                assertThat(again).isNotNull();
                assertThat(again.getMetadata().getUid()).isNotEqualTo(uid);
                ConfigMap cfg =
                    w.configMaps().inNamespace("kube-system").withName("calico-config").get();
                assertThat(cfg.getData()).containsEntry("ipv4pool_cidr", "172.20.0.0/16");
              });
    }
    assertThat(condition("Ready")).map(Condition::getStatus).contains("True");
  }

  @Test
  @Order(2)
  void aManifestThatDoesNotParseIsAConditionAndFixingItHeals() {
    await()
        .atMost(Duration.ofMinutes(5))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> condition("AddonsReady").map(c -> c.getStatus().equals("True")).orElse(false));
    var cms = env.client.configMaps().inNamespace(SlipwayEnv.SYSTEM_NAMESPACE);
    String original = cms.withName("vsphere-csi-stand-in").get().getData().get("vsphere-csi.yaml");
    cms.withName("vsphere-csi-stand-in")
        .edit(
            c -> {
              c.getData().put("vsphere-csi.yaml", original + "---\nkind: [unclosed\n");
              return c;
            });
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              Condition c = condition("AddonsReady").orElseThrow();
              assertThat(c.getStatus()).isEqualTo("False");
              assertThat(c.getReason()).isEqualTo("InvalidAddonManifest");
              assertThat(c.getMessage())
                  .startsWith(
                      "ConfigMap vsphere-csi-stand-in key vsphere-csi.yaml document 4 is not"
                          + " valid YAML");
              Condition ready = condition("Ready").orElseThrow();
              assertThat(ready.getReason()).isEqualTo("InvalidAddonManifest");
            });
    cms.withName("vsphere-csi-stand-in")
        .edit(
            c -> {
              c.getData().put("vsphere-csi.yaml", original);
              return c;
            });
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                condition("AddonsReady").map(c -> c.getStatus().equals("True")).orElse(false)
                    && condition("Ready").map(c -> c.getStatus().equals("True")).orElse(false));
  }
}
