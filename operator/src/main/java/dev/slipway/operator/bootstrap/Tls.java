package dev.slipway.operator.bootstrap;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * TLS for a client that presents one certificate and trusts given CAs, built without a key store
 * for the key. A PKCS12 key store encrypts a key on the way in and decrypts it on the way out, each
 * with 10 000 rounds of PBKDF2: building a workload cluster's client that way (fabric8's) and its
 * etcd client's (Slipway's) was 14 % of the operator's CPU while 1 000 clusters were being built
 * (docs/performance.md, optimisation 28).
 */
public final class Tls {
  private Tls() {}

  /** Presents {@code chain} (its first the client's certificate) with {@code key}. */
  public static KeyManager[] keyManagers(PrivateKey key, List<X509Certificate> chain) {
    return new KeyManager[] {new OneKey(key, chain.toArray(new X509Certificate[0]))};
  }

  /** Trusts exactly {@code cas}. */
  public static TrustManager[] trustManagers(List<X509Certificate> cas) {
    try {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      for (int i = 0; i < cas.size(); i++) {
        trust.setCertificateEntry("ca-" + i, cas.get(i));
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      return tmf.getTrustManagers();
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("cannot trust the given CAs", e);
    }
  }

  /** The key and trust managers of one client. */
  public record Managers(KeyManager[] keys, TrustManager[] trust) {}

  /**
   * The managers for a client certificate (PEM, its chain after it), its key (PEM) and the CAs to
   * trust (PEM), as a kubeconfig holds them.
   */
  public static Managers fromPem(String clientCertPem, String clientKeyPem, String caPem) {
    return new Managers(
        keyManagers(Pem.parsePrivateKey(clientKeyPem), Pem.parseCertificates(clientCertPem)),
        trustManagers(Pem.parseCertificates(caPem)));
  }

  /** A TLS context of {@link #keyManagers} and {@link #trustManagers}. */
  public static SSLContext context(
      PrivateKey key, List<X509Certificate> chain, List<X509Certificate> cas) {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(keyManagers(key, chain), trustManagers(cas), new SecureRandom());
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot build a TLS context", e);
    }
  }

  /** A key manager of one client key, offered when the handshake asks for its key type. */
  static final class OneKey extends X509ExtendedKeyManager {
    static final String ALIAS = "client";
    private final PrivateKey key;
    private final X509Certificate[] chain;

    OneKey(PrivateKey key, X509Certificate[] chain) {
      if (chain.length == 0) {
        throw new IllegalArgumentException("a client key needs its certificate");
      }
      this.key = key;
      this.chain = chain.clone();
    }

    private String alias(String[] keyTypes) {
      if (keyTypes != null) {
        for (String t : keyTypes) {
          if (key.getAlgorithm().equals(t)) {
            return ALIAS;
          }
        }
      }
      return null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return alias(new String[] {keyType}) == null ? null : new String[] {ALIAS};
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
      return alias(keyTypes);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine e) {
      return alias(keyTypes);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return null;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine e) {
      return null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return ALIAS.equals(alias) ? chain.clone() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return ALIAS.equals(alias) ? key : null;
    }
  }
}
