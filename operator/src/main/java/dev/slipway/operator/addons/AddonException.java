package dev.slipway.operator.addons;

/** Why a cluster's addons cannot be applied: a condition reason and a message naming the object. */
public final class AddonException extends Exception {
  private final String reason;

  public AddonException(String reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
