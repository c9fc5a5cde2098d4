package dev.slipway.guest;

import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** The few X.509 steps a kubelet, the CSR signer and an etcd client take, with BouncyCastle. */
public final class Pki {
  private Pki() {}

  record ClientRequest(String csrPem, String keyPem) {}

  /** A certificate and its private key, both PEM. */
  public record ClientCert(String certPem, String keyPem) {}

  /** A kubelet client key and the CSR kubelet's TLS bootstrap sends for it. */
  static ClientRequest kubeletClientRequest(String nodeName) throws Exception {
    // RSA: fabric8 reads PKCS#8 RSA keys from client key data, not PKCS#8 EC ones.
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048, new SecureRandom());
    KeyPair kp = g.generateKeyPair();
    PKCS10CertificationRequest csr =
        new JcaPKCS10CertificationRequestBuilder(
                new X500Name("O=system:nodes,CN=system:node:" + nodeName), kp.getPublic())
            .build(new JcaContentSignerBuilder("SHA256withRSA").build(kp.getPrivate()));
    return new ClientRequest(pem(csr), pem(kp.getPrivate()));
  }

  /** Signs a CSR with the cluster CA as kube-controller-manager's csrsigning controller would. */
  static String signClient(String csrPem, String caCertPem, String caKeyPem, Duration validity)
      throws Exception {
    PKCS10CertificationRequest csr;
    try (PEMParser p = new PEMParser(new StringReader(csrPem))) {
      csr = (PKCS10CertificationRequest) p.readObject();
    }
    X509Certificate ca;
    try (PEMParser p = new PEMParser(new StringReader(caCertPem))) {
      ca = new JcaX509CertificateConverter().getCertificate((X509CertificateHolder) p.readObject());
    }
    PrivateKey caKey = privateKey(caKeyPem);
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            ca,
            new BigInteger(64, new SecureRandom()),
            Date.from(now.minus(Duration.ofMinutes(5))),
            Date.from(now.plus(validity)),
            csr.getSubject(),
            new org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest(csr).getPublicKey());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
    b.addExtension(
        Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
    ContentSigner signer =
        new JcaContentSignerBuilder(
                caKey.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA")
            .build(caKey);
    return pem(new JcaX509CertificateConverter().getCertificate(b.build(signer)));
  }

  /**
   * A fresh client certificate signed by the given CA, as Cluster API mints one from a cluster's
   * etcd CA to talk to etcd ({@code CN=<commonName>}, clientAuth).
   */
  public static ClientCert clientCertificate(String commonName, String caCertPem, String caKeyPem)
      throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048, new SecureRandom());
    KeyPair kp = g.generateKeyPair();
    PKCS10CertificationRequest csr =
        new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + commonName), kp.getPublic())
            .build(new JcaContentSignerBuilder("SHA256withRSA").build(kp.getPrivate()));
    return new ClientCert(
        signClient(pem(csr), caCertPem, caKeyPem, Duration.ofDays(1)), pem(kp.getPrivate()));
  }

  /** TLS that trusts {@code caPem} only and presents the given client certificate. */
  public static javax.net.ssl.SSLContext mutualTls(String caPem, String certPem, String keyPem)
      throws Exception {
    java.security.cert.CertificateFactory cf =
        java.security.cert.CertificateFactory.getInstance("X.509");
    java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry(
        "ca",
        cf.generateCertificate(
            new java.io.ByteArrayInputStream(caPem.getBytes(StandardCharsets.UTF_8))));
    java.security.KeyStore keys = java.security.KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    char[] pw = "guest".toCharArray();
    keys.setKeyEntry(
        "client",
        privateKey(keyPem),
        pw,
        new java.security.cert.Certificate[] {
          cf.generateCertificate(
              new java.io.ByteArrayInputStream(certPem.getBytes(StandardCharsets.UTF_8)))
        });
    javax.net.ssl.TrustManagerFactory tmf =
        javax.net.ssl.TrustManagerFactory.getInstance(
            javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    javax.net.ssl.KeyManagerFactory kmf =
        javax.net.ssl.KeyManagerFactory.getInstance(
            javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, pw);
    javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
    return ctx;
  }

  private static PrivateKey privateKey(String keyPem) throws Exception {
    try (PEMParser p = new PEMParser(new StringReader(keyPem))) {
      Object o = p.readObject();
      JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
      return o instanceof PEMKeyPair kp
          ? conv.getKeyPair(kp).getPrivate()
          : conv.getPrivateKey((org.bouncycastle.asn1.pkcs.PrivateKeyInfo) o);
    }
  }

  static String subject(String csrPem) throws Exception {
    try (PEMParser p = new PEMParser(new StringReader(csrPem))) {
      return ((PKCS10CertificationRequest) p.readObject()).getSubject().toString();
    }
  }

  private static String pem(Object o) throws Exception {
    StringWriter w = new StringWriter();
    try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
      pw.writeObject(o);
    }
    return w.toString();
  }
}
