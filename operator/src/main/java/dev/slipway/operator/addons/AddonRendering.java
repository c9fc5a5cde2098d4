package dev.slipway.operator.addons;

import dev.slipway.operator.status.Reasons;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A manifest made concrete for one cluster: {@code ${SLIPWAY_…}} placeholders replaced by the
 * cluster's values (no template engine: a misspelt placeholder is an error, anything else is left
 * as written), then split into objects. A manifest is the administrator's input, not Slipway's:
 * whatever is wrong with it is reported with the ConfigMap, the key and the document, never thrown
 * as a crash.
 */
public final class AddonRendering {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{(SLIPWAY_[A-Z0-9_]*)}");
  private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---[^\\n]*$\\n?");
  private static final Pattern POSITION = Pattern.compile("line \\d+, column \\d+");

  private AddonRendering() {}

  /**
   * The placeholders a manifest may use.
   *
   * @param podCidrs the cluster's pod networks (spec or default)
   * @param serviceCidrs the cluster's service networks
   * @param endpoint the control-plane endpoint, {@code host:port}
   */
  public static Map<String, String> variables(
      String cluster,
      String namespace,
      List<String> podCidrs,
      List<String> serviceCidrs,
      String serviceDomain,
      String endpoint) {
    return Map.of(
        "SLIPWAY_CLUSTER_NAME",
        cluster,
        "SLIPWAY_CLUSTER_NAMESPACE",
        namespace,
        "SLIPWAY_POD_CIDR",
        podCidrs.get(0),
        "SLIPWAY_POD_CIDRS",
        String.join(",", podCidrs),
        "SLIPWAY_SERVICE_CIDR",
        serviceCidrs.get(0),
        "SLIPWAY_SERVICE_CIDRS",
        String.join(",", serviceCidrs),
        "SLIPWAY_SERVICE_DOMAIN",
        serviceDomain,
        "SLIPWAY_CONTROL_PLANE_ENDPOINT",
        endpoint);
  }

  /** Every object of every key of {@code m}, in key order and document order. */
  public static List<GenericKubernetesResource> render(
      AddonManifest m, Map<String, String> variables) throws AddonException {
    List<GenericKubernetesResource> out = new ArrayList<>();
    for (Map.Entry<String, String> e : m.documents().entrySet()) {
      String where = "ConfigMap " + m.configMap() + " key " + e.getKey();
      String text = substitute(e.getValue(), variables, where);
      int index = 0;
      for (String doc : DOCUMENT_SEPARATOR.split(text)) {
        index++;
        if (doc.lines().allMatch(l -> l.isBlank() || l.stripLeading().startsWith("#"))) {
          continue;
        }
        out.add(object(doc, where + " document " + index));
      }
    }
    if (out.isEmpty()) {
      throw new AddonException(
          Reasons.INVALID_ADDON_MANIFEST,
          "ConfigMap " + m.configMap() + " (addon " + m.addon() + ") holds no objects");
    }
    return out;
  }

  static String substitute(String text, Map<String, String> variables, String where)
      throws AddonException {
    Matcher mt = PLACEHOLDER.matcher(text);
    StringBuilder sb = new StringBuilder();
    while (mt.find()) {
      String value = variables.get(mt.group(1));
      if (value == null) {
        throw new AddonException(
            Reasons.INVALID_ADDON_MANIFEST,
            where
                + ": unknown placeholder ${"
                + mt.group(1)
                + "} (known: "
                + String.join(", ", new java.util.TreeSet<>(variables.keySet()))
                + ")");
      }
      mt.appendReplacement(sb, Matcher.quoteReplacement(value));
    }
    mt.appendTail(sb);
    return sb.toString();
  }

  private static GenericKubernetesResource object(String doc, String where) throws AddonException {
    Object parsed;
    try {
      parsed = SERIALIZATION.unmarshal(doc, Object.class);
    } catch (RuntimeException e) {
      Matcher m = POSITION.matcher(String.valueOf(e.getMessage()));
      throw new AddonException(
          Reasons.INVALID_ADDON_MANIFEST,
          where + " is not valid YAML" + (m.find() ? " (at " + m.group() + ")" : ""));
    }
    if (!(parsed instanceof Map<?, ?> map)) {
      throw new AddonException(
          Reasons.INVALID_ADDON_MANIFEST, where + " is not a Kubernetes object (a YAML mapping)");
    }
    for (String field : List.of("apiVersion", "kind")) {
      if (!(map.get(field) instanceof String s) || s.isBlank()) {
        throw new AddonException(Reasons.INVALID_ADDON_MANIFEST, where + " has no " + field);
      }
    }
    if ("List".equals(map.get("kind")) || String.valueOf(map.get("kind")).endsWith("List")) {
      throw new AddonException(
          Reasons.INVALID_ADDON_MANIFEST,
          where + " is a " + map.get("kind") + ": write its items as separate documents");
    }
    if (!(map.get("metadata") instanceof Map<?, ?> meta)
        || !(meta.get("name") instanceof String name)
        || name.isBlank()) {
      throw new AddonException(
          Reasons.INVALID_ADDON_MANIFEST,
          where + " (" + map.get("kind") + ") has no metadata.name");
    }
    return SERIALIZATION.convertValue(map, GenericKubernetesResource.class);
  }
}
