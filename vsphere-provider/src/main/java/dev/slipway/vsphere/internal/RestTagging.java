package dev.slipway.vsphere.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.vsphere.FaultKind;
import dev.slipway.vsphere.ManagedRef;
import dev.slipway.vsphere.Tag;
import dev.slipway.vsphere.Tagging;
import dev.slipway.vsphere.VSphereException;
import dev.slipway.vsphere.rest.RestClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link Tagging} over {@code /rest/com/vmware/cis/tagging}. */
final class RestTagging implements Tagging {

  private static final String BASE = "com/vmware/cis/tagging/";

  private final RestClient rest;

  RestTagging(RestClient rest) {
    this.rest = rest;
  }

  private Optional<String> findCategory(String name) {
    for (JsonNode id : rest.call("GET", BASE + "category", null)) {
      JsonNode c = rest.call("GET", BASE + "category/id:" + id.asText(), null);
      if (name.equals(c.path("name").asText())) {
        return Optional.of(id.asText());
      }
    }
    return Optional.empty();
  }

  private String ensureCategory(String name) {
    Optional<String> existing = findCategory(name);
    if (existing.isPresent()) {
      return existing.get();
    }
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("name", name);
    spec.put("description", "Slipway");
    spec.put("cardinality", "MULTIPLE");
    spec.put("associable_types", List.of());
    try {
      return rest.call("POST", BASE + "category", Map.of("create_spec", spec)).asText();
    } catch (VSphereException e) {
      if (e.kind() == FaultKind.ALREADY_EXISTS) {
        return findCategory(name).orElseThrow(() -> e);
      }
      throw e;
    }
  }

  private Optional<String> findTag(String categoryId, String name) {
    JsonNode ids =
        rest.call("POST", BASE + "tag/id:" + categoryId + "?~action=list-tags-for-category", null);
    for (JsonNode id : ids) {
      JsonNode t = rest.call("GET", BASE + "tag/id:" + id.asText(), null);
      if (name.equals(t.path("name").asText())) {
        return Optional.of(id.asText());
      }
    }
    return Optional.empty();
  }

  @Override
  public Tag ensureTag(String category, String name) {
    String categoryId = ensureCategory(category);
    Optional<String> existing = findTag(categoryId, name);
    if (existing.isPresent()) {
      return new Tag(existing.get(), category, name);
    }
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("name", name);
    spec.put("description", "Slipway");
    spec.put("category_id", categoryId);
    try {
      String id = rest.call("POST", BASE + "tag", Map.of("create_spec", spec)).asText();
      return new Tag(id, category, name);
    } catch (VSphereException e) {
      if (e.kind() == FaultKind.ALREADY_EXISTS) {
        return new Tag(findTag(categoryId, name).orElseThrow(() -> e), category, name);
      }
      throw e;
    }
  }

  private static Map<String, Object> objectId(ManagedRef entity) {
    return Map.of("object_id", Map.of("type", entity.type(), "id", entity.moref()));
  }

  @Override
  public void attachTag(ManagedRef entity, Tag tag) {
    rest.call(
        "POST", BASE + "tag-association/id:" + tag.id() + "?~action=attach", objectId(entity));
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
    Optional<String> categoryId = findCategory(category);
    if (categoryId.isEmpty()) {
      return List.of();
    }
    JsonNode ids =
        rest.call(
            "POST", BASE + "tag/id:" + categoryId.get() + "?~action=list-tags-for-category", null);
    List<Tag> out = new ArrayList<>();
    for (JsonNode id : ids) {
      JsonNode t = rest.call("GET", BASE + "tag/id:" + id.asText(), null);
      out.add(new Tag(id.asText(), category, t.path("name").asText()));
    }
    return out;
  }

  @Override
  public void deleteTag(Tag tag) {
    try {
      rest.call("DELETE", BASE + "tag/id:" + tag.id(), null);
    } catch (VSphereException e) {
      if (e.kind() != FaultKind.NOT_FOUND) {
        throw e;
      }
    }
  }
}
