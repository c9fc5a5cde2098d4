package dev.slipway.vsphere.internal;

import dev.slipway.vsphere.AboutInfo;
import dev.slipway.vsphere.CloneSpec;
import dev.slipway.vsphere.ClusterRef;
import dev.slipway.vsphere.DatacenterRef;
import dev.slipway.vsphere.DatastoreRef;
import dev.slipway.vsphere.DeploySpec;
import dev.slipway.vsphere.FolderRef;
import dev.slipway.vsphere.Library;
import dev.slipway.vsphere.LibraryItem;
import dev.slipway.vsphere.ManagedRef;
import dev.slipway.vsphere.NetworkRef;
import dev.slipway.vsphere.PoolLimits;
import dev.slipway.vsphere.PoolRef;
import dev.slipway.vsphere.Tag;
import dev.slipway.vsphere.TaskRef;
import dev.slipway.vsphere.TaskState;
import dev.slipway.vsphere.VSphereConfig;
import dev.slipway.vsphere.VSphereProvider;
import dev.slipway.vsphere.VmChange;
import dev.slipway.vsphere.VmConfigSpec;
import dev.slipway.vsphere.VmRef;
import dev.slipway.vsphere.VmState;
import dev.slipway.vsphere.VmSummary;
import dev.slipway.vsphere.VmWatch;
import dev.slipway.vsphere.rest.RestClient;
import dev.slipway.vsphere.soap.ServiceContent;
import dev.slipway.vsphere.soap.SoapClient;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The {@link VSphereProvider} built on this module's SOAP and REST clients. Not API: construct it
 * through {@link VSphereProvider#connect}.
 */
public final class DefaultVSphereProvider implements VSphereProvider {

  /** WaitForUpdatesEx's maxWaitSeconds: an idle watch costs vCenter one call a minute. */
  static final Duration WATCH_WAIT = Duration.ofSeconds(60);

  private final CallCounter counter;
  private final Vim vim;
  private final RestClient rest;
  private final LocalTasks local = new LocalTasks();
  private final VimInventory inventory;
  private final VimMachines machines;
  private final RestLibrary library;
  private final RestTagging tagging;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final LoginGate gate;
  private final Duration watchWait;
  private final List<VimVmWatch> watches = new java.util.concurrent.CopyOnWriteArrayList<>();

  private DefaultVSphereProvider(VSphereConfig config) {
    this.counter = new CallCounter(config.callObserver());
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(config.connectTimeout())
            .sslContext(Tls.context(config))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    char[] pw = config.password();
    this.gate = new LoginGate(config.username(), pw, java.time.Clock.systemUTC());
    java.util.Arrays.fill(pw, '\0');
    this.vim =
        new Vim(
            new SoapClient(http, config.sdkUrl(), config.requestTimeout(), counter), config, gate);
    this.rest = new RestClient(http, config, counter, gate);
    this.inventory = new VimInventory(vim);
    this.machines = new VimMachines(vim);
    this.library = new RestLibrary(rest, local, config.deployTimeout(), config.requestTimeout());
    this.tagging = new RestTagging(rest::call);
    this.watchWait = watchWait(config.requestTimeout());
  }

  /** A minute, or less when calls time out sooner: a wait must end before its call times out. */
  static Duration watchWait(Duration requestTimeout) {
    Duration wait = requestTimeout.minusSeconds(10);
    return wait.compareTo(WATCH_WAIT) > 0
        ? WATCH_WAIT
        : wait.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : wait;
  }

  /** Connects and logs in; see {@link VSphereProvider#connect}. */
  public static VSphereProvider connect(VSphereConfig config) {
    DefaultVSphereProvider p = new DefaultVSphereProvider(config);
    p.vim.connect();
    return p;
  }

  @Override
  public void updateCredentials(String username, char[] password) {
    gate.update(username, password);
  }

  /** Which REST session endpoint answered: {@code api}, {@code rest}, or null if none yet. */
  public String restFlavor() {
    return rest.sessionFlavor();
  }

  @Override
  public AboutInfo about() {
    ServiceContent sc = vim.serviceContent();
    return new AboutInfo(sc.fullName(), vim.version(), sc.instanceUuid());
  }

  @Override
  public Map<String, Long> callCounts() {
    return counter.snapshot();
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      watches.forEach(VimVmWatch::close);
      local.cancelAll();
      rest.logout();
      vim.logout();
    }
  }

  @Override
  public VmWatch watchVms(Consumer<VmChange> listener) {
    VimVmWatch w = new VimVmWatch(vim, listener, watchWait);
    watches.add(w);
    return w.start();
  }

  // ---- Tasks ----

  @Override
  public TaskState taskState(TaskRef task) {
    return task.isLocal() ? local.state(task) : machines.taskState(task);
  }

  // ---- Inventory ----

  @Override
  public Optional<DatacenterRef> findDatacenter(String path) {
    return inventory.findDatacenter(path);
  }

  @Override
  public Optional<ClusterRef> findCluster(String path) {
    return inventory.findCluster(path);
  }

  @Override
  public Optional<PoolRef> findResourcePool(String path) {
    return inventory.findResourcePool(path);
  }

  @Override
  public Optional<DatastoreRef> findDatastore(String path) {
    return inventory.findDatastore(path);
  }

  @Override
  public Optional<NetworkRef> findNetwork(String path) {
    return inventory.findNetwork(path);
  }

  @Override
  public Optional<FolderRef> findFolder(String path) {
    return inventory.findFolder(path);
  }

  @Override
  public FolderRef ensureFolder(String parentFolderPath, String name) {
    return inventory.ensureFolder(parentFolderPath, name);
  }

  @Override
  public PoolRef ensureResourcePool(String parentPoolPath, String name, PoolLimits limits) {
    return inventory.ensureResourcePool(parentPoolPath, name, limits);
  }

  @Override
  public PoolLimits poolLimits(PoolRef pool) {
    return inventory.poolLimits(pool);
  }

  @Override
  public void updatePoolLimits(PoolRef pool, PoolLimits limits) {
    inventory.updatePoolLimits(pool, limits);
  }

  @Override
  public boolean isManaged(ManagedRef ref) {
    return inventory.isManaged(ref);
  }

  @Override
  public TaskRef deleteFolder(FolderRef folder) {
    return inventory.deleteFolder(folder);
  }

  @Override
  public TaskRef deleteResourcePool(PoolRef pool) {
    return inventory.deleteResourcePool(pool);
  }

  // ---- VirtualMachines ----

  @Override
  public Optional<VmRef> findVmByInstanceUuid(String instanceUuid) {
    return machines.findVmByInstanceUuid(instanceUuid);
  }

  @Override
  public Optional<VmRef> findVmByBiosUuid(String biosUuid) {
    return machines.findVmByBiosUuid(biosUuid);
  }

  @Override
  public Optional<VmRef> findVmByPath(String path) {
    return machines.findVmByPath(path);
  }

  @Override
  public Optional<VmRef> findVmInFolder(FolderRef folder, String name) {
    return machines.findVmInFolder(folder, name);
  }

  @Override
  public VmState vmState(VmRef vm) {
    return machines.vmState(vm);
  }

  @Override
  public List<VmSummary> listVms(FolderRef folder) {
    return machines.listVms(folder);
  }

  @Override
  public TaskRef cloneVm(CloneSpec spec) {
    return machines.cloneVm(spec);
  }

  @Override
  public TaskRef reconfigure(VmRef vm, VmConfigSpec spec) {
    return machines.reconfigure(vm, spec);
  }

  @Override
  public TaskRef powerOn(VmRef vm) {
    return machines.powerOn(vm);
  }

  @Override
  public TaskRef powerOff(VmRef vm) {
    return machines.powerOff(vm);
  }

  @Override
  public TaskRef destroy(VmRef vm) {
    return machines.destroy(vm);
  }

  @Override
  public void markAsTemplate(VmRef vm) {
    machines.markAsTemplate(vm);
  }

  @Override
  public void setCustomAttributes(ManagedRef entity, Map<String, String> values) {
    machines.setCustomAttributes(entity, values);
  }

  // ---- ContentLibrary ----

  @Override
  public List<Library> listLibraries() {
    return library.listLibraries();
  }

  @Override
  public Optional<Library> findLibrary(String name) {
    return library.findLibrary(name);
  }

  @Override
  public Library ensureLocalLibrary(String name, DatastoreRef datastore) {
    return library.ensureLocalLibrary(name, datastore);
  }

  @Override
  public List<LibraryItem> listItems(String libraryId) {
    return library.listItems(libraryId);
  }

  @Override
  public Optional<LibraryItem> findItem(String libraryName, String itemName) {
    return library.findItem(libraryName, itemName);
  }

  @Override
  public LibraryItem getItem(String libraryName, String itemName) {
    return library.getItem(libraryName, itemName);
  }

  @Override
  public void deleteItem(String itemId) {
    library.deleteItem(itemId);
  }

  @Override
  public TaskRef uploadOvf(String libraryId, String itemName, Map<String, byte[]> files) {
    return library.uploadOvf(libraryId, itemName, files);
  }

  @Override
  public TaskRef deployOvf(DeploySpec spec) {
    return library.deployOvf(spec);
  }

  // ---- Tagging ----

  @Override
  public Tag ensureTag(String category, String name) {
    return tagging.ensureTag(category, name);
  }

  @Override
  public void attachTags(ManagedRef entity, java.util.Collection<Tag> tags) {
    tagging.attachTags(entity, tags);
  }

  @Override
  public List<Tag> tagsOf(ManagedRef entity) {
    return tagging.tagsOf(entity);
  }

  @Override
  public List<Tag> tagsIn(String category) {
    return tagging.tagsIn(category);
  }

  @Override
  public Optional<Tag> findTag(String category, String name) {
    return tagging.findTag(category, name);
  }

  @Override
  public void deleteTag(Tag tag) {
    tagging.deleteTag(tag);
  }
}
