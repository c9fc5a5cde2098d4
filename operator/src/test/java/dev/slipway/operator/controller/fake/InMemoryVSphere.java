package dev.slipway.operator.controller.fake;

import dev.slipway.vsphere.AboutInfo;
import dev.slipway.vsphere.CloneSpec;
import dev.slipway.vsphere.ClusterRef;
import dev.slipway.vsphere.DatacenterRef;
import dev.slipway.vsphere.DatastoreRef;
import dev.slipway.vsphere.DeploySpec;
import dev.slipway.vsphere.FaultKind;
import dev.slipway.vsphere.FolderRef;
import dev.slipway.vsphere.Heartbeat;
import dev.slipway.vsphere.Library;
import dev.slipway.vsphere.LibraryItem;
import dev.slipway.vsphere.ManagedRef;
import dev.slipway.vsphere.NetworkRef;
import dev.slipway.vsphere.PoolLimits;
import dev.slipway.vsphere.PoolRef;
import dev.slipway.vsphere.PowerState;
import dev.slipway.vsphere.Tag;
import dev.slipway.vsphere.TaskRef;
import dev.slipway.vsphere.TaskState;
import dev.slipway.vsphere.VSphereException;
import dev.slipway.vsphere.VSphereFault;
import dev.slipway.vsphere.VSphereProvider;
import dev.slipway.vsphere.VmChange;
import dev.slipway.vsphere.VmConfigSpec;
import dev.slipway.vsphere.VmRef;
import dev.slipway.vsphere.VmState;
import dev.slipway.vsphere.VmSummary;
import dev.slipway.vsphere.VmWatch;
import java.lang.reflect.Method;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * An in-memory vCenter for unit tests of reconciler steps. It implements the provider's ports
 * ({@link dev.slipway.vsphere.Inventory}, {@link dev.slipway.vsphere.VirtualMachines}, {@link
 * dev.slipway.vsphere.Tasks}, {@link dev.slipway.vsphere.ContentLibrary}, {@link
 * dev.slipway.vsphere.Tagging}, and so {@link VSphereProvider}) with the contract of their javadoc
 * and of {@code DefaultVSphereProvider} against vcsim: the same {@link FaultKind}s, fault types and
 * thrown-versus-task-error split. Claims about what vCenter does stay proven by the provider's ITs
 * on vcsim; this class only lets a step's decisions be tested without a simulator.
 *
 * <p><b>Tasks.</b> Every method returning a {@link TaskRef} registers a task ({@code task-N} for
 * vim25 methods, {@code local:<uuid>} for {@code deployOvf} and {@code uploadOvf}) and applies its
 * effect only when the task finishes, as vCenter does: a cloned VM does not exist until then. By
 * default a task finishes on the first {@code taskState} poll ({@link #tasksCompleteAfterPolls}).
 * Preconditions vcsim checks inside the task (duplicate name, power state) are checked when the
 * task finishes and end it in {@code ERROR}; a missing {@code _this} object or an invalid argument
 * throws at once.
 *
 * <p><b>Call names.</b> {@link #calls()}, {@link #callCounts()}, {@link #failNext} and {@link
 * #failTask} use the Java method names of the ports ({@code cloneVm}, {@code deployOvf}, {@code
 * taskState}, ...), one per call, failed calls included. (The real provider's {@code callCounts}
 * counts SOAP/REST requests, several per Java call; those are not modelled.) Test-control methods
 * of this class are not recorded.
 *
 * <p><b>Where the fake follows vCenter and the javadoc rather than vcsim</b> (vcsim is what the ITs
 * run on, so these are noted rather than proven):
 *
 * <ul>
 *   <li>A clone copies the source's CPUs, memory, disks, extraConfig and annotation and then
 *       applies the spec's config, annotation included (the {@link CloneSpec} javadoc). vcsim
 *       replaces extraConfig by the spec's and ignores the spec's annotation.
 *   <li>{@code deployOvf} of a name that already exists in the folder fails with ALREADY_EXISTS;
 *       vcsim's import accepts the duplicate (see ContentLibraryIT).
 *   <li>Powering a VM off clears its guest IP addresses and sets the heartbeat to GRAY (VMware
 *       Tools stops with the guest).
 *   <li>vcsim's {@code SET.guest.ipAddress} extraConfig hook is not emulated: a test plays the
 *       guest with {@link #setIpAddresses} and {@link #setHeartbeat}.
 *   <li>Deployed VMs get the shape of their library item ({@link #addOvfItem}); uploaded OVFs are
 *       not parsed and get the shape of the provider's minimal-node.ovf (1 CPU, 512 MiB, no disk).
 *   <li>Tags: attaching to a missing object is NOT_FOUND; a missing object reads as untagged.
 *   <li>The VM watch ({@link #watchVms}) reports nothing and is never in step.
 *   <li>Not modelled: hot-add limits (CPU/memory changes on a powered-on VM succeed, as in vcsim),
 *       instance-UUID conflicts, datastores' capacity, permissions, sessions.
 * </ul>
 *
 * <p>Thread-safe: every method locks this object, so reconcilers may run in parallel against it.
 */
public final class InMemoryVSphere implements VSphereProvider {

  /** One call of a port method, in call order: its Java name and its arguments. */
  public record Call(String method, List<Object> args) {}

  private static final String VM = VmRef.TYPE;
  private static final String FOLDER = FolderRef.TYPE;
  private static final String POOL = PoolRef.TYPE;
  private static final String MANAGED_VALUE = "true";
  private static final String NOT_FOUND_TYPE = "ManagedObjectNotFound";
  private static final String VAPI_NOT_FOUND = "com.vmware.vapi.std.errors.not_found";
  private static final String VAPI_ALREADY_EXISTS = "com.vmware.vapi.std.errors.already_exists";
  private static final Set<String> NETWORK_TYPES =
      Set.of("Network", "DistributedVirtualPortgroup", "OpaqueNetwork");
  private static final int MAX_DISKS = 15; // one SCSI controller, unit 7 is the controller's

  /** The port methods: what {@link #failNext} accepts. */
  private static final Set<String> METHODS =
      Arrays.stream(VSphereProvider.class.getMethods())
          .map(Method::getName)
          .collect(Collectors.toUnmodifiableSet());

  /** The port methods that start a task: what {@link #failTask} accepts. */
  private static final Set<String> TASK_METHODS =
      Arrays.stream(VSphereProvider.class.getMethods())
          .filter(m -> m.getReturnType() == TaskRef.class)
          .map(Method::getName)
          .collect(Collectors.toUnmodifiableSet());

  // ---- the world ----------------------------------------------------------------------------

  private static final class Node {
    final String moref;
    final String type;
    final String name;
    final Node parent;
    final Map<String, Node> children = new LinkedHashMap<>();
    final Map<String, String> custom = new LinkedHashMap<>();
    PoolLimits limits;
    Vm vm;

    Node(String moref, String type, String name, Node parent) {
      this.moref = moref;
      this.type = type;
      this.name = name;
      this.parent = parent;
    }

    String path() {
      return parent == null ? "" : parent.path() + "/" + name;
    }
  }

  private static final class Vm {
    String pool;
    String instanceUuid;
    String biosUuid = UUID.randomUUID().toString();
    PowerState power = PowerState.OFF;
    Instant bootTime;
    boolean template;
    String annotation = "";
    final Map<String, String> extraConfig = new LinkedHashMap<>();
    final List<Long> disks = new ArrayList<>();
    int cpus = 1;
    long memoryMiB = 512;
    final List<String> ips = new ArrayList<>();
    Heartbeat heartbeat = Heartbeat.GRAY;

    /** As vCenter does: a power-on records its time, a power-off clears it. */
    void power(PowerState state) {
      if (state == PowerState.ON && power != PowerState.ON) {
        bootTime = Instant.now();
      } else if (state != PowerState.ON) {
        bootTime = null;
      }
      power = state;
    }
  }

  private record Item(LibraryItem item, int cpus, long memoryMiB, List<Long> disksMiB) {}

  private static final class Task {
    final String id;
    final Supplier<String> effect;
    final VSphereFault scripted;
    final int pollsNeeded;
    int polls;
    TaskState done;

    Task(String id, Supplier<String> effect, VSphereFault scripted, int pollsNeeded) {
      this.id = id;
      this.effect = effect;
      this.scripted = scripted;
      this.pollsNeeded = pollsNeeded;
    }

    void finish() {
      if (done != null) {
        return;
      }
      if (scripted != null) {
        done = TaskState.failed(scripted);
        return;
      }
      try {
        done = TaskState.success(effect.get());
      } catch (VSphereException e) {
        done = TaskState.failed(e.fault());
      }
    }
  }

  private final String instanceUuid = UUID.randomUUID().toString();
  private final Node root = new Node("group-d1", FOLDER, "", null);
  private final Map<String, Node> byMoref = new LinkedHashMap<>();
  private final Map<String, Library> libraries = new LinkedHashMap<>();
  private final Map<String, Item> items = new LinkedHashMap<>();
  private final Map<String, Tag> tags = new LinkedHashMap<>();
  private final Map<String, Set<String>> attachedTags = new HashMap<>();
  private final Map<String, Task> tasks = new LinkedHashMap<>();
  private final List<Call> calls = new ArrayList<>();
  private final Map<String, Deque<VSphereFault>> callFaults = new HashMap<>();
  private final Map<String, Deque<Runnable>> callHooks = new HashMap<>();
  private final Map<String, Deque<VSphereFault>> taskFaults = new HashMap<>();
  private int nextId = 1;
  private int pollsToComplete = 1;
  private boolean hold;

  /** An empty vCenter: no datacenter. See {@link #standard()}. */
  public InMemoryVSphere() {
    byMoref.put(root.moref, root);
  }

  /**
   * The part of vcsim's default inventory that Slipway uses: datacenter {@code /DC0} with its
   * {@code vm}, {@code host}, {@code datastore} and {@code network} folders, cluster {@code
   * /DC0/host/DC0_C0} and its root pool {@code /DC0/host/DC0_C0/Resources}, datastore {@code
   * /DC0/datastore/LocalDS_0}, networks {@code /DC0/network/VM Network} and {@code
   * /DC0/network/DC0_DVPG0}. vcsim's stock VMs are left out; seed VMs with {@link #vm}.
   */
  public static InMemoryVSphere standard() {
    InMemoryVSphere v = new InMemoryVSphere();
    v.addDatacenter("DC0");
    v.addCluster("/DC0/host/DC0_C0");
    v.addDatastore("/DC0/datastore/LocalDS_0");
    v.addNetwork("/DC0/network/VM Network", "Network");
    v.addNetwork("/DC0/network/DC0_DVPG0", "DistributedVirtualPortgroup");
    return v;
  }

  // ---- seeding (test control, not recorded) -------------------------------------------------

  /** A datacenter {@code /name} with its four standard folders. */
  public synchronized DatacenterRef addDatacenter(String name) {
    Node dc = createNode(root, name, DatacenterRef.TYPE, "datacenter-");
    for (String f : List.of("vm", "host", "datastore", "network")) {
      createNode(dc, f, FOLDER, "group-");
    }
    return new DatacenterRef(dc.moref);
  }

  /** A folder not created by Slipway (as another client would make it); the parent must exist. */
  public synchronized FolderRef addFolder(String path) {
    return new FolderRef(createAt(path, FOLDER, "group-").moref);
  }

  /** A cluster (under a host folder) with its root resource pool {@code Resources}. */
  public synchronized ClusterRef addCluster(String path) {
    Node cluster = createAt(path, ClusterRef.TYPE, "domain-c");
    createNode(cluster, "Resources", POOL, "resgroup-").limits = PoolLimits.unlimited();
    return new ClusterRef(cluster.moref);
  }

  /** A resource pool not created by Slipway, unlimited; the parent pool must exist. */
  public synchronized PoolRef addResourcePool(String path) {
    Node pool = createAt(path, POOL, "resgroup-");
    pool.limits = PoolLimits.unlimited();
    return new PoolRef(pool.moref);
  }

  public synchronized DatastoreRef addDatastore(String path) {
    return new DatastoreRef(createAt(path, DatastoreRef.TYPE, "datastore-").moref);
  }

  /** A network of {@code type} {@code Network}, {@code DistributedVirtualPortgroup} or ... */
  public synchronized NetworkRef addNetwork(String path, String type) {
    if (!NETWORK_TYPES.contains(type)) {
      throw new IllegalArgumentException("not a network type: " + type);
    }
    String prefix = type.equals("Network") ? "network-" : "dvportgroup-";
    return new NetworkRef(type, createAt(path, type, prefix).moref);
  }

  /** A LOCAL library, or the existing one of that name. */
  public synchronized Library addLibrary(String name) {
    return libraryNamed(name)
        .orElseGet(
            () -> {
              Library l = new Library(UUID.randomUUID().toString(), name, "LOCAL");
              libraries.put(l.id(), l);
              return l;
            });
  }

  /** An OVF item shaped like the provider's minimal-node.ovf: 1 CPU, 512 MiB, no disk. */
  public LibraryItem addOvfItem(String libraryName, String itemName) {
    return addOvfItem(libraryName, itemName, 1, 512, List.of());
  }

  /**
   * An OVF item in library {@code libraryName} (created if missing); a VM deployed from it has
   * these CPUs, memory and disks.
   */
  public synchronized LibraryItem addOvfItem(
      String libraryName, String itemName, int cpus, long memoryMiB, List<Long> disksMiB) {
    Library lib = addLibrary(libraryName);
    if (itemNamed(lib.id(), itemName).isPresent()) {
      throw new IllegalArgumentException(libraryName + "/" + itemName + " exists already");
    }
    LibraryItem item = new LibraryItem(UUID.randomUUID().toString(), lib.id(), itemName, "ovf");
    items.put(item.id(), new Item(item, cpus, memoryMiB, List.copyOf(disksMiB)));
    return item;
  }

  /** Starts describing a VM to seed in the folder at {@code folderPath}; finish with create(). */
  public VmSeed vm(String folderPath, String name) {
    return new VmSeed(folderPath, name);
  }

  /** A VM (or template) that exists before the test starts, e.g. one not created by Slipway. */
  public final class VmSeed {
    private final String folderPath;
    private final String name;
    private final Vm vm = new Vm();
    private final Map<String, String> custom = new LinkedHashMap<>();
    private String poolPath;

    private VmSeed(String folderPath, String name) {
      this.folderPath = folderPath;
      this.name = name;
      vm.instanceUuid = UUID.randomUUID().toString();
    }

    /** The VM's resource pool; a template has none. */
    public VmSeed pool(String path) {
      this.poolPath = path;
      return this;
    }

    public VmSeed instanceUuid(String uuid) {
      vm.instanceUuid = uuid;
      return this;
    }

    public VmSeed biosUuid(String uuid) {
      vm.biosUuid = uuid;
      return this;
    }

    public VmSeed powerState(PowerState state) {
      vm.power(state);
      return this;
    }

    public VmSeed template() {
      vm.template = true;
      return this;
    }

    public VmSeed cpus(int cpus) {
      vm.cpus = cpus;
      return this;
    }

    public VmSeed memoryMiB(long memoryMiB) {
      vm.memoryMiB = memoryMiB;
      return this;
    }

    public VmSeed disksMiB(Long... capacities) {
      vm.disks.addAll(List.of(capacities));
      return this;
    }

    public VmSeed extraConfig(String key, String value) {
      vm.extraConfig.put(key, value);
      return this;
    }

    public VmSeed annotation(String annotation) {
      vm.annotation = annotation;
      return this;
    }

    public VmSeed customAttribute(String name, String value) {
      custom.put(name, value);
      return this;
    }

    public VmSeed ipAddresses(String... ips) {
      vm.ips.addAll(List.of(ips));
      return this;
    }

    public VmSeed heartbeat(Heartbeat heartbeat) {
      vm.heartbeat = heartbeat;
      return this;
    }

    public VmRef create() {
      synchronized (InMemoryVSphere.this) {
        Node folder = resolveSeedParent(folderPath, FOLDER);
        if (poolPath != null) {
          vm.pool = resolveSeedParent(poolPath, POOL).moref;
        }
        if (vm.template && vm.pool != null) {
          throw new IllegalArgumentException("a template has no resource pool");
        }
        Node n = createNode(folder, name, VM, "vm-");
        n.vm = vm;
        n.custom.putAll(custom);
        return new VmRef(n.moref);
      }
    }
  }

  // ---- playing the world (test control, not recorded) ---------------------------------------

  /** The guest reports these addresses ({@code guest.ipAddress} first); the VM must be on. */
  public synchronized void setIpAddresses(VmRef vm, String... ips) {
    Vm v = seedVm(vm);
    if (v.power != PowerState.ON && ips.length > 0) {
      throw new IllegalStateException(vm.moref() + " is not on: no guest reports addresses");
    }
    v.ips.clear();
    v.ips.addAll(new LinkedHashSet<>(List.of(ips)));
  }

  public synchronized void setHeartbeat(VmRef vm, Heartbeat heartbeat) {
    seedVm(vm).heartbeat = heartbeat;
  }

  /** Changes the power state behind Slipway's back (an admin, HA, a crash of the host). */
  public synchronized void setPowerState(VmRef vm, PowerState state) {
    Vm v = seedVm(vm);
    v.power(state);
    if (state != PowerState.ON) {
      guestStopped(v);
    }
  }

  /** Deletes a VM behind Slipway's back, whatever its power state. */
  public synchronized void deleteVm(VmRef vm) {
    seedVm(vm);
    remove(byMoref.get(vm.moref()));
  }

  /** The VM as {@link #vmState} would return it, without recording a call; empty if gone. */
  public synchronized Optional<VmState> inspect(VmRef vm) {
    Node n = byMoref.get(vm.moref());
    return n == null || n.vm == null ? Optional.empty() : Optional.of(stateOf(n));
  }

  /** Every VM and template, in creation order. */
  public synchronized List<VmState> vms() {
    return byMoref.values().stream().filter(n -> n.vm != null).map(this::stateOf).toList();
  }

  // ---- tasks (test control) -------------------------------------------------------------------

  /**
   * A new task finishes on its {@code n}-th {@code taskState} poll (default 1: the first poll sees
   * it done); {@code 0} finishes it before the starting call returns.
   */
  public synchronized InMemoryVSphere tasksCompleteAfterPolls(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("polls must be >= 0: " + n);
    }
    this.pollsToComplete = n;
    return this;
  }

  /** While held, no task finishes by polling: every unfinished task reads RUNNING. */
  public synchronized InMemoryVSphere holdTasks(boolean hold) {
    this.hold = hold;
    return this;
  }

  /** Finishes every unfinished task (held or not), in the order they were started. */
  public synchronized void completeAll() {
    List.copyOf(tasks.values()).forEach(Task::finish);
  }

  /** Finishes one task now, held or not. */
  public synchronized void complete(TaskRef task) {
    known(task).finish();
  }

  /** The unfinished tasks, in the order they were started. */
  public synchronized List<TaskRef> pendingTasks() {
    return tasks.values().stream().filter(t -> t.done == null).map(t -> new TaskRef(t.id)).toList();
  }

  /**
   * vCenter forgets the task (task list expired, vCenter restarted) after the operation happened:
   * an unfinished task finishes first, then {@code taskState} gives NOT_FOUND.
   */
  public synchronized void forgetTask(TaskRef task) {
    known(task).finish();
    tasks.remove(task.id());
  }

  /** The operation is lost with its task (no effect), then {@code taskState} gives NOT_FOUND. */
  public synchronized void loseTask(TaskRef task) {
    known(task);
    tasks.remove(task.id());
  }

  /** {@link #forgetTask} for every task, e.g. a vCenter restart after all work was done. */
  public synchronized void forgetAllTasks() {
    completeAll();
    tasks.clear();
  }

  // ---- scripted faults (test control) ---------------------------------------------------------

  /** The next call of {@code method} throws a VSphereException of {@code kind}; they queue. */
  public InMemoryVSphere failNext(String method, FaultKind kind, String message) {
    return failNext(method, new VSphereFault(kind, typeOf(kind), message));
  }

  public synchronized InMemoryVSphere failNext(String method, VSphereFault fault) {
    if (!METHODS.contains(method)) {
      throw new IllegalArgumentException("no port method " + method + "; one of " + METHODS);
    }
    callFaults.computeIfAbsent(method, k -> new ArrayDeque<>()).add(fault);
    return this;
  }

  /** The next task {@code method} starts ends in ERROR with this fault and has no effect. */
  public InMemoryVSphere failTask(String method, FaultKind kind, String message) {
    return failTask(method, new VSphereFault(kind, typeOf(kind), message));
  }

  public synchronized InMemoryVSphere failTask(String method, VSphereFault fault) {
    if (!TASK_METHODS.contains(method)) {
      throw new IllegalArgumentException("no task method " + method + "; one of " + TASK_METHODS);
    }
    taskFaults.computeIfAbsent(method, k -> new ArrayDeque<>()).add(fault);
    return this;
  }

  /**
   * Runs {@code change} when {@code method} is next called, before the call looks at anything: a
   * person's or another process's change racing the call (a VM deleted between its look-up and a
   * power-on).
   */
  public synchronized InMemoryVSphere beforeNext(String method, Runnable change) {
    if (!METHODS.contains(method)) {
      throw new IllegalArgumentException("no port method " + method + "; one of " + METHODS);
    }
    callHooks.computeIfAbsent(method, k -> new ArrayDeque<>()).add(change);
    return this;
  }

  /** Drops every scripted fault and change not yet used. */
  public synchronized void clearFaults() {
    callHooks.clear();
    callFaults.clear();
    taskFaults.clear();
  }

  /** A plausible vSphere fault type for a scripted fault of this kind. */
  private static String typeOf(FaultKind kind) {
    return switch (kind) {
      case NOT_FOUND -> NOT_FOUND_TYPE;
      case ALREADY_EXISTS -> "DuplicateName";
      case INVALID_POWER_STATE -> "InvalidPowerState";
      case INVALID_STATE -> "InvalidState";
      case IN_USE -> "ResourceInUse";
      case INSUFFICIENT_RESOURCES -> "InsufficientResourcesFault";
      case NOT_AUTHENTICATED -> "NotAuthenticated";
      case PERMISSION -> "NoPermission";
      case INVALID_ARGUMENT -> "InvalidArgument";
      case NOT_MANAGED -> MANAGED_ATTRIBUTE;
      case UNTRUSTED_CERTIFICATE -> "SSLHandshakeException";
      case TRANSIENT -> "HostCommunication";
      case OTHER -> "";
    };
  }

  // ---- recorded calls (test control) ----------------------------------------------------------

  /** Every port call so far, in order. */
  public synchronized List<Call> calls() {
    return List.copyOf(calls);
  }

  public synchronized List<Call> calls(String method) {
    return calls.stream().filter(c -> c.method().equals(method)).toList();
  }

  public synchronized long callCount(String method) {
    return calls.stream().filter(c -> c.method().equals(method)).count();
  }

  /** Calls per port method (Java method names), sorted by name. */
  @Override
  public synchronized Map<String, Long> callCounts() {
    return calls.stream()
        .collect(Collectors.groupingBy(Call::method, TreeMap::new, Collectors.counting()));
  }

  public synchronized void resetCalls() {
    calls.clear();
  }

  // ---- VSphereProvider ------------------------------------------------------------------------

  @Override
  public synchronized AboutInfo about() {
    enter("about");
    return new AboutInfo("Slipway in-memory vSphere (test fake)", "8.0.3.0", instanceUuid);
  }

  /** Recorded (the user only); the fake has no logins. */
  @Override
  public synchronized void updateCredentials(String username, char[] password) {
    enter("updateCredentials", username);
  }

  @Override
  public synchronized void close() {
    enter("close");
  }

  // ---- Tasks ----------------------------------------------------------------------------------

  @Override
  public synchronized TaskState taskState(TaskRef ref) {
    enter("taskState", ref);
    Task t = tasks.get(ref.id());
    if (t == null) {
      throw ref.isLocal()
          ? new VSphereException(
              FaultKind.NOT_FOUND,
              "LocalTask",
              "local task " + ref.id() + " is unknown to this process")
          : new VSphereException(
              FaultKind.NOT_FOUND, NOT_FOUND_TYPE, "Task " + ref.id() + " does not exist");
    }
    if (t.done != null) {
      return t.done;
    }
    if (hold) {
      return TaskState.running(0);
    }
    t.polls++;
    if (t.polls >= t.pollsNeeded) {
      t.finish();
      return t.done;
    }
    return TaskState.running(100 * t.polls / t.pollsNeeded);
  }

  // ---- Inventory ------------------------------------------------------------------------------

  @Override
  public synchronized Optional<DatacenterRef> findDatacenter(String path) {
    enter("findDatacenter", path);
    return find(path, "datacenter", Set.of(DatacenterRef.TYPE))
        .map(n -> new DatacenterRef(n.moref));
  }

  @Override
  public synchronized Optional<ClusterRef> findCluster(String path) {
    enter("findCluster", path);
    return find(path, "cluster", Set.of(ClusterRef.TYPE)).map(n -> new ClusterRef(n.moref));
  }

  @Override
  public synchronized Optional<PoolRef> findResourcePool(String path) {
    enter("findResourcePool", path);
    return find(path, "resource pool", Set.of(POOL)).map(n -> new PoolRef(n.moref));
  }

  @Override
  public synchronized Optional<DatastoreRef> findDatastore(String path) {
    enter("findDatastore", path);
    return find(path, "datastore", Set.of(DatastoreRef.TYPE)).map(n -> new DatastoreRef(n.moref));
  }

  @Override
  public synchronized Optional<NetworkRef> findNetwork(String path) {
    enter("findNetwork", path);
    return find(path, "network", NETWORK_TYPES).map(n -> new NetworkRef(n.type, n.moref));
  }

  @Override
  public synchronized Optional<FolderRef> findFolder(String path) {
    enter("findFolder", path);
    return find(path, "folder", Set.of(FOLDER)).map(n -> new FolderRef(n.moref));
  }

  @Override
  public synchronized FolderRef ensureFolder(String parentFolderPath, String name) {
    enter("ensureFolder", parentFolderPath, name);
    Node parent =
        find(parentFolderPath, "folder", Set.of(FOLDER))
            .orElseThrow(() -> pathNotFound("folder", parentFolderPath));
    Node existing = existingChild(parent, name, FOLDER);
    if (existing != null) {
      return new FolderRef(existing.moref);
    }
    Node created = createNode(parent, name, FOLDER, "group-");
    created.custom.put(MANAGED_ATTRIBUTE, MANAGED_VALUE);
    return new FolderRef(created.moref);
  }

  @Override
  public synchronized PoolRef ensureResourcePool(
      String parentPoolPath, String name, PoolLimits limits) {
    enter("ensureResourcePool", parentPoolPath, name, limits);
    Node parent =
        find(parentPoolPath, "resource pool", Set.of(POOL))
            .orElseThrow(() -> pathNotFound("resource pool", parentPoolPath));
    Node existing = existingChild(parent, name, POOL);
    if (existing != null) {
      return new PoolRef(existing.moref);
    }
    Node created = createNode(parent, name, POOL, "resgroup-");
    created.limits = limits;
    created.custom.put(MANAGED_ATTRIBUTE, MANAGED_VALUE);
    return new PoolRef(created.moref);
  }

  @Override
  public synchronized PoolLimits poolLimits(PoolRef pool) {
    enter("poolLimits", pool);
    return node(pool).limits;
  }

  @Override
  public synchronized void updatePoolLimits(PoolRef pool, PoolLimits limits) {
    enter("updatePoolLimits", pool, limits);
    node(pool).limits = Objects.requireNonNull(limits, "limits");
  }

  @Override
  public synchronized boolean isManaged(ManagedRef ref) {
    enter("isManaged", ref);
    return MANAGED_VALUE.equals(node(ref).custom.get(MANAGED_ATTRIBUTE));
  }

  @Override
  public synchronized TaskRef deleteFolder(FolderRef folder) {
    enter("deleteFolder", folder);
    Node n = node(folder);
    refuseUnmanaged(n, "folder");
    if (!n.children.isEmpty()) {
      throw new VSphereException(
          FaultKind.IN_USE, "ResourceInUse", "folder " + folder.moref() + " is not empty");
    }
    return startTask(
        "deleteFolder",
        false,
        () -> {
          Node now = node(folder);
          if (!now.children.isEmpty()) { // filled since the call: refuse rather than recurse
            throw new VSphereException(
                FaultKind.IN_USE, "ResourceInUse", "folder " + folder.moref() + " is not empty");
          }
          remove(now);
          return null;
        });
  }

  @Override
  public synchronized TaskRef deleteResourcePool(PoolRef pool) {
    enter("deleteResourcePool", pool);
    Node n = node(pool);
    refuseUnmanaged(n, "resource pool");
    refuseBusyPool(n);
    return startTask(
        "deleteResourcePool",
        false,
        () -> {
          Node now = node(pool);
          refuseBusyPool(now);
          remove(now);
          return null;
        });
  }

  // ---- VirtualMachines ------------------------------------------------------------------------

  @Override
  public synchronized Optional<VmRef> findVmByInstanceUuid(String instanceUuid) {
    enter("findVmByInstanceUuid", instanceUuid);
    return vmNodes()
        .filter(n -> n.vm.instanceUuid.equalsIgnoreCase(instanceUuid))
        .findFirst()
        .map(n -> new VmRef(n.moref));
  }

  @Override
  public synchronized Optional<VmRef> findVmByBiosUuid(String biosUuid) {
    enter("findVmByBiosUuid", biosUuid);
    return vmNodes()
        .filter(n -> n.vm.biosUuid.equalsIgnoreCase(biosUuid))
        .findFirst()
        .map(n -> new VmRef(n.moref));
  }

  @Override
  public synchronized Optional<VmRef> findVmByPath(String path) {
    enter("findVmByPath", path);
    Optional<Node> n = resolve(path);
    if (n.isPresent() && !VM.equals(n.get().type)) {
      throw new VSphereException(
          FaultKind.INVALID_ARGUMENT, n.get().type, path + " is a " + n.get().type + ", not a VM");
    }
    return n.map(x -> new VmRef(x.moref));
  }

  @Override
  public synchronized Optional<VmRef> findVmInFolder(FolderRef folder, String name) {
    enter("findVmInFolder", folder, name);
    Node f = byMoref.get(folder.moref());
    if (f == null || !FOLDER.equals(f.type)) {
      return Optional.empty();
    }
    return Optional.ofNullable(f.children.get(name))
        .filter(n -> n.vm != null)
        .map(n -> new VmRef(n.moref));
  }

  @Override
  public synchronized VmState vmState(VmRef vm) {
    enter("vmState", vm);
    return stateOf(node(vm));
  }

  /** Never in step: every stamp is empty, so a reader always reads the VM (here) again. */
  @Override
  public synchronized VmWatch watchVms(Consumer<VmChange> listener) {
    enter("watchVms", listener);
    return new VmWatch() {
      @Override
      public OptionalLong stamp(VmRef vm) {
        return OptionalLong.empty();
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public synchronized List<VmSummary> listVms(FolderRef folder) {
    enter("listVms", folder);
    return node(folder).children.values().stream()
        .filter(n -> n.vm != null)
        .map(
            n ->
                new VmSummary(
                    new VmRef(n.moref),
                    n.name,
                    n.vm.instanceUuid,
                    n.vm.annotation,
                    n.vm.template,
                    n.custom,
                    n.vm.power,
                    n.vm.bootTime))
        .toList();
  }

  @Override
  public synchronized TaskRef cloneVm(CloneSpec spec) {
    enter("cloneVm", spec);
    if (!spec.config().addDisksMiB().isEmpty()) {
      throw new VSphereException(
          FaultKind.INVALID_ARGUMENT, "", "add disks with reconfigure() after the clone");
    }
    node(spec.source());
    node(spec.folder());
    node(spec.pool());
    spec.datastore().ifPresent(this::node);
    return startTask(
        "cloneVm",
        false,
        () -> {
          Vm source = node(spec.source()).vm;
          Node folder = node(spec.folder());
          node(spec.pool());
          refuseDuplicate(folder, spec.name(), "DuplicateName");
          Vm vm = new Vm();
          vm.pool = spec.pool().moref();
          vm.instanceUuid = UUID.randomUUID().toString();
          vm.cpus = source.cpus;
          vm.memoryMiB = source.memoryMiB;
          vm.disks.addAll(source.disks);
          vm.extraConfig.putAll(source.extraConfig);
          vm.annotation = source.annotation;
          apply(vm, spec.config());
          vm.power(spec.powerOn() ? PowerState.ON : PowerState.OFF);
          Node n = createNode(folder, spec.name(), VM, "vm-");
          n.vm = vm;
          return n.moref;
        });
  }

  @Override
  public synchronized TaskRef reconfigure(VmRef vm, VmConfigSpec spec) {
    enter("reconfigure", vm, spec);
    Vm v = node(vm).vm;
    if (v.disks.size() + spec.addDisksMiB().size() > MAX_DISKS) {
      throw new VSphereException(
          FaultKind.INSUFFICIENT_RESOURCES, "", "no free SCSI unit for another disk");
    }
    return startTask(
        "reconfigure",
        false,
        () -> {
          apply(node(vm).vm, spec);
          return null;
        });
  }

  @Override
  public synchronized TaskRef powerOn(VmRef vm) {
    enter("powerOn", vm);
    if (node(vm).vm.template) {
      throw new VSphereException(
          FaultKind.INVALID_STATE, "InvalidState", "cannot powerOn a template");
    }
    return startTask(
        "powerOn",
        false,
        () -> {
          Vm v = node(vm).vm;
          requirePowerStateOtherThan(v, PowerState.ON, PowerState.ON);
          v.power(PowerState.ON);
          return null;
        });
  }

  @Override
  public synchronized TaskRef powerOff(VmRef vm) {
    enter("powerOff", vm);
    node(vm);
    return startTask(
        "powerOff",
        false,
        () -> {
          Vm v = node(vm).vm;
          requirePowerStateOtherThan(v, PowerState.OFF, PowerState.OFF);
          v.power(PowerState.OFF);
          guestStopped(v);
          return null;
        });
  }

  @Override
  public synchronized TaskRef destroy(VmRef vm) {
    enter("destroy", vm);
    node(vm);
    return startTask(
        "destroy",
        false,
        () -> {
          Node n = node(vm);
          requirePowerStateOtherThan(n.vm, PowerState.ON, PowerState.OFF);
          remove(n);
          return null;
        });
  }

  @Override
  public synchronized void markAsTemplate(VmRef vm) {
    enter("markAsTemplate", vm);
    Vm v = node(vm).vm;
    if (v.template) {
      throw new VSphereException(
          FaultKind.INVALID_ARGUMENT, "NotSupported", vm.moref() + " is a template already");
    }
    if (v.power != PowerState.OFF) {
      throw invalidPowerState(PowerState.OFF, v.power).toException();
    }
    v.template = true;
    v.pool = null;
  }

  @Override
  public synchronized void setCustomAttributes(ManagedRef entity, Map<String, String> values) {
    enter("setCustomAttributes", entity, values);
    Node n = node(entity);
    values.forEach((k, v) -> n.custom.put(k, v == null ? "" : v));
  }

  // ---- ContentLibrary -------------------------------------------------------------------------

  @Override
  public synchronized List<Library> listLibraries() {
    enter("listLibraries");
    return List.copyOf(libraries.values());
  }

  @Override
  public synchronized Optional<Library> findLibrary(String name) {
    enter("findLibrary", name);
    return libraryNamed(name);
  }

  @Override
  public synchronized Library ensureLocalLibrary(String name, DatastoreRef datastore) {
    enter("ensureLocalLibrary", name, datastore);
    Optional<Library> existing = libraryNamed(name);
    if (existing.isPresent()) {
      return existing.get();
    }
    node(datastore);
    Library l = new Library(UUID.randomUUID().toString(), name, "LOCAL");
    libraries.put(l.id(), l);
    return l;
  }

  @Override
  public synchronized List<LibraryItem> listItems(String libraryId) {
    enter("listItems", libraryId);
    library(libraryId);
    return items.values().stream()
        .map(Item::item)
        .filter(i -> i.libraryId().equals(libraryId))
        .toList();
  }

  @Override
  public synchronized Optional<LibraryItem> findItem(String libraryName, String itemName) {
    enter("findItem", libraryName, itemName);
    return libraryNamed(libraryName).flatMap(l -> itemNamed(l.id(), itemName));
  }

  @Override
  public synchronized LibraryItem getItem(String libraryName, String itemName) {
    enter("getItem", libraryName, itemName);
    return libraryNamed(libraryName)
        .flatMap(l -> itemNamed(l.id(), itemName))
        .orElseThrow(
            () ->
                new VSphereException(
                    FaultKind.NOT_FOUND,
                    VAPI_NOT_FOUND,
                    "library item " + itemName + " not found in library " + libraryName));
  }

  @Override
  public synchronized void deleteItem(String itemId) {
    enter("deleteItem", itemId);
    if (items.remove(itemId) == null) {
      throw new VSphereException(FaultKind.NOT_FOUND, VAPI_NOT_FOUND, "no library item " + itemId);
    }
  }

  @Override
  public synchronized TaskRef uploadOvf(
      String libraryId, String itemName, Map<String, byte[]> files) {
    enter("uploadOvf", libraryId, itemName, files.keySet());
    long descriptors = files.keySet().stream().filter(n -> n.endsWith(".ovf")).count();
    if (descriptors != 1) {
      throw new VSphereException(
          FaultKind.INVALID_ARGUMENT,
          "",
          "an OVF upload needs exactly one .ovf file, got " + files.keySet());
    }
    library(libraryId);
    if (itemNamed(libraryId, itemName).isPresent()) {
      throw new VSphereException(
          FaultKind.ALREADY_EXISTS,
          VAPI_ALREADY_EXISTS,
          "an item named " + itemName + " already exists in library " + libraryId);
    }
    LibraryItem item = new LibraryItem(UUID.randomUUID().toString(), libraryId, itemName, "ovf");
    items.put(item.id(), new Item(item, 1, 512, List.of()));
    return startTask("uploadOvf", true, item::id);
  }

  @Override
  public synchronized TaskRef deployOvf(DeploySpec spec) {
    enter("deployOvf", spec);
    Item item = items.get(spec.itemId());
    if (item == null) {
      throw new VSphereException(
          FaultKind.NOT_FOUND, VAPI_NOT_FOUND, "library item " + spec.itemId() + " not found");
    }
    return startTask(
        "deployOvf",
        true,
        () -> {
          Node folder = node(spec.folder());
          node(spec.pool());
          spec.datastore().ifPresent(this::node);
          spec.networkMappings().values().forEach(this::node);
          refuseDuplicate(folder, spec.name(), "");
          Vm vm = new Vm();
          vm.pool = spec.pool().moref();
          vm.instanceUuid = UUID.randomUUID().toString();
          vm.cpus = item.cpus();
          vm.memoryMiB = item.memoryMiB();
          vm.disks.addAll(item.disksMiB());
          Node n = createNode(folder, spec.name(), VM, "vm-");
          n.vm = vm;
          return n.moref;
        });
  }

  // ---- Tagging --------------------------------------------------------------------------------

  @Override
  public synchronized Tag ensureTag(String category, String name) {
    enter("ensureTag", category, name);
    return tags.values().stream()
        .filter(t -> t.category().equals(category) && t.name().equals(name))
        .findFirst()
        .orElseGet(
            () -> {
              Tag t =
                  new Tag(
                      "urn:vmomi:InventoryServiceTag:" + UUID.randomUUID() + ":GLOBAL",
                      category,
                      name);
              tags.put(t.id(), t);
              return t;
            });
  }

  @Override
  public synchronized void attachTags(ManagedRef entity, java.util.Collection<Tag> wanted) {
    enter("attachTags", entity, wanted);
    node(entity);
    List<String> missing = new ArrayList<>();
    for (Tag tag : wanted) {
      if (tags.containsKey(tag.id())) {
        attachedTags.computeIfAbsent(entity.moref(), k -> new LinkedHashSet<>()).add(tag.id());
      } else {
        missing.add(tag.id());
      }
    }
    if (!missing.isEmpty()) {
      throw new VSphereException(FaultKind.NOT_FOUND, VAPI_NOT_FOUND, "tags " + missing);
    }
  }

  @Override
  public synchronized List<Tag> tagsOf(ManagedRef entity) {
    enter("tagsOf", entity);
    return attachedTags.getOrDefault(entity.moref(), Set.of()).stream()
        .map(tags::get)
        .filter(Objects::nonNull)
        .toList();
  }

  @Override
  public synchronized List<Tag> tagsIn(String category) {
    enter("tagsIn", category);
    return tags.values().stream().filter(t -> t.category().equals(category)).toList();
  }

  @Override
  public synchronized void deleteTag(Tag tag) {
    enter("deleteTag", tag);
    tags.remove(tag.id());
    attachedTags.values().forEach(ids -> ids.remove(tag.id()));
  }

  // ---- internals ------------------------------------------------------------------------------

  /** Records the call, then throws the fault scripted for it, if any. */
  private void enter(String method, Object... args) {
    calls.add(new Call(method, Collections.unmodifiableList(Arrays.asList(args))));
    Deque<Runnable> before = callHooks.get(method);
    if (before != null && !before.isEmpty()) {
      before.poll().run();
    }
    Deque<VSphereFault> q = callFaults.get(method);
    if (q != null && !q.isEmpty()) {
      throw q.poll().toException();
    }
  }

  private TaskRef startTask(String method, boolean local, Supplier<String> effect) {
    String id = local ? TaskRef.LOCAL_PREFIX + UUID.randomUUID() : "task-" + nextId++;
    Deque<VSphereFault> q = taskFaults.get(method);
    Task t = new Task(id, effect, q == null ? null : q.poll(), pollsToComplete);
    tasks.put(id, t);
    if (pollsToComplete == 0 && !hold) {
      t.finish();
    }
    return new TaskRef(id);
  }

  private Task known(TaskRef ref) {
    Task t = tasks.get(ref.id());
    if (t == null) {
      throw new IllegalArgumentException("no task " + ref.id());
    }
    return t;
  }

  private static String normalize(String path) {
    String p = path.trim();
    while (p.startsWith("/")) {
      p = p.substring(1);
    }
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p;
  }

  private Optional<Node> resolve(String path) {
    String p = normalize(path);
    Node n = root;
    if (p.isEmpty()) {
      return Optional.of(n);
    }
    for (String part : p.split("/")) {
      n = n.children.get(part);
      if (n == null) {
        return Optional.empty();
      }
    }
    return Optional.of(n);
  }

  /** FindByInventoryPath plus the provider's type check: another type is INVALID_ARGUMENT. */
  private Optional<Node> find(String path, String what, Set<String> types) {
    Optional<Node> n = resolve(path);
    if (n.isPresent() && !types.contains(n.get().type)) {
      throw new VSphereException(
          FaultKind.INVALID_ARGUMENT,
          n.get().type,
          path + " is a " + n.get().type + ", not a " + what);
    }
    return n;
  }

  private static VSphereException pathNotFound(String what, String path) {
    return new VSphereException(FaultKind.NOT_FOUND, "NotFound", what + " " + path + " not found");
  }

  /** The object {@code ref} names, of its type; NOT_FOUND as vCenter reports a stale moref. */
  private Node node(ManagedRef ref) {
    Node n = byMoref.get(ref.moref());
    if (n == null || !n.type.equals(ref.type())) {
      throw new VSphereException(
          FaultKind.NOT_FOUND, NOT_FOUND_TYPE, ref.type() + " " + ref.moref() + " does not exist");
    }
    return n;
  }

  private Vm seedVm(VmRef ref) {
    Node n = byMoref.get(ref.moref());
    if (n == null || n.vm == null) {
      throw new IllegalArgumentException("no VM " + ref.moref());
    }
    return n.vm;
  }

  private Node existingChild(Node parent, String name, String type) {
    Node child = parent.children.get(name);
    if (child != null && !child.type.equals(type)) {
      throw new VSphereException(
          FaultKind.ALREADY_EXISTS,
          "DuplicateName",
          "a " + child.type + " named " + name + " already exists there");
    }
    return child;
  }

  private static void refuseDuplicate(Node folder, String name, String type) {
    Node existing = folder.children.get(name);
    if (existing != null) {
      throw new VSphereException(
          FaultKind.ALREADY_EXISTS,
          type,
          "The name '"
              + name
              + "' already exists. (name="
              + name
              + ", object="
              + existing.moref
              + ")");
    }
  }

  private static void refuseUnmanaged(Node n, String what) {
    if (!MANAGED_VALUE.equals(n.custom.get(MANAGED_ATTRIBUTE))) {
      throw new VSphereException(
          FaultKind.NOT_MANAGED,
          MANAGED_ATTRIBUTE,
          what
              + " "
              + n.moref
              + " was not created by Slipway (no "
              + MANAGED_ATTRIBUTE
              + "); refusing to delete it");
    }
  }

  private void refuseBusyPool(Node pool) {
    boolean hasVms = vmNodes().anyMatch(v -> pool.moref.equals(v.vm.pool));
    boolean hasPools = !pool.children.isEmpty();
    if (hasVms || hasPools) {
      throw new VSphereException(
          FaultKind.IN_USE,
          "ResourceInUse",
          "resource pool " + pool.moref + " still has " + (hasVms ? "VMs" : "child pools"));
    }
  }

  private static String vim(PowerState s) {
    return switch (s) {
      case ON -> "poweredOn";
      case OFF -> "poweredOff";
      case SUSPENDED -> "suspended";
    };
  }

  /** InvalidPowerState as the provider reports vcsim's: type, then the fault's fields. */
  private static VSphereFault invalidPowerState(PowerState requested, PowerState existing) {
    return new VSphereFault(
        FaultKind.INVALID_POWER_STATE,
        "InvalidPowerState",
        "InvalidPowerState (requestedState="
            + vim(requested)
            + ", existingState="
            + vim(existing)
            + ")");
  }

  private static void requirePowerStateOtherThan(Vm v, PowerState bad, PowerState requested) {
    if (v.power == bad) {
      throw invalidPowerState(requested, v.power).toException();
    }
  }

  private static void guestStopped(Vm v) {
    v.ips.clear();
    v.heartbeat = Heartbeat.GRAY;
  }

  private static void apply(Vm vm, VmConfigSpec c) {
    c.instanceUuid().ifPresent(u -> vm.instanceUuid = u);
    c.cpus().ifPresent(n -> vm.cpus = n);
    c.memoryMiB().ifPresent(m -> vm.memoryMiB = m);
    c.extraConfig()
        .forEach(
            (k, v) -> {
              if (v.isEmpty()) {
                vm.extraConfig.remove(k);
              } else {
                vm.extraConfig.put(k, v);
              }
            });
    c.annotation().ifPresent(a -> vm.annotation = a);
    vm.disks.addAll(c.addDisksMiB());
  }

  private java.util.stream.Stream<Node> vmNodes() {
    return byMoref.values().stream().filter(n -> n.vm != null);
  }

  private VmState stateOf(Node n) {
    Vm v = n.vm;
    return new VmState(
        new VmRef(n.moref),
        n.name,
        v.power,
        v.template,
        v.biosUuid,
        v.instanceUuid,
        v.ips,
        v.heartbeat,
        v.extraConfig,
        v.annotation,
        v.cpus,
        v.memoryMiB,
        new FolderRef(n.parent.moref),
        v.pool == null ? null : new PoolRef(v.pool),
        v.disks,
        n.custom);
  }

  private Node createNode(Node parent, String name, String type, String prefix) {
    if (parent.children.containsKey(name)) {
      throw new IllegalArgumentException(parent.path() + "/" + name + " exists already");
    }
    Node n = new Node(prefix + nextId++, type, name, parent);
    parent.children.put(name, n);
    byMoref.put(n.moref, n);
    return n;
  }

  /** Creates the last element of {@code path} under its existing parent (seeding only). */
  private Node createAt(String path, String type, String prefix) {
    String p = normalize(path);
    int slash = p.lastIndexOf('/');
    Node parent =
        resolve(slash < 0 ? "" : p.substring(0, slash))
            .orElseThrow(() -> new IllegalArgumentException("no parent for " + path));
    return createNode(parent, p.substring(slash + 1), type, prefix);
  }

  private Node resolveSeedParent(String path, String type) {
    Node n = resolve(path).orElseThrow(() -> new IllegalArgumentException("nothing at " + path));
    if (!n.type.equals(type)) {
      throw new IllegalArgumentException(path + " is a " + n.type + ", not a " + type);
    }
    return n;
  }

  private void remove(Node n) {
    List.copyOf(n.children.values()).forEach(this::remove);
    n.parent.children.remove(n.name);
    byMoref.remove(n.moref);
    attachedTags.remove(n.moref);
  }

  private Optional<Library> libraryNamed(String name) {
    return libraries.values().stream().filter(l -> l.name().equals(name)).findFirst();
  }

  private Library library(String id) {
    Library l = libraries.get(id);
    if (l == null) {
      throw new VSphereException(FaultKind.NOT_FOUND, VAPI_NOT_FOUND, "library " + id);
    }
    return l;
  }

  private Optional<LibraryItem> itemNamed(String libraryId, String name) {
    return items.values().stream()
        .map(Item::item)
        .filter(i -> i.libraryId().equals(libraryId) && i.name().equals(name))
        .findFirst();
  }

  @Override
  public String toString() {
    return "InMemoryVSphere[" + instanceUuid + "]";
  }
}
