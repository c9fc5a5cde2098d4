package dev.slipway.operator.app;

/**
 * The operator could not start for a reason that may go away by itself (the API server or vCenter
 * unreachable): the process exits with {@link #EXIT_CODE} and Kubernetes restarts it with back-off.
 * Configuration mistakes are {@link ConfigException}s instead.
 */
public final class StartupException extends RuntimeException {
  public static final int EXIT_CODE = 1;

  public StartupException(String message, Throwable cause) {
    super(message, cause);
  }
}
