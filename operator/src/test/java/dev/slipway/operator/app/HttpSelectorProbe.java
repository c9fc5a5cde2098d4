package dev.slipway.operator.app;

import java.lang.reflect.Field;
import java.net.http.HttpClient;

/**
 * Run in a JVM of its own by {@link MainTest}: after what {@link Main#main} does first, makes an
 * HTTP client and prints how long the JDK's idle selector threads wait between wake-ups, in
 * milliseconds, read from the JDK's own field (the child JVM opens the package to it).
 */
public final class HttpSelectorProbe {
  private HttpSelectorProbe() {}

  public static void main(String[] args) throws Exception {
    Main.idleHttpSelectorsWakeEveryMinute();
    HttpClient.newHttpClient();
    Field f =
        Class.forName("jdk.internal.net.http.HttpClientImpl$SelectorManager")
            .getDeclaredField("NODEADLINE");
    f.setAccessible(true);
    System.out.println(f.getLong(null));
  }
}
