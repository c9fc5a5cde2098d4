package dev.slipway.vsphere;

import java.util.function.Consumer;

/** VM changes pushed by vCenter instead of polled. */
public interface VmWatches {

  /**
   * Starts watching every VM of the inventory with one property collector ({@code
   * WaitForUpdatesEx}) on a thread of its own, and tells {@code listener} (on that thread) of each
   * VM that appeared, changed in a property {@link VmState} is made of, or went. When the watch
   * starts, every VM is reported once; when it comes back after losing vCenter (session lost,
   * vCenter down), every VM that differs from what it knew is reported, and every VM it knew that
   * is gone is reported removed.
   */
  VmWatch watchVms(Consumer<VmChange> listener);
}
