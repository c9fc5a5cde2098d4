package dev.slipway.guest;

import dev.slipway.operator.bootstrap.GuestInfo;
import dev.slipway.operator.config.VipPool;
import dev.slipway.testenv.TestBed;
import dev.slipway.vsphere.FolderRef;
import dev.slipway.vsphere.PowerState;
import dev.slipway.vsphere.VSphereException;
import dev.slipway.vsphere.VSphereProvider;
import dev.slipway.vsphere.VmState;
import dev.slipway.vsphere.VmSummary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
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
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays the guest OS of every powered-on VM with bootstrap data in the watched folders (see {@link
 * Guest}). It reads vCenter as a person would, with a connection of its own, and never talks to
 * Slipway: a node exists only if the bootstrap data Slipway wrote was good enough.
 *
 * <p>Each guest gets a loopback address of its own from {@code SLIPWAY_TEST_GUEST_IPS} (default
 * 127.2.0.1-127.2.3.250, moved per parallel test JVM: {@link TestBed#guestIps}; the same syntax as
 * a VIP pool), skipping addresses where something already listens on etcd's or the API server's
 * port (another test run on the same machine). The simulator also plays kube-vip: a {@link
 * VipForwarder} per control-plane endpoint. A powered-off VM's guest stops (processes, heartbeats)
 * and resumes from its disk when powered on again; a destroyed VM's guest is forgotten.
 *
 * <p>It plays the CNI's agent too ({@link #configureNetworks}): once a DaemonSet in the workload
 * cluster's kube-system mounts the host's {@value #CNI_CONF_DIR} (as antrea-agent and calico-node
 * do), every node of that cluster gets the agent's CNI configuration on its disk within a second,
 * and its kubelet reports Ready from then on — never before, as on a real node.
 */
public final class GuestSimulator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GuestSimulator.class);

  /** How much of a node each guest plays. */
  public enum Mode {
    /**
     * Every control-plane guest runs an etcd member, a kube-apiserver and a kube-controller-manager
     * (see {@link Guest}); workers register and keep their Node.
     */
    FULL,
    /**
     * Only the init guest runs processes (etcd, kube-apiserver; it signs kubelet CSRs itself);
     * joining control-plane guests register their Node only. No node lifecycle controller.
     */
    LIGHT,
    /**
     * No processes at all: every cluster's API server and etcd members are one in-process fake
     * each, multiplexed by address ({@link FakeWorkloadApis}); guests write what kubeadm and the
     * kubelet would into it. For benchmarks with many clusters on one machine.
     */
    MUX
  }

  private final VSphereProvider vsphere;
  private final List<String> folders;
  private final TestBed bed;
  private final Path workDir;
  private final Map<String, Guest> guests = new ConcurrentHashMap<>();
  private final ExecutorService boots = Executors.newCachedThreadPool();
  private final AtomicInteger nextRoot = new AtomicInteger(1);
  private final VipPool addresses = VipPool.parse(TestBed.guestIps());
  private final Map<String, VipForwarder> vips = new ConcurrentHashMap<>();
  private final Mode mode;
  private final FakeWorkloadApis fakes;

  /** The watched folders found so far: one listing per folder and scan, no lookup by path. */
  private final Map<String, FolderRef> folderRefs = new HashMap<>();

  private volatile Predicate<String> oldCloudInit = name -> false;
  private final Thread poller;
  private final Thread cniAgents;
  private volatile boolean running = true;
  static final String CNI_CONF_DIR = "/etc/cni/net.d";

  /** A simulator in {@link Mode#FULL}. */
  public GuestSimulator(Supplier<VSphereProvider> connect, List<String> folderPaths) {
    this(connect, folderPaths, Mode.FULL);
  }

  public GuestSimulator(Supplier<VSphereProvider> connect, List<String> folderPaths, Mode mode) {
    this.mode = mode;
    this.fakes = mode == Mode.MUX ? new FakeWorkloadApis() : null;
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
    this.cniAgents = new Thread(this::cniLoop, "guest-simulator-cni");
    this.cniAgents.setDaemon(true);
    this.cniAgents.start();
  }

  private void cniLoop() {
    while (running) {
      try {
        configureNetworks();
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        LOG.debug("guest simulator CNI agents: {}", e.getMessage());
      }
    }
  }

  /**
   * The CNI agents' part: for each workload cluster with nodes that have no CNI configuration yet,
   * look (with the admin kubeconfig of one of its running control-plane guests, standing in for the
   * DaemonSet controller and the scheduler) for a CNI DaemonSet in kube-system; if there is one,
   * its agent "runs" on each of those nodes and writes its configuration there.
   */
  private void configureNetworks() {
    Map<String, List<Guest>> waiting = new TreeMap<>();
    for (Guest g : guests.values()) {
      if (g.endpoint() != null
          && g.nodeName() != null
          && g.phase() != Guest.Phase.STOPPED
          && g.phase() != Guest.Phase.FAILED
          && !g.cniConfigured()) {
        waiting.computeIfAbsent(g.endpoint(), e -> new java.util.ArrayList<>()).add(g);
      }
    }
    for (Map.Entry<String, List<Guest>> e : waiting.entrySet()) {
      if (fakes != null) {
        fakes
            .find(e.getKey())
            .flatMap(GuestSimulator::cniDaemonSet)
            .ifPresent(cni -> configure(e.getValue(), cni));
        continue;
      }
      Optional<Path> admin =
          guests.values().stream()
              .filter(g -> e.getKey().equals(g.endpoint()))
              .map(Guest::adminKubeconfig)
              .flatMap(Optional::stream)
              .findFirst();
      if (admin.isEmpty()) {
        continue;
      }
      Optional<String> cni = cniDaemonSet(admin.get());
      if (cni.isEmpty()) {
        continue;
      }
      configure(e.getValue(), cni.get());
    }
  }

  private static void configure(List<Guest> guests, String cni) {
    for (Guest g : guests) {
      try {
        g.configureCni(cni);
        if (g.multiplexed()) {
          g.muxNetworkReady();
        }
        LOG.info("guest {}: CNI {} configured the node's network", g.vmName(), cni);
      } catch (IOException ex) {
        LOG.warn("guest {}: cannot write the CNI configuration: {}", g.vmName(), ex.getMessage());
      }
    }
  }

  /** The fake's first DaemonSet in kube-system that mounts the host's CNI configuration. */
  private static Optional<String> cniDaemonSet(FakeWorkloadApis.Cluster c) {
    return c.kube.list("daemonsets").stream()
        .map(
            o ->
                FakeKube.JSON.convertValue(o, io.fabric8.kubernetes.api.model.apps.DaemonSet.class))
        .filter(ds -> "kube-system".equals(ds.getMetadata().getNamespace()))
        .filter(GuestSimulator::mountsCniConf)
        .map(ds -> ds.getMetadata().getName())
        .sorted()
        .findFirst();
  }

  private static boolean mountsCniConf(io.fabric8.kubernetes.api.model.apps.DaemonSet ds) {
    return ds.getSpec().getTemplate().getSpec().getVolumes() != null
        && ds.getSpec().getTemplate().getSpec().getVolumes().stream()
            .anyMatch(
                v ->
                    v.getHostPath() != null
                        && CNI_CONF_DIR.equals(v.getHostPath().getPath().replaceAll("/+$", "")));
  }

  /** The first DaemonSet in kube-system whose pods mount the host's CNI configuration directory. */
  private static Optional<String> cniDaemonSet(Path adminKubeconfig) {
    io.fabric8.kubernetes.client.Config config;
    try {
      config =
          io.fabric8.kubernetes.client.Config.fromKubeconfig(Files.readString(adminKubeconfig));
    } catch (IOException e) {
      return Optional.empty();
    }
    config.setConnectionTimeout(2_000);
    config.setRequestTimeout(5_000);
    config.setRequestRetryBackoffLimit(0);
    try (var client =
        new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(config).build()) {
      return client.apps().daemonSets().inNamespace("kube-system").list().getItems().stream()
          .filter(GuestSimulator::mountsCniConf)
          .map(ds -> ds.getMetadata().getName())
          .sorted()
          .findFirst();
    }
  }

  /**
   * Guests of the VMs so named play an image whose cloud-init does not clear {@code
   * guestinfo.userdata} after reading it (older than the VMware datasource's {@link
   * GuestInfo#CLEANUP}), so only Slipway's own scrub clears it.
   */
  public void oldCloudInitOn(Predicate<String> vmName) {
    this.oldCloudInit = vmName;
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
    Set<String> on = new HashSet<>();
    Set<String> present = new HashSet<>();
    for (String path : folders) {
      List<VmSummary> listing;
      try {
        FolderRef folder = folderRefs.get(path);
        if (folder == null) {
          Optional<FolderRef> found = vsphere.findFolder(path);
          if (found.isEmpty()) {
            continue;
          }
          folder = found.get();
          folderRefs.put(path, folder);
        }
        listing = vsphere.listVms(folder);
      } catch (VSphereException e) {
        folderRefs.remove(path); // deleted (and perhaps made again): look it up next time
        continue;
      }
      for (VmSummary s : listing) {
        if (s.template()) {
          continue;
        }
        present.add(s.instanceUuid());
        Guest g = guests.get(s.instanceUuid());
        if (s.powerState() != PowerState.ON) {
          continue;
        }
        if (g != null && g.phase() != Guest.Phase.STOPPED) {
          if (s.bootTime() == null || s.bootTime().equals(g.poweredOnAt)) {
            on.add(s.instanceUuid()); // running on: the folder listing says all there is to know
            continue;
          }
          // Off and on again between two scans (Slipway powers a VM it finds off straight back
          // on): the machine rebooted all the same.
          LOG.info("VM {} was powered off and on again: its guest stops first", g.vmName());
          g.poweredOnAt = s.bootTime();
          g.stop();
        }
        VmState state;
        try {
          state = vsphere.vmState(s.ref());
        } catch (VSphereException e) {
          continue; // destroyed meanwhile
        }
        present.add(state.instanceUuid());
        g = guests.get(state.instanceUuid());
        // A guest's own cloud-init or Slipway clears the user data once read: a VM without it
        // boots nothing new, but a guest that already booted keeps running.
        boolean userdata = GuestInfo.holdsUserdata(state.extraConfig());
        if (state.powerState() != PowerState.ON || (g == null && !userdata)) {
          continue;
        }
        on.add(state.instanceUuid());
        if (g == null) {
          guests.put(state.instanceUuid(), start(state, s.bootTime()));
        } else if (g.phase() == Guest.Phase.STOPPED) {
          if (g.booted()) {
            LOG.info("VM {} powered on again: its guest resumes", g.vmName());
            g.poweredOnAt = s.bootTime();
            boots.submit(g::resume);
          } else if (userdata) {
            // cloud-init never finished: the machine boots afresh.
            guests.put(state.instanceUuid(), start(state, s.bootTime()));
          }
        }
      }
    }
    guests
        .entrySet()
        .removeIf(
            e -> {
              Guest g = e.getValue();
              if (on.contains(e.getKey())) {
                return false;
              }
              if (g.phase() != Guest.Phase.STOPPED) {
                LOG.info("VM {} is off or gone: its guest stops", g.vmName());
                g.stop();
              }
              return !present.contains(e.getKey());
            });
  }

  private Guest start(VmState state, Instant poweredOnAt) {
    int n = nextRoot.getAndIncrement();
    String ip = freeAddress();
    Path root;
    try {
      root = Files.createDirectories(workDir.resolve(state.name() + "-" + n));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Guest g =
        new Guest(state.name(), state.ref(), bed, root, ip, vsphere, mode, vipHandler(), fakes);
    g.clearsGuestinfo = !oldCloudInit.test(state.name());
    g.poweredOnAt = poweredOnAt;
    LOG.info("VM {} powered on: booting its guest ({})", state.name(), ip);
    boots.submit(g::boot);
    return g;
  }

  /** The first pool address no guest of ours uses and nobody else listens on. */
  private String freeAddress() {
    Set<String> used = new HashSet<>();
    guests.values().forEach(g -> used.add(g.address()));
    while (true) {
      String a =
          addresses
              .firstFree(used)
              .orElseThrow(
                  () -> new IllegalStateException("SLIPWAY_TEST_GUEST_IPS has no free address"));
      if (listening(a, Guest.ETCD_CLIENT_PORT)
          || listening(a, Guest.ETCD_PEER_PORT)
          || listening(a, 6443)) {
        used.add(a);
        continue;
      }
      return a;
    }
  }

  private static boolean listening(String host, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private Guest.Vips vipHandler() {
    return new Guest.Vips() {
      @Override
      public void serve(String endpoint, Guest guest, InetSocketAddress apiServer)
          throws IOException {
        synchronized (vips) {
          VipForwarder f =
              vips.computeIfAbsent(
                  endpoint,
                  e ->
                      new VipForwarder(
                          e.substring(0, e.lastIndexOf(':')),
                          Integer.parseInt(e.substring(e.lastIndexOf(':') + 1))));
          f.add(guest.vmName(), apiServer);
        }
      }

      @Override
      public void withdraw(Guest guest) {
        synchronized (vips) {
          vips.entrySet().removeIf(e -> e.getValue().remove(guest.vmName()));
        }
      }
    };
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

  /**
   * In {@link Mode#MUX}, the workload-API requests the fakes could not serve ("METHOD path"): a gap
   * of the fake, not a Slipway fault; empty in the other modes.
   */
  public java.util.Set<String> unservedRequests() {
    return fakes == null ? java.util.Set.of() : fakes.unserved();
  }

  /** How many guests currently run a workload API server (init machines up). */
  public int runningGuests() {
    return (int) guests.values().stream().filter(g -> g.phase() == Guest.Phase.RUNNING).count();
  }

  /** The loopback address of the guest of VM {@code vmName}, where its own services listen. */
  public Optional<String> address(String vmName) {
    return guests.values().stream()
        .filter(g -> g.vmName().equals(vmName))
        .map(Guest::address)
        .findFirst();
  }

  /**
   * The kubelet of VM {@code vmName}'s guest stops its heartbeats (Lease and Node status) while the
   * VM stays on and every other process of the guest runs on; the node lifecycle controller then
   * marks its Node Unknown. False when the guest has no kubelet (yet).
   */
  public boolean silenceKubelet(String vmName) {
    return guests.values().stream()
        .filter(g -> g.vmName().equals(vmName))
        .findFirst()
        .map(Guest::silenceKubelet)
        .orElse(false);
  }

  /** The VM whose guest holds the control-plane endpoint {@code host:port} now (kube-vip). */
  public Optional<String> vipHolder(String endpoint) {
    VipForwarder f = vips.get(endpoint);
    return f == null ? Optional.empty() : f.leader();
  }

  /**
   * The control-plane endpoint {@code host:port} stops answering (kube-vip lost the VIP, or the
   * network to it failed) while every guest runs on; kubelets, which reach the API through it, lose
   * it too. {@link #restoreVip} brings it back.
   */
  public void dropVip(String endpoint) {
    try {
      forwarder(endpoint).drop();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The endpoint answers again, held by the guest that held it before. */
  public void restoreVip(String endpoint) {
    try {
      forwarder(endpoint).restore();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private VipForwarder forwarder(String endpoint) {
    VipForwarder f = vips.get(endpoint);
    if (f == null) {
      throw new IllegalStateException("no guest serves " + endpoint + "; served: " + vips.keySet());
    }
    return f;
  }

  @Override
  public void close() {
    running = false;
    poller.interrupt();
    cniAgents.interrupt();
    guests.values().parallelStream().forEach(Guest::stop);
    synchronized (vips) {
      vips.values().forEach(VipForwarder::close);
      vips.clear();
    }
    guests.clear();
    boots.shutdownNow();
    if (fakes != null) {
      fakes.close();
    }
    vsphere.close();
  }
}
