package dev.slipway.operator.bootstrap;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Key pairs and X.509 certificates with the extensions kubeadm gives its own. */
final class Certificates {

  static final Duration CA_VALIDITY = Duration.ofDays(3650);

  /**
   * Certificates start a little in the past so that a guest whose clock lags the operator's does
   * not reject them as not yet valid while NTP catches up.
   */
  static final Duration BACKDATE = Duration.ofMinutes(5);

  private static final SecureRandom RANDOM = new SecureRandom();

  private Certificates() {}

  static KeyPair rsa2048() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048, RANDOM);
      return g.generateKeyPair();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM cannot generate RSA keys", e);
    }
  }

  /**
   * An ECDSA P-256 key pair: for Slipway's own short-lived client certificates. 1.5 ms of CPU here
   * against 195 ms for an RSA 2048 key (docs/performance.md, optimisation 16).
   */
  static KeyPair ecP256() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM cannot generate P-256 keys", e);
    }
  }

  static X509Certificate selfSignedCa(String commonName, KeyPair keys, Instant now) {
    X500Name name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
    Instant notBefore = now.minus(BACKDATE);
    Instant notAfter = now.plus(CA_VALIDITY);
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
                  name, serial(), Date.from(notBefore), Date.from(notAfter), name, keys.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
              .addExtension(
                  Extension.keyUsage,
                  true,
                  new KeyUsage(
                      KeyUsage.keyCertSign | KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
              .addExtension(
                  Extension.subjectKeyIdentifier,
                  false,
                  ext.createSubjectKeyIdentifier(keys.getPublic()));
      return sign(b, keys.getPrivate());
    } catch (NoSuchAlgorithmException | CertIOException e) {
      throw new IllegalStateException("cannot build the CA certificate " + commonName, e);
    }
  }

  /** A client certificate; it never outlives the CA that signs it. */
  static X509Certificate signClient(
      String commonName,
      String organization,
      PublicKey subjectKey,
      CertKey ca,
      Instant now,
      Duration validity) {
    X500NameBuilder nb = new X500NameBuilder(BCStyle.INSTANCE);
    if (organization != null) {
      nb.addRDN(BCStyle.O, organization);
    }
    X500Name subject = nb.addRDN(BCStyle.CN, commonName).build();
    return signLeaf(
        subject, subjectKey, ca, now, validity, KeyPurposeId.id_kp_clientAuth, null, "client");
  }

  /**
   * A TLS server certificate for {@code dnsNames} and {@code ipAddresses} (subject alternative
   * names; clients ignore the common name); it never outlives the CA that signs it.
   */
  static X509Certificate signServer(
      String commonName,
      List<String> dnsNames,
      List<String> ipAddresses,
      PublicKey subjectKey,
      CertKey ca,
      Instant now,
      Duration validity) {
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
    List<GeneralName> names = new ArrayList<>();
    dnsNames.forEach(d -> names.add(new GeneralName(GeneralName.dNSName, d)));
    ipAddresses.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
    return signLeaf(
        subject,
        subjectKey,
        ca,
        now,
        validity,
        KeyPurposeId.id_kp_serverAuth,
        new GeneralNames(names.toArray(GeneralName[]::new)),
        "server");
  }

  /**
   * A certificate that is not a CA, for {@code purpose}, signed by {@code ca}; it never outlives
   * the CA. {@code altNames}, when given, are its subject alternative names.
   */
  private static X509Certificate signLeaf(
      X500Name subject,
      PublicKey subjectKey,
      CertKey ca,
      Instant now,
      Duration validity,
      KeyPurposeId purpose,
      GeneralNames altNames,
      String what) {
    X509Certificate caCert = ca.cert();
    Instant notBefore = now.minus(BACKDATE);
    Instant notAfter = now.plus(validity);
    if (notAfter.isAfter(caCert.getNotAfter().toInstant())) {
      notAfter = caCert.getNotAfter().toInstant();
    }
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
                  caCert, serial(), Date.from(notBefore), Date.from(notAfter), subject, subjectKey)
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
              .addExtension(
                  Extension.keyUsage,
                  true,
                  new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
              .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
      if (altNames != null) {
        b.addExtension(Extension.subjectAlternativeName, false, altNames);
      }
      b.addExtension(
          Extension.authorityKeyIdentifier,
          false,
          ext.createAuthorityKeyIdentifier(caCert.getPublicKey()));
      return sign(b, ca.key());
    } catch (NoSuchAlgorithmException | CertIOException e) {
      throw new IllegalStateException("cannot build the " + what + " certificate " + subject, e);
    }
  }

  /** How many pairs {@link #matches} remembers as matching (a SHA-256 digest each). */
  static final int MATCHED_PAIRS_KEPT = 20_000;

  /**
   * Pairs seen to match, by a digest of both encodings, least recently used dropped first. Every
   * pass of a cluster and of its control-plane machines loads the cluster's PKI from its Secrets; a
   * signature per key pair there was 38 % of the operator's CPU samples with 1 000 clusters
   * (docs/performance.md, optimisation 20). Whether two keys match depends on their bytes only.
   */
  private static final Map<String, Boolean> MATCHED =
      Collections.synchronizedMap(
          new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
              return size() > MATCHED_PAIRS_KEPT;
            }
          });

  private static final AtomicLong SIGNATURE_CHECKS = new AtomicLong();

  /**
   * Whether {@code priv} is the private half of {@code pub}: a signature made with one verifies. A
   * pair seen to match before is not signed again.
   */
  static boolean matches(PrivateKey priv, PublicKey pub) {
    if (!priv.getAlgorithm().equals(pub.getAlgorithm())) {
      return false;
    }
    String pair = digest(priv, pub);
    if (pair != null && MATCHED.get(pair) != null) {
      return true;
    }
    SIGNATURE_CHECKS.incrementAndGet();
    try {
      byte[] challenge = new byte[32];
      RANDOM.nextBytes(challenge);
      Signature s = Signature.getInstance(signatureAlgorithm(priv));
      s.initSign(priv);
      s.update(challenge);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(signatureAlgorithm(priv));
      v.initVerify(pub);
      v.update(challenge);
      boolean ok = v.verify(sig);
      if (ok && pair != null) {
        MATCHED.put(pair, Boolean.TRUE);
      }
      return ok;
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  /** How many signatures {@link #matches} has made (tests). */
  static long signatureChecks() {
    return SIGNATURE_CHECKS.get();
  }

  /** SHA-256 of both keys' encodings; null when a key has none (then nothing is remembered). */
  private static String digest(PrivateKey priv, PublicKey pub) {
    byte[] a = priv.getEncoded();
    byte[] b = pub.getEncoded();
    if (a == null || b == null) {
      return null;
    }
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(a);
      d.update((byte) 0);
      d.update(b);
      return Base64.getEncoder().encodeToString(d.digest());
    } catch (NoSuchAlgorithmException e) {
      return null;
    }
  }

  static String signatureAlgorithm(PrivateKey key) {
    return switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default ->
          throw new IllegalArgumentException(
              "keys of type " + key.getAlgorithm() + " are not supported");
    };
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key) {
    try {
      ContentSigner signer = new JcaContentSignerBuilder(signatureAlgorithm(key)).build(key);
      return new JcaX509CertificateConverter().getCertificate(b.build(signer));
    } catch (OperatorCreationException | java.security.cert.CertificateException e) {
      throw new IllegalStateException("cannot sign a certificate", e);
    }
  }

  /** Positive and at most 20 bytes, as RFC 5280 requires; random so reissues never collide. */
  private static BigInteger serial() {
    return new BigInteger(127, RANDOM).add(BigInteger.ONE);
  }
}
