package dev.slipway.operator.plan;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * One node pool of the desired topology.
 *
 * @param name the pool's name, unique within its cluster; it becomes part of machine names
 * @param replicas how many machines the pool should have; empty when something else (an autoscaler)
 *     owns the count, so the planner neither creates nor deletes the pool's machines (nor rolls
 *     them out: without a count it cannot tell a surge machine from a wanted one)
 * @param template the {@link MachineTemplate#hash()} the pool's machines should be built from; null
 *     when unknown, and then no machine of the pool is outdated
 * @param strategy how outdated machines are replaced
 */
public record PoolSpec(String name, OptionalInt replicas, String template, RollingUpdate strategy) {
  public PoolSpec {
    Objects.requireNonNull(name, "pool name");
    Objects.requireNonNull(replicas, "replicas of pool " + name);
    Objects.requireNonNull(strategy, "rollout strategy of pool " + name);
    if (name.isBlank()) {
      throw new IllegalArgumentException("pool name is blank");
    }
    if (replicas.isPresent() && replicas.getAsInt() < 0) {
      throw new IllegalArgumentException(
          "pool " + name + " has negative replicas: " + replicas.getAsInt());
    }
  }

  /** A pool without a template hash, rolled out (if ever) with the default strategy. */
  public PoolSpec(String name, OptionalInt replicas) {
    this(name, replicas, null, RollingUpdate.DEFAULT);
  }

  /** A pool whose machine count the planner keeps at {@code replicas}. */
  public static PoolSpec managed(String name, int replicas) {
    return new PoolSpec(name, OptionalInt.of(replicas));
  }

  /** A pool whose machine count belongs to someone else, typically the cluster autoscaler. */
  public static PoolSpec unmanaged(String name) {
    return new PoolSpec(name, OptionalInt.empty());
  }

  public PoolSpec withTemplate(String hash) {
    return new PoolSpec(name, replicas, hash, strategy);
  }

  public PoolSpec withStrategy(RollingUpdate rollingUpdate) {
    return new PoolSpec(name, replicas, template, rollingUpdate);
  }

  public boolean isManaged() {
    return replicas.isPresent();
  }
}
