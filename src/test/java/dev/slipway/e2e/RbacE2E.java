package dev.slipway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.slipway.guest.GuestSimulator;
import dev.slipway.operator.Slipway;
import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.vsphere.VSphereProvider;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator runs with the deploy/ ServiceAccount's token, not cluster-admin: `kubectl apply -k
 * deploy/` installs the RBAC, and a whole cluster is built and deleted with only that. (What the
 * ServiceAccount must not be able to do is checked by DeployManifestsIT.)
 */
class RbacE2E {
  static SlipwayEnv env;
  static GuestSimulator guests;
  static KubernetesClient operatorClient;
  static VSphereProvider vcenter;
  static Slipway slipway;

  @BeforeAll
  static void start() throws Exception {
    env = SlipwayEnv.start(e -> null, e -> null);
    env.stopSlipway();
    Process p =
        new ProcessBuilder(
                env.controlPlane.testBed().bin("kubectl").toString(),
                "--kubeconfig",
                env.controlPlane.kubeconfigFile().toString(),
                "apply",
                "--server-side",
                "--force-conflicts",
                "-k",
                env.root.resolve("deploy").toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();

    String token =
        env.client
            .serviceAccounts()
            .inNamespace("slipway-system")
            .withName("slipway-operator")
            .tokenRequest(
                new TokenRequestBuilder()
                    .withNewSpec()
                    .withExpirationSeconds(3600L)
                    .endSpec()
                    .build())
            .getStatus()
            .getToken();
    Config admin = env.controlPlane.config();
    operatorClient =
        new KubernetesClientBuilder()
            .withConfig(
                // the admin's server and trust, the ServiceAccount's token instead of its cert
                new ConfigBuilder(admin)
                    .withClientCertData(null)
                    .withClientKeyData(null)
                    .withClientCertFile(null)
                    .withClientKeyFile(null)
                    .withOauthToken(token)
                    .build())
            .build();
    assertThat(
            operatorClient
                .resource(
                    new io.fabric8.kubernetes.api.model.authentication.SelfSubjectReviewBuilder()
                        .build())
                .create()
                .getStatus()
                .getUserInfo()
                .getUsername())
        .isEqualTo("system:serviceaccount:slipway-system:slipway-operator");
    vcenter = env.connect();
    slipway =
        env.startReplica(
            operatorClient,
            vcenter,
            new Slipway.LeaderElection("slipway-operator", "slipway-system", "rbac-e2e", false));
    guests = new GuestSimulator(env::connect, List.of(env.placement.parentFolder() + "/team-a"));
  }

  @AfterAll
  static void stop() {
    if (guests != null) {
      guests.close();
    }
    if (slipway != null) {
      slipway.close();
    }
    if (vcenter != null) {
      vcenter.close();
    }
    if (operatorClient != null) {
      operatorClient.close();
    }
    if (env != null) {
      env.close();
    }
  }

  @Test
  void buildsAndDeletesAClusterWithTheDeployedServiceAccount() {
    env.applyNamespaceSamples();
    env.applySample("40-tkc.yaml");
    await()
        .atMost(Duration.ofMinutes(5))
        .pollInterval(Duration.ofSeconds(2))
        .failFast("a guest failed to boot", () -> guests.anyFailure().isPresent())
        .untilAsserted(
            () -> {
              TanzuKubernetesCluster tkc =
                  env.client
                      .resources(TanzuKubernetesCluster.class)
                      .inNamespace("team-a")
                      .withName("demo")
                      .get();
              assertThat(tkc.getStatus()).isNotNull();
              assertThat(tkc.getStatus().phase).isEqualTo("running");
            });
    // role bindings for the namespace's permissions were made with the operator's bind right
    assertThat(env.client.rbac().roleBindings().inNamespace("team-a").list().getItems())
        .extracting(rb -> rb.getRoleRef().getName())
        .contains("slipway-namespace-owner", "slipway-namespace-edit", "slipway-namespace-view");
    assertThat(
            env.client
                .leases()
                .inNamespace("slipway-system")
                .withName("slipway-operator")
                .get()
                .getSpec()
                .getHolderIdentity())
        .isEqualTo("rbac-e2e");

    tenantsMayAnnotateMachinesButNotChangeThem();

    env.client
        .resources(TanzuKubernetesCluster.class)
        .inNamespace("team-a")
        .withName("demo")
        .delete();
    await()
        .atMost(Duration.ofMinutes(3))
        .untilAsserted(
            () -> {
              assertThat(
                      env.client
                          .resources(TanzuKubernetesCluster.class)
                          .inNamespace("team-a")
                          .withName("demo")
                          .get())
                  .isNull();
              assertThat(env.vms("team-a")).isEmpty();
            });
  }

  /** A client that is {@code user} (with {@code groups}) to the API server. */
  static KubernetesClient as(String user, String... groups) {
    return new KubernetesClientBuilder()
        .withConfig(
            new ConfigBuilder(env.controlPlane.config())
                .withImpersonateUsername(user)
                .withImpersonateGroups(groups)
                .build())
        .build();
  }

  /** The sample namespace's owner (alice) and editors (team-a-devs) against its Machines. */
  static void tenantsMayAnnotateMachinesButNotChangeThem() {
    Machine worker =
        env.client.resources(Machine.class).inNamespace("team-a").list().getItems().stream()
            .filter(m -> m.getSpec().role == Machine.Role.worker)
            .findFirst()
            .orElseThrow();
    String name = worker.getMetadata().getName();
    try (KubernetesClient alice = as("alice@example.com");
        KubernetesClient dev = as("bob@example.com", "team-a-devs")) {
      var machine = alice.resources(Machine.class).inNamespace("team-a").withName(name);
      // allowed: pick the machine that goes first on scale-in; an annotation of one's own
      machine.edit(
          m -> {
            if (m.getMetadata().getAnnotations() == null) {
              m.getMetadata().setAnnotations(new java.util.HashMap<>());
            }
            m.getMetadata().getAnnotations().put("slipway.dev/delete-machine", "true");
            m.getMetadata().getAnnotations().put("example.com/note", "slow disk");
            return m;
          });
      assertThat(machine.get().getMetadata().getAnnotations())
          .containsEntry("slipway.dev/delete-machine", "true");
      // denied, each with the policy's message
      assertThatThrownBy(
              () ->
                  machine.edit(
                      m -> {
                        m.getSpec().vmClass = "guaranteed-medium";
                        return m;
                      }))
          .hasMessageContaining("only Slipway changes a Machine's spec");
      assertThatThrownBy(
              () ->
                  machine.edit(
                      m -> {
                        m.getMetadata().setFinalizers(List.of());
                        return m;
                      }))
          .hasMessageContaining(
              "only Slipway changes a Machine's spec, labels, owner and finalizers");
      assertThatThrownBy(
              () ->
                  machine.edit(
                      m -> {
                        m.getMetadata().getLabels().put("slipway.dev/cluster", "other");
                        return m;
                      }))
          .hasMessageContaining("only Slipway changes");
      assertThatThrownBy(
              () ->
                  machine.edit(
                      m -> {
                        m.getMetadata().getAnnotations().put("slipway.dev/remediation-for", "x");
                        return m;
                      }))
          .hasMessageContaining("only slipway.dev/delete-machine and slipway.dev/retry");
      Machine forged =
          env.client.resources(Machine.class).inNamespace("team-a").withName(name).get();
      forged.getMetadata().setName("forged");
      forged.getMetadata().setResourceVersion(null);
      forged.getMetadata().setUid(null);
      forged.setStatus(null);
      assertThatThrownBy(() -> alice.resource(forged).create()).hasMessageContaining("forbidden");
      // status is the operator's: no tenant role has the subresource
      assertThatThrownBy(
              () ->
                  machine.editStatus(
                      m -> {
                        m.getStatus().phase = "Running";
                        return m;
                      }))
          .hasMessageContaining("forbidden");
      // an editor may not write Machines at all
      assertThatThrownBy(
              () ->
                  dev.resources(Machine.class)
                      .inNamespace("team-a")
                      .withName(name)
                      .edit(
                          m -> {
                            m.getMetadata()
                                .getAnnotations()
                                .put("slipway.dev/delete-machine", "true");
                            return m;
                          }))
          .hasMessageContaining("forbidden");
      assertThat(
              env.client
                  .resources(Machine.class)
                  .inNamespace("team-a")
                  .withName(name)
                  .get()
                  .getSpec()
                  .vmClass)
          .isEqualTo(worker.getSpec().vmClass);
    }
  }
}
