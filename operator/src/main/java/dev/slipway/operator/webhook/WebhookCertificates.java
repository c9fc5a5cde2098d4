package dev.slipway.operator.webhook;

import dev.slipway.operator.bootstrap.CertKey;
import dev.slipway.operator.bootstrap.ServingCertificates;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The webhook's CA, kept in a Secret of the operator's namespace so that every replica signs with
 * the same one (the API server trusts one bundle), and the serving certificates it signs. Each
 * replica makes its own serving key in memory; only the CA is shared.
 */
final class WebhookCertificates {
  static final String CA_COMMON_NAME = "slipway-webhook-ca";

  private final KubernetesClient client;
  private final WebhookSettings settings;

  WebhookCertificates(KubernetesClient client, WebhookSettings settings) {
    this.client = client;
    this.settings = settings;
  }

  /**
   * The CA from the Secret; created if there is none. When two replicas start at once, the one
   * whose create loses reads the winner's.
   */
  CertKey ca(Instant now) {
    var secrets = client.secrets().inNamespace(settings.namespace());
    Secret s = secrets.withName(settings.caSecret()).get();
    if (s == null) {
      CertKey ca = ServingCertificates.newCa(CA_COMMON_NAME, now);
      Secret fresh =
          new SecretBuilder()
              .withNewMetadata()
              .withName(settings.caSecret())
              .withNamespace(settings.namespace())
              .addToLabels("app.kubernetes.io/name", "slipway-operator")
              .addToLabels("app.kubernetes.io/component", "webhook")
              .endMetadata()
              .withType("kubernetes.io/tls")
              .addToData("tls.crt", b64(ca.certPem()))
              .addToData("tls.key", b64(ca.keyPem()))
              .build();
      try {
        secrets.resource(fresh).create();
        return ca;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
        s = secrets.withName(settings.caSecret()).get();
      }
    }
    return fromSecret(s);
  }

  private CertKey fromSecret(Secret s) {
    Map<String, String> data = s.getData() == null ? Map.of() : s.getData();
    if (!data.containsKey("tls.crt") || !data.containsKey("tls.key")) {
      throw new IllegalStateException(
          "Secret "
              + settings.namespace()
              + "/"
              + settings.caSecret()
              + " has no tls.crt and tls.key: delete it and the operator makes a new CA");
    }
    CertKey ca = new CertKey(unb64(data.get("tls.crt")), unb64(data.get("tls.key")));
    if (!ServingCertificates.isPair(ca)) {
      throw new IllegalStateException(
          "Secret "
              + settings.namespace()
              + "/"
              + settings.caSecret()
              + ": tls.key is not the key of tls.crt");
    }
    return ca;
  }

  /** A new serving certificate for the Service's names and the URL's host. */
  CertKey serving(CertKey ca, Instant now) {
    List<String> dns = new ArrayList<>(settings.serviceNames());
    List<String> ips = new ArrayList<>();
    settings
        .url()
        .map(URI::getHost)
        .ifPresent(
            h -> {
              if (isIpLiteral(h)) {
                ips.add(h.replace("[", "").replace("]", ""));
              } else {
                dns.add(h);
              }
            });
    return ServingCertificates.issueServer(
        ServingCertificates.newKey(ServingCertificates.Key.P256),
        ca,
        settings.service() + "." + settings.namespace() + ".svc",
        dns,
        ips,
        now,
        settings.certValidity());
  }

  private static boolean isIpLiteral(String host) {
    if (host.startsWith("[") || host.contains(":")) {
      return true;
    }
    if (!host.matches("[0-9.]+")) {
      return false;
    }
    try {
      InetAddress.getByName(host);
      return true;
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String unb64(String s) {
    return new String(Base64.getDecoder().decode(s), StandardCharsets.UTF_8);
  }
}
