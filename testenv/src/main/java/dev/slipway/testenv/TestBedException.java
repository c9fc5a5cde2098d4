package dev.slipway.testenv;

/** A test bed part could not be built, started or reached; the message names the cause and fix. */
public class TestBedException extends RuntimeException {
  public TestBedException(String message) {
    super(message);
  }

  public TestBedException(String message, Throwable cause) {
    super(message, cause);
  }
}
