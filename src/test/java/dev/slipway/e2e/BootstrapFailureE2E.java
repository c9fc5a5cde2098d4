package dev.slipway.e2e;

import static dev.slipway.testenv.Manifests.set;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.guest.GuestSimulator;
import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.controller.KubeadmBootstrap;
import dev.slipway.testenv.Manifests;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Broken bootstrap data must not hang silently: a revoked bootstrap token and a corrupted cluster
 * CA each show up as a Machine condition a person can read, and the guest fails visibly.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BootstrapFailureE2E {
  static final String NS = "team-a";
  static SlipwayEnv env;
  static GuestSimulator guests;

  @BeforeAll
  static void start() {
    env = SlipwayEnv.start(e -> null, e -> null);
    guests = new GuestSimulator(env::connect, List.of(env.placement.parentFolder() + "/" + NS));
    env.applyNamespaceSamples();
    apply(0, 0);
    await()
        .atMost(Duration.ofMinutes(3))
        .failFast("a guest failed to boot", () -> guests.anyFailure().isPresent())
        .untilAsserted(
            () -> {
              assertThat(tkc().getStatus()).isNotNull();
              assertThat(tkc().getStatus().phase).isEqualTo("running");
            });
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

  static void apply(int general, int batch) {
    Map<String, Object> m =
        Manifests.toMap(Manifests.load(env.root.resolve("deploy/samples/40-tkc.yaml")).get(0));
    set(m, "spec.topology.nodePools[0].replicas", general);
    set(m, "spec.topology.nodePools[1].replicas", batch);
    env.client.resource(Manifests.fromMap(m)).forceConflicts().serverSideApply();
  }

  static TanzuKubernetesCluster tkc() {
    return env.client
        .resources(TanzuKubernetesCluster.class)
        .inNamespace(NS)
        .withName("demo")
        .get();
  }

  static Machine poolMachine(String pool) {
    return env.client.resources(Machine.class).inNamespace(NS).list().getItems().stream()
        .filter(m -> pool.equals(m.getSpec().pool))
        .findFirst()
        .orElse(null);
  }

  static Condition condition(Machine m, String type) {
    assertThat(m).isNotNull();
    assertThat(m.getStatus()).isNotNull();
    return m.getStatus().conditions.stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElseThrow(() -> new AssertionError(type + " not in " + m.getStatus().conditions));
  }

  static String decode(String b64) {
    return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
  }

  @Test
  @Order(0)
  void aMachineDeletedBeforeItsNodeJoinedTakesItsBootstrapTokenWithIt() throws Exception {
    // The VM powers on late, so the machine goes while its token still waits for its Node (a
    // batch VM has no volume disk: its clone powers it on).
    env.vcsim.setDelays(Map.of("CloneVm", 10_000, "PowerOn", 10_000, "LockHandoff", 0));
    String kubeconfig =
        decode(
            env.client
                .secrets()
                .inNamespace(NS)
                .withName("demo-kubeconfig")
                .get()
                .getData()
                .get("value"));
    try (KubernetesClient workload =
        new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig)).build()) {
      apply(0, 1);
      Secret bootstrap =
          await()
              .atMost(Duration.ofSeconds(60))
              .until(
                  () -> {
                    Machine m = poolMachine("batch");
                    return m == null
                        ? null
                        : env.client
                            .secrets()
                            .inNamespace(NS)
                            .withName(m.getSpec().bootstrap.dataSecretName)
                            .get();
                  },
                  s -> s != null);
      String token =
          "bootstrap-token-"
              + bootstrap.getMetadata().getAnnotations().get(KubeadmBootstrap.TOKEN_ANNOTATION);
      assertThat(workload.secrets().inNamespace("kube-system").withName(token).get()).isNotNull();
      assertThat(
              poolMachine("batch").getStatus() == null
                  || poolMachine("batch").getStatus().nodeRef == null)
          .as("deleted before its Node joined")
          .isTrue();

      apply(0, 0);

      await()
          .atMost(Duration.ofSeconds(90))
          .untilAsserted(
              () -> {
                assertThat(poolMachine("batch")).isNull();
                assertThat(workload.secrets().inNamespace("kube-system").withName(token).get())
                    .as("the deleted machine's bootstrap token")
                    .isNull();
              });
    } finally {
      env.vcsim.setDelays(Map.of());
    }
  }

  @Test
  @Order(1)
  void revokedBootstrapTokenIsAReadableMachineCondition() throws Exception {
    // The VM powers on only after the token is revoked.
    env.vcsim.setDelays(Map.of("PowerOn", 10_000, "LockHandoff", 0));
    try {
      apply(1, 0);
      Secret bootstrap =
          await()
              .atMost(Duration.ofSeconds(60))
              .until(
                  () -> {
                    Machine m = poolMachine("general");
                    return m == null
                        ? null
                        : env.client
                            .secrets()
                            .inNamespace(NS)
                            .withName(m.getSpec().bootstrap.dataSecretName)
                            .get();
                  },
                  s -> s != null);
      String tokenId =
          bootstrap.getMetadata().getAnnotations().get(KubeadmBootstrap.TOKEN_ANNOTATION);
      String kubeconfig =
          decode(
              env.client
                  .secrets()
                  .inNamespace(NS)
                  .withName("demo-kubeconfig")
                  .get()
                  .getData()
                  .get("value"));
      try (KubernetesClient workload =
          new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig)).build()) {
        assertThat(
                workload
                    .secrets()
                    .inNamespace("kube-system")
                    .withName("bootstrap-token-" + tokenId)
                    .delete())
            .isNotEmpty();
      }
    } finally {
      env.vcsim.setDelays(Map.of());
    }
    await()
        .atMost(Duration.ofSeconds(90))
        .untilAsserted(
            () -> {
              Condition health = condition(poolMachine("general"), "NodeHealthy");
              assertThat(health.getStatus()).isEqualTo("False");
              assertThat(health.getReason()).isEqualTo("BootstrapTokenRevoked");
              assertThat(health.getMessage()).contains("was deleted from the workload cluster");
            });
    String vm = poolMachine("general").getMetadata().getName();
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                assertThat(guests.failure(vm))
                    .hasValueSatisfying(f -> assertThat(f).contains("rejected")));
    assertThat(poolMachine("general").getStatus().phase).isNotEqualTo("Running");
  }

  @Test
  @Order(2)
  void corruptedClusterCaIsAReadableMachineCondition() {
    env.client
        .secrets()
        .inNamespace(NS)
        .withName("demo-ca")
        .edit(
            s -> {
              s.getData()
                  .put(
                      "tls.crt",
                      Base64.getEncoder()
                          .encodeToString("not a certificate".getBytes(StandardCharsets.UTF_8)));
              return s;
            });
    apply(1, 1);
    await()
        .atMost(Duration.ofSeconds(90))
        .untilAsserted(
            () -> {
              Machine batch = poolMachine("batch");
              assertThat(tkc().getStatus().conditions)
                  .as(
                      "cluster conditions; machine: %s",
                      batch == null || batch.getStatus() == null
                          ? null
                          : batch.getStatus().conditions)
                  .anySatisfy(
                      c -> assertThat(c.getReason()).isEqualTo("InvalidClusterCertificates"));
              Condition bootstrap = condition(batch, "BootstrapReady");
              assertThat(bootstrap.getStatus()).isEqualTo("False");
              assertThat(bootstrap.getReason()).isEqualTo("InvalidClusterCertificates");
              assertThat(bootstrap.getMessage()).contains("Secret demo-ca");
              Condition cluster =
                  tkc().getStatus().conditions.stream()
                      .filter(c -> c.getType().equals("Ready"))
                      .findFirst()
                      .orElseThrow();
              assertThat(cluster.getStatus()).isEqualTo("False");
              assertThat(cluster.getReason()).isEqualTo("InvalidClusterCertificates");
            });
    // no VM is made from bootstrap data that cannot be right
    assertThat(env.vms(NS).stream().map(v -> v.name()))
        .doesNotContain(poolMachine("batch").getMetadata().getName());
  }
}
