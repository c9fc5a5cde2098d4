package dev.slipway.guest;

import dev.slipway.operator.bootstrap.GuestInfo;
import dev.slipway.testenv.TestBed;
import dev.slipway.vsphere.FolderRef;
import dev.slipway.vsphere.PowerState;
import dev.slipway.vsphere.VSphereException;
import dev.slipway.vsphere.VSphereProvider;
import dev.slipway.vsphere.VmState;
import dev.slipway.vsphere.VmSummary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays the guest OS of every powered-on VM with bootstrap data in the watched folders (see {@link
 * Guest}). It reads vCenter as a person would, with a connection of its own, and never talks to
 * Slipway: a node exists only if the bootstrap data Slipway wrote was good enough.
 */
public final class GuestSimulator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GuestSimulator.class);

  private final VSphereProvider vsphere;
  private final List<String> folders;
  private final TestBed bed;
  private final Path workDir;
  private final Map<String, Guest> guests = new ConcurrentHashMap<>();
  private final ExecutorService boots = Executors.newCachedThreadPool();
  private final AtomicInteger nextIp = new AtomicInteger(1);
  private final Thread poller;
  private volatile boolean running = true;

  public GuestSimulator(Supplier<VSphereProvider> connect, List<String> folderPaths) {
    this.vsphere = connect.get();
    this.folders = List.copyOf(folderPaths);
    this.bed = TestBed.get();
    try {
      this.workDir =
          Files.createDirectories(bed.root().resolve("target/guests/" + System.nanoTime()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.poller = new Thread(this::poll, "guest-simulator");
    this.poller.setDaemon(true);
    this.poller.start();
  }

  private void poll() {
    while (running) {
      try {
        scan();
        Thread.sleep(500);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        LOG.debug("guest simulator scan: {}", e.getMessage());
      }
    }
  }

  private void scan() {
    Set<String> seen = new HashSet<>();
    for (String path : folders) {
      Optional<FolderRef> folder = vsphere.findFolder(path);
      if (folder.isEmpty()) {
        continue;
      }
      for (VmSummary s : vsphere.listVms(folder.get())) {
        if (s.template()) {
          continue;
        }
        VmState state;
        try {
          state = vsphere.vmState(s.ref());
        } catch (VSphereException e) {
          continue; // destroyed meanwhile
        }
        if (state.powerState() != PowerState.ON
            || !state.extraConfig().containsKey(GuestInfo.USERDATA)) {
          continue;
        }
        seen.add(state.instanceUuid());
        guests.computeIfAbsent(state.instanceUuid(), uuid -> start(state));
      }
    }
    guests
        .entrySet()
        .removeIf(
            e -> {
              if (seen.contains(e.getKey())) {
                return false;
              }
              LOG.info("VM {} is off or gone: its guest stops", e.getValue().vmName());
              e.getValue().shutdown();
              return true;
            });
  }

  private Guest start(VmState state) {
    int n = nextIp.getAndIncrement();
    String ip = "127.2." + (n / 250) + "." + (n % 250 + 1);
    Path root;
    try {
      root = Files.createDirectories(workDir.resolve(state.name() + "-" + n));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Guest g = new Guest(state.name(), state.ref(), bed, root, ip, vsphere);
    LOG.info("VM {} powered on: booting its guest ({})", state.name(), ip);
    boots.submit(g::boot);
    return g;
  }

  /** The boot state of the guest of VM {@code name}: BOOTING, RUNNING or FAILED. */
  public Optional<String> phase(String vmName) {
    return guests.values().stream()
        .filter(g -> g.vmName().equals(vmName))
        .map(g -> g.phase().name())
        .findFirst();
  }

  /** Why the guest of VM {@code name} failed to boot, if it did. */
  public Optional<String> failure(String vmName) {
    return guests.values().stream()
        .filter(g -> g.vmName().equals(vmName))
        .map(Guest::failure)
        .filter(f -> f != null)
        .findFirst();
  }

  /** Every guest whose boot failed: VM name to why, in name order. */
  public Map<String, String> failures() {
    Map<String, String> out = new TreeMap<>();
    guests.values().stream()
        .filter(g -> g.failure() != null)
        .forEach(g -> out.put(g.vmName(), g.failure()));
    return out;
  }

  /** The first boot failure of any guest, for tests that must stop waiting at once. */
  public Optional<String> anyFailure() {
    return guests.values().stream()
        .filter(g -> g.failure() != null)
        .map(g -> g.vmName() + ": " + g.failure())
        .findFirst();
  }

  /** How many guests currently run a workload API server (init machines up). */
  public int runningGuests() {
    return (int) guests.values().stream().filter(g -> g.phase() == Guest.Phase.RUNNING).count();
  }

  @Override
  public void close() {
    running = false;
    poller.interrupt();
    guests.values().forEach(Guest::shutdown);
    guests.clear();
    boots.shutdownNow();
    vsphere.close();
  }
}
