package dev.slipway.vsphere;

import java.util.OptionalLong;

/**
 * A running watch of every VM's state ({@link VmWatches#watchVms}). Its stamps let a reader keep a
 * {@link VmState} for as long as nothing about the VM changed.
 */
public interface VmWatch extends AutoCloseable {

  /**
   * A number that changes whenever the watch sees {@code vm} change (or loses track of anything): a
   * state read when the stamp was {@code s} is still current while the stamp is {@code s}. Empty
   * while the watch is not in step with vCenter (starting, session lost, vCenter unreachable): then
   * nothing read before may be trusted.
   */
  OptionalLong stamp(VmRef vm);

  /** Stops the watch; its listener is not called afterwards. */
  @Override
  void close();
}
