package dev.slipway.operator.bootstrap;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLContext;

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
    return Tls.context(client.key(), List.of(client.cert()), List.of(ca.cert()));
  }
}
