package dev.slipway.operator.app;

import java.util.concurrent.CompletableFuture;

/**
 * Run in a JVM of its own by {@link MainTest}: prints the name of the thread an async stage ran on,
 * after what {@link Main#main} does first.
 */
public final class AsyncStagesProbe {
  private AsyncStagesProbe() {}

  public static void main(String[] args) {
    Main.asyncStagesOnTheCommonPool();
    System.out.println(
        CompletableFuture.supplyAsync(() -> Thread.currentThread().getName()).join());
  }
}
