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

  /** Minor versions from {@code from} up to {@code to}; another major counts as many. */
  static int minorSteps(String from, String to) {
    int[] x = parse(from);
    int[] y = parse(to);
    return x[0] != y[0] ? Integer.MAX_VALUE : y[1] - x[1];
  }

  /**
   * Whether {@code a} is a later build than {@code b}: a higher version, or the same version with a
   * higher build (v1.37.2+vmware.2 after v1.37.2+vmware.1; numbers compare as numbers).
   */
  static boolean later(String a, String b) {
    int c = compare(a, b);
    return c != 0 ? c > 0 : natural(a, b) > 0;
  }

  private static int natural(String a, String b) {
    String[] x = a.split("(?<=\\d)(?=\\D)|(?<=\\D)(?=\\d)");
    String[] y = b.split("(?<=\\d)(?=\\D)|(?<=\\D)(?=\\d)");
    for (int i = 0; i < Math.min(x.length, y.length); i++) {
      boolean digits = x[i].matches("\\d+") && y[i].matches("\\d+");
      int c =
          digits
              ? new java.math.BigInteger(x[i]).compareTo(new java.math.BigInteger(y[i]))
              : x[i].compareTo(y[i]);
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(x.length, y.length);
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
