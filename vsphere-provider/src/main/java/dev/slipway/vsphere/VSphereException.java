package dev.slipway.vsphere;

import java.util.Objects;

/**
 * Every failure of a {@link VSphereProvider} call: unchecked, typed by {@link FaultKind}, with
 * vCenter's message. Messages never contain credentials.
 */
public class VSphereException extends RuntimeException {

  private final VSphereFault fault;

  public VSphereException(VSphereFault fault, Throwable cause) {
    super(
        fault.kind()
            + (fault.type().isEmpty() ? "" : " (" + fault.type() + ")")
            + ": "
            + fault.message(),
        cause);
    this.fault = Objects.requireNonNull(fault, "fault");
  }

  public VSphereException(FaultKind kind, String type, String message) {
    this(new VSphereFault(kind, type, message), null);
  }

  public VSphereException(FaultKind kind, String type, String message, Throwable cause) {
    this(new VSphereFault(kind, type, message), cause);
  }

  public VSphereFault fault() {
    return fault;
  }

  public FaultKind kind() {
    return fault.kind();
  }

  /** The vSphere fault type as reported, e.g. {@code DuplicateName}; may be empty. */
  public String faultType() {
    return fault.type();
  }

  /** vCenter's message (or the transport's), without the kind prefix. */
  public String vcenterMessage() {
    return fault.message();
  }

  public boolean isRetryable() {
    return fault.isRetryable();
  }

  /**
   * Whether vCenter did not answer at all: no connection could be made (refused, connect timed out,
   * no route). Nothing was asked of it, so trying again soon costs it nothing.
   */
  public boolean isUnreachable() {
    if (UNREACHABLE.contains(faultType())) {
      return true;
    }
    for (Throwable t = getCause(); t != null; t = t.getCause()) {
      if (t instanceof java.net.ConnectException
          || t instanceof java.net.NoRouteToHostException
          || t instanceof java.net.http.HttpConnectTimeoutException) {
        return true;
      }
    }
    return false;
  }

  /** The fault types of a call no connection was made for (the transport's exception names). */
  private static final java.util.Set<String> UNREACHABLE =
      java.util.Set.of("ConnectException", "NoRouteToHostException", "HttpConnectTimeoutException");
}
