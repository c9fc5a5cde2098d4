package dev.slipway.operator.plan;

/**
 * Where new machine names get their random part. Tests pass a deterministic one; production uses
 * {@link MachinePlanner#randomSuffixes}.
 */
@FunctionalInterface
public interface NameSuffixes {
  /** The next suffix, five characters by convention; callers draw again when it is taken. */
  String next();
}
