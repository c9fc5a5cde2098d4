package dev.slipway.vsphere;

import java.util.List;

/** vSphere tags (REST tagging API). */
public interface Tagging {

  /** Returns the tag {@code name} in {@code category}, creating either if missing. */
  Tag ensureTag(String category, String name);

  void attachTag(ManagedRef entity, Tag tag);

  List<Tag> tagsOf(ManagedRef entity);
}
