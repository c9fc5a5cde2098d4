package dev.slipway.operator.bootstrap;

import java.security.KeyPair;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Short-lived client certificates that Slipway issues itself from a cluster's CAs, and the TLS
 * context that presents one and trusts only that CA. Used to talk to a workload cluster's etcd
 * members (`--client-cert-auth` with the etcd CA as trusted CA, as kubeadm configures them).
 */
public final class ClientCertificates {
  /** Common name of Slipway's etcd client certificates (etcd's own auth is off under kubeadm). */
  public static final String ETCD_CLIENT = "slipway-etcd-client";

  /** Long enough for any one operation, short enough that a leaked copy is soon worthless. */
  static final Duration VALIDITY = Duration.ofHours(1);

  private ClientCertificates() {}

  /**
   * A new key pair (ECDSA P-256: the certificate never leaves Slipway and lives an hour, so it need
   * not match the cluster's RSA CAs) and a client certificate for it, signed by {@code ca}.
   */
  public static CertKey issue(String commonName, CertKey ca, Instant now) {
    KeyPair keys = Certificates.ecP256();
    X509Certificate cert =
        Certificates.signClient(commonName, null, keys.getPublic(), ca, now, VALIDITY);
    return new CertKey(Pem.certificate(cert), Pem.privateKey(keys.getPrivate()));
  }

  /** TLS that presents {@code client} and trusts exactly {@code ca}. */
  public static SSLContext sslContext(CertKey client, CertKey ca) {
    try {
      char[] none = new char[0];
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, none);
      keys.setKeyEntry("client", client.key(), none, new Certificate[] {client.cert()});
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, none);
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, none);
      trust.setCertificateEntry("ca", ca.cert());
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
      return ctx;
    } catch (java.security.GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("cannot build a TLS context for " + ETCD_CLIENT, e);
    }
  }
}
