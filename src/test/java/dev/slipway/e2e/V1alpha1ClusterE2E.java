package dev.slipway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.guest.GuestSimulator;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.webhook.ConversionWebhook;
import dev.slipway.operator.webhook.WebhookSettings;
import dev.slipway.testenv.Manifests;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A vSphere 7 (v1alpha1) manifest, applied unchanged, builds a Ready cluster: the operator's
 * conversion webhook turns it into v1alpha3 for the controllers, and the cluster reads back as
 * v1alpha1 with its status.
 */
class V1alpha1ClusterE2E {
  static final String NS = "team-a";
  static final String V1 = "run.tanzu.vmware.com/v1alpha1";

  static SlipwayEnv env;
  static GuestSimulator guests;
  static ConversionWebhook webhook;

  @BeforeAll
  static void start() {
    env = SlipwayEnv.start(e -> null, e -> null);
    int port = freePort();
    webhook =
        ConversionWebhook.start(
            env.client,
            new WebhookSettings(
                SlipwayEnv.SYSTEM_NAMESPACE,
                "127.0.0.1",
                port,
                WebhookSettings.DEFAULT_SERVICE,
                Optional.of(URI.create("https://127.0.0.1:" + port + WebhookSettings.PATH)),
                WebhookSettings.DEFAULT_CA_SECRET,
                Duration.ofHours(1)));
    guests = new GuestSimulator(env::connect, List.of(env.placement.parentFolder() + "/" + NS));
    env.applyNamespaceSamples();
  }

  @AfterAll
  static void stop() {
    if (guests != null) {
      guests.close();
    }
    if (webhook != null) {
      webhook.close();
    }
    if (env != null) {
      env.close();
    }
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void aV1alpha1ManifestBuildsAReadyCluster() {
    GenericKubernetesResource manifest =
        Manifests.load(env.root.resolve("deploy/samples/reference/tkc-v1alpha1-tkgs.yaml")).get(0);
    Map<String, Object> sentSpec = Manifests.toMap(manifest.getAdditionalProperties().get("spec"));
    env.client.resource(manifest).create();
    String name = manifest.getMetadata().getName();

    await()
        .atMost(Duration.ofSeconds(90))
        .failFast("a guest failed to boot", () -> guests.anyFailure().isPresent())
        .untilAsserted(
            () -> {
              TanzuKubernetesCluster tkc =
                  env.client
                      .resources(TanzuKubernetesCluster.class)
                      .inNamespace(NS)
                      .withName(name)
                      .get();
              assertThat(tkc.getStatus()).isNotNull();
              assertThat(tkc.getStatus().conditions)
                  .anySatisfy(
                      c -> {
                        assertThat(c.getType()).isEqualTo("Ready");
                        assertThat(c.getStatus()).isEqualTo("True");
                      });
            });
    TanzuKubernetesCluster tkc =
        env.client.resources(TanzuKubernetesCluster.class).inNamespace(NS).withName(name).get();
    // The controllers saw TKGS's conversion: workers are the pool "workers".
    assertThat(tkc.getSpec().topology.nodePools).extracting(p -> p.name).containsExactly("workers");
    assertThat(tkc.getStatus().distribution.fullVersion).isEqualTo("v1.37.2+vmware.1-tkg.1");

    GenericKubernetesResource asV1 =
        env.client
            .genericKubernetesResources(V1, "TanzuKubernetesCluster")
            .inNamespace(NS)
            .withName(name)
            .get();
    assertThat(Manifests.toMap(asV1.getAdditionalProperties().get("spec"))).isEqualTo(sentSpec);
    Map<String, Object> status = Manifests.toMap(asV1.getAdditionalProperties().get("status"));
    assertThat(status.get("phase")).isEqualTo("running");
    assertThat(Manifests.get(status, "clusterApiStatus.apiEndpoints[0].port")).isEqualTo(6443);
  }
}
