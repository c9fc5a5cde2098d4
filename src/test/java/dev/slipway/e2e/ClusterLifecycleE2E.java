package dev.slipway.e2e;

import static dev.slipway.testenv.Manifests.set;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.api.vmoperator.v1alpha1.VSphereNamespace;
import dev.slipway.testenv.Manifests;
import dev.slipway.vsphere.PowerState;
import dev.slipway.vsphere.VmState;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Create, scale and delete a cluster end to end: the samples applied to a real API server, the VMs
 * checked in vcsim (not in status).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterLifecycleE2E {
  static final String NS = "team-a";
  static SlipwayEnv env;

  @BeforeAll
  static void start() {
    env =
        SlipwayEnv.start(
            e -> VmOnlyDoubles.hostnameOnlyBootstrap(),
            e -> VmOnlyDoubles.poweredOnIsReady(),
            SlipwayEnv::withoutAddons);
    env.applyNamespaceSamples();
  }

  @AfterAll
  static void stop() {
    if (env != null) {
      env.close();
    }
  }

  static Map<String, Object> cluster(int controlPlane, Object... pools) {
    Map<String, Object> m =
        Manifests.toMap(Manifests.load(env.root.resolve("deploy/samples/40-tkc.yaml")).get(0));
    set(m, "metadata.name", "lifecycle");
    set(m, "spec.topology.controlPlane.replicas", controlPlane);
    List<Object> template = (List<Object>) Manifests.get(m, "spec.topology.nodePools");
    @SuppressWarnings("unchecked")
    Map<String, Object> first = (Map<String, Object>) template.get(0);
    List<Object> out = new java.util.ArrayList<>();
    for (int i = 0; i < pools.length; i += 2) {
      Map<String, Object> p = new java.util.LinkedHashMap<>(first);
      p.put("name", pools[i]);
      p.put("replicas", pools[i + 1]);
      out.add(p);
    }
    set(m, "spec.topology.nodePools", out);
    return m;
  }

  static void apply(Map<String, Object> tkc) {
    GenericKubernetesResource r = Manifests.fromMap(tkc);
    env.client.resource(r).forceConflicts().serverSideApply();
  }

  static List<Machine> machines() {
    return env.client.resources(Machine.class).inNamespace(NS).list().getItems();
  }

  /** Waits until vCenter holds exactly the expected VMs per group, named after their machines. */
  static List<VmState> awaitVms(int controlPlane, Map<String, Integer> pools) {
    int total = controlPlane + pools.values().stream().mapToInt(Integer::intValue).sum();
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              List<VmState> vms = env.vms(NS);
              assertThat(vms).hasSize(total);
              assertThat(count(vms, "lifecycle-control-plane-")).isEqualTo(controlPlane);
              pools.forEach(
                  (pool, n) ->
                      assertThat(count(vms, "lifecycle-" + pool + "-"))
                          .as(pool)
                          .isEqualTo((long) n));
              assertThat(vms).allMatch(v -> v.powerState() == PowerState.ON);
              Set<String> machineNames =
                  machines().stream()
                      .filter(m -> m.getMetadata().getDeletionTimestamp() == null)
                      .map(m -> m.getMetadata().getName())
                      .collect(Collectors.toSet());
              assertThat(vms.stream().map(VmState::name).collect(Collectors.toSet()))
                  .isEqualTo(machineNames);
            });
    return env.vms(NS);
  }

  static long count(List<VmState> vms, String prefix) {
    return vms.stream().filter(v -> v.name().matches(prefix + "[a-z0-9]{5}")).count();
  }

  @Test
  @Order(1)
  void createsVmsInTheNamespaceFolderAndPoolWithTheClassSize() {
    apply(cluster(3, "alpha", 2, "beta", 1));
    List<VmState> vms = awaitVms(3, Map.of("alpha", 2, "beta", 1));
    String pool =
        env.vsphere()
            .findResourcePool(env.placement.parentResourcePool() + "/" + NS)
            .orElseThrow()
            .moref();
    for (VmState vm : vms) {
      Machine m = env.client.resources(Machine.class).inNamespace(NS).withName(vm.name()).get();
      assertThat(vm.instanceUuid()).isEqualTo(m.getMetadata().getUid());
      assertThat(vm.resourcePool().moref()).isEqualTo(pool);
      boolean cp = vm.name().contains("-control-plane-");
      // guaranteed-medium: 2 vCPUs 8Gi; best-effort-small: 2 vCPUs 4Gi (deploy/samples)
      assertThat(vm.cpus()).isEqualTo(2);
      assertThat(vm.memoryMiB()).isEqualTo(cp ? 8192 : 4096);
      assertThat(vm.extraConfig())
          .containsEntry("guestinfo.userdata.encoding", "base64")
          .containsKey("guestinfo.userdata")
          .containsKey("guestinfo.metadata");
      assertThat(vm.annotation())
          .contains("Managed by Slipway")
          .contains("cluster team-a/lifecycle");
      assertThat(vm.customAttributes())
          .containsEntry("slipway.dev/cluster", "lifecycle")
          .containsEntry("slipway.dev/namespace", NS)
          .containsEntry("slipway.dev/machine", vm.name());
      assertThat(m.getSpec().providerID).isEqualTo("vsphere://" + vm.biosUuid());
    }
    // pool "alpha" copies the sample's first pool, which has a 50Gi containerd volume
    assertThat(vms.stream().filter(v -> v.name().contains("-alpha-")))
        .allSatisfy(v -> assertThat(v.diskCapacitiesMiB()).contains(50L * 1024));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              TanzuKubernetesCluster tkc = tkc();
              assertThat(tkc.getStatus().phase).isEqualTo("running");
              assertThat(tkc.getStatus().totalWorkerReplicas).isEqualTo(3);
              assertThat(tkc.getStatus().conditions)
                  .anySatisfy(c -> assertThat(c.getType() + c.getStatus()).isEqualTo("ReadyTrue"));
            });
  }

  static TanzuKubernetesCluster tkc() {
    return env.client
        .resources(TanzuKubernetesCluster.class)
        .inNamespace(NS)
        .withName("lifecycle")
        .get();
  }

  @Test
  @Order(2)
  void scalesAPoolOutAndIn() {
    apply(cluster(3, "alpha", 4, "beta", 1));
    List<VmState> four = awaitVms(3, Map.of("alpha", 4, "beta", 1));
    List<String> alphaByAge =
        machines().stream()
            .filter(m -> "alpha".equals(m.getSpec().pool))
            .sorted(java.util.Comparator.comparing(m -> m.getMetadata().getCreationTimestamp()))
            .map(m -> m.getMetadata().getName())
            .toList();
    assertThat(alphaByAge).hasSize(4);
    assertThat(four).isNotEmpty();
    awaitUsage(1, 8);

    apply(cluster(3, "alpha", 1, "beta", 1));
    List<VmState> one = awaitVms(3, Map.of("alpha", 1, "beta", 1));
    // scale-in removes the newest machines first, so the oldest survives
    assertThat(one.stream().map(VmState::name)).contains(alphaByAge.get(0));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(tkc().getStatus().totalWorkerReplicas).isEqualTo(2));
    awaitUsage(1, 5);
  }

  /** The namespace's status counts its clusters and machines (from the caches' namespace index). */
  static void awaitUsage(int clusters, int machines) {
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              VSphereNamespace.Usage usage =
                  env.client.resources(VSphereNamespace.class).withName(NS).get().getStatus().usage;
              assertThat(usage.tanzuKubernetesClusters).isEqualTo(clusters);
              assertThat(usage.machines).isEqualTo(machines);
            });
  }

  @Test
  @Order(3)
  void addsAndRemovesPools() {
    apply(cluster(3, "alpha", 1, "gamma", 2));
    awaitVms(3, Map.of("alpha", 1, "gamma", 2));
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> assertThat(machines()).noneMatch(m -> "beta".equals(m.getSpec().pool)));
  }

  @Test
  @Order(4)
  void deletingTheClusterLeavesNothingInVCenter() {
    Set<String> secrets =
        machines().stream()
            .map(m -> m.getSpec().bootstrap.dataSecretName)
            .collect(Collectors.toSet());
    assertThat(secrets).isNotEmpty();
    env.client
        .resources(TanzuKubernetesCluster.class)
        .inNamespace(NS)
        .withName("lifecycle")
        .delete();
    await()
        .atMost(Duration.ofSeconds(120))
        .untilAsserted(
            () -> {
              assertThat(env.vms(NS)).isEmpty();
              assertThat(machines()).isEmpty();
              assertThat(tkc()).isNull();
              assertThat(env.client.secrets().inNamespace(NS).list().getItems())
                  .noneMatch(s -> secrets.contains(s.getMetadata().getName()));
            });
  }
}
