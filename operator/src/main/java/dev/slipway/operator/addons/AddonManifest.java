package dev.slipway.operator.addons;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One addon's manifest as an administrator provides it: a ConfigMap in the operator's namespace,
 * labelled {@value #ADDON_LABEL} with the addon's name ({@code antrea}, {@code calico}, {@code
 * vsphere-cpi}, …) and, for the manifests releases without {@code bootstrapPackages} get, {@value
 * #DEFAULT_LABEL}{@code =true}. Every data key holds YAML documents; keys are applied in name
 * order.
 */
public record AddonManifest(
    String configMap, String addon, boolean isDefault, SortedMap<String, String> documents) {
  public static final String ADDON_LABEL = "slipway.dev/addon";
  public static final String DEFAULT_LABEL = "slipway.dev/addon-default";

  public AddonManifest {
    documents = new TreeMap<>(documents == null ? Map.of() : documents);
  }

  /** From a ConfigMap's name, labels and data; {@code addon} is null when the label is missing. */
  public static AddonManifest of(
      String name, Map<String, String> labels, Map<String, String> data) {
    Map<String, String> l = labels == null ? Map.of() : labels;
    return new AddonManifest(
        name,
        l.get(ADDON_LABEL),
        "true".equals(l.get(DEFAULT_LABEL)),
        data == null ? new TreeMap<>() : new TreeMap<>(data));
  }
}
