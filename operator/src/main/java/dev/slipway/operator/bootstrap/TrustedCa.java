package dev.slipway.operator.bootstrap;

import java.util.regex.Pattern;

/**
 * An additional CA the nodes trust (for a private registry or proxy), installed as {@code
 * /usr/local/share/ca-certificates/<name>.crt}.
 *
 * @param name file name without extension: letters, digits, '.', '_', '-'
 * @param pem one or more PEM certificates
 */
public record TrustedCa(String name, String pem) {

  private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");

  public TrustedCa {
    if (name == null || !FILE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "trusted CA name "
              + Labels.quote(name)
              + " must be letters, digits, '.', '_' or '-' (it becomes a file name)");
    }
    try {
      Pem.parseCertificates(pem);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("trusted CA " + name + " " + e.getMessage(), e);
    }
  }
}
