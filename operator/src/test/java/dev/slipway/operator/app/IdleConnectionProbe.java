package dev.slipway.operator.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Run in a JVM of its own by {@link MainTest}: after what {@link Main#main} does first (with a 1 s
 * idle time), makes one HTTP/1.1 request that leaves its connection open, and prints how many
 * milliseconds later the client closed it (the server reads end of stream), or "open" after 30 s.
 */
public final class IdleConnectionProbe {
  private IdleConnectionProbe() {}

  public static void main(String[] args) throws Exception {
    Main.idleConnectionsClosed(Duration.ofSeconds(1));
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      server.setSoTimeout(30_000);
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      var response =
          client.sendAsync(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getLocalPort() + "/"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      try (Socket s = server.accept()) {
        s.setSoTimeout(30_000);
        InputStream in = s.getInputStream();
        readHead(in);
        OutputStream out = s.getOutputStream();
        out.write(
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok"
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        response.join();
        long answered = System.nanoTime();
        try {
          while (in.read() >= 0) {
            // nothing more is expected
          }
          System.out.println((System.nanoTime() - answered) / 1_000_000);
        } catch (java.net.SocketTimeoutException e) {
          System.out.println("open");
        }
      }
    }
  }

  private static void readHead(InputStream in) throws IOException {
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("request ended early");
      }
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
  }
}
