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
}
