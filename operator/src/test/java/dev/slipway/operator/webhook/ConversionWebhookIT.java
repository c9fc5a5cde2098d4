package dev.slipway.operator.webhook;

import static dev.slipway.testenv.Manifests.toMap;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.slipway.testenv.Manifests;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.math.BigInteger;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The conversion webhook between a real API server and v1alpha1 manifests: vSphere 7 shapes apply
 * unchanged and read back as themselves and as the expected v1alpha3; the CA bundle in the CRD;
 * certificate renewal, a restarted webhook, and a stopped one (v1alpha1 fails naming the webhook,
 * v1alpha3 keeps working).
 */
class ConversionWebhookIT {
  static final String V1 = TkcConversion.V1ALPHA1;
  static final String V3 = TkcConversion.V1ALPHA3;
  static WebhookTestBed bed;

  @BeforeAll
  static void start() {
    bed = new WebhookTestBed();
  }

  @AfterAll
  static void stop() {
    bed.close();
  }

  @AfterEach
  void deleteClusters() {
    bed.tkcs(V3).delete();
    await().atMost(Duration.ofSeconds(30)).until(() -> bed.tkcs(V3).list().getItems().isEmpty());
  }

  static GenericKubernetesResource resource(String name) {
    try {
      Path p = Path.of(ConversionWebhookIT.class.getResource(name).toURI());
      GenericKubernetesResource r = Manifests.load(p).get(0);
      r.getMetadata().setNamespace(WebhookTestBed.NS);
      return r;
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"distribution", "calico", "storage"})
  void aVsphere7ManifestAppliesUnchangedAndReadsAsV1alpha3(String shape) {
    try (ConversionWebhook w = bed.startWebhook(WebhookTestBed.settings(Duration.ofHours(1)))) {
      GenericKubernetesResource sent = resource("v1alpha1-" + shape + ".yaml");
      GenericKubernetesResource created = bed.tkcs(V1).resource(sent).create();
      String name = sent.getMetadata().getName();
      assertThat(created.getApiVersion()).isEqualTo(V1);
      assertThat(toMap(created).get("spec")).isEqualTo(toMap(sent).get("spec"));

      GenericKubernetesResource asV1 = bed.tkcs(V1).withName(name).get();
      assertThat(toMap(asV1).get("spec")).isEqualTo(toMap(sent).get("spec"));
      assertThat(asV1.getMetadata().getAnnotations()).isNullOrEmpty();

      GenericKubernetesResource asV3 = bed.tkcs(V3).withName(name).get();
      GenericKubernetesResource expected = resource("v1alpha3-" + shape + ".yaml");
      assertThat(toMap(asV3).get("spec")).isEqualTo(toMap(expected).get("spec"));
      assertThat(asV3.getMetadata().getAnnotations()).isNullOrEmpty();
    }
  }

  @Test
  void theCrdCallsTheWebhookWithTheCaFromTheSecret() {
    try (ConversionWebhook w = bed.startWebhook(WebhookTestBed.settings(Duration.ofHours(1)))) {
      CustomResourceDefinition crd =
          bed.client
              .apiextensions()
              .v1()
              .customResourceDefinitions()
              .withName(CrdConversionConfig.CRD)
              .get();
      var cc = crd.getSpec().getConversion().getWebhook().getClientConfig();
      assertThat(crd.getSpec().getConversion().getStrategy()).isEqualTo("Webhook");
      assertThat(cc.getUrl()).isEqualTo("https://127.0.0.1:" + w.port() + "/convert");
      String secretCrt =
          bed.client
              .secrets()
              .inNamespace(WebhookTestBed.SYSTEM)
              .withName(WebhookSettings.DEFAULT_CA_SECRET)
              .get()
              .getData()
              .get("tls.crt");
      assertThat(cc.getCaBundle()).isEqualTo(secretCrt);
      assertThat(new String(Base64.getDecoder().decode(cc.getCaBundle()))).isEqualTo(w.caPem());
      // Each new connection's handshake is signed with a P-256 key, not RSA 2048 (optimisation 35).
      assertThat(w.servingCertificate().getPublicKey().getAlgorithm()).isEqualTo("EC");
      assertThat(crd.getSpec().getVersions())
          .extracting(v -> v.getName() + (v.getStorage() ? "*" : ""))
          .containsExactlyInAnyOrder("v1alpha1", "v1alpha2", "v1alpha3*");
    }
  }

  @Test
  void renewsItsCertificateAndConversionKeepsWorking() throws Exception {
    // 9 s: checked every 1.5 s, renewed when 3 s are left.
    try (ConversionWebhook w = bed.startWebhook(WebhookTestBed.settings(Duration.ofSeconds(9)))) {
      BigInteger first = presented(w.port()).getSerialNumber();
      assertThat(w.servingCertificate().getSerialNumber()).isEqualTo(first);
      bed.tkcs(V1).resource(resource("v1alpha1-distribution.yaml")).create();
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> !presented(w.port()).getSerialNumber().equals(first));
      BigInteger second = presented(w.port()).getSerialNumber();
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> !presented(w.port()).getSerialNumber().equals(second));
      // Same CA throughout: the API server still trusts the webhook.
      assertThat(presented(w.port()).getIssuerX500Principal().getName())
          .contains(WebhookCertificates.CA_COMMON_NAME);
      GenericKubernetesResource created =
          bed.tkcs(V1).resource(resource("v1alpha1-calico.yaml")).create();
      assertThat(toMap(created).get("spec"))
          .isEqualTo(toMap(resource("v1alpha1-calico.yaml")).get("spec"));
      assertThat(bed.tkcs(V1).list().getItems()).hasSize(2);
    }
  }

  /**
   * Every read of a non-stored version from etcd is a review (the API server's cache consistency
   * checks list every cluster so, per version, every 5 to 7.5 minutes): they share kept-alive
   * connections, and none fails.
   */
  @Test
  void theApiServersReviewsShareKeptAliveConnectionsAndNoneFails() {
    try (ConversionWebhook w = bed.startWebhook(WebhookTestBed.settings(Duration.ofHours(1)));
        KubernetesClient once = clientWithoutRetries()) {
      bed.tkcs(V1).resource(resource("v1alpha1-distribution.yaml")).create();
      double reviews = apiServerConversions("success");
      long connections = w.connections();
      var v1 =
          once.genericKubernetesResources(V1, "TanzuKubernetesCluster")
              .inNamespace(WebhookTestBed.NS);
      for (int i = 0; i < 60; i++) {
        // A GET without a resourceVersion reads etcd: one review each; a failed one fails the GET
        // (this client does not retry).
        assertThat(v1.withName("tkgs-v1-dist").get().getApiVersion()).isEqualTo(V1);
      }
      assertThat(apiServerConversions("success") - reviews).isGreaterThanOrEqualTo(60);
      assertThat(w.connections() - connections).isLessThanOrEqualTo(2);
    }
  }

  /** A client that does not retry the API server's 500s (fabric8 backs off and retries them). */
  static KubernetesClient clientWithoutRetries() {
    return new KubernetesClientBuilder()
        .withConfig(
            new ConfigBuilder(bed.controlPlane.config()).withRequestRetryBackoffLimit(0).build())
        .build();
  }

  /** The API server's conversion webhook calls so far with {@code result}. */
  static double apiServerConversions(String result) {
    return bed.client
        .raw("/metrics")
        .lines()
        .filter(l -> l.startsWith("apiserver_conversion_webhook_request_total{"))
        .filter(l -> l.contains("result=\"" + result + "\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  @Test
  void aRestartedWebhookServesWithTheSameCa() {
    String ca;
    try (ConversionWebhook w = bed.startWebhook(WebhookTestBed.settings(Duration.ofHours(1)))) {
      ca = w.caPem();
      bed.tkcs(V1).resource(resource("v1alpha1-distribution.yaml")).create();
    }
    // A new process (another port, as a rescheduled pod gets another address).
    try (ConversionWebhook w = bed.startWebhook(WebhookTestBed.settings(Duration.ofHours(1)))) {
      assertThat(w.caPem()).isEqualTo(ca);
      GenericKubernetesResource asV1 = bed.tkcs(V1).withName("tkgs-v1-dist").get();
      assertThat(toMap(asV1).get("spec"))
          .isEqualTo(toMap(resource("v1alpha1-distribution.yaml")).get("spec"));
      bed.tkcs(V1).resource(resource("v1alpha1-storage.yaml")).create();
    }
  }

  @Test
  void whileTheWebhookIsDownV1alpha1FailsNamingItAndV1alpha3Works() {
    try (ConversionWebhook w = bed.startWebhook(WebhookTestBed.settings(Duration.ofHours(1)))) {
      bed.tkcs(V1).resource(resource("v1alpha1-distribution.yaml")).create();
    }
    try (KubernetesClient once = clientWithoutRetries()) {
      var v1 =
          once.genericKubernetesResources(V1, "TanzuKubernetesCluster")
              .inNamespace(WebhookTestBed.NS);
      assertThatThrownBy(() -> v1.resource(resource("v1alpha1-calico.yaml")).create())
          .isInstanceOf(KubernetesClientException.class)
          .hasMessageContaining("conversion webhook for run.tanzu.vmware.com/");
      assertThatThrownBy(() -> v1.withName("tkgs-v1-dist").get())
          .isInstanceOf(KubernetesClientException.class)
          .hasMessageContaining("conversion webhook for run.tanzu.vmware.com/");
    }
    // v1alpha3, the stored version, needs no conversion: the existing cluster reads, a new one
    // applies.
    GenericKubernetesResource existing = bed.tkcs(V3).withName("tkgs-v1-dist").get();
    assertThat(existing.getMetadata().getName()).isEqualTo("tkgs-v1-dist");
    GenericKubernetesResource v3 = resource("v1alpha3-calico.yaml");
    assertThat(bed.tkcs(V3).resource(v3).create().getMetadata().getUid()).isNotBlank();
    assertThat(bed.tkcs(V3).list().getItems()).hasSize(2);
  }

  /** The certificate the webhook presents in a TLS handshake now. */
  static X509Certificate presented(int port) throws Exception {
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(
        null,
        new TrustManager[] {
          new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public X509Certificate[] getAcceptedIssuers() {
              return new X509Certificate[0];
            }
          }
        },
        null);
    try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port)) {
      s.startHandshake();
      return (X509Certificate) s.getSession().getPeerCertificates()[0];
    }
  }
}
