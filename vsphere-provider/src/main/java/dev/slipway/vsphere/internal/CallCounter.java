package dev.slipway.vsphere.internal;

import dev.slipway.vsphere.CallObserver;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Calls per vSphere method, and how long each took (to a {@link CallObserver}); thread-safe. */
public final class CallCounter {

  private final ConcurrentHashMap<String, LongAdder> counts = new ConcurrentHashMap<>();
  private final CallObserver observer;

  public CallCounter() {
    this(CallObserver.NONE);
  }

  public CallCounter(CallObserver observer) {
    this.observer = observer;
  }

  /**
   * A call of {@code method} is about to be sent: counted, and the observer may refuse it (its
   * {@link CallObserver#starting} throws, and so does this, before anything is sent).
   */
  public void increment(String method) {
    observer.starting(method);
    counts.computeIfAbsent(method, k -> new LongAdder()).increment();
  }

  /**
   * A call that started at {@code startNanos} ({@link System#nanoTime()}) completed now; a failing
   * observer is ignored (metrics must never break a vCenter call).
   */
  public void completed(String method, long startNanos, boolean failed) {
    try {
      observer.observe(method, Duration.ofNanos(System.nanoTime() - startNanos), failed);
    } catch (RuntimeException e) {
      // nothing to do: the call itself succeeded or failed on its own
    }
  }

  /** A sorted snapshot. */
  public Map<String, Long> snapshot() {
    Map<String, Long> out = new TreeMap<>();
    counts.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }
}
