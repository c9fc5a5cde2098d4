package dev.slipway.cli;

/**
 * Something the person running the command can fix (a name, a flag, a missing object): its message
 * is printed as it is, without a stack trace, and the exit code is 1.
 */
public final class UserException extends RuntimeException {
  public UserException(String message) {
    super(message);
  }

  public UserException(String message, Throwable cause) {
    super(message, cause);
  }
}
