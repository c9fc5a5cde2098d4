package dev.slipway.vsphere.internal;

/** Keeps secrets out of messages. */
final class Redact {

  private Redact() {}

  static String secret(String message, String secret) {
    if (message == null || secret == null || secret.isEmpty()) {
      return message;
    }
    return message.replace(secret, "***");
  }
}
