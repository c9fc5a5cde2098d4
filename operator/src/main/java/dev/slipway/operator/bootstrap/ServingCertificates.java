package dev.slipway.operator.bootstrap;

import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Certificates for the operator's own TLS servers (the conversion webhook): a CA and server
 * certificates it signs, PEM-encoded, built like the clusters' PKI ({@link Certificates}).
 */
public final class ServingCertificates {
  private ServingCertificates() {}

  /** A new self-signed CA, valid for {@link Certificates#CA_VALIDITY}. */
  public static CertKey newCa(String commonName, Instant now) {
    KeyPair keys = Certificates.rsa2048();
    return new CertKey(
        Pem.certificate(Certificates.selfSignedCa(commonName, keys, now)),
        Pem.privateKey(keys.getPrivate()));
  }

  /** The key of a server certificate. */
  public enum Key {
    /** What kubeadm makes for a cluster's API server (the benchmark's fake ones). */
    RSA_2048,
    /**
     * For the conversion webhook: while it made a TLS handshake per review, signing each with an
     * RSA 2048 key was half of its CPU (docs/performance.md, optimisation 35); its connections are
     * kept alive since 36, and a new one still costs a handshake.
     */
    P256
  }

  /** A new key pair of the kind {@code key}. */
  public static KeyPair newKey(Key key) {
    return key == Key.P256 ? Certificates.ecP256() : Certificates.rsa2048();
  }

  /**
   * A server certificate for {@code keys} (with the private key), signed by {@code ca}, valid from
   * a few minutes ago for {@code validity} (or until the CA expires, if sooner).
   */
  public static CertKey issueServer(
      KeyPair keys,
      CertKey ca,
      String commonName,
      List<String> dnsNames,
      List<String> ipAddresses,
      Instant now,
      Duration validity) {
    return new CertKey(
        Pem.certificate(
            Certificates.signServer(
                commonName, dnsNames, ipAddresses, keys.getPublic(), ca, now, validity)),
        Pem.privateKey(keys.getPrivate()));
  }

  /** Whether {@code pem} is a certificate whose key is {@code keyPem}'s (a Secret's pair). */
  public static boolean isPair(CertKey pair) {
    try {
      return Certificates.matches(pair.key(), pair.cert().getPublicKey());
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
