package dev.slipway.vsphere.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.vsphere.FaultKind;
import dev.slipway.vsphere.ManagedRef;
import dev.slipway.vsphere.Tag;
import dev.slipway.vsphere.Tagging;
import dev.slipway.vsphere.VSphereException;
import dev.slipway.vsphere.rest.RestClient;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** {@link Tagging} over {@code /rest/com/vmware/cis/tagging}. */
final class RestTagging implements Tagging {

  private static final String BASE = "com/vmware/cis/tagging/";

  /** One vSphere REST call: {@link RestClient#call(String, String, Object)}. */
  interface Rest {
    JsonNode call(String method, String path, Object body);
  }

  private final Rest rest;

  RestTagging(Rest rest) {
    this.rest = rest;
  }

  /**
   * Names of the tags and categories read so far, by id. The API lists ids only and reading one is
   * a call of its own, so a lookup by name reads only the ids it has not seen (ids are never
   * reused): without this, making the tag of cluster N read the N - 1 tags before it, and 1 000
   * clusters cost half a million calls (docs/performance.md, optimisation 17).
   */
  private final Map<String, String> names = new ConcurrentHashMap<>();

  /**
   * Category ids by name, once found or made. Trusted like the tag ids callers cache: a category an
   * admin renames keeps Slipway's tags; one deleted is made again ({@link #ensureTag}).
   */
  private final Map<String, String> categoryIds = new ConcurrentHashMap<>();

  private Optional<String> findCategory(String name, boolean fresh) {
    return named(rest.call("GET", BASE + "category", null), "category", name, fresh);
  }

  /**
   * The id among {@code ids} whose object is named {@code name}. An id seen before under that name
   * is read again to be sure (an admin may have renamed it); ids seen under another name are
   * skipped, and only unseen ones are read, unless {@code fresh} asks to read them all.
   */
  private Optional<String> named(JsonNode ids, String kind, String name, boolean fresh) {
    List<String> unseen = new ArrayList<>();
    for (JsonNode n : ids) {
      String id = n.asText();
      String known = fresh ? null : names.get(id);
      if (known == null) {
        unseen.add(id);
      } else if (known.equals(name) && name.equals(readName(kind, id))) {
        return Optional.of(id);
      }
    }
    for (String id : unseen) {
      if (name.equals(readName(kind, id))) {
        return Optional.of(id);
      }
    }
    return Optional.empty();
  }

  private String readName(String kind, String id) {
    String name = rest.call("GET", BASE + kind + "/id:" + id, null).path("name").asText();
    names.put(id, name);
    return name;
  }

  /**
   * The category's id: from {@link #categoryIds} once known (a new tag then costs its creation
   * only), else looked up by name and made if missing.
   */
  private String ensureCategory(String name) {
    String known = categoryIds.get(name);
    if (known != null) {
      return known;
    }
    String id = findCategory(name, false).orElseGet(() -> createCategory(name));
    categoryIds.put(name, id);
    return id;
  }

  private String createCategory(String name) {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("name", name);
    spec.put("description", "Slipway");
    spec.put("cardinality", "MULTIPLE");
    spec.put("associable_types", List.of());
    try {
      String id = rest.call("POST", BASE + "category", Map.of("create_spec", spec)).asText();
      names.put(id, name);
      return id;
    } catch (VSphereException e) {
      if (e.kind() == FaultKind.ALREADY_EXISTS) {
        // Named so under an id we saw with another name (renamed since): read them all.
        return findCategory(name, true).orElseThrow(() -> e);
      }
      throw e;
    }
  }

  private Optional<String> findTagId(String categoryId, String name, boolean fresh) {
    return named(tagIds(categoryId), "tag", name, fresh);
  }

  private JsonNode tagIds(String categoryId) {
    return rest.call(
        "POST", BASE + "tag/id:" + categoryId + "?~action=list-tags-for-category", null);
  }

  @Override
  public Optional<Tag> findTag(String category, String name) {
    return findCategory(category, false)
        .flatMap(c -> findTagId(c, name, false))
        .map(id -> new Tag(id, category, name));
  }

  /**
   * Created first, looked up only when vCenter says it exists: one call for a new tag of a known
   * category, instead of listing the category's tags before every creation. A category deleted in
   * vCenter since its id was cached answers NOT_FOUND: it is looked up (and made) again, once.
   */
  @Override
  public Tag ensureTag(String category, String name) {
    String categoryId = ensureCategory(category);
    try {
      return createTag(categoryId, category, name);
    } catch (VSphereException e) {
      if (e.kind() != FaultKind.NOT_FOUND) {
        throw e;
      }
      categoryIds.remove(category, categoryId);
      return createTag(ensureCategory(category), category, name);
    }
  }

  private Tag createTag(String categoryId, String category, String name) {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("name", name);
    spec.put("description", "Slipway");
    spec.put("category_id", categoryId);
    try {
      String id = rest.call("POST", BASE + "tag", Map.of("create_spec", spec)).asText();
      names.put(id, name);
      return new Tag(id, category, name);
    } catch (VSphereException e) {
      if (e.kind() != FaultKind.ALREADY_EXISTS) {
        throw e;
      }
      // One listing: the ids seen under this name first; all read again only if none is it
      // (renamed).
      JsonNode ids = tagIds(categoryId);
      return new Tag(
          named(ids, "tag", name, false)
              .or(() -> named(ids, "tag", name, true))
              .orElseThrow(() -> e),
          category,
          name);
    }
  }

  private static Map<String, Object> objectId(ManagedRef entity) {
    return Map.of("object_id", Map.of("type", entity.type(), "id", entity.moref()));
  }

  /**
   * {@code attach-multiple-tags-to-object}: one call for all of an object's tags (three attaches
   * and a listing of the attached tags before, per machine). It answers 200 with {@code success}
   * false and a message per tag it could not attach.
   */
  @Override
  public void attachTags(ManagedRef entity, Collection<Tag> tags) {
    Map<String, Object> body = new LinkedHashMap<>(objectId(entity));
    body.put("tag_ids", tags.stream().map(Tag::id).toList());
    JsonNode r =
        rest.call("POST", BASE + "tag-association?~action=attach-multiple-tags-to-object", body);
    if (r.path("success").asBoolean(true)) {
      return;
    }
    List<String> messages = new ArrayList<>();
    boolean notFound = false;
    for (JsonNode m : r.path("error_messages")) {
      String id = m.path("id").asText();
      notFound |= id.toLowerCase(Locale.ROOT).contains("notfound");
      messages.add(id + ": " + m.path("default_message").asText());
    }
    throw new VSphereException(
        notFound ? FaultKind.NOT_FOUND : FaultKind.OTHER,
        "",
        "attaching tags to " + entity.moref() + ": " + String.join("; ", messages));
  }

  @Override
  public List<Tag> tagsOf(ManagedRef entity) {
    JsonNode ids =
        rest.call("POST", BASE + "tag-association?~action=list-attached-tags", objectId(entity));
    Map<String, String> categoryNames = new LinkedHashMap<>();
    List<Tag> out = new ArrayList<>();
    for (JsonNode id : ids) {
      JsonNode t = rest.call("GET", BASE + "tag/id:" + id.asText(), null);
      String catId = t.path("category_id").asText();
      String cat =
          categoryNames.computeIfAbsent(
              catId, c -> rest.call("GET", BASE + "category/id:" + c, null).path("name").asText());
      out.add(new Tag(id.asText(), cat, t.path("name").asText()));
    }
    return out;
  }

  @Override
  public List<Tag> tagsIn(String category) {
    Optional<String> categoryId = findCategory(category, false);
    if (categoryId.isEmpty()) {
      return List.of();
    }
    List<Tag> out = new ArrayList<>();
    for (JsonNode id : tagIds(categoryId.get())) {
      out.add(new Tag(id.asText(), category, readName("tag", id.asText())));
    }
    return out;
  }

  @Override
  public void deleteTag(Tag tag) {
    try {
      rest.call("DELETE", BASE + "tag/id:" + tag.id(), null);
      names.remove(tag.id());
    } catch (VSphereException e) {
      if (e.kind() != FaultKind.NOT_FOUND) {
        throw e;
      }
    }
  }
}
