package dev.slipway.deploy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/** Multi-document YAML as plain maps, and the normal form two renderings are compared in. */
final class Yaml {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final ObjectMapper SORTED =
      new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  private Yaml() {}

  /** Every non-empty document (comments and `# Source:` lines of helm are not content). */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> documents(String yaml) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (String doc : yaml.split("(?m)^---.*$")) {
      if (!doc.replaceAll("(?m)^\\s*#.*$", "").isBlank()) {
        out.add(SERIALIZATION.unmarshal(doc, Map.class));
      }
    }
    return out;
  }

  /** kind/namespace/name, the identity of an object in a rendering. */
  @SuppressWarnings("unchecked")
  static String id(Map<String, Object> o) {
    Map<String, Object> md = (Map<String, Object>) o.get("metadata");
    return o.get("kind") + "/" + md.getOrDefault("namespace", "") + "/" + md.get("name");
  }

  /**
   * Numbers by value: kustomize writes the generator's {@code minimum: 0.0} as {@code 0}, helm
   * keeps it; both mean the same number to the API server.
   */
  private static Object byValue(Object o) {
    if (o instanceof Map<?, ?> m) {
      Map<Object, Object> out = new java.util.LinkedHashMap<>();
      m.forEach((k, v) -> out.put(k, byValue(v)));
      return out;
    }
    if (o instanceof List<?> l) {
      return l.stream().map(Yaml::byValue).toList();
    }
    if (o instanceof Double d && d == Math.rint(d) && !d.isInfinite()) {
      return d.longValue();
    }
    return o;
  }

  /** Objects by identity, each as JSON with sorted keys, so equal content means equal strings. */
  static Map<String, String> byId(List<Map<String, Object>> docs) {
    Map<String, String> out = new TreeMap<>();
    for (Map<String, Object> d : docs) {
      try {
        String previous =
            out.put(id(d), SORTED.writerWithDefaultPrettyPrinter().writeValueAsString(byValue(d)));
        if (previous != null) {
          throw new AssertionError("rendered twice: " + id(d));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  static Properties properties(String text) {
    Properties p = new Properties();
    try {
      p.load(new StringReader(text));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p;
  }
}
