package dev.slipway.operator.bootstrap;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one machine's kubelet registers.
 *
 * @param name the Node name (a DNS subdomain; normally the Machine's name)
 * @param labels labels the kubelet sets through {@code --node-labels}; checked against the
 *     kubelet's rules, because a kubelet given a forbidden label does not start
 * @param taints taints registered with the Node; control-plane machines always get {@link
 *     Taint#CONTROL_PLANE} as well
 * @param providerId the kubelet's {@code --provider-id} (e.g. {@code vsphere://<bios-uuid>}) when
 *     the VM's BIOS UUID is known before it boots; null to leave it to a cloud provider
 */
public record NodeSpec(
    String name, Map<String, String> labels, List<Taint> taints, String providerId) {

  public NodeSpec {
    if (!Labels.isDnsSubdomain(name)) {
      throw new IllegalArgumentException(
          "node name " + Labels.quote(name) + " is not a lowercase DNS subdomain");
    }
    labels = labels == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(labels));
    labels.forEach(Labels::requireLabel);
    taints = taints == null ? List.of() : List.copyOf(taints);
    if (providerId != null && (providerId.isBlank() || !providerId.matches("[\\x21-\\x7e]+"))) {
      throw new IllegalArgumentException(
          "providerId " + Labels.quote(providerId) + " must be printable ASCII without spaces");
    }
  }

  public NodeSpec(String name, Map<String, String> labels, List<Taint> taints) {
    this(name, labels, taints, null);
  }
}
