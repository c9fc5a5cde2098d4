package dev.slipway.vsphere.internal;

import dev.slipway.vsphere.FaultKind;
import dev.slipway.vsphere.VSphereException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.security.cert.CertificateException;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;

/** Maps vim25 fault types, vAPI error types and transport errors to {@link FaultKind}. */
public final class Faults {

  private static final Map<String, FaultKind> VIM =
      Map.ofEntries(
          Map.entry("InvalidLogin", FaultKind.NOT_AUTHENTICATED),
          Map.entry("NotAuthenticated", FaultKind.NOT_AUTHENTICATED),
          Map.entry("PasswordExpired", FaultKind.NOT_AUTHENTICATED),
          Map.entry("NoPermission", FaultKind.PERMISSION),
          Map.entry("RestrictedByAdministrator", FaultKind.PERMISSION),
          Map.entry("SecurityError", FaultKind.PERMISSION),
          Map.entry("DuplicateName", FaultKind.ALREADY_EXISTS),
          Map.entry("AlreadyExists", FaultKind.ALREADY_EXISTS),
          Map.entry("FileAlreadyExists", FaultKind.ALREADY_EXISTS),
          Map.entry("InvalidPowerState", FaultKind.INVALID_POWER_STATE),
          Map.entry("InvalidState", FaultKind.INVALID_STATE),
          Map.entry("InvalidHostState", FaultKind.INVALID_STATE),
          Map.entry("InvalidDatastoreState", FaultKind.INVALID_STATE),
          Map.entry("TaskInProgress", FaultKind.INVALID_STATE),
          Map.entry("ResourceInUse", FaultKind.IN_USE),
          Map.entry("FileLocked", FaultKind.IN_USE),
          Map.entry("ConcurrentAccess", FaultKind.IN_USE),
          Map.entry("NoDiskSpace", FaultKind.INSUFFICIENT_RESOURCES),
          Map.entry("ManagedObjectNotFound", FaultKind.NOT_FOUND),
          Map.entry("NotFound", FaultKind.NOT_FOUND),
          Map.entry("FileNotFound", FaultKind.NOT_FOUND),
          Map.entry("InvalidArgument", FaultKind.INVALID_ARGUMENT),
          Map.entry("InvalidRequest", FaultKind.INVALID_ARGUMENT),
          Map.entry("InvalidProperty", FaultKind.INVALID_ARGUMENT),
          Map.entry("InvalidType", FaultKind.INVALID_ARGUMENT),
          Map.entry("InvalidName", FaultKind.INVALID_ARGUMENT),
          Map.entry("MethodNotFound", FaultKind.INVALID_ARGUMENT),
          Map.entry("NotSupported", FaultKind.INVALID_ARGUMENT),
          Map.entry("OutOfBounds", FaultKind.INVALID_ARGUMENT),
          Map.entry("HostCommunication", FaultKind.TRANSIENT),
          Map.entry("HostNotReachable", FaultKind.TRANSIENT),
          Map.entry("HostNotConnected", FaultKind.TRANSIENT),
          Map.entry("RequestCanceled", FaultKind.TRANSIENT),
          Map.entry("Timedout", FaultKind.TRANSIENT),
          Map.entry("SystemError", FaultKind.TRANSIENT));

  private static final Map<String, FaultKind> VAPI =
      Map.ofEntries(
          Map.entry("not_found", FaultKind.NOT_FOUND),
          Map.entry("already_exists", FaultKind.ALREADY_EXISTS),
          Map.entry("unauthenticated", FaultKind.NOT_AUTHENTICATED),
          Map.entry("unauthorized", FaultKind.PERMISSION),
          Map.entry("invalid_argument", FaultKind.INVALID_ARGUMENT),
          Map.entry("invalid_request", FaultKind.INVALID_ARGUMENT),
          Map.entry("operation_not_found", FaultKind.INVALID_ARGUMENT),
          Map.entry("unsupported", FaultKind.INVALID_ARGUMENT),
          Map.entry("not_allowed_in_current_state", FaultKind.INVALID_STATE),
          Map.entry("resource_busy", FaultKind.IN_USE),
          Map.entry("resource_in_use", FaultKind.IN_USE),
          Map.entry("unable_to_allocate_resource", FaultKind.INSUFFICIENT_RESOURCES),
          Map.entry("resource_inaccessible", FaultKind.TRANSIENT),
          Map.entry("service_unavailable", FaultKind.TRANSIENT),
          Map.entry("timed_out", FaultKind.TRANSIENT),
          Map.entry("concurrent_change", FaultKind.TRANSIENT));

  private Faults() {}

  /** The kind of a vim25 fault type such as {@code DuplicateName} or {@code InvalidLoginFault}. */
  public static FaultKind ofVimType(String type) {
    if (type == null || type.isEmpty()) {
      return FaultKind.OTHER;
    }
    String t =
        type.endsWith("Fault") && !type.equals("InsufficientResourcesFault")
            ? type.substring(0, type.length() - "Fault".length())
            : type;
    FaultKind k = VIM.get(t);
    if (k != null) {
      return k;
    }
    if (t.startsWith("Insufficient") || t.startsWith("NotEnough")) {
      return FaultKind.INSUFFICIENT_RESOURCES;
    }
    return FaultKind.OTHER;
  }

  /**
   * The kind of a vAPI error type: {@code com.vmware.vapi.std.errors.not_found} (/rest) or {@code
   * NOT_FOUND} (/api).
   */
  public static FaultKind ofVapiType(String type) {
    if (type == null || type.isEmpty()) {
      return FaultKind.OTHER;
    }
    String t = type.substring(type.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
    return VAPI.getOrDefault(t, FaultKind.OTHER);
  }

  /** The kind of an HTTP status without a parsable vSphere error. */
  public static FaultKind ofHttpStatus(int status) {
    return switch (status) {
      case 401 -> FaultKind.NOT_AUTHENTICATED;
      case 403 -> FaultKind.PERMISSION;
      case 404 -> FaultKind.NOT_FOUND;
      case 409 -> FaultKind.ALREADY_EXISTS;
      case 400 -> FaultKind.INVALID_ARGUMENT;
      case 429 -> FaultKind.TRANSIENT;
      default -> status >= 500 ? FaultKind.TRANSIENT : FaultKind.OTHER;
    };
  }

  /** Maps an I/O failure of the HTTP client; the message names the endpoint, never credentials. */
  public static VSphereException transport(String what, IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SSLHandshakeException
          || t instanceof SSLPeerUnverifiedException
          || t instanceof CertificateException) {
        return new VSphereException(
            FaultKind.UNTRUSTED_CERTIFICATE,
            t.getClass().getSimpleName(),
            what + ": server certificate not trusted: " + t.getMessage(),
            e);
      }
    }
    String type = e.getClass().getSimpleName();
    String msg =
        e instanceof HttpTimeoutException
            ? "timed out"
            : e instanceof ConnectException ? "connection refused" : String.valueOf(e.getMessage());
    return new VSphereException(FaultKind.TRANSIENT, type, what + ": " + msg, e);
  }

  /** The caller's thread was interrupted during a call; the interrupt flag is restored. */
  public static VSphereException interrupted(String what, InterruptedException e) {
    Thread.currentThread().interrupt();
    return new VSphereException(
        FaultKind.TRANSIENT, "InterruptedException", what + ": interrupted", e);
  }
}
