package dev.slipway.operator.bootstrap;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * PEM encoding and decoding. Parse failures are {@link IllegalArgumentException}s with a short
 * reason that callers prefix with where the text came from; they never quote the input, which may
 * hold a private key.
 */
final class Pem {

  private Pem() {}

  static String encode(String type, byte[] der) {
    StringWriter out = new StringWriter();
    try (PemWriter w = new PemWriter(out)) {
      w.writeObject(new PemObject(type, der));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  static String certificate(X509Certificate cert) {
    try {
      return encode("CERTIFICATE", cert.getEncoded());
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException("cannot encode a certificate we just built", e);
    }
  }

  static String publicKey(PublicKey key) {
    return encode("PUBLIC KEY", key.getEncoded());
  }

  /**
   * RSA keys as PKCS#1 ("RSA PRIVATE KEY"), because that is what kubeadm writes and what Cluster
   * API stores in its Secrets; other keys as PKCS#8.
   */
  static String privateKey(PrivateKey key) {
    if ("RSA".equals(key.getAlgorithm())) {
      try {
        byte[] pkcs1 =
            PrivateKeyInfo.getInstance(key.getEncoded())
                .parsePrivateKey()
                .toASN1Primitive()
                .getEncoded();
        return encode("RSA PRIVATE KEY", pkcs1);
      } catch (IOException e) {
        throw new IllegalStateException("cannot re-encode an RSA key as PKCS#1", e);
      }
    }
    return encode("PRIVATE KEY", key.getEncoded());
  }

  static X509Certificate parseCertificate(String pem) {
    List<X509Certificate> certs = parseCertificates(pem);
    if (certs.size() != 1) {
      throw new IllegalArgumentException(
          "holds " + certs.size() + " certificates where exactly one is expected");
    }
    return certs.get(0);
  }

  /** Every certificate in a bundle; anything else in it (or nothing at all) is an error. */
  static List<X509Certificate> parseCertificates(String pem) {
    List<X509Certificate> certs = new ArrayList<>();
    for (Object o : readAll(pem, "a PEM certificate")) {
      if (!(o instanceof X509CertificateHolder holder)) {
        throw new IllegalArgumentException("is not a PEM certificate");
      }
      try {
        certs.add(new JcaX509CertificateConverter().getCertificate(holder));
      } catch (CertificateException e) {
        throw new IllegalArgumentException("is not a valid X.509 certificate");
      }
    }
    return certs;
  }

  static PrivateKey parsePrivateKey(String pem) {
    Object o = single(pem, "a PEM private key");
    JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
    try {
      if (o instanceof PEMKeyPair pair) {
        return conv.getKeyPair(pair).getPrivate();
      }
      if (o instanceof PrivateKeyInfo info) {
        return conv.getPrivateKey(info);
      }
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("is not a usable private key");
    }
    throw new IllegalArgumentException("is not an unencrypted PEM private key");
  }

  static PublicKey parsePublicKey(String pem) {
    Object o = single(pem, "a PEM public key");
    if (!(o instanceof SubjectPublicKeyInfo info)) {
      throw new IllegalArgumentException("is not a PEM public key");
    }
    try {
      return new JcaPEMKeyConverter().getPublicKey(info);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("is not a usable public key");
    }
  }

  private static Object single(String pem, String what) {
    List<Object> all = readAll(pem, what);
    if (all.size() != 1) {
      throw new IllegalArgumentException("holds " + all.size() + " PEM blocks, expected " + what);
    }
    return all.get(0);
  }

  private static List<Object> readAll(String pem, String what) {
    if (pem == null || pem.isBlank()) {
      throw new IllegalArgumentException("is empty, expected " + what);
    }
    List<Object> out = new ArrayList<>();
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
        out.add(o);
      }
    } catch (IOException | RuntimeException e) {
      // BouncyCastle reports bad base64 and bad DER as assorted runtime exceptions.
      throw new IllegalArgumentException("is not " + what);
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("is not " + what);
    }
    return out;
  }
}
