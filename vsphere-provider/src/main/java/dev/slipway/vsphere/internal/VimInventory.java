package dev.slipway.vsphere.internal;

import dev.slipway.vsphere.ClusterRef;
import dev.slipway.vsphere.DatacenterRef;
import dev.slipway.vsphere.DatastoreRef;
import dev.slipway.vsphere.FaultKind;
import dev.slipway.vsphere.FolderRef;
import dev.slipway.vsphere.Inventory;
import dev.slipway.vsphere.ManagedRef;
import dev.slipway.vsphere.NetworkRef;
import dev.slipway.vsphere.PoolLimits;
import dev.slipway.vsphere.PoolRef;
import dev.slipway.vsphere.TaskRef;
import dev.slipway.vsphere.VSphereException;
import dev.slipway.vsphere.soap.Moref;
import dev.slipway.vsphere.soap.ObjectContent;
import dev.slipway.vsphere.soap.XmlNode;
import dev.slipway.vsphere.soap.XmlWriter;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link Inventory} over vim25. */
final class VimInventory implements Inventory {

  private static final Logger LOG = LoggerFactory.getLogger(VimInventory.class);
  static final String MANAGED_VALUE = "true";

  private final Vim vim;

  VimInventory(Vim vim) {
    this.vim = vim;
  }

  private Optional<Moref> find(String path, String what, Set<String> types) {
    Optional<Moref> m = vim.findByInventoryPath(path);
    if (m.isPresent() && !types.contains(m.get().type())) {
      throw new VSphereException(
          FaultKind.INVALID_ARGUMENT,
          m.get().type(),
          path + " is a " + m.get().type() + ", not a " + what);
    }
    return m;
  }

  @Override
  public Optional<DatacenterRef> findDatacenter(String path) {
    return find(path, "datacenter", Set.of(DatacenterRef.TYPE))
        .map(m -> new DatacenterRef(m.value()));
  }

  @Override
  public Optional<ClusterRef> findCluster(String path) {
    return find(path, "cluster", Set.of(ClusterRef.TYPE)).map(m -> new ClusterRef(m.value()));
  }

  @Override
  public Optional<PoolRef> findResourcePool(String path) {
    return find(path, "resource pool", Set.of(PoolRef.TYPE, "VirtualApp"))
        .map(m -> new PoolRef(m.value()));
  }

  @Override
  public Optional<DatastoreRef> findDatastore(String path) {
    return find(path, "datastore", Set.of(DatastoreRef.TYPE)).map(m -> new DatastoreRef(m.value()));
  }

  @Override
  public Optional<NetworkRef> findNetwork(String path) {
    return find(path, "network", Set.of("Network", "DistributedVirtualPortgroup", "OpaqueNetwork"))
        .map(m -> new NetworkRef(m.type(), m.value()));
  }

  @Override
  public Optional<FolderRef> findFolder(String path) {
    return find(path, "folder", Set.of(FolderRef.TYPE)).map(m -> new FolderRef(m.value()));
  }

  private static VSphereException notFound(String what, String path) {
    return new VSphereException(FaultKind.NOT_FOUND, "NotFound", what + " " + path + " not found");
  }

  @Override
  public FolderRef ensureFolder(String parentFolderPath, String name) {
    FolderRef parent =
        findFolder(parentFolderPath).orElseThrow(() -> notFound("folder", parentFolderPath));
    Optional<FolderRef> existing =
        existingChild(Moref.of(parent), name, FolderRef.TYPE).map(m -> new FolderRef(m.value()));
    if (existing.isPresent()) {
      return existing.get();
    }
    Moref created;
    try {
      XmlNode r = vim.call("CreateFolder", Moref.of(parent), new XmlWriter().element("name", name));
      created = Vim.returnval(r).flatMap(Moref::of).orElseThrow();
    } catch (VSphereException e) {
      if (e.kind() == FaultKind.ALREADY_EXISTS) {
        return existingChild(Moref.of(parent), name, FolderRef.TYPE)
            .map(m -> new FolderRef(m.value()))
            .orElseThrow(() -> e);
      }
      throw e;
    }
    mark(created);
    LOG.info("created folder {}/{} ({})", parentFolderPath, name, created.value());
    return new FolderRef(created.value());
  }

  private Optional<Moref> existingChild(Moref parent, String name, String type) {
    Optional<Moref> child = vim.findChild(parent, name);
    if (child.isPresent() && !child.get().type().equals(type)) {
      throw new VSphereException(
          FaultKind.ALREADY_EXISTS,
          "DuplicateName",
          "a " + child.get().type() + " named " + name + " already exists there");
    }
    return child;
  }

  private void mark(Moref created) {
    vim.setField(created, MANAGED_ATTRIBUTE, MANAGED_VALUE);
  }

  @Override
  public PoolRef ensureResourcePool(String parentPoolPath, String name, PoolLimits limits) {
    PoolRef parent =
        findResourcePool(parentPoolPath)
            .orElseThrow(() -> notFound("resource pool", parentPoolPath));
    Optional<Moref> existing = existingChild(Moref.of(parent), name, PoolRef.TYPE);
    if (existing.isPresent()) {
      return new PoolRef(existing.get().value());
    }
    Moref created;
    try {
      XmlWriter spec = new XmlWriter().element("name", name).open("spec");
      allocation(spec, "cpuAllocation", limits.cpuMhz(), 4000);
      allocation(spec, "memoryAllocation", limits.memoryMiB(), 163840);
      spec.close("spec");
      XmlNode r = vim.call("CreateResourcePool", Moref.of(parent), spec);
      created = Vim.returnval(r).flatMap(Moref::of).orElseThrow();
    } catch (VSphereException e) {
      if (e.kind() == FaultKind.ALREADY_EXISTS) {
        return existingChild(Moref.of(parent), name, PoolRef.TYPE)
            .map(m -> new PoolRef(m.value()))
            .orElseThrow(() -> e);
      }
      throw e;
    }
    mark(created);
    LOG.info(
        "created resource pool {}/{} ({}) with {}", parentPoolPath, name, created.value(), limits);
    return new PoolRef(created.value());
  }

  /** A full ResourceAllocationInfo: vcsim (and vCenter on create) want every field. */
  private static void allocation(XmlWriter w, String name, long limit, int shares) {
    w.open(name)
        .element("reservation", 0)
        .element("expandableReservation", true)
        .element("limit", limit)
        .open("shares")
        .element("shares", shares)
        .element("level", "normal")
        .close("shares")
        .close(name);
  }

  @Override
  public PoolLimits poolLimits(PoolRef pool) {
    ObjectContent o =
        vim.properties(pool, "config.cpuAllocation.limit", "config.memoryAllocation.limit");
    return new PoolLimits(
        o.text("config.cpuAllocation.limit").map(String::trim).map(Long::parseLong).orElse(-1L),
        o.text("config.memoryAllocation.limit").map(String::trim).map(Long::parseLong).orElse(-1L));
  }

  @Override
  public void updatePoolLimits(PoolRef pool, PoolLimits limits) {
    XmlWriter w =
        new XmlWriter()
            .open("config")
            .open("cpuAllocation")
            .element("limit", limits.cpuMhz())
            .close("cpuAllocation")
            .open("memoryAllocation")
            .element("limit", limits.memoryMiB())
            .close("memoryAllocation")
            .close("config");
    vim.call("UpdateConfig", Moref.of(pool), w);
  }

  @Override
  public boolean isManaged(ManagedRef ref) {
    ObjectContent o = vim.properties(ref, "customValue");
    return isManaged(o);
  }

  private boolean isManaged(ObjectContent o) {
    return MANAGED_VALUE.equals(vim.customValues(o.prop("customValue")).get(MANAGED_ATTRIBUTE));
  }

  private void refuseUnmanaged(ObjectContent o, String what) {
    if (!isManaged(o)) {
      throw new VSphereException(
          FaultKind.NOT_MANAGED,
          MANAGED_ATTRIBUTE,
          what
              + " "
              + o.obj().value()
              + " was not created by Slipway (no "
              + MANAGED_ATTRIBUTE
              + "); refusing to delete it");
    }
  }

  @Override
  public TaskRef deleteFolder(FolderRef folder) {
    ObjectContent o = vim.properties(folder, "customValue", "childEntity");
    refuseUnmanaged(o, "folder");
    if (o.prop("childEntity").map(n -> !n.children().isEmpty()).orElse(false)) {
      throw new VSphereException(
          FaultKind.IN_USE, "ResourceInUse", "folder " + folder.moref() + " is not empty");
    }
    return task(vim.call("Destroy_Task", Moref.of(folder), new XmlWriter()));
  }

  @Override
  public TaskRef deleteResourcePool(PoolRef pool) {
    ObjectContent o = vim.properties(pool, "customValue", "vm", "resourcePool");
    refuseUnmanaged(o, "resource pool");
    boolean hasVms = o.prop("vm").map(n -> !n.children().isEmpty()).orElse(false);
    boolean hasPools = o.prop("resourcePool").map(n -> !n.children().isEmpty()).orElse(false);
    if (hasVms || hasPools) {
      throw new VSphereException(
          FaultKind.IN_USE,
          "ResourceInUse",
          "resource pool " + pool.moref() + " still has " + (hasVms ? "VMs" : "child pools"));
    }
    return task(vim.call("Destroy_Task", Moref.of(pool), new XmlWriter()));
  }

  static TaskRef task(XmlNode response) {
    return Vim.returnval(response)
        .flatMap(Moref::of)
        .map(m -> new TaskRef(m.value()))
        .orElseThrow(
            () -> new VSphereException(FaultKind.OTHER, "", response.name() + " returned no task"));
  }
}
