package dev.slipway.vsphere;

import java.util.Objects;

/**
 * A fault as data: its kind, the vSphere fault type as reported ({@code DuplicateName}, {@code
 * com.vmware.vapi.std.errors.not_found}, {@code java.net.ConnectException}) and vCenter's message.
 * Never contains credentials.
 */
public record VSphereFault(FaultKind kind, String type, String message) {

  public VSphereFault {
    Objects.requireNonNull(kind, "kind");
    type = type == null ? "" : type;
    message = message == null ? "" : message;
  }

  public boolean isRetryable() {
    return kind.isRetryable();
  }

  /** The fault as an exception to throw. */
  public VSphereException toException() {
    return new VSphereException(this, null);
  }
}
