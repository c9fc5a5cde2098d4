package dev.slipway.operator.controller;

import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesRelease;
import dev.slipway.operator.api.vmoperator.v1alpha1.VSphereNamespace;
import dev.slipway.operator.controller.NodeImages.NodeImage;
import dev.slipway.operator.status.Conditions;
import dev.slipway.operator.status.Types;
import dev.slipway.vsphere.ContentLibrary;
import dev.slipway.vsphere.Library;
import dev.slipway.vsphere.LibraryItem;
import dev.slipway.vsphere.VSphereException;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes one TanzuKubernetesRelease per Kubernetes node image in the content libraries
 * configured for releases and those granted to VSphereNamespaces, as vCenter admins publish
 * versions in TKG Service: by adding an OVA to a library. Runs every {@link Settings#interval()},
 * at once when a VSphereNamespace's libraries change or its {@value #SYNC_ANNOTATION} annotation
 * does, and only on the replica that leads. The same version in two libraries: the first library
 * read wins (configured ones, then the namespaces' by namespace name), and a published release
 * keeps its image.
 *
 * <p>A synced release carries the label {@value #SYNCED_LABEL}; a release without it (written by
 * hand) is never touched, even if an item has its version. Whether a release is Ready stays the
 * release controller's call (its item exists): the sync asks it to look again when the sync sees an
 * item appear or go. Synced releases are never deleted by the sync: a release whose item went
 * stays, not Ready, so clusters that use it say why and an admin deletes it when no cluster needs
 * it.
 */
public final class ReleaseSync implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReleaseSync.class);

  /** Marks a release the sync made (and may update). */
  public static final String SYNCED_LABEL = "slipway.dev/synced-release";

  /** A new value on any VSphereNamespace asks for a sync now. */
  public static final String SYNC_ANNOTATION = "slipway.dev/sync";

  /** Where a synced release's image was found: {@code <library>/<item>}. */
  public static final String SOURCE_ANNOTATION = "slipway.dev/content-library-item";

  static final String FIELD_MANAGER = "slipway-release-sync";

  private static final Duration STANDBY_POLL = Duration.ofSeconds(2);

  /** Which libraries besides the namespaces' are read, and how often. */
  public record Settings(List<String> libraries, Duration interval) {
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(60);
    public static final Settings DEFAULTS = new Settings(List.of(), DEFAULT_INTERVAL);

    public Settings {
      libraries = List.copyOf(libraries);
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("the release sync interval must be positive");
      }
    }
  }

  private final KubernetesClient client;
  private final ContentLibrary vsphere;
  private final Settings settings;
  private final BooleanSupplier leading;
  private final Consumer<String> recheck;
  private final ScheduledExecutorService scheduler;
  private final AtomicBoolean queued = new AtomicBoolean();
  private final AtomicBoolean standbyPoll = new AtomicBoolean();
  private final Set<String> told = ConcurrentHashMap.newKeySet();
  private SharedIndexInformer<VSphereNamespace> namespaces;

  /**
   * @param leading whether this replica may write (the leader, or the only replica)
   * @param recheck asks the release controller to look at a release again now
   */
  public ReleaseSync(
      KubernetesClient client,
      ContentLibrary vsphere,
      Settings settings,
      BooleanSupplier leading,
      Consumer<String> recheck) {
    this.client = client;
    this.vsphere = vsphere;
    this.settings = settings;
    this.leading = leading;
    this.recheck = recheck;
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "release-sync");
              t.setDaemon(true);
              return t;
            });
  }

  /** Syncs now and every interval; watches VSphereNamespaces for on-demand syncs. */
  public void start() {
    namespaces =
        client
            .resources(VSphereNamespace.class)
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(VSphereNamespace vns) {
                    request();
                  }

                  @Override
                  public void onUpdate(VSphereNamespace before, VSphereNamespace after) {
                    if (!Objects.equals(libraries(before), libraries(after))
                        || !Objects.equals(syncRequest(before), syncRequest(after))) {
                      request();
                    }
                  }

                  @Override
                  public void onDelete(VSphereNamespace vns, boolean unknown) {
                    request();
                  }
                });
    long every = settings.interval().toMillis();
    scheduler.scheduleWithFixedDelay(this::request, 0, every, TimeUnit.MILLISECONDS);
  }

  /** A sync soon, on the sync's own thread; requests while one is queued count once. */
  void request() {
    if (queued.compareAndSet(false, true)) {
      scheduler.execute(
          () -> {
            queued.set(false);
            runOnce();
          });
    }
  }

  private void runOnce() {
    if (!leading.getAsBoolean()) {
      // A standby (or a leader still starting) looks again soon, so a new leader syncs at once.
      if (standbyPoll.compareAndSet(false, true)) {
        scheduler.schedule(
            () -> {
              standbyPoll.set(false);
              request();
            },
            STANDBY_POLL.toMillis(),
            TimeUnit.MILLISECONDS);
      }
      return;
    }
    try {
      sync();
    } catch (VSphereException | KubernetesClientException e) {
      LOG.warn("release sync failed, next try in {}: {}", settings.interval(), e.getMessage());
    } catch (RuntimeException e) {
      LOG.error("release sync failed, next try in {}", settings.interval(), e);
    }
  }

  /** One pass: every node image becomes (or stays) a release; changes are rechecked. */
  void sync() {
    Map<String, Found> found = scan(vsphere, libraryNames(), this::once);
    Decisions d =
        decide(found, client.resources(TanzuKubernetesRelease.class).list().getItems(), this::once);
    for (TanzuKubernetesRelease r : d.apply()) {
      client.resource(r).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
      LOG.info("published release {} from {}", r.getMetadata().getName(), source(r));
    }
    d.recheck().forEach(recheck);
  }

  /** What a pass writes: releases to apply, and releases the release controller should recheck. */
  record Decisions(List<TanzuKubernetesRelease> apply, List<String> recheck) {}

  /** Logs a finding once: a key and a message. */
  interface Once {
    void log(String key, String format, Object... args);
  }

  /**
   * From the node images found and the releases that exist: a release to apply for each image whose
   * release is missing or lacks its labels, never over a hand-written release and never repointing
   * a synced one to another item; a recheck for each synced release whose item's presence disagrees
   * with its Ready condition.
   */
  static Decisions decide(
      Map<String, Found> found, List<TanzuKubernetesRelease> releases, Once once) {
    Map<String, TanzuKubernetesRelease> existing = new LinkedHashMap<>();
    releases.forEach(r -> existing.put(r.getMetadata().getName(), r));
    List<TanzuKubernetesRelease> apply = new ArrayList<>();
    for (Found f : found.values()) {
      TanzuKubernetesRelease current = existing.get(f.image().releaseName());
      if (current != null && !synced(current)) {
        once.log(
            "hand:" + f.image().releaseName(),
            "release {} exists and was not made by the sync: left as it is ({} not published)",
            f.image().releaseName(),
            f.source());
        continue;
      }
      if (current != null && !f.source().equals(source(current))) {
        // Repointing a release would roll every cluster on it to another image.
        once.log(
            "keep:" + f.source(),
            "release {} keeps its image {}; {} is not used",
            f.image().releaseName(),
            source(current),
            f.source());
        continue;
      }
      TanzuKubernetesRelease wanted = release(f);
      if (current == null || changed(current, wanted)) {
        apply.add(wanted);
      }
    }
    List<String> recheck = new ArrayList<>();
    for (TanzuKubernetesRelease r : existing.values()) {
      if (!synced(r)) {
        continue;
      }
      Found f = found.get(r.getMetadata().getName());
      boolean present = f != null && f.source().equals(source(r));
      if (present != ready(r)) {
        recheck.add(r.getMetadata().getName());
      }
    }
    return new Decisions(apply, recheck);
  }

  /** Configured libraries first, then those granted to namespaces (by namespace name). */
  List<String> libraryNames() {
    Set<String> names = new LinkedHashSet<>(settings.libraries());
    List<VSphereNamespace> all =
        namespaces != null
            ? new ArrayList<>(namespaces.getStore().list())
            : client.resources(VSphereNamespace.class).list().getItems();
    all.sort((a, b) -> a.getMetadata().getName().compareTo(b.getMetadata().getName()));
    for (VSphereNamespace vns : all) {
      names.addAll(Optional.ofNullable(libraries(vns)).orElse(List.of()));
    }
    return List.copyOf(names);
  }

  /** A node image and where it was found. */
  record Found(NodeImage image, String library, String item) {
    String source() {
      return library + "/" + item;
    }
  }

  /**
   * The node images of the libraries, by release name. The same version in two libraries: the first
   * library in {@link #libraryNames()} order wins (configured before granted), and the other item
   * is logged once.
   */
  static Map<String, Found> scan(ContentLibrary vsphere, List<String> libraries, Once once) {
    Map<String, Found> found = new LinkedHashMap<>();
    for (String name : libraries) {
      Optional<Library> lib = vsphere.findLibrary(name);
      if (lib.isEmpty()) {
        once.log("lib:" + name, "content library {} does not exist: no releases from it", name);
        continue;
      }
      for (LibraryItem item : vsphere.listItems(lib.get().id())) {
        Optional<NodeImage> image = NodeImages.parse(item.name());
        if (image.isEmpty()) {
          once.log(
              "item:" + name + "/" + item.name(),
              "library item {}/{} is not named like a Kubernetes node image: no release",
              name,
              item.name());
          continue;
        }
        Found f = new Found(image.get(), name, item.name());
        Found first = found.putIfAbsent(image.get().releaseName(), f);
        if (first != null && !first.source().equals(f.source())) {
          once.log(
              "dup:" + f.source(),
              "{} carries release {} too; {} comes first and is used",
              f.source(),
              image.get().releaseName(),
              first.source());
        }
      }
    }
    return found;
  }

  /** The release a node image makes. */
  static TanzuKubernetesRelease release(Found f) {
    NodeImage image = f.image();
    TanzuKubernetesRelease r = new TanzuKubernetesRelease();
    Map<String, String> labels = new LinkedHashMap<>();
    for (String prefix : NodeImages.prefixes(image.version())) {
      labels.put(prefix, "");
    }
    labels.put("os-name", image.osName());
    labels.put("os-version", image.osVersion());
    labels.put("os-arch", image.osArch());
    labels.put("os-type", image.osName().equals("windows") ? "windows" : "linux");
    labels.put("image-type", "ova");
    labels.put(SYNCED_LABEL, "true");
    r.setMetadata(
        new ObjectMetaBuilder()
            .withName(image.releaseName())
            .withLabels(labels)
            .withAnnotations(Map.of(SOURCE_ANNOTATION, f.source()))
            .build());
    TanzuKubernetesRelease.Spec spec = new TanzuKubernetesRelease.Spec();
    spec.version = image.version();
    spec.kubernetes = new TanzuKubernetesRelease.Kubernetes();
    spec.kubernetes.version = image.kubernetesVersion();
    TanzuKubernetesRelease.OSImage os = new TanzuKubernetesRelease.OSImage();
    os.contentLibrary = f.library();
    os.item = f.item();
    os.osName = image.osName();
    os.osVersion = image.osVersion();
    spec.osImages = List.of(os);
    r.setSpec(spec);
    return r;
  }

  private static boolean changed(TanzuKubernetesRelease current, TanzuKubernetesRelease wanted) {
    Map<String, String> labels =
        Optional.ofNullable(current.getMetadata().getLabels()).orElse(Map.of());
    return !labels.entrySet().containsAll(wanted.getMetadata().getLabels().entrySet())
        || !Objects.equals(source(current), source(wanted))
        || current.getSpec() == null
        || current.getSpec().osImages == null
        || current.getSpec().osImages.size() != 1
        || !Objects.equals(image(current), image(wanted))
        || !Objects.equals(
            current.getSpec().kubernetes.version, wanted.getSpec().kubernetes.version);
  }

  private static String image(TanzuKubernetesRelease r) {
    TanzuKubernetesRelease.OSImage i = r.getSpec().osImages.get(0);
    return i.contentLibrary + "/" + i.item;
  }

  static boolean synced(TanzuKubernetesRelease r) {
    Map<String, String> labels = r.getMetadata().getLabels();
    return labels != null && "true".equals(labels.get(SYNCED_LABEL));
  }

  private static String source(TanzuKubernetesRelease r) {
    Map<String, String> a = r.getMetadata().getAnnotations();
    return a == null ? null : a.get(SOURCE_ANNOTATION);
  }

  private static boolean ready(TanzuKubernetesRelease r) {
    return r.getStatus() != null
        && Conditions.of(r.getStatus().conditions, null).isTrue(Types.READY);
  }

  private static List<String> libraries(VSphereNamespace vns) {
    return vns.getSpec() == null ? null : vns.getSpec().contentLibraries;
  }

  private static String syncRequest(VSphereNamespace vns) {
    Map<String, String> a = vns.getMetadata().getAnnotations();
    return a == null ? null : a.get(SYNC_ANNOTATION);
  }

  /** Logs a finding once per process, so a library full of other items is not a log storm. */
  private void once(String key, String format, Object... args) {
    if (told.add(key)) {
      LOG.info(format, args);
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    if (namespaces != null) {
      namespaces.close();
    }
  }
}
