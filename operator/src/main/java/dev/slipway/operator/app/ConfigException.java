package dev.slipway.operator.app;

import java.util.List;

/**
 * The operator cannot start as configured. Each problem is one line a person can act on; none
 * carries a secret. The process prints them all and exits with {@link #EXIT_CODE}.
 */
public final class ConfigException extends RuntimeException {
  public static final int EXIT_CODE = 2;

  private final List<String> problems;

  public ConfigException(List<String> problems) {
    super(String.join("\n", problems));
    this.problems = List.copyOf(problems);
  }

  public ConfigException(String problem) {
    this(List.of(problem));
  }

  public List<String> problems() {
    return problems;
  }
}
