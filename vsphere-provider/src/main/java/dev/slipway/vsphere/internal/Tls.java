package dev.slipway.vsphere.internal;

import dev.slipway.vsphere.VSphereConfig;
import java.io.ByteArrayInputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the SSLContext a {@link VSphereConfig} asks for. */
public final class Tls {

  private static final Logger LOG = LoggerFactory.getLogger(Tls.class);

  private Tls() {}

  public static SSLContext context(VSphereConfig config) {
    try {
      TrustManager[] tms;
      if (config.insecure()) {
        LOG.warn(
            "TLS verification is DISABLED for {} (insecure=true): any certificate is accepted",
            config.baseUrl());
        tms = new TrustManager[] {new PinningTrustManager(null)};
      } else if (config.thumbprintSha256().isPresent()) {
        tms = new TrustManager[] {new PinningTrustManager(config.thumbprintSha256().get())};
      } else if (config.caBundlePem().isPresent()) {
        tms = trustManagers(config.caBundlePem().get());
      } else {
        TrustManagerFactory tmf =
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init((KeyStore) null);
        tms = tmf.getTrustManagers();
      }
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tms, null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot set up TLS: " + e.getMessage(), e);
    }
  }

  private static TrustManager[] trustManagers(String pem) throws GeneralSecurityException {
    Collection<? extends Certificate> certs =
        CertificateFactory.getInstance("X.509")
            .generateCertificates(
                new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    if (certs.isEmpty()) {
      throw new IllegalArgumentException("caBundlePem holds no PEM certificate");
    }
    KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
    try {
      ks.load(null, null);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    int i = 0;
    for (Certificate c : certs) {
      ks.setCertificateEntry("ca-" + i++, c);
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    return tmf.getTrustManagers();
  }

  /** SHA-256 of the certificate's DER encoding, upper-case hex without separators. */
  public static String thumbprint(X509Certificate cert) throws CertificateException {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
      return HexFormat.of().formatHex(d).toUpperCase(Locale.ROOT);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new CertificateException(e);
    }
  }

  /**
   * Accepts exactly the server certificate with the pinned thumbprint (no chain or host-name check:
   * the thumbprint identifies the server), or anything when the pin is null (insecure).
   */
  static final class PinningTrustManager extends X509ExtendedTrustManager {
    private final String pin;

    PinningTrustManager(String pin) {
      this.pin = pin;
    }

    private void check(X509Certificate[] chain) throws CertificateException {
      if (pin == null) {
        return;
      }
      if (chain == null || chain.length == 0) {
        throw new CertificateException("server sent no certificate");
      }
      String actual = thumbprint(chain[0]);
      if (!actual.equals(pin)) {
        throw new CertificateException(
            "server certificate thumbprint " + actual + " does not match the pinned thumbprint");
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      throw new CertificateException("client certificates are not accepted");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      throw new CertificateException("client certificates are not accepted");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("client certificates are not accepted");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
