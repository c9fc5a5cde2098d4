package dev.slipway.e2e;

import static dev.slipway.testenv.Manifests.set;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.api.vmoperator.v1alpha1.VSphereNamespace;
import dev.slipway.testenv.Manifests;
import dev.slipway.vsphere.VmState;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
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

/** How the loops behave when things go wrong: bad references, a crash, a held deletion. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ControllerBehaviourE2E {
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

  static Map<String, Object> cluster(String name, int workers) {
    return env.sampleCluster(name, workers);
  }

  static TanzuKubernetesCluster tkc(String name) {
    return env.client.resources(TanzuKubernetesCluster.class).inNamespace(NS).withName(name).get();
  }

  static Condition condition(TanzuKubernetesCluster tkc, String type) {
    return tkc.getStatus().conditions.stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + type + " condition"));
  }

  @Test
  @Order(1)
  void ungrantedVmClassIsAConditionAndNoVm() {
    env.client
        .resource(
            Manifests.fromMap(
                Map.of(
                    "apiVersion",
                    "vmoperator.slipway.dev/v1alpha1",
                    "kind",
                    "VirtualMachineClass",
                    "metadata",
                    Map.of("name", "gpu-xlarge"),
                    "spec",
                    Map.of("hardware", Map.of("cpus", 16, "memory", "64Gi")))))
        .serverSideApply();
    Map<String, Object> m = cluster("ungranted", 1);
    set(m, "spec.topology.nodePools[0].vmClass", "gpu-xlarge");
    env.client.resource(Manifests.fromMap(m)).create();

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              TanzuKubernetesCluster tkc = tkc("ungranted");
              assertThat(tkc.getStatus()).isNotNull();
              Condition resolved = condition(tkc, "ResourcesResolved");
              assertThat(resolved.getStatus()).isEqualTo("False");
              assertThat(resolved.getReason()).isEqualTo("VirtualMachineClassNotGranted");
              assertThat(resolved.getMessage()).contains("gpu-xlarge").contains("team-a");
              assertThat(condition(tkc, "Ready").getStatus()).isEqualTo("False");
              assertThat(tkc.getStatus().phase).isEqualTo("creating");
            });
    assertThat(
            env.client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> "ungranted".equals(e.getInvolvedObject().getName())))
        .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("ResolutionFailed"));
    // Nothing half-created: no machine and no VM, even after a while.
    await()
        .pollDelay(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(env.client.resources(Machine.class).inNamespace(NS).list().getItems())
                  .isEmpty();
              assertThat(env.vms(NS)).isEmpty();
            });
    env.client
        .resources(TanzuKubernetesCluster.class)
        .inNamespace(NS)
        .withName("ungranted")
        .delete();
    await().atMost(Duration.ofSeconds(30)).until(() -> tkc("ungranted") == null);
  }

  @Test
  @Order(2)
  void operatorCrashDuringCloneMakesNoDuplicateVm() {
    // Clones take 3 s, so the operator can be stopped while they are in flight.
    env.vcsim.setDelays(Map.of("CloneVm", 3_000));
    try {
      env.client.resource(Manifests.fromMap(cluster("crash", 2))).create();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  env.client.resources(Machine.class).inNamespace(NS).list().getItems().stream()
                      .anyMatch(m -> m.getStatus() != null && m.getStatus().taskRef != null));
      env.stopSlipway();
      // A crash between "clone started" and "status written" loses the task reference. A merge
      // patch removes it whatever a write the stopped operator had in flight left (a JSON patch
      // computed from an earlier copy was refused with 422 when one landed in between: CI load).
      for (Machine m : env.client.resources(Machine.class).inNamespace(NS).list().getItems()) {
        env.client
            .resources(Machine.class)
            .inNamespace(NS)
            .withName(m.getMetadata().getName())
            .subresource("status")
            .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":{\"taskRef\":null}}");
      }
      env.startSlipway();

      await()
          .atMost(Duration.ofSeconds(120))
          .untilAsserted(
              () -> {
                List<Machine> machines =
                    env.client.resources(Machine.class).inNamespace(NS).list().getItems();
                assertThat(machines).hasSize(3);
                assertThat(machines)
                    .allSatisfy(
                        m -> {
                          assertThat(m.getStatus()).isNotNull();
                          assertThat(m.getStatus().phase).isEqualTo("Provisioned");
                        });
              });
      // and it stays that way: exactly one VM per machine, each carrying its machine's UID
      await()
          .pollDelay(Duration.ofSeconds(5))
          .atMost(Duration.ofSeconds(15))
          .untilAsserted(
              () -> {
                List<VmState> vms = env.vms(NS);
                Set<String> uids =
                    env.client.resources(Machine.class).inNamespace(NS).list().getItems().stream()
                        .map(m -> m.getMetadata().getUid())
                        .collect(Collectors.toSet());
                assertThat(vms).hasSize(3);
                assertThat(vms.stream().map(VmState::instanceUuid).collect(Collectors.toSet()))
                    .isEqualTo(uids);
              });
    } finally {
      env.vcsim.setDelays(Map.of());
    }
  }

  @Test
  @Order(3)
  void aVSphereNamespaceNeverTakesOverANamespaceSlipwayDidNotMake() {
    env.client
        .namespaces()
        .resource(
            new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                .withNewMetadata()
                .withName("legacy-apps")
                .endMetadata()
                .build())
        .create();
    for (String name : List.of("kube-system", "legacy-apps")) {
      Map<String, Object> m =
          Manifests.toMap(
              Manifests.load(env.root.resolve("deploy/samples/30-vspherenamespace.yaml")).get(0));
      set(m, "metadata.name", name);
      env.client.resource(Manifests.fromMap(m)).create();
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              for (String name : List.of("kube-system", "legacy-apps")) {
                VSphereNamespace vns =
                    env.client.resources(VSphereNamespace.class).withName(name).get();
                assertThat(vns.getStatus()).as(name).isNotNull();
                Condition ready =
                    vns.getStatus().conditions.stream()
                        .filter(c -> c.getType().equals("Ready"))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError(name + ": no Ready condition yet"));
                assertThat(ready.getStatus() + ":" + ready.getReason())
                    .isEqualTo("False:NamespaceNotOurs");
              }
            });
    // nothing was written into them, nothing made in vCenter for them
    for (String name : List.of("kube-system", "legacy-apps")) {
      assertThat(env.client.rbac().roleBindings().inNamespace(name).list().getItems())
          .noneMatch(rb -> rb.getMetadata().getName().startsWith("slipway-"));
      assertThat(env.client.resourceQuotas().inNamespace(name).list().getItems()).isEmpty();
      try (var v = env.connect()) {
        assertThat(v.findFolder(env.placement.parentFolder() + "/" + name)).isEmpty();
      }
    }
    assertThat(
            condition(env.client.resources(VSphereNamespace.class).withName("legacy-apps").get())
                .getMessage())
        .contains("already exists and was not made by Slipway");

    // deleting the VSphereNamespaces leaves both namespaces where they were
    for (String name : List.of("kube-system", "legacy-apps")) {
      env.client.resources(VSphereNamespace.class).withName(name).delete();
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(env.client.resources(VSphereNamespace.class).list().getItems())
                    .extracting(v -> v.getMetadata().getName())
                    .doesNotContain("kube-system", "legacy-apps"));
    assertThat(env.client.namespaces().withName("legacy-apps").get().getStatus().getPhase())
        .isEqualTo("Active");
    assertThat(env.client.namespaces().withName("kube-system").get().getStatus().getPhase())
        .isEqualTo("Active");
  }

  static Condition condition(VSphereNamespace vns) {
    return vns.getStatus().conditions.stream()
        .filter(c -> c.getType().equals("NamespaceReady"))
        .findFirst()
        .orElseThrow();
  }

  @Test
  @Order(4)
  void namespaceDeletionWaitsForItsClustersThenRemovesEverything() {
    env.client.resources(VSphereNamespace.class).withName(NS).delete();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              VSphereNamespace vns =
                  env.client.resources(VSphereNamespace.class).withName(NS).get();
              Condition blocked =
                  vns.getStatus().conditions.stream()
                      .filter(c -> c.getType().equals("DeletionBlocked"))
                      .findFirst()
                      .orElseThrow(() -> new AssertionError("not blocked yet"));
              assertThat(blocked.getStatus()).isEqualTo("True");
              assertThat(blocked.getMessage()).contains("crash");
            });
    assertThat(env.vms(NS)).hasSize(3);

    env.client.resources(TanzuKubernetesCluster.class).inNamespace(NS).withName("crash").delete();
    await()
        .atMost(Duration.ofSeconds(120))
        .untilAsserted(
            () -> {
              assertThat(env.client.resources(VSphereNamespace.class).withName(NS).get()).isNull();
              try (var v = env.connect()) {
                assertThat(v.findFolder(env.placement.parentFolder() + "/" + NS)).isEmpty();
                assertThat(v.findResourcePool(env.placement.parentResourcePool() + "/" + NS))
                    .isEmpty();
              }
            });
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(() -> assertThat(env.client.namespaces().withName(NS).get()).isNull());
  }
}
