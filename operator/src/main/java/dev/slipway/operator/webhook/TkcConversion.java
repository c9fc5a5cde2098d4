package dev.slipway.operator.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;

/**
 * TanzuKubernetesCluster conversion between the served versions, on JSON trees so that every field
 * the API server sends comes back (metadata, unknown status fields). v1alpha3 is the hub: every
 * conversion goes through it. v1alpha2 has v1alpha3's schema, so only {@code apiVersion} changes.
 *
 * <p>v1alpha1 ↔ v1alpha3 (TKGS's own mapping, docs on converting v1alpha1 to v1alpha2):
 *
 * <ul>
 *   <li>{@code controlPlane.{count, class, storageClass}} ↔ {@code controlPlane.{replicas, vmClass,
 *       storageClass}};
 *   <li>{@code workers} ↔ the first node pool, named {@value #WORKERS} when v1alpha1 creates it;
 *   <li>{@code distribution}, {@code settings.network.{cni, pods, services, serviceDomain}} and
 *       {@code settings.storage} are the same;
 *   <li>status: {@code phase}, {@code version}, {@code conditions}, {@code observedGeneration} are
 *       the same; {@code apiEndpoints} ↔ {@code clusterApiStatus.apiEndpoints}.
 * </ul>
 *
 * Lossless round trips follow Cluster API's {@code conversion-data} model: when a v1alpha3 object
 * has anything v1alpha1 cannot say (more pools, labels, taints, volumes, tkr, proxy, ...), its
 * v1alpha1 form carries the v1alpha3 {@code spec} and/or {@code status} as JSON in the annotation
 * {@value #ANNOTATION}; converting back starts from that and lays v1alpha1's own fields over it, so
 * an edit made through v1alpha1 wins and nothing else is lost. An object that converts without loss
 * carries no annotation.
 */
public final class TkcConversion {
  public static final String GROUP = "run.tanzu.vmware.com";
  public static final String V1ALPHA1 = GROUP + "/v1alpha1";
  public static final String V1ALPHA2 = GROUP + "/v1alpha2";
  public static final String V1ALPHA3 = GROUP + "/v1alpha3";
  static final List<String> VERSIONS = List.of(V1ALPHA1, V1ALPHA2, V1ALPHA3);

  /** Where a v1alpha1 object keeps what only v1alpha3 can say. */
  public static final String ANNOTATION = "slipway.dev/conversion-data";

  /** The name TKGS gives the node pool that v1alpha1's {@code workers} becomes. */
  public static final String WORKERS = "workers";

  private static final ObjectMapper JSON = new ObjectMapper();

  private TkcConversion() {}

  /** {@code object} (any served version) as {@code desired}; the input is not changed. */
  public static ObjectNode convert(ObjectNode object, String desired) {
    String from = object.path("apiVersion").asText();
    if (!VERSIONS.contains(desired)) {
      throw new IllegalArgumentException("cannot convert to " + desired + ": not served");
    }
    if (!VERSIONS.contains(from)) {
      throw new IllegalArgumentException("cannot convert from " + from + ": not served");
    }
    if (from.equals(desired)) {
      return object.deepCopy();
    }
    ObjectNode hub = from.equals(V1ALPHA1) ? toHub(object) : relabel(object, V1ALPHA3);
    return desired.equals(V1ALPHA1) ? fromHub(hub) : relabel(hub, desired);
  }

  private static ObjectNode relabel(ObjectNode o, String apiVersion) {
    ObjectNode c = o.deepCopy();
    c.put("apiVersion", apiVersion);
    return c;
  }

  /** v1alpha1 → v1alpha3. */
  static ObjectNode toHub(ObjectNode spoke) {
    ObjectNode hub = spoke.deepCopy();
    hub.put("apiVersion", V1ALPHA3);
    ObjectNode saved = readAnnotation(hub);
    if (spoke.has("spec")) {
      ObjectNode base =
          saved.has("spec") ? (ObjectNode) saved.get("spec") : JSON.createObjectNode();
      hub.set("spec", specToHub((ObjectNode) spoke.get("spec"), base));
    }
    if (spoke.has("status")) {
      ObjectNode base =
          saved.has("status") ? (ObjectNode) saved.get("status") : JSON.createObjectNode();
      hub.set("status", statusToHub((ObjectNode) spoke.get("status"), base));
    }
    return hub;
  }

  /** v1alpha3 → v1alpha1, with the annotation when v1alpha1 loses something. */
  static ObjectNode fromHub(ObjectNode hub) {
    ObjectNode spoke = hub.deepCopy();
    spoke.put("apiVersion", V1ALPHA1);
    removeAnnotation(spoke);
    ObjectNode saved = JSON.createObjectNode();
    if (hub.has("spec")) {
      ObjectNode spec = (ObjectNode) hub.get("spec");
      ObjectNode s = specFromHub(spec);
      spoke.set("spec", s);
      if (!specToHub(s, JSON.createObjectNode()).equals(spec)) {
        saved.set("spec", spec);
      }
    }
    if (hub.has("status")) {
      ObjectNode status = (ObjectNode) hub.get("status");
      ObjectNode s = statusFromHub(status);
      spoke.set("status", s);
      if (!statusToHub(s, JSON.createObjectNode()).equals(status)) {
        saved.set("status", status);
      }
    }
    if (!saved.isEmpty()) {
      ObjectNode meta = spoke.with("metadata");
      try {
        meta.withObject("annotations").put(ANNOTATION, JSON.writeValueAsString(saved));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot write JSON", e);
      }
    }
    return spoke;
  }

  private static ObjectNode specToHub(ObjectNode s, ObjectNode base) {
    ObjectNode spec = base.deepCopy();
    copy(s, "distribution", spec, "distribution");
    JsonNode topo = s.path("topology");
    if (topo.isObject()) {
      ObjectNode t = spec.withObject("topology");
      JsonNode cp = topo.path("controlPlane");
      if (cp.isObject()) {
        ObjectNode c = t.withObject("controlPlane");
        copy(cp, "count", c, "replicas");
        copy(cp, "class", c, "vmClass");
        copy(cp, "storageClass", c, "storageClass");
      } else {
        t.remove("controlPlane");
      }
      JsonNode w = topo.path("workers");
      ArrayNode pools = t.has("nodePools") ? (ArrayNode) t.get("nodePools") : null;
      if (w.isObject()) {
        if (pools == null) {
          pools = t.putArray("nodePools");
        }
        if (pools.isEmpty()) {
          pools.addObject().put("name", WORKERS);
        }
        ObjectNode p = (ObjectNode) pools.get(0);
        copy(w, "count", p, "replicas");
        copy(w, "class", p, "vmClass");
        copy(w, "storageClass", p, "storageClass");
      } else if (pools != null && !pools.isEmpty() && !base.isEmpty()) {
        // v1alpha1 dropped its workers: the pool they were goes.
        pools.remove(0);
      }
    } else {
      spec.remove("topology");
    }
    JsonNode settings = s.path("settings");
    if (settings.isObject()) {
      ObjectNode st = spec.withObject("settings");
      copy(settings, "storage", st, "storage");
      JsonNode net = settings.path("network");
      if (net.isObject()) {
        ObjectNode n = st.withObject("network");
        for (String f : List.of("cni", "pods", "services", "serviceDomain")) {
          copy(net, f, n, f);
        }
      } else {
        st.remove("network");
      }
    } else {
      spec.remove("settings");
    }
    return spec;
  }

  private static ObjectNode specFromHub(ObjectNode spec) {
    ObjectNode s = JSON.createObjectNode();
    JsonNode topo = spec.path("topology");
    if (topo.isObject()) {
      ObjectNode t = s.putObject("topology");
      JsonNode cp = topo.path("controlPlane");
      if (cp.isObject()) {
        ObjectNode c = t.putObject("controlPlane");
        copy(cp, "replicas", c, "count");
        copy(cp, "vmClass", c, "class");
        copy(cp, "storageClass", c, "storageClass");
      }
      JsonNode pools = topo.path("nodePools");
      if (pools.isArray() && !pools.isEmpty()) {
        ObjectNode w = t.putObject("workers");
        JsonNode p = pools.get(0);
        copy(p, "replicas", w, "count");
        copy(p, "vmClass", w, "class");
        copy(p, "storageClass", w, "storageClass");
      }
    }
    copy(spec, "distribution", s, "distribution");
    JsonNode settings = spec.path("settings");
    if (settings.isObject()) {
      ObjectNode st = s.putObject("settings");
      JsonNode net = settings.path("network");
      if (net.isObject()) {
        ObjectNode n = st.putObject("network");
        for (String f : List.of("cni", "pods", "services", "serviceDomain")) {
          copy(net, f, n, f);
        }
      }
      copy(settings, "storage", st, "storage");
    }
    return s;
  }

  private static final List<String> SAME_STATUS =
      List.of("phase", "version", "conditions", "observedGeneration");

  private static ObjectNode statusToHub(ObjectNode s, ObjectNode base) {
    ObjectNode status = base.deepCopy();
    for (String f : SAME_STATUS) {
      copy(s, f, status, f);
    }
    JsonNode capi = s.path("clusterApiStatus");
    if (capi.isObject()) {
      copy(capi, "apiEndpoints", status, "apiEndpoints");
    } else {
      status.remove("apiEndpoints");
    }
    return status;
  }

  private static ObjectNode statusFromHub(ObjectNode status) {
    ObjectNode s = JSON.createObjectNode();
    for (String f : SAME_STATUS) {
      copy(status, f, s, f);
    }
    if (status.has("apiEndpoints")) {
      s.putObject("clusterApiStatus").set("apiEndpoints", status.get("apiEndpoints").deepCopy());
    }
    return s;
  }

  /** {@code to.toField} = {@code from.fromField}, or removed when {@code from} has none. */
  private static void copy(JsonNode from, String fromField, ObjectNode to, String toField) {
    JsonNode v = from.get(fromField);
    if (v == null || v.isNull() || v.isMissingNode()) {
      to.remove(toField);
    } else {
      to.set(toField, v.deepCopy());
    }
  }

  private static ObjectNode readAnnotation(ObjectNode o) {
    JsonNode a = o.path("metadata").path("annotations").path(ANNOTATION);
    removeAnnotation(o);
    if (!a.isTextual()) {
      return JSON.createObjectNode();
    }
    try {
      JsonNode saved = JSON.readTree(a.asText());
      return saved instanceof ObjectNode on ? on : JSON.createObjectNode();
    } catch (JsonProcessingException e) {
      // Edited by hand into something unreadable: v1alpha1's own fields are all there is.
      return JSON.createObjectNode();
    }
  }

  private static void removeAnnotation(ObjectNode o) {
    JsonNode annotations = o.path("metadata").path("annotations");
    if (annotations instanceof ObjectNode an && an.has(ANNOTATION)) {
      an.remove(ANNOTATION);
      if (an.isEmpty()) {
        ((ObjectNode) o.get("metadata")).remove("annotations");
      }
    }
  }

  static boolean sameExceptVersion(ObjectNode a, ObjectNode b) {
    ObjectNode x = relabel(a, "");
    ObjectNode y = relabel(b, "");
    return Objects.equals(x, y);
  }
}
