package dev.slipway.operator.plan;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * One node pool of the desired topology.
 *
 * @param name the pool's name, unique within its cluster; it becomes part of machine names
 * @param replicas how many machines the pool should have; empty when something else (an autoscaler)
 *     owns the count, so the planner neither creates nor deletes the pool's machines
 */
public record PoolSpec(String name, OptionalInt replicas) {
  public PoolSpec {
    Objects.requireNonNull(name, "pool name");
    Objects.requireNonNull(replicas, "replicas of pool " + name);
    if (name.isBlank()) {
      throw new IllegalArgumentException("pool name is blank");
    }
    if (replicas.isPresent() && replicas.getAsInt() < 0) {
      throw new IllegalArgumentException(
          "pool " + name + " has negative replicas: " + replicas.getAsInt());
    }
  }

  /** A pool whose machine count the planner keeps at {@code replicas}. */
  public static PoolSpec managed(String name, int replicas) {
    return new PoolSpec(name, OptionalInt.of(replicas));
  }

  /** A pool whose machine count belongs to someone else, typically the cluster autoscaler. */
  public static PoolSpec unmanaged(String name) {
    return new PoolSpec(name, OptionalInt.empty());
  }

  public boolean isManaged() {
    return replicas.isPresent();
  }
}
