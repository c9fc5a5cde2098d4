package dev.slipway.operator.controller.etcd;

/** etcd refused a request or could not be reached. */
public final class EtcdException extends RuntimeException {
  private final boolean unreachable;

  public EtcdException(String message) {
    super(message);
    this.unreachable = false;
  }

  public EtcdException(String message, Throwable cause) {
    super(message, cause);
    this.unreachable = cause instanceof java.io.IOException;
  }

  /** The member did not answer (try another); otherwise it answered no. */
  public boolean unreachable() {
    return unreachable;
  }
}
