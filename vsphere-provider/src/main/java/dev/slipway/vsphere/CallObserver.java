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
}
