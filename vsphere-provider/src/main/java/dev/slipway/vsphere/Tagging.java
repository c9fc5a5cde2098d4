package dev.slipway.vsphere;

import java.util.List;
import java.util.Optional;

/** vSphere tags (REST tagging API). */
public interface Tagging {

  /** Returns the tag {@code name} in {@code category}, creating either if missing. */
  Tag ensureTag(String category, String name);

  void attachTag(ManagedRef entity, Tag tag);

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
