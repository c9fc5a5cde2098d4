package dev.slipway.operator.app;

import io.fabric8.kubernetes.api.model.Secret;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When the certificate a cluster Secret carries expires: {@code <cluster>-kubeconfig}'s client
 * certificate ({@code client-certificate-data} of key {@code value}), or {@code tls.crt} of the CA
 * Secrets. Only the certificate is read; nothing of the Secret is kept.
 */
final class ClusterCertificates {
  private static final Pattern CLIENT_CERT =
      Pattern.compile("(?m)^\\s*client-certificate-data:\\s*\"?([A-Za-z0-9+/=]+)\"?\\s*$");

  private ClusterCertificates() {}

  /** The expiry of the Secret's certificate; empty if it has none or it does not parse. */
  static Optional<Instant> notAfter(String which, Secret s) {
    Map<String, String> data = s.getData();
    if (data == null) {
      return Optional.empty();
    }
    try {
      byte[] pem;
      if ("kubeconfig".equals(which)) {
        String value = data.get("value");
        if (value == null) {
          return Optional.empty();
        }
        Matcher m =
            CLIENT_CERT.matcher(
                new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8));
        if (!m.find()) {
          return Optional.empty();
        }
        pem = Base64.getDecoder().decode(m.group(1));
      } else {
        String crt = data.get("tls.crt");
        if (crt == null) {
          return Optional.empty();
        }
        pem = Base64.getDecoder().decode(crt);
      }
      X509Certificate cert =
          (X509Certificate)
              CertificateFactory.getInstance("X.509")
                  .generateCertificate(new ByteArrayInputStream(pem));
      return Optional.of(cert.getNotAfter().toInstant());
    } catch (IllegalArgumentException | CertificateException e) {
      return Optional.empty();
    }
  }
}
