package dev.slipway.operator.controller;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.vsphere.FolderRef;
import dev.slipway.vsphere.VmChange;
import dev.slipway.vsphere.VmRef;
import dev.slipway.vsphere.VmWatch;
import dev.slipway.vsphere.VmWatches;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * VM changes from vCenter as Machine events: while it runs, one {@link VmWatch} reports every VM
 * that appeared, changed or went, and the machine whose {@code status.vmRef} names it, or whose uid
 * is its instance UUID (a clone being made), is reconciled. Its stamps let {@link VmStateCache}
 * keep a VM's state between passes.
 */
final class VmEvents extends AbstractEventSource<VmChange, Machine>
    implements MachineSteps.KnownVms {
  private final VmWatches watches;
  private final Consumer<VmRef> gone;
  private volatile Supplier<Stream<Machine>> machines = Stream::empty;
  private volatile VmWatch watch;

  /**
   * @param gone told of each VM the watch reports removed
   */
  VmEvents(VmWatches watches, Consumer<VmRef> gone) {
    super(VmChange.class, "vm-watch");
    this.watches = watches;
    this.gone = gone;
  }

  /** Where the machines are looked up (the controller's cache, known once it is made). */
  void machines(Supplier<Stream<Machine>> machines) {
    this.machines = machines;
  }

  /** The watch's stamp of {@code vm}; empty while no watch runs or it is not in step. */
  OptionalLong stamp(VmRef vm) {
    VmWatch w = watch;
    return w == null ? OptionalLong.empty() : w.stamp(vm);
  }

  @Override
  public Optional<Optional<VmRef>> byInstanceUuid(String instanceUuid) {
    VmWatch w = watch;
    return w == null ? Optional.empty() : w.byInstanceUuid(instanceUuid);
  }

  @Override
  public Optional<Optional<VmRef>> inFolder(FolderRef folder, String name) {
    VmWatch w = watch;
    return w == null ? Optional.empty() : w.inFolder(folder, name);
  }

  @Override
  public synchronized void start() {
    if (watch == null) {
      watch = watches.watchVms(this::changed);
    }
    super.start();
  }

  @Override
  public synchronized void stop() {
    super.stop();
    VmWatch w = watch;
    watch = null;
    if (w != null) {
      w.close();
    }
  }

  void changed(VmChange c) {
    if (c.removed()) {
      gone.accept(c.vm());
    }
    if (!isRunning()) {
      return;
    }
    machines
        .get()
        .filter(m -> concerns(m, c))
        .map(ResourceID::fromResource)
        .forEach(id -> getEventHandler().handleEvent(new Event(id)));
  }

  /** Whether the change is about this machine's VM. */
  static boolean concerns(Machine m, VmChange c) {
    if (m.getStatus() != null && c.vm().moref().equals(m.getStatus().vmRef)) {
      return true;
    }
    return !c.instanceUuid().isEmpty() && c.instanceUuid().equals(m.getMetadata().getUid());
  }

  @Override
  public Set<VmChange> getSecondaryResources(Machine primary) {
    return Set.of();
  }
}
