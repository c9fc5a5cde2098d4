package dev.slipway.vsphere.internal;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Calls per vSphere method; thread-safe. */
public final class CallCounter {

  private final ConcurrentHashMap<String, LongAdder> counts = new ConcurrentHashMap<>();

  public void increment(String method) {
    counts.computeIfAbsent(method, k -> new LongAdder()).increment();
  }

  /** A sorted snapshot. */
  public Map<String, Long> snapshot() {
    Map<String, Long> out = new TreeMap<>();
    counts.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }
}
