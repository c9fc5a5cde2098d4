package dev.slipway.operator.webhook;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Slipway's JDK HTTP servers (the conversion webhook, health and metrics), made here so that the
 * JDK server's process-wide settings, read once when the first server of the JVM is made, are in
 * place before it:
 *
 * <ul>
 *   <li>{@value #NO_DELAY} {@code true}: answers leave at once. Without it, on a kept-alive
 *       connection the API server's next conversion waited on Nagle's algorithm: {@code
 *       ConversionRoundTripIT} took 38 s against 1.8 s with it.
 *   <li>{@value #IDLE_INTERVAL} {@value #IDLE_SECONDS} s: an idle connection is closed by the JDK
 *       server only after the API server's webhook client has let it go (client-go's transports
 *       close theirs after 90 s idle); with the JDK's 30 s, the API server could send a review on a
 *       connection the server was closing, and that conversion failed after the write was stored.
 * </ul>
 *
 * A value already set (a {@code -D} in {@code JAVA_TOOL_OPTIONS}) is kept; the conversion webhook
 * then closes each connection after its answer unless the values are safe ({@link #keepAlive}).
 */
public final class JdkHttpServers {
  static final String NO_DELAY = "sun.net.httpserver.nodelay";
  static final String IDLE_INTERVAL = "sun.net.httpserver.idleInterval";
  static final long IDLE_SECONDS = 120;

  /** How long the API server's webhook client keeps an idle connection (client-go's default). */
  static final Duration API_SERVER_IDLE = Duration.ofSeconds(90);

  private static final boolean KEEP_ALIVE = settle();

  private JdkHttpServers() {}

  /** An HTTP server on {@code address}, not started. */
  public static HttpServer http(InetSocketAddress address, int backlog) throws IOException {
    return HttpServer.create(address, backlog);
  }

  /** An HTTPS server on {@code address}, not started and without its TLS settings yet. */
  static HttpsServer https(InetSocketAddress address, int backlog) throws IOException {
    return HttpsServer.create(address, backlog);
  }

  /**
   * Whether the servers may keep connections alive: no delay on, and idle connections kept longer
   * than the API server keeps them.
   */
  static boolean keepAlive() {
    return KEEP_ALIVE;
  }

  private static boolean settle() {
    if (System.getProperty(NO_DELAY) == null) {
      System.setProperty(NO_DELAY, "true");
    }
    if (System.getProperty(IDLE_INTERVAL) == null) {
      System.setProperty(IDLE_INTERVAL, Long.toString(IDLE_SECONDS));
    }
    return safe(System.getProperty(NO_DELAY), System.getProperty(IDLE_INTERVAL));
  }

  static boolean safe(String noDelay, String idleSeconds) {
    try {
      return Boolean.parseBoolean(noDelay)
          && Long.parseLong(idleSeconds.trim()) > API_SERVER_IDLE.toSeconds();
    } catch (NumberFormatException | NullPointerException e) {
      return false;
    }
  }
}
