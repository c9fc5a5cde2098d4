package dev.slipway.vsphere.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.vsphere.FaultKind;
import dev.slipway.vsphere.Tag;
import dev.slipway.vsphere.VSphereException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * How many calls a tag costs, and a category deleted in vCenter, against a small fake of the
 * tagging API that answers as vCenter does where vcsim does not: creating a tag in a category that
 * does not exist is NOT_FOUND (vcsim 0.56.0 creates it). TaggingIT covers the rest against vcsim.
 */
class RestTaggingTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Categories and tags by id, with each call made, as "METHOD path". */
  static final class FakeTagging implements RestTagging.Rest {
    final Map<String, String> categories = new LinkedHashMap<>();
    final Map<String, String[]> tags = new LinkedHashMap<>(); // id -> {name, category id}
    final List<String> calls = new ArrayList<>();
    private int next;

    private static final Pattern ID = Pattern.compile("id:([^?/]+)");

    @Override
    @SuppressWarnings("unchecked")
    public JsonNode call(String method, String path, Object body) {
      String p = path.replace("com/vmware/cis/tagging/", "");
      calls.add(method + " " + p.replaceAll("id:[^?/]+", "{id}"));
      Matcher m = ID.matcher(p);
      String id = m.find() ? m.group(1) : null;
      Map<String, Object> spec =
          body == null
              ? Map.of()
              : (Map<String, Object>) ((Map<String, Object>) body).get("create_spec");
      if (method.equals("GET") && p.equals("category")) {
        return JSON.valueToTree(categories.keySet());
      }
      if (method.equals("GET") && p.startsWith("category/")) {
        return JSON.valueToTree(Map.of("name", found(categories.get(id))));
      }
      if (method.equals("POST") && p.equals("category")) {
        if (categories.containsValue((String) spec.get("name"))) {
          throw new VSphereException(FaultKind.ALREADY_EXISTS, "already_exists", "category");
        }
        String c = "cat-" + ++next;
        categories.put(c, (String) spec.get("name"));
        return JSON.valueToTree(c);
      }
      if (method.equals("POST") && p.equals("tag")) {
        String category = (String) spec.get("category_id");
        found(categories.get(category));
        for (String[] t : tags.values()) {
          if (t[0].equals(spec.get("name")) && t[1].equals(category)) {
            throw new VSphereException(FaultKind.ALREADY_EXISTS, "already_exists", "tag");
          }
        }
        String t = "tag-" + ++next;
        tags.put(t, new String[] {(String) spec.get("name"), category});
        return JSON.valueToTree(t);
      }
      if (method.equals("POST") && p.endsWith("list-tags-for-category")) {
        return JSON.valueToTree(
            tags.entrySet().stream()
                .filter(e -> e.getValue()[1].equals(id))
                .map(Map.Entry::getKey)
                .toList());
      }
      if (method.equals("GET") && p.startsWith("tag/")) {
        String[] t = found(tags.get(id));
        return JSON.valueToTree(Map.of("name", t[0], "category_id", t[1]));
      }
      throw new AssertionError("not faked: " + method + " " + path);
    }

    /** What vCenter does when an admin deletes a category: its tags go with it. */
    void deleteCategory(String name) {
      categories.values().remove(name);
      tags.values().removeIf(t -> !categories.containsKey(t[1]));
    }

    private static <T> T found(T t) {
      if (t == null) {
        throw new VSphereException(FaultKind.NOT_FOUND, "not_found", "no such object");
      }
      return t;
    }
  }

  private final FakeTagging vcenter = new FakeTagging();
  private final RestTagging tagging = new RestTagging(vcenter);

  @Test
  void aNewTagOfACategoryAlreadyFoundIsOneCall() {
    tagging.ensureTag("slipway-cluster", "ns/a");
    vcenter.calls.clear();

    Tag b = tagging.ensureTag("slipway-cluster", "ns/b");

    assertThat(vcenter.calls).containsExactly("POST tag");
    assertThat(vcenter.tags.get(b.id())).containsExactly("ns/b", catId());
  }

  @Test
  void aTagThatExistsIsFoundOnceItsCreationIsRefused() {
    Tag made = new RestTagging(vcenter).ensureTag("slipway-cluster", "ns/a");

    assertThat(tagging.ensureTag("slipway-cluster", "ns/a")).isEqualTo(made);
    assertThat(tagging.ensureTag("slipway-cluster", "ns/a")).isEqualTo(made);
    assertThat(vcenter.tags).hasSize(1);
  }

  @Test
  void aCategoryDeletedInVCenterIsMadeAgainForTheNextTag() {
    tagging.ensureTag("slipway-cluster", "ns/a");
    vcenter.deleteCategory("slipway-cluster");

    Tag b = tagging.ensureTag("slipway-cluster", "ns/b");

    assertThat(vcenter.categories).containsValue("slipway-cluster").hasSize(1);
    assertThat(vcenter.tags).containsOnlyKeys(b.id());
    assertThat(vcenter.tags.get(b.id())[1]).isEqualTo(catId());
  }

  private String catId() {
    return vcenter.categories.entrySet().stream()
        .filter(e -> e.getValue().equals("slipway-cluster"))
        .map(Map.Entry::getKey)
        .findFirst()
        .orElseThrow();
  }
}
