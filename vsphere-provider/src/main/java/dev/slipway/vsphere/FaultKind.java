package dev.slipway.vsphere;

/** What went wrong, independent of whether SOAP, REST or the network reported it. */
public enum FaultKind {
  /** The object does not exist (ManagedObjectNotFound, NotFound, REST not_found, HTTP 404). */
  NOT_FOUND(false),
  /** An object of that name already exists (DuplicateName, AlreadyExists, REST already_exists). */
  ALREADY_EXISTS(false),
  /** The VM is in the wrong power state for the operation (InvalidPowerState). */
  INVALID_POWER_STATE(false),
  /** The object is in the wrong state, e.g. powering on a template (InvalidState). */
  INVALID_STATE(true),
  /** The object is in use or not empty (ResourceInUse, deleting a folder that still has VMs). */
  IN_USE(true),
  /** Not enough CPU, memory or storage (InsufficientResourcesFault and its subtypes). */
  INSUFFICIENT_RESOURCES(true),
  /** The credentials were rejected (InvalidLogin, NotAuthenticated after re-login, HTTP 401). */
  NOT_AUTHENTICATED(false),
  /** The user lacks a privilege (NoPermission, REST unauthorized, HTTP 403). */
  PERMISSION(false),
  /** The request was malformed or refers to an invalid value (InvalidArgument, InvalidRequest). */
  INVALID_ARGUMENT(false),
  /** Slipway refuses to touch an object it did not create (no {@code slipway.dev/managed}). */
  NOT_MANAGED(false),
  /** The server certificate is not trusted (wrong CA, wrong thumbprint, wrong host name). */
  UNTRUSTED_CERTIFICATE(false),
  /** The endpoint was unreachable, timed out, or answered 5xx without a vSphere fault. */
  TRANSIENT(true),
  /** Anything else; the message says what vCenter reported. */
  OTHER(false);

  private final boolean retryable;

  FaultKind(boolean retryable) {
    this.retryable = retryable;
  }

  /** Whether retrying the same call later (with back-off) may succeed without any change. */
  public boolean isRetryable() {
    return retryable;
  }
}
