package dev.slipway.vsphere;

import java.time.Duration;

/**
 * Told about every call the provider makes to vCenter, once it completed: which vSphere method (the
 * names {@link VSphereProvider#callCounts()} uses), how long it took, and whether it failed (a SOAP
 * fault, an HTTP error status, or no answer). The operator turns this into its latency histogram;
 * it runs on the calling thread, so it must be quick and must not throw.
 */
@FunctionalInterface
public interface CallObserver {
  CallObserver NONE = (method, duration, failed) -> {};

  void observe(String method, Duration duration, boolean failed);

  /**
   * Told before each call is sent, on the calling thread. Unlike {@link #observe} it may refuse the
   * call by throwing (a {@link VSphereException}, which the caller sees as the call's failure): the
   * operator does so once it may no longer act (its leader Lease lapsed). Default: allow.
   */
  default void starting(String method) {}
}
