package dev.slipway.vsphere;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** vSphere tags (REST tagging API). */
public interface Tagging {

  /** Returns the tag {@code name} in {@code category}, creating either if missing. */
  Tag ensureTag(String category, String name);

  /**
   * Attaches every tag of {@code tags} to {@code entity} in one call; a tag already attached is
   * fine. Throws a {@link FaultKind#NOT_FOUND} fault when a tag (or its category) does not exist
   * any more, after the others were attached.
   */
  void attachTags(ManagedRef entity, Collection<Tag> tags);

  List<Tag> tagsOf(ManagedRef entity);

  /** Every tag of {@code category}; empty when the category does not exist. */
  List<Tag> tagsIn(String category);

  /** The tag {@code name} of {@code category}, if both exist. */
  default Optional<Tag> findTag(String category, String name) {
    return tagsIn(category).stream().filter(t -> t.name().equals(name)).findFirst();
  }

  /** Deletes the tag (and with it its attachments); a tag already gone is fine. */
  void deleteTag(Tag tag);
}
