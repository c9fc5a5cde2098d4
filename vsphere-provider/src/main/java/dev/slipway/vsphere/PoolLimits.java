package dev.slipway.vsphere;

/** CPU and memory limits of a resource pool; {@value #UNLIMITED} means no limit. */
public record PoolLimits(long cpuMhz, long memoryMiB) {

  public static final long UNLIMITED = -1;

  public PoolLimits {
    if (cpuMhz < UNLIMITED || memoryMiB < UNLIMITED) {
      throw new IllegalArgumentException("limits must be >= -1: " + cpuMhz + ", " + memoryMiB);
    }
  }

  public static PoolLimits unlimited() {
    return new PoolLimits(UNLIMITED, UNLIMITED);
  }
}
