package dev.slipway.operator.bootstrap;

import java.util.Set;

/**
 * A node taint as kubeadm registers it.
 *
 * @param key the taint key
 * @param value the taint value; null or empty for none
 * @param effect {@code NoSchedule}, {@code PreferNoSchedule} or {@code NoExecute}
 */
public record Taint(String key, String value, String effect) {

  private static final Set<String> EFFECTS = Set.of("NoSchedule", "PreferNoSchedule", "NoExecute");

  public Taint {
    if (key == null || key.isBlank()) {
      throw new IllegalArgumentException("taint key is blank");
    }
    if (!EFFECTS.contains(effect)) {
      throw new IllegalArgumentException(
          "taint " + key + " has effect " + Labels.quote(effect) + "; expected one of " + EFFECTS);
    }
  }

  /** The taint kubeadm puts on control-plane nodes, which Slipway always keeps. */
  public static final Taint CONTROL_PLANE =
      new Taint("node-role.kubernetes.io/control-plane", null, "NoSchedule");
}
