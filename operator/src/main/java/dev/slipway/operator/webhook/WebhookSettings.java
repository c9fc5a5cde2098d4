package dev.slipway.operator.webhook;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * Where the conversion webhook listens and how the API server reaches it.
 *
 * @param namespace the operator's namespace: the CA Secret and the Service are there
 * @param host the address the HTTPS server binds ({@code 0.0.0.0}: all)
 * @param port the port it binds ({@code 0}: any free one, tests)
 * @param service the Service in front of every replica, which the CRD names (port 443)
 * @param url instead of the Service, a URL the API server calls (test beds whose API server has no
 *     Service network); its host goes into the serving certificate
 * @param caSecret the Secret (type kubernetes.io/tls) that holds the webhook's CA
 * @param certValidity how long a serving certificate is valid; it is renewed when a third is left
 */
public record WebhookSettings(
    String namespace,
    String host,
    int port,
    String service,
    Optional<URI> url,
    String caSecret,
    Duration certValidity) {

  public static final String DEFAULT_SERVICE = "slipway-webhook";
  public static final String DEFAULT_CA_SECRET = "slipway-webhook-ca";
  public static final int DEFAULT_PORT = 9443;
  public static final String PATH = "/convert";

  /** The Service's DNS names, as the API server asks for them. */
  java.util.List<String> serviceNames() {
    return java.util.List.of(
        service,
        service + "." + namespace,
        service + "." + namespace + ".svc",
        service + "." + namespace + ".svc.cluster.local");
  }
}
