package dev.slipway.operator.controller;

import dev.slipway.operator.status.EventReason;
import dev.slipway.operator.status.Events;
import dev.slipway.vsphere.FaultKind;
import dev.slipway.vsphere.ManagedRef;
import dev.slipway.vsphere.Tag;
import dev.slipway.vsphere.Tagging;
import dev.slipway.vsphere.VSphereException;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * vSphere tags on what Slipway creates, so a vCenter admin can find a namespace's, a cluster's or
 * all of Slipway's objects by tag (as well as by the custom attributes and notes). Categories:
 *
 * <ul>
 *   <li>{@value #OBJECT}: what the object is to Slipway ({@code namespace-folder}, {@code
 *       namespace-pool}, {@code machine}, {@code template}, {@code templates-folder});
 *   <li>{@value #NAMESPACE}: the vSphere Namespace it belongs to;
 *   <li>{@value #CLUSTER}: {@code <namespace>/<cluster>} of a machine's VM.
 * </ul>
 *
 * <p>Tag ids are cached (looking a tag up by name costs one REST call per tag of its category), and
 * an object's tags are attached with one call, once per process: after that, only a different set
 * of tags for it is worth a call. A tag an admin deleted is created again on the next object that
 * needs it. Tagging never stops provisioning: a failure is logged, reported as a Warning Event on
 * the owner and tried again on the owner's next pass.
 */
public final class VSphereTags {
  private static final Logger LOG = LoggerFactory.getLogger(VSphereTags.class);

  public static final String OBJECT = "slipway-object";
  public static final String NAMESPACE = "slipway-namespace";
  public static final String CLUSTER = "slipway-cluster";

  /** How many tagged objects are remembered (about 100 bytes each). */
  static final int REMEMBERED = 50_000;

  private final Tagging tagging;
  private final Events events;
  private final Map<String, Tag> tagIds = new ConcurrentHashMap<>();

  /** Objects found tagged by this process, most recent last; bounded, as VMs come and go. */
  private final Set<String> done =
      Collections.newSetFromMap(
          Collections.synchronizedMap(
              new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                  return size() > REMEMBERED;
                }
              }));

  public VSphereTags(Tagging tagging, Events events) {
    this.tagging = tagging;
    this.events = events;
  }

  /** The tags of a machine's VM. */
  public static Map<String, String> machine(String namespace, String cluster) {
    Map<String, String> t = new LinkedHashMap<>();
    t.put(OBJECT, "machine");
    t.put(NAMESPACE, namespace);
    t.put(CLUSTER, namespace + "/" + cluster);
    return t;
  }

  /** The tags of a namespace's folder or resource pool ({@code kind}: folder or pool). */
  public static Map<String, String> namespaceObject(String kind, String namespace) {
    Map<String, String> t = new LinkedHashMap<>();
    t.put(OBJECT, "namespace-" + kind);
    t.put(NAMESPACE, namespace);
    return t;
  }

  /**
   * The tag of the templates folder or a template VM ({@code kind}: template, templates-folder).
   */
  public static Map<String, String> template(String kind) {
    return Map.of(OBJECT, kind);
  }

  /**
   * Attaches the tags (category → tag name) {@code entity} lacks. Returns whether it has them all;
   * a failure is logged and, when {@code owner} is given, a Warning Event on it.
   */
  public boolean ensure(ManagedRef entity, Map<String, String> wanted, HasMetadata owner) {
    String key = entity.moref() + " " + wanted;
    if (done.contains(key)) {
      return true;
    }
    try {
      attach(entity, wanted);
      done.add(key);
      return true;
    } catch (VSphereException e) {
      LOG.warn("could not tag {} {}: {}", entity.type(), entity.moref(), e.getMessage());
      if (owner != null) {
        events.record(
            owner,
            EventReason.TaggingFailed,
            "could not tag " + entity.moref() + " " + wanted + ": " + e.getMessage());
      }
      return false;
    }
  }

  /**
   * Deletes the tag of a deleted cluster's VMs ({@value #CLUSTER} {@code <namespace>/<cluster>}):
   * its VMs are gone, and a tag per cluster ever made would pile up in vCenter. Returns whether it
   * is gone; a failure is logged and a Warning Event on {@code owner}.
   */
  public boolean deleteClusterTag(String namespace, String cluster, HasMetadata owner) {
    String name = namespace + "/" + cluster;
    try {
      // By name, not by reading every cluster's tag: deleting N clusters stays linear.
      tagging.findTag(CLUSTER, name).ifPresent(this::delete);
      return true;
    } catch (VSphereException e) {
      return deleteFailed(CLUSTER, e, owner);
    }
  }

  /**
   * Deletes a deleted namespace's tags: its own ({@value #NAMESPACE}) and any cluster tag of it
   * still there. Returns whether they are gone; a failure is logged and a Warning Event on {@code
   * owner}.
   */
  public boolean deleteNamespaceTags(String namespace, HasMetadata owner) {
    return delete(NAMESPACE, name -> name.equals(namespace), owner)
        & delete(CLUSTER, name -> name.startsWith(namespace + "/"), owner);
  }

  private boolean delete(
      String category, java.util.function.Predicate<String> names, HasMetadata owner) {
    try {
      for (Tag t : tagging.tagsIn(category)) {
        if (names.test(t.name())) {
          delete(t);
        }
      }
      return true;
    } catch (VSphereException e) {
      return deleteFailed(category, e, owner);
    }
  }

  private void delete(Tag t) {
    tagging.deleteTag(t);
    tagIds.remove(t.category() + "=" + t.name());
    LOG.info("deleted vSphere tag {}={}", t.category(), t.name());
  }

  private boolean deleteFailed(String category, VSphereException e, HasMetadata owner) {
    LOG.warn("could not delete vSphere tags of category {}: {}", category, e.getMessage());
    events.record(
        owner,
        EventReason.TaggingFailed,
        "could not delete vSphere tags of category " + category + ": " + e.getMessage());
    return false;
  }

  /**
   * All of {@code wanted} in one call, whether or not the object has some already (attaching is
   * idempotent), so an object costs one call even after a restart emptied {@link #done}.
   */
  private void attach(ManagedRef entity, Map<String, String> wanted) {
    try {
      tagging.attachTags(entity, tags(wanted));
    } catch (VSphereException e) {
      if (e.kind() != FaultKind.NOT_FOUND) {
        throw e;
      }
      // A tag (or its category) was deleted in vCenter since it was cached: make them again. (A
      // missing entity fails again here, and that is reported.)
      wanted.forEach((category, name) -> tagIds.remove(category + "=" + name));
      tagging.attachTags(entity, tags(wanted));
    }
  }

  private List<Tag> tags(Map<String, String> wanted) {
    return wanted.entrySet().stream()
        .map(
            e ->
                tagIds.computeIfAbsent(
                    e.getKey() + "=" + e.getValue(),
                    k -> tagging.ensureTag(e.getKey(), e.getValue())))
        .toList();
  }
}
