package dev.slipway.vsphere;

import java.util.List;

/** vSphere tags (REST tagging API). */
public interface Tagging {

  /** Returns the tag {@code name} in {@code category}, creating either if missing. */
  Tag ensureTag(String category, String name);

  void attachTag(ManagedRef entity, Tag tag);

  List<Tag> tagsOf(ManagedRef entity);

  /** Every tag of {@code category}; empty when the category does not exist. */
  List<Tag> tagsIn(String category);

  /** Deletes the tag (and with it its attachments); a tag already gone is fine. */
  void deleteTag(Tag tag);
}
