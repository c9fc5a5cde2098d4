package dev.slipway.operator.bootstrap;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * YAML through fabric8's serializer. It double-quotes every single-line string and writes
 * multi-line strings as literal blocks, which matters here: cloud-init reads YAML 1.1 (PyYAML) and
 * kubeadm reads through go-yaml, both of which turn unquoted {@code yes}, {@code on} or {@code
 * 0644} into booleans and numbers.
 */
final class Yaml {

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---[ \\t]*$\\n?");

  private static final Pattern POSITION = Pattern.compile("line \\d+, column \\d+");

  private Yaml() {}

  static String dump(Object value) {
    String y = SERIALIZATION.asYaml(value);
    return y.startsWith("---\n") ? y.substring(4) : y;
  }

  /** Documents joined by {@code ---} lines, the way kubeadm splits its config file. */
  static String dumpAll(List<?> documents) {
    List<String> parts = new ArrayList<>();
    for (Object d : documents) {
      parts.add(dump(d));
    }
    return String.join("---\n", parts);
  }

  static Map<String, Object> load(String yaml) {
    Object o;
    try {
      o = SERIALIZATION.unmarshal(yaml, Object.class);
    } catch (RuntimeException e) {
      // Only the position: the parser's message quotes the offending line, which may be a key.
      Matcher m = POSITION.matcher(String.valueOf(e.getMessage()));
      throw new IllegalArgumentException(
          "is not valid YAML" + (m.find() ? " (at " + m.group() + ")" : ""));
    }
    if (!(o instanceof Map<?, ?> m)) {
      throw new IllegalArgumentException("is not a YAML mapping");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> map = (Map<String, Object>) m;
    return map;
  }

  /** Every non-empty document, split on {@code ---} lines as kubeadm does. */
  static List<Map<String, Object>> loadAll(String yaml) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (String doc : DOCUMENT_SEPARATOR.split(yaml)) {
      if (!doc.isBlank()) {
        out.add(load(doc));
      }
    }
    return out;
  }
}
