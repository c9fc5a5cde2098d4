package dev.slipway.operator.bootstrap;

import java.io.IOException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.cert.X509CertificateHolder;

/**
 * The certificate authorities and the service-account key pair of one workload cluster, the same
 * set {@code kubeadm init phase certs} would create, so every control-plane machine can be given
 * the same CAs and the operator can sign an admin client certificate.
 *
 * <p>Stored in four Secrets named after Cluster API's convention, {@code <cluster>-ca}, {@code
 * -etcd}, {@code -proxy} and {@code -sa}, each with {@code tls.crt} and {@code tls.key}; for {@code
 * -sa} the "certificate" is the PEM public key.
 */
public final class ClusterPki {

  public static final String CA = "ca";
  public static final String ETCD = "etcd";
  public static final String PROXY = "proxy";
  public static final String SA = "sa";

  /** The Secret name suffixes, in the order {@link #secretData()} lists them. */
  public static final List<String> SECRET_SUFFIXES = List.of(CA, ETCD, PROXY, SA);

  public static final String TLS_CRT = "tls.crt";
  public static final String TLS_KEY = "tls.key";

  private final String clusterName;
  private final CertKey ca;
  private final CertKey etcd;
  private final CertKey frontProxy;
  private final CertKey serviceAccount;

  private ClusterPki(
      String clusterName, CertKey ca, CertKey etcd, CertKey frontProxy, CertKey serviceAccount) {
    this.clusterName = clusterName;
    this.ca = ca;
    this.etcd = etcd;
    this.frontProxy = frontProxy;
    this.serviceAccount = serviceAccount;
  }

  /** Fresh CAs (RSA 2048, 10 years) and service-account key pair (RSA 2048). */
  public static ClusterPki generate(String clusterName) {
    return generate(clusterName, Instant.now());
  }

  static ClusterPki generate(String clusterName, Instant now) {
    requireName(clusterName);
    KeyPair sa = Certificates.rsa2048();
    return new ClusterPki(
        clusterName,
        newCa("kubernetes", now),
        newCa("etcd-ca", now),
        newCa("front-proxy-ca", now),
        new CertKey(Pem.publicKey(sa.getPublic()), Pem.privateKey(sa.getPrivate())));
  }

  private static CertKey newCa(String commonName, Instant now) {
    KeyPair kp = Certificates.rsa2048();
    X509Certificate cert = Certificates.selfSignedCa(commonName, kp, now);
    return new CertKey(Pem.certificate(cert), Pem.privateKey(kp.getPrivate()));
  }

  public String clusterName() {
    return clusterName;
  }

  /** The cluster CA (CN=kubernetes): signs API server, kubelet and admin certificates. */
  public CertKey ca() {
    return ca;
  }

  /** The etcd CA (CN=etcd-ca). */
  public CertKey etcd() {
    return etcd;
  }

  /** The front-proxy CA (CN=front-proxy-ca), for the aggregation layer. */
  public CertKey frontProxy() {
    return frontProxy;
  }

  /**
   * The service-account signing key pair: {@code certPem} is the PEM public key, {@code keyPem} the
   * private key.
   */
  public CertKey serviceAccount() {
    return serviceAccount;
  }

  /** {@code <cluster>-<suffix>}, e.g. {@code demo-ca}. */
  public static String secretName(String clusterName, String suffix) {
    return clusterName + "-" + suffix;
  }

  /**
   * Secret name suffix ({@code ca}, {@code etcd}, {@code proxy}, {@code sa}) to that Secret's data,
   * {@code tls.crt} and {@code tls.key}, as plain strings (the caller base64-encodes them).
   */
  public Map<String, Map<String, String>> secretData() {
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    out.put(CA, tls(ca));
    out.put(ETCD, tls(etcd));
    out.put(PROXY, tls(frontProxy));
    out.put(SA, tls(serviceAccount));
    return Collections.unmodifiableMap(out);
  }

  private static Map<String, String> tls(CertKey ck) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(TLS_CRT, ck.certPem());
    m.put(TLS_KEY, ck.keyPem());
    return Collections.unmodifiableMap(m);
  }

  /**
   * The inverse of {@link #secretData()}, checking what kubeadm would otherwise trip over later on
   * a guest: every PEM parses, the three certificates are unexpired CAs, and every private key
   * belongs to its certificate or public key.
   *
   * @throws InvalidPkiException naming the first Secret found wrong and what is wrong with it
   */
  public static ClusterPki fromSecretData(String clusterName, Map<String, Map<String, String>> data)
      throws InvalidPkiException {
    requireName(clusterName);
    Map<String, Map<String, String>> d = data == null ? Map.of() : data;
    Instant now = Instant.now();
    return new ClusterPki(
        clusterName,
        loadCa(secretName(clusterName, CA), d.get(CA), now),
        loadCa(secretName(clusterName, ETCD), d.get(ETCD), now),
        loadCa(secretName(clusterName, PROXY), d.get(PROXY), now),
        loadKeyPair(secretName(clusterName, SA), d.get(SA)));
  }

  private static CertKey loadCa(String secret, Map<String, String> data, Instant now) {
    String[] pems = present(secret, data);
    X509Certificate cert;
    try {
      cert = Pem.parseCertificate(pems[0]);
    } catch (IllegalArgumentException e) {
      throw new InvalidPkiException(secret, TLS_CRT + " " + e.getMessage());
    }
    if (cert.getBasicConstraints() < 0) {
      throw new InvalidPkiException(
          secret, TLS_CRT + " is not a CA certificate (basicConstraints CA:TRUE is missing)");
    }
    boolean[] usage = cert.getKeyUsage();
    if (usage != null && !usage[5]) {
      throw new InvalidPkiException(
          secret, TLS_CRT + " is a CA certificate whose keyUsage does not allow keyCertSign");
    }
    if (cert.getNotAfter().toInstant().isBefore(now)) {
      throw new InvalidPkiException(
          secret, TLS_CRT + " expired at " + cert.getNotAfter().toInstant());
    }
    PrivateKey key = privateKey(secret, pems[1]);
    if (!Certificates.matches(key, cert.getPublicKey())) {
      throw new InvalidPkiException(
          secret, TLS_KEY + " is not the private key of the certificate in " + TLS_CRT);
    }
    return new CertKey(pems[0], pems[1]);
  }

  private static CertKey loadKeyPair(String secret, Map<String, String> data) {
    String[] pems = present(secret, data);
    PublicKey pub;
    try {
      pub = Pem.parsePublicKey(pems[0]);
    } catch (IllegalArgumentException e) {
      throw new InvalidPkiException(secret, TLS_CRT + " " + e.getMessage());
    }
    PrivateKey key = privateKey(secret, pems[1]);
    if (!Certificates.matches(key, pub)) {
      throw new InvalidPkiException(
          secret, TLS_KEY + " is not the private key of the public key in " + TLS_CRT);
    }
    return new CertKey(pems[0], pems[1]);
  }

  private static String[] present(String secret, Map<String, String> data) {
    if (data == null) {
      throw new InvalidPkiException(
          secret, "not found (it must hold " + TLS_CRT + " and " + TLS_KEY + ")");
    }
    String crt = data.get(TLS_CRT);
    String key = data.get(TLS_KEY);
    if (crt == null || crt.isBlank()) {
      throw new InvalidPkiException(secret, TLS_CRT + " is missing");
    }
    if (key == null || key.isBlank()) {
      throw new InvalidPkiException(secret, TLS_KEY + " is missing");
    }
    return new String[] {crt, key};
  }

  private static PrivateKey privateKey(String secret, String pem) {
    try {
      return Pem.parsePrivateKey(pem);
    } catch (IllegalArgumentException e) {
      throw new InvalidPkiException(secret, TLS_KEY + " " + e.getMessage());
    }
  }

  /**
   * The value kubeadm's {@code discovery.bootstrapToken.caCertHashes} expects: {@code sha256:} and
   * the lowercase hex SHA-256 of the CA certificate's DER SubjectPublicKeyInfo.
   *
   * @throws IllegalArgumentException when caCertPem is not a PEM certificate
   */
  public static String caCertHash(String caCertPem) {
    X509Certificate cert;
    try {
      cert = Pem.parseCertificate(caCertPem);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the CA certificate " + e.getMessage(), e);
    }
    try {
      byte[] spki =
          new X509CertificateHolder(cert.getEncoded())
              .getSubjectPublicKeyInfo()
              .getEncoded(ASN1Encoding.DER);
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(spki);
      return "sha256:" + HexFormat.of().formatHex(digest);
    } catch (IOException | CertificateEncodingException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot hash the CA's public key", e);
    }
  }

  private static void requireName(String clusterName) {
    if (clusterName == null || clusterName.isBlank()) {
      throw new IllegalArgumentException("cluster name is blank");
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ClusterPki p
        && clusterName.equals(p.clusterName)
        && ca.equals(p.ca)
        && etcd.equals(p.etcd)
        && frontProxy.equals(p.frontProxy)
        && serviceAccount.equals(p.serviceAccount);
  }

  @Override
  public int hashCode() {
    return Objects.hash(clusterName, ca, etcd, frontProxy, serviceAccount);
  }

  @Override
  public String toString() {
    return "ClusterPki[" + clusterName + ", ca " + caCertHash(ca.certPem()) + ", keys <redacted>]";
  }
}
