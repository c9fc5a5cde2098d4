package dev.slipway.operator.plan;

/**
 * How a node pool replaces outdated machines, as Cluster API's MachineDeployment does.
 *
 * @param maxSurge how many machines the pool may have above its replicas while it rolls out
 * @param maxUnavailable how many machines below its replicas may be unavailable while it rolls out;
 *     with 0 no outdated machine is deleted before a replacement is Ready
 */
public record RollingUpdate(int maxSurge, int maxUnavailable) {
  /** One extra machine at a time, never one fewer available: the default of every pool. */
  public static final RollingUpdate DEFAULT = new RollingUpdate(1, 0);

  public RollingUpdate {
    if (maxSurge < 0 || maxUnavailable < 0) {
      throw new IllegalArgumentException(
          "maxSurge and maxUnavailable must be 0 or more, not "
              + maxSurge
              + " and "
              + maxUnavailable);
    }
    // Neither a machine more nor one fewer: a rollout could never take a step.
    if (maxSurge == 0 && maxUnavailable == 0) {
      throw new IllegalArgumentException("maxSurge and maxUnavailable cannot both be 0");
    }
  }
}
