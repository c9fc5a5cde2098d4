package dev.slipway.cli;

import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Options that may come from the environment instead (so a password file or vCenter address need
 * not be typed each time). A flag on the command line wins.
 */
final class EnvDefaults implements IDefaultValueProvider {
  static final Map<String, String> VARIABLES =
      Map.of(
          "--vcenter-url", "SLIPWAY_VCENTER_URL",
          "--username", "SLIPWAY_VCENTER_USERNAME",
          "--password-file", "SLIPWAY_VCENTER_PASSWORD_FILE",
          "--ca-file", "SLIPWAY_VCENTER_CA_FILE",
          "--thumbprint", "SLIPWAY_VCENTER_THUMBPRINT",
          "--insecure", "SLIPWAY_VCENTER_INSECURE",
          "--parent-folder", "SLIPWAY_PARENT_FOLDER");

  private final Map<String, String> env;

  EnvDefaults(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    if (arg instanceof OptionSpec option) {
      String variable = VARIABLES.get(option.longestName());
      if (variable != null) {
        String value = env.get(variable);
        if (value != null && !value.isBlank()) {
          return value;
        }
      }
    }
    return arg.defaultValue();
  }
}
