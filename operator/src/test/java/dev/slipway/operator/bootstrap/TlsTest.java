package dev.slipway.operator.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Tls} in real handshakes (JSSE on both ends, in this JVM): a server that requires a client
 * certificate from its CA accepts the one {@link Tls} presents, of either key type, and a client
 * that trusts another CA refuses the server.
 */
class TlsTest {
  static final Instant NOW = Instant.now();

  static CertKey ca(String name) {
    KeyPair k = Certificates.rsa2048();
    return new CertKey(
        Pem.certificate(Certificates.selfSignedCa(name, k, NOW)), Pem.privateKey(k.getPrivate()));
  }

  static CertKey leaf(CertKey ca, boolean server, boolean rsa) {
    KeyPair k = rsa ? Certificates.rsa2048() : Certificates.ecP256();
    X509Certificate c =
        server
            ? Certificates.signServer(
                "server",
                List.of("localhost"),
                List.of("127.0.0.1"),
                k.getPublic(),
                ca,
                NOW,
                Duration.ofHours(1))
            : Certificates.signClient("client", null, k.getPublic(), ca, NOW, Duration.ofHours(1));
    return new CertKey(Pem.certificate(c), Pem.privateKey(k.getPrivate()));
  }

  /** A server's TLS the usual way (a key store), requiring client certificates of {@code ca}. */
  static SSLContext serverTls(CertKey server, CertKey ca) throws Exception {
    char[] pw = "test".toCharArray();
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, pw);
    keys.setKeyEntry("server", server.key(), pw, new Certificate[] {server.cert()});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, pw);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), Tls.trustManagers(List.of(ca.cert())), null);
    return ctx;
  }

  /** The client's certificate's subject as the server saw it, after one byte each way. */
  static String handshake(SSLContext serverTls, SSLContext clientTls) throws Exception {
    try (SSLServerSocket server =
        (SSLServerSocket) serverTls.getServerSocketFactory().createServerSocket(0)) {
      server.setNeedClientAuth(true);
      CompletableFuture<String> seen =
          CompletableFuture.supplyAsync(
              () -> {
                try (SSLSocket s = (SSLSocket) server.accept()) {
                  InputStream in = s.getInputStream();
                  in.read();
                  s.getOutputStream().write(1);
                  s.getOutputStream().flush();
                  return ((X509Certificate) s.getSession().getPeerCertificates()[0])
                      .getSubjectX500Principal()
                      .getName();
                } catch (Exception e) {
                  return "refused: " + e;
                }
              });
      try (SSLSocket c =
          (SSLSocket)
              clientTls.getSocketFactory().createSocket("127.0.0.1", server.getLocalPort())) {
        OutputStream out = c.getOutputStream();
        out.write(1);
        out.flush();
        assertThat(c.getInputStream().read()).isEqualTo(1);
      }
      return seen.get(20, TimeUnit.SECONDS);
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void aServerThatRequiresAClientCertificateOfItsCaAcceptsTheOnePresented(boolean rsa)
      throws Exception {
    CertKey ca = ca("cluster-ca");
    CertKey server = leaf(ca, true, true);
    CertKey client = leaf(ca, false, rsa);
    SSLContext serverTls = serverTls(server, ca);

    Tls.Managers m = Tls.fromPem(client.certPem(), client.keyPem(), ca.certPem());
    SSLContext clientTls = SSLContext.getInstance("TLS");
    clientTls.init(m.keys(), m.trust(), null);

    assertThat(handshake(serverTls, clientTls)).isEqualTo("CN=client");
  }

  @Test
  void aClientThatTrustsAnotherCaRefusesTheServer() throws Exception {
    CertKey ca = ca("cluster-ca");
    CertKey server = leaf(ca, true, false);
    CertKey client = leaf(ca, false, false);
    SSLContext serverTls = serverTls(server, ca);
    SSLContext clientTls =
        Tls.context(client.key(), List.of(client.cert()), List.of(ca("someone-else").cert()));

    assertThatThrownBy(() -> handshake(serverTls, clientTls))
        .isInstanceOf(SSLHandshakeException.class)
        .hasMessageContaining("PKIX path");
  }

  @Test
  void theKeyIsOfferedOnlyForItsOwnKeyType() {
    CertKey ca = ca("cluster-ca");
    CertKey ec = leaf(ca, false, false);
    Tls.OneKey km = new Tls.OneKey(ec.key(), new X509Certificate[] {ec.cert()});
    assertThat(km.chooseEngineClientAlias(new String[] {"RSA"}, null, null)).isNull();
    assertThat(km.chooseEngineClientAlias(new String[] {"RSA", "EC"}, null, null))
        .isEqualTo(Tls.OneKey.ALIAS);
    assertThat(km.getPrivateKey(Tls.OneKey.ALIAS)).isEqualTo(ec.key());
    assertThat(km.getCertificateChain("other")).isNull();
  }
}
