// CPU of the server's side of a TLS handshake (TLS 1.3, the JDK's SSLEngine as the operator's
// HTTPS servers use it), with an RSA 2048 and an ECDSA P-256 server key: the conversion webhook
// makes one per review (docs/performance.md, optimisation 35). Client and server engines run in
// one thread; only the server's calls are timed. Needs keytool on the PATH.
// Run: java bench/TlsHandshake.java
import java.io.File;
import java.io.FileInputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

public class TlsHandshake {
  static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  static long serverNanos;

  public static void main(String[] args) throws Exception {
    File dir = Files.createTempDirectory("tls-handshake").toFile();
    String[][] keys = {{"RSA", "-keysize", "2048"}, {"EC", "-groupname", "secp256r1"}};
    for (String[] k : keys) {
      SSLContext server = server(dir, k[0], k[1], k[2]);
      SSLContext client = SSLContext.getInstance("TLSv1.3");
      client.init(null, new TrustManager[] {new TrustAll()}, null);
      for (int i = 0; i < 200; i++) {
        handshake(client, server); // warm-up
      }
      serverNanos = 0;
      int n = 500;
      for (int i = 0; i < n; i++) {
        handshake(client, server);
      }
      System.out.printf(
          "%s %s server key: %d handshakes, %.2f ms of server CPU each%n",
          k[0], k[2], n, serverNanos / 1e6 / n);
    }
  }

  static SSLContext server(File dir, String alg, String sizeFlag, String size) throws Exception {
    File ks = new File(dir, alg + ".p12");
    Process p =
        new ProcessBuilder(
                "keytool", "-genkeypair", "-keystore", ks.getPath(), "-storetype", "PKCS12",
                "-storepass", "changeit", "-alias", "server", "-keyalg", alg, sizeFlag, size,
                "-dname", "CN=webhook", "-validity", "2")
            .inheritIO()
            .start();
    if (p.waitFor() != 0) {
      throw new IllegalStateException("keytool failed");
    }
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (FileInputStream in = new FileInputStream(ks)) {
      store.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
    kmf.init(store, "changeit".toCharArray());
    SSLContext c = SSLContext.getInstance("TLSv1.3");
    c.init(kmf.getKeyManagers(), null, null);
    return c;
  }

  /** A fresh connection's handshake, both sides in this thread, the server's part timed. */
  static void handshake(SSLContext clientCtx, SSLContext serverCtx) throws Exception {
    SSLEngine client = clientCtx.createSSLEngine("webhook", 443);
    client.setUseClientMode(true);
    long t0 = THREADS.getCurrentThreadCpuTime();
    SSLEngine server = serverCtx.createSSLEngine();
    server.setUseClientMode(false);
    serverNanos += THREADS.getCurrentThreadCpuTime() - t0;
    int size = 1 << 17;
    ByteBuffer toServer = ByteBuffer.allocate(size), toClient = ByteBuffer.allocate(size);
    ByteBuffer app = ByteBuffer.allocate(size), empty = ByteBuffer.allocate(0);
    client.beginHandshake();
    server.beginHandshake();
    for (int round = 0; round < 100; round++) {
      step(client, empty, toServer, toClient, app, false);
      step(server, empty, toClient, toServer, app, true);
      if (done(client) && done(server)) {
        return;
      }
    }
    throw new IllegalStateException("no handshake");
  }

  static boolean done(SSLEngine e) {
    HandshakeStatus s = e.getHandshakeStatus();
    return s == HandshakeStatus.NOT_HANDSHAKING || s == HandshakeStatus.FINISHED;
  }

  /** Reads what the peer sent, runs tasks, writes what it has to send. */
  static void step(
      SSLEngine e, ByteBuffer empty, ByteBuffer out, ByteBuffer in, ByteBuffer app, boolean timed)
      throws Exception {
    long t0 = timed ? THREADS.getCurrentThreadCpuTime() : 0;
    in.flip();
    while (in.hasRemaining()) {
      app.clear();
      e.unwrap(in, app);
      Runnable task;
      while ((task = e.getDelegatedTask()) != null) {
        task.run();
      }
      if (e.getHandshakeStatus() != HandshakeStatus.NEED_UNWRAP) {
        break;
      }
    }
    in.compact();
    Runnable task;
    while ((task = e.getDelegatedTask()) != null) {
      task.run();
    }
    while (e.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
      e.wrap(empty, out);
      while ((task = e.getDelegatedTask()) != null) {
        task.run();
      }
    }
    if (timed) {
      serverNanos += THREADS.getCurrentThreadCpuTime() - t0;
    }
  }

  static final class TrustAll implements X509TrustManager {
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
