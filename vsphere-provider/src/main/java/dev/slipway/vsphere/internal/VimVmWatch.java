package dev.slipway.vsphere.internal;

import dev.slipway.vsphere.FaultKind;
import dev.slipway.vsphere.FolderRef;
import dev.slipway.vsphere.VSphereException;
import dev.slipway.vsphere.VmChange;
import dev.slipway.vsphere.VmRef;
import dev.slipway.vsphere.VmWatch;
import dev.slipway.vsphere.soap.Moref;
import dev.slipway.vsphere.soap.XmlNode;
import dev.slipway.vsphere.soap.XmlWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every VM of the inventory through one property collector of its own: one filter over the
 * properties that change when a {@link dev.slipway.vsphere.VmState} does ({@link #WATCHED}), of
 * every VM in the folders under the root folder, and a thread looping {@code WaitForUpdatesEx} with
 * the version it was given. One collector per watch, not the session's: a long wait on a collector
 * blocks other calls on it (vcsim locks the collector for the call), and govmomi#3394 shows what
 * sharing one does. The collector lives in the session: after a re-login (by any thread) or any
 * failure it is made again, with a full update set, after a back-off.
 */
final class VimVmWatch implements VmWatch {
  private static final Logger LOG = LoggerFactory.getLogger(VimVmWatch.class);

  static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
  static final Duration LONGEST_BACKOFF = Duration.ofSeconds(10);

  /** How much longer than its own wait a call may take before the watch counts as behind. */
  private static final Duration GRACE = Duration.ofSeconds(30);

  /**
   * What the filter asks for: not every property a {@link dev.slipway.vsphere.VmState} is read from
   * ({@link VimMachines#VM_PROPS}), but enough to notice each change of one. {@code
   * config.changeVersion} changes with every change of the VM's configuration (vSphere API: "each
   * change to the configuration updates this value"; vcsim bumps it on every reconfigure, clone and
   * create), so the configuration's large parts, {@code config.extraConfig} with the bootstrap data
   * and {@code config.hardware.device}, are not sent with each change, and vcsim, which collects
   * the filter's whole traversal again for each object changed anywhere in its inventory and copies
   * each VM's collected properties through XML, does not copy them for every VM. A change reported
   * makes the cache read the VM in full. Kept as they are: what may change outside the
   * configuration (name, folder, pool, power, the guest's IPs and heartbeat, custom values), what
   * the watch indexes by, and the template flag (vcsim's MarkAsTemplate leaves the change version
   * as it is).
   */
  static final List<String> WATCHED =
      List.of(
          "name",
          "parent",
          "resourcePool",
          "runtime.powerState",
          "config.changeVersion",
          "config.template",
          "config.uuid",
          "config.instanceUuid",
          "guest.ipAddress",
          "guest.net",
          "guestHeartbeatStatus",
          "customValue");

  private final Vim vim;
  private final Consumer<VmChange> listener;
  private final int maxWaitSeconds;
  private final Stamps stamps;
  private final Thread thread;
  private volatile boolean closed;
  private int failures;

  /**
   * What the watch knows of each VM (by moref): its instance UUID and a hash of each property's
   * value, so that a VM reported again unchanged (a new full set, or vcsim entering every VM of a
   * view again when one is added) is not reported as a change.
   */
  private Map<String, Known> known = new HashMap<>();

  /** A VM as the watch knows it: who it is, its folder and name, and its properties' hashes. */
  private record Known(String instanceUuid, String parent, String name, Map<String, Long> props) {}

  /**
   * {@link #known} by instance UUID and by folder and name (moref values), kept by the watch's
   * thread and read by others ({@link #byInstanceUuid}, {@link #inFolder}).
   */
  private final Map<String, String> byUuid = new ConcurrentHashMap<>();

  private final Map<String, String> byPlace = new ConcurrentHashMap<>();

  VimVmWatch(Vim vim, Consumer<VmChange> listener, Duration maxWait) {
    this.vim = vim;
    this.listener = listener;
    this.maxWaitSeconds = (int) Math.max(1, maxWait.toSeconds());
    this.stamps =
        new Stamps(
            vim::session,
            System::nanoTime,
            Duration.ofSeconds(maxWaitSeconds).plus(GRACE).toNanos());
    this.thread = new Thread(this::loop, "vcenter-vm-watch");
    this.thread.setDaemon(true);
  }

  VimVmWatch start() {
    thread.start();
    return this;
  }

  @Override
  public OptionalLong stamp(VmRef vm) {
    return closed ? OptionalLong.empty() : stamps.stamp(vm.moref());
  }

  @Override
  public Optional<Optional<VmRef>> byInstanceUuid(String instanceUuid) {
    return known(() -> byUuid.get(instanceUuid));
  }

  @Override
  public Optional<Optional<VmRef>> inFolder(FolderRef folder, String name) {
    return known(() -> byPlace.get(place(folder.moref(), name)));
  }

  /** The moref {@code find} gives, while the watch is in step before and after it looked. */
  private Optional<Optional<VmRef>> known(java.util.function.Supplier<String> find) {
    if (closed || !stamps.inStep()) {
      return Optional.empty();
    }
    Optional<VmRef> vm = Optional.ofNullable(find.get()).map(VmRef::new);
    return closed || !stamps.inStep() ? Optional.empty() : Optional.of(vm);
  }

  private static String place(String folder, String name) {
    return folder + "/" + name;
  }

  @Override
  public void close() {
    closed = true;
    stamps.lost();
    thread.interrupt();
  }

  private void loop() {
    while (!closed) {
      try {
        watch();
      } catch (VSphereException e) {
        stamps.lost();
        if (closed) {
          break;
        }
        failures++;
        Duration wait = backoff(failures);
        LOG.info("VM watch interrupted ({}); again in {} s", e.getMessage(), wait.toSeconds());
        try {
          Thread.sleep(wait.toMillis());
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          break;
        }
        continue;
      } catch (RuntimeException e) {
        stamps.lost();
        LOG.error("VM watch failed; making it again", e);
        failures++;
      }
    }
    stamps.lost();
  }

  static Duration backoff(int failures) {
    long millis = FIRST_BACKOFF.toMillis() << Math.min(failures - 1, 10);
    return Duration.ofMillis(Math.min(millis, LONGEST_BACKOFF.toMillis()));
  }

  /**
   * One collector's life: made, synced in full, then followed until the session changes; destroyed
   * when given up on.
   */
  private void watch() {
    long session = vim.session();
    Moref pc = collector();
    try {
      follow(pc, session);
    } catch (RuntimeException e) {
      destroy(pc, session);
      throw e;
    }
  }

  /**
   * A collector given up on (its wait failed or timed out on this side) is destroyed rather than
   * left in the session: its wait may still run in vCenter, which a client's timeout does not end.
   * vcsim 0.56.0 works such a wait's backlog off to the end, collecting the filter's whole
   * traversal again for every object changed meanwhile: at 1 000 clusters vcsim used about 1.5
   * cores through a whole idle window, half of one with this (docs/performance.md, optimisation
   * 43). Destroying the collector takes its filter away, so the rest of that work costs nothing. A
   * collector of a session that ended went with it; a failed destroy is only logged (the session's
   * end takes the collector with it).
   */
  private void destroy(Moref pc, long session) {
    if (closed || vim.session() != session) {
      return;
    }
    try {
      vim.call("DestroyPropertyCollector", pc, new XmlWriter());
    } catch (RuntimeException e) {
      LOG.debug("VM watch: collector {} not destroyed: {}", pc.value(), e.getMessage());
    }
  }

  private void follow(Moref pc, long session) {
    String version = "";
    Map<String, Known> seen = new HashMap<>();
    boolean syncing = true;
    while (!closed) {
      if (vim.session() != session) {
        // Another thread logged in again: this collector died with the old session.
        stamps.lost();
        return;
      }
      XmlNode r =
          vim.call(
              "WaitForUpdatesEx",
              pc,
              new XmlWriter()
                  .raw(
                      version.isEmpty()
                          ? ""
                          : new XmlWriter().element("version", version).toString())
                  .open("options")
                  .element("maxWaitSeconds", maxWaitSeconds)
                  .close("options"));
      stamps.answered();
      Optional<XmlNode> set = Vim.returnval(r);
      if (set.isEmpty()) {
        continue; // nothing changed within maxWaitSeconds
      }
      UpdateSet u = UpdateSet.parse(set.get());
      version = u.version();
      for (ObjectUpdate o : u.objects()) {
        report(o, syncing ? seen : null);
      }
      if (syncing && !u.truncated()) {
        syncing = false;
        synced(seen, session);
      }
    }
  }

  private void report(ObjectUpdate o, Map<String, Known> seen) {
    String moref = o.obj().value();
    Known before = known.get(moref);
    if (o.kind() == Kind.LEAVE) {
      known.remove(moref);
      unindex(moref, before);
      changed(moref, before == null ? "" : before.instanceUuid(), true);
      return;
    }
    Map<String, Long> props =
        o.kind() == Kind.ENTER || before == null ? new HashMap<>() : new HashMap<>(before.props());
    o.changes()
        .forEach(
            (name, hash) -> {
              if (hash == null) {
                props.remove(name);
              } else {
                props.put(name, hash);
              }
            });
    String uuid = o.instanceUuid().orElseGet(() -> before == null ? "" : before.instanceUuid());
    String parent = o.parent().orElseGet(() -> before == null ? "" : before.parent());
    String name = o.name().orElseGet(() -> before == null ? "" : before.name());
    Known now = new Known(uuid, parent, name, Map.copyOf(props));
    known.put(moref, now);
    if (before == null
        || !before.instanceUuid().equals(uuid)
        || !before.parent().equals(parent)
        || !before.name().equals(name)) {
      // Only when who or where it is changed: no moment in which a look-up misses it.
      unindex(moref, before);
      index(moref, now);
    }
    if (seen != null) {
      seen.put(moref, now);
    }
    if (!now.equals(before)) {
      changed(moref, uuid, false);
    }
  }

  private void index(String moref, Known k) {
    if (!k.instanceUuid().isEmpty()) {
      byUuid.put(k.instanceUuid(), moref);
    }
    if (!k.parent().isEmpty() && !k.name().isEmpty()) {
      byPlace.put(place(k.parent(), k.name()), moref);
    }
  }

  private void unindex(String moref, Known k) {
    if (k != null) {
      byUuid.remove(k.instanceUuid(), moref);
      byPlace.remove(place(k.parent(), k.name()), moref);
    }
  }

  private void changed(String moref, String instanceUuid, boolean removed) {
    stamps.changed(moref);
    tell(new VmChange(new VmRef(moref), instanceUuid, removed));
  }

  /** The full set is in: what was known before and is not in it went while nobody looked. */
  private void synced(Map<String, Known> seen, long session) {
    for (Map.Entry<String, Known> before : known.entrySet()) {
      if (!seen.containsKey(before.getKey())) {
        unindex(before.getKey(), before.getValue());
        changed(before.getKey(), before.getValue().instanceUuid(), true);
      }
    }
    known = new HashMap<>(seen);
    stamps.synced(session);
    failures = 0;
    LOG.info("VM watch in step with vCenter ({} VMs)", seen.size());
  }

  private void tell(VmChange change) {
    if (closed) {
      return;
    }
    try {
      listener.accept(change);
    } catch (RuntimeException e) {
      LOG.warn("VM watch listener failed on {}", change, e);
    }
  }

  /**
   * A collector of its own with one filter: every VM reached from the root folder through folders
   * ({@code childEntity}) and datacenters ({@code vmFolder}). Not a ContainerView of the VMs: in
   * vcsim up to v0.56.0 (the test bed's) a filter takes its own lock from inside an update of the
   * object its traversal starts at ({@code PropertyFilter.UpdateObject}), the lock-order deadlock
   * govmomi PR #4109 fixed after v0.56.0 for ListViews, and a VM view changes with every VM made or
   * destroyed; a view-based watch under VCenterFaultsE2E stopped answering (each wait timed out
   * after 120 s, again after every new collector). The root folder changes only when a datacenter
   * is added.
   */
  private Moref collector() {
    var sc = vim.serviceContent();
    Moref pc =
        created(vim.call("CreatePropertyCollector", sc.propertyCollector(), new XmlWriter()));
    XmlWriter spec = new XmlWriter().open("spec").open("propSet").element("type", VmRef.TYPE);
    for (String p : WATCHED) {
      spec.element("pathSet", p);
    }
    spec.close("propSet")
        .open("objectSet")
        .ref("obj", sc.rootFolder().type(), sc.rootFolder().value())
        .element("skip", true);
    traversal(spec, "folder", "Folder", "childEntity", "folder", "datacenter");
    traversal(spec, "datacenter", "Datacenter", "vmFolder", "folder");
    spec.close("objectSet").close("spec").element("partialUpdates", false);
    vim.call("CreateFilter", pc, spec);
    return pc;
  }

  private static void traversal(
      XmlWriter w, String name, String type, String path, String... then) {
    w.open("selectSet", "TraversalSpec")
        .element("name", name)
        .element("type", type)
        .element("path", path)
        .element("skip", false);
    for (String next : then) {
      w.open("selectSet").element("name", next).close("selectSet");
    }
    w.close("selectSet");
  }

  private static Moref created(XmlNode response) {
    return Vim.returnval(response)
        .flatMap(Moref::of)
        .orElseThrow(() -> new VSphereException(FaultKind.OTHER, "", "vCenter returned no object"));
  }

  enum Kind {
    ENTER,
    MODIFY,
    LEAVE
  }

  /**
   * One objectSet entry of an UpdateSet: a VM, its instance UUID, folder ({@code parent}'s moref
   * value) and name if they were among the changes, and a hash of each changed property's new value
   * (null: the property was removed).
   */
  record ObjectUpdate(
      Kind kind,
      Moref obj,
      Optional<String> instanceUuid,
      Optional<String> parent,
      Optional<String> name,
      Map<String, Long> changes) {}

  /** The parts of a WaitForUpdatesEx result the watch uses. */
  record UpdateSet(String version, boolean truncated, List<ObjectUpdate> objects) {

    static UpdateSet parse(XmlNode returnval) {
      List<ObjectUpdate> out = new ArrayList<>();
      for (XmlNode filter : returnval.children("filterSet")) {
        for (XmlNode o : filter.children("objectSet")) {
          Optional<Moref> obj = o.child("obj").flatMap(Moref::of);
          if (obj.isEmpty() || !VmRef.TYPE.equals(obj.get().type())) {
            continue;
          }
          Optional<String> uuid = Optional.empty();
          Optional<String> parent = Optional.empty();
          Optional<String> name = Optional.empty();
          Map<String, Long> changes = new HashMap<>();
          for (XmlNode c : o.children("changeSet")) {
            String prop = c.childText("name").orElse("");
            String op = c.childText("op").orElse("assign").trim();
            Optional<XmlNode> val = c.child("val");
            boolean gone = op.equals("remove") || op.equals("indirectRemove");
            changes.put(prop, gone ? null : val.map(UpdateSet::hash).orElse(0L));
            Optional<String> text =
                Optional.of(gone ? "" : val.map(XmlNode::text).map(String::trim).orElse(""));
            switch (prop) {
              case "config.instanceUuid" -> uuid = text;
              case "parent" -> parent = text;
              case "name" -> name = text;
              default -> {}
            }
          }
          out.add(
              new ObjectUpdate(
                  kind(o.childText("kind").orElse("")), obj.get(), uuid, parent, name, changes));
        }
      }
      return new UpdateSet(
          returnval.childText("version").orElse(""),
          returnval.childText("truncated").map(t -> Boolean.parseBoolean(t.trim())).orElse(false),
          out);
    }

    /** A 64-bit FNV-1a hash of a value's type and text: what is kept instead of the value. */
    static long hash(XmlNode val) {
      long h = 0xcbf29ce484222325L;
      String s = val.xsiType().orElse("") + "\u0000" + val.text();
      for (int i = 0; i < s.length(); i++) {
        h ^= s.charAt(i);
        h *= 0x100000001b3L;
      }
      return h;
    }

    private static Kind kind(String s) {
      return switch (s.trim()) {
        case "enter" -> Kind.ENTER;
        case "leave" -> Kind.LEAVE;
        default -> Kind.MODIFY;
      };
    }
  }

  /**
   * The stamps {@link VmWatch#stamp} hands out. A VM's stamp is the tick of its last change, or of
   * the first full sync in the session when that is later; none while the watch is not in step
   * (never synced, lost, in another session than the client's, or silent for longer than its wait
   * allows).
   *
   * <p>A full sync in a new session (after a re-login: vCenter may have restarted and given a moref
   * to another VM) changes every stamp. One in the same session as the last (a collector made again
   * after its wait timed out on this side; at 1 000 clusters under vcsim, several times while
   * building) keeps them: each VM of the new full set was compared with what the watch knew and
   * reported changed if it differed, and each VM missing from it reported removed, so what was read
   * under a stamp that did not change is as current as it would have been had the old collector
   * gone on. Changing every stamp there made every cached VM be read again on its next look
   * (docs/performance.md, optimisation 51).
   */
  static final class Stamps {
    private final LongSupplier session;
    private final LongSupplier nanoTime;
    private final long silenceNanos;
    private final AtomicLong ticks = new AtomicLong();
    private final Map<String, Long> changedAt = new ConcurrentHashMap<>();
    private volatile long syncedAt = -1;
    private volatile long syncedSession = -1;
    private volatile long answeredAt;

    /** The base of the stamps and its session, kept while the watch is lost (watch thread only). */
    private long base = -1;

    private long baseSession = -1;

    Stamps(LongSupplier session, LongSupplier nanoTime, long silenceNanos) {
      this.session = session;
      this.nanoTime = nanoTime;
      this.silenceNanos = silenceNanos;
      this.answeredAt = nanoTime.getAsLong();
    }

    OptionalLong stamp(String moref) {
      long base = syncedAt;
      if (base < 0 || !inStep()) {
        return OptionalLong.empty();
      }
      return OptionalLong.of(Math.max(base, changedAt.getOrDefault(moref, 0L)));
    }

    boolean inStep() {
      return syncedAt >= 0
          && syncedSession == session.getAsLong()
          && nanoTime.getAsLong() - answeredAt <= silenceNanos;
    }

    void changed(String moref) {
      changedAt.put(moref, ticks.incrementAndGet());
    }

    void answered() {
      answeredAt = nanoTime.getAsLong();
    }

    void synced(long inSession) {
      if (base < 0 || baseSession != inSession) {
        long now = ticks.incrementAndGet();
        // Every stamp is at least the sync's now: what changed before needs no entry.
        changedAt.values().removeIf(t -> t < now);
        base = now;
        baseSession = inSession;
      }
      syncedSession = inSession;
      syncedAt = base;
    }

    void lost() {
      syncedAt = -1;
    }
  }
}
