package dev.slipway.operator.bootstrap;

/**
 * A cluster's PKI Secrets cannot be used. The message names the Secret and what is wrong with it
 * (for example {@code Secret demo-ca: tls.crt is not a PEM certificate}) so that it can be shown as
 * a condition reason as it is; it never contains key material.
 */
public final class InvalidPkiException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String secretName;
  private final String problem;

  public InvalidPkiException(String secretName, String problem) {
    super("Secret " + secretName + ": " + problem);
    this.secretName = secretName;
    this.problem = problem;
  }

  /** The name of the Secret at fault, e.g. {@code demo-ca}. */
  public String secretName() {
    return secretName;
  }

  /** What is wrong, without the Secret's name, e.g. {@code tls.crt is not a PEM certificate}. */
  public String problem() {
    return problem;
  }
}
