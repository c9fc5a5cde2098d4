package dev.slipway.operator.webhook;

import dev.slipway.testenv.ControlPlane;
import dev.slipway.testenv.Manifests;
import dev.slipway.testenv.TestBed;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * The shared API server with crds/ and the admission policies installed, a namespace of these
 * tests' own, and the operator's conversion webhook on loopback, which the CRD calls by URL (the
 * API server has no Service network). Tests that come later re-install crds/, which takes the
 * webhook off again (Manifests.installCrds).
 */
final class WebhookTestBed implements AutoCloseable {
  static final String SYSTEM = "slipway-system";
  static final String NS = "webhook-it";

  final ControlPlane controlPlane;
  final KubernetesClient client;

  WebhookTestBed() {
    controlPlane = ControlPlane.shared();
    client = controlPlane.client();
    for (String ns : new String[] {SYSTEM, NS}) {
      client
          .namespaces()
          .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
          .serverSideApply();
    }
    Manifests.installCrds(client, TestBed.repositoryRoot());
    Manifests.installAdmissionPolicies(client, TestBed.repositoryRoot());
  }

  /** Settings for a webhook on a free loopback port, called by URL. */
  static WebhookSettings settings(Duration validity) {
    int port = freePort();
    return new WebhookSettings(
        SYSTEM,
        "127.0.0.1",
        port,
        WebhookSettings.DEFAULT_SERVICE,
        Optional.of(URI.create("https://127.0.0.1:" + port + WebhookSettings.PATH)),
        WebhookSettings.DEFAULT_CA_SECRET,
        validity);
  }

  ConversionWebhook startWebhook(WebhookSettings settings) {
    return ConversionWebhook.start(client, settings);
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** TanzuKubernetesClusters of {@link #NS} as {@code apiVersion}. */
  NonNamespaceOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      tkcs(String apiVersion) {
    return client.genericKubernetesResources(apiVersion, "TanzuKubernetesCluster").inNamespace(NS);
  }

  @Override
  public void close() {
    client.close();
  }
}
