package dev.slipway.vsphere;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * A running watch of every VM's state ({@link VmWatches#watchVms}). Its stamps let a reader keep a
 * {@link VmState} for as long as nothing about the VM changed.
 */
public interface VmWatch extends AutoCloseable {

  /**
   * A number that changes whenever the watch sees {@code vm} change, and for every VM when the
   * watch falls in step again in a new session (vCenter may have restarted): a state read when the
   * stamp was {@code s} is still current while the stamp is {@code s}. Empty while the watch is not
   * in step with vCenter (starting, session lost, vCenter unreachable, a wait that took too long):
   * then nothing read before may be trusted until it is in step again.
   */
  OptionalLong stamp(VmRef vm);

  /**
   * The VM whose instance UUID is {@code instanceUuid}, as the watch knows the inventory now,
   * without a call to vCenter: empty while the watch is not in step (ask vCenter), and an empty
   * inner value when, in step, it knows no such VM. It may lag vCenter by the time an update takes
   * to reach the watch.
   */
  default Optional<Optional<VmRef>> byInstanceUuid(String instanceUuid) {
    return Optional.empty();
  }

  /** The VM named {@code name} directly in {@code folder}; otherwise as {@link #byInstanceUuid}. */
  default Optional<Optional<VmRef>> inFolder(FolderRef folder, String name) {
    return Optional.empty();
  }

  /** Stops the watch; its listener is not called afterwards. */
  @Override
  void close();
}
