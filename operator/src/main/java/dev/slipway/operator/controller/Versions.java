package dev.slipway.operator.controller;

/** Kubernetes version order: v1.30.1+vmware.1 compares by 1, 30, 1; build metadata is ignored. */
final class Versions {
  private Versions() {}

  static int compare(String a, String b) {
    int[] x = parse(a);
    int[] y = parse(b);
    for (int i = 0; i < 3; i++) {
      if (x[i] != y[i]) {
        return Integer.compare(x[i], y[i]);
      }
    }
    return 0;
  }

  static int[] parse(String v) {
    String core = v.replaceFirst("^v", "").split("[+-]", 2)[0];
    String[] parts = core.split("\\.");
    int[] out = new int[3];
    for (int i = 0; i < 3 && i < parts.length; i++) {
      out[i] = Integer.parseInt(parts[i]);
    }
    return out;
  }
}
