package dev.slipway.operator.bootstrap;

import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.Objects;

/**
 * A certificate (or, for the service-account pair, a public key) and its private key, both PEM.
 *
 * @param certPem a PEM certificate, or a PEM public key ({@code BEGIN PUBLIC KEY}) for a bare key
 *     pair
 * @param keyPem the PEM private key; never printed by {@link #toString()}
 */
public record CertKey(String certPem, String keyPem) {

  public CertKey {
    Objects.requireNonNull(certPem, "certPem");
    Objects.requireNonNull(keyPem, "keyPem");
  }

  /** The certificate; fails with {@link IllegalArgumentException} when certPem is not one. */
  public X509Certificate cert() {
    try {
      return Pem.parseCertificate(certPem);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("certPem " + e.getMessage(), e);
    }
  }

  public PrivateKey key() {
    try {
      return Pem.parsePrivateKey(keyPem);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("keyPem " + e.getMessage(), e);
    }
  }

  /** The public key, whether certPem holds a certificate or a bare public key. */
  public PublicKey publicKey() {
    if (certPem.contains("BEGIN PUBLIC KEY")) {
      try {
        return Pem.parsePublicKey(certPem);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("certPem " + e.getMessage(), e);
      }
    }
    return cert().getPublicKey();
  }

  @Override
  public String toString() {
    return "CertKey[certPem=" + certPem.length() + " chars, keyPem=<redacted>]";
  }
}
