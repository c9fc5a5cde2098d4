package dev.slipway.guest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The objects of one simulated workload cluster, in memory, and the part of the Kubernetes REST API
 * Slipway uses on them: get, list (label and field selectors), create, replace, patch (server-side
 * apply, merge, strategic merge taken as merge, JSON patch), delete, the status subresource, pod
 * evictions, and discovery for the kinds below. It is the light guest mode's API server ({@link
 * GuestSimulator.Mode#MUX}): one per cluster, all served by {@link FakeWorkloadApis}, as Cluster
 * API's in-memory provider multiplexes its fake API servers. What it does not do: watches,
 * admission, RBAC (the TLS layer admits only client certificates of the cluster's CA), garbage
 * collection, and the exact field ownership of server-side apply (an apply merges into the object,
 * it does not remove fields an earlier apply set).
 *
 * <p>Every request that asks for something it does not serve is answered with an error and
 * remembered ({@link #unserved}), so a benchmark can tell a gap of the fake from a Slipway fault.
 */
final class FakeKube {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FakeKube.class);
  static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** A kind this fake serves. */
  record Kind(String group, String version, String plural, String kind, boolean namespaced) {
    String apiVersion() {
      return group.isEmpty() ? version : group + "/" + version;
    }
  }

  static final List<Kind> KINDS =
      List.of(
          new Kind("", "v1", "namespaces", "Namespace", false),
          new Kind("", "v1", "nodes", "Node", false),
          new Kind("", "v1", "persistentvolumes", "PersistentVolume", false),
          new Kind("", "v1", "pods", "Pod", true),
          new Kind("", "v1", "secrets", "Secret", true),
          new Kind("", "v1", "configmaps", "ConfigMap", true),
          new Kind("", "v1", "services", "Service", true),
          new Kind("", "v1", "serviceaccounts", "ServiceAccount", true),
          new Kind("", "v1", "endpoints", "Endpoints", true),
          new Kind("", "v1", "events", "Event", true),
          new Kind("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", true),
          new Kind("", "v1", "limitranges", "LimitRange", true),
          new Kind("", "v1", "resourcequotas", "ResourceQuota", true),
          new Kind("apps", "v1", "daemonsets", "DaemonSet", true),
          new Kind("apps", "v1", "deployments", "Deployment", true),
          new Kind("apps", "v1", "statefulsets", "StatefulSet", true),
          new Kind("apps", "v1", "replicasets", "ReplicaSet", true),
          new Kind("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", false),
          new Kind(
              "rbac.authorization.k8s.io",
              "v1",
              "clusterrolebindings",
              "ClusterRoleBinding",
              false),
          new Kind("rbac.authorization.k8s.io", "v1", "roles", "Role", true),
          new Kind("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", true),
          new Kind("storage.k8s.io", "v1", "storageclasses", "StorageClass", false),
          new Kind("storage.k8s.io", "v1", "csidrivers", "CSIDriver", false),
          new Kind(
              "apiextensions.k8s.io",
              "v1",
              "customresourcedefinitions",
              "CustomResourceDefinition",
              false),
          new Kind("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", true),
          new Kind("coordination.k8s.io", "v1", "leases", "Lease", true),
          new Kind("scheduling.k8s.io", "v1", "priorityclasses", "PriorityClass", false),
          new Kind(
              "admissionregistration.k8s.io",
              "v1",
              "validatingwebhookconfigurations",
              "ValidatingWebhookConfiguration",
              false),
          new Kind(
              "admissionregistration.k8s.io",
              "v1",
              "mutatingwebhookconfigurations",
              "MutatingWebhookConfiguration",
              false));

  /** An answer: HTTP status and JSON body. */
  record Answer(int status, String body) {}

  /** What a request path names. */
  record Target(Kind kind, String namespace, String name, String subresource) {}

  private final Map<String, ObjectNode> objects = new TreeMap<>();
  private final Set<String> unserved = new TreeSet<>();
  private long resourceVersion = 1;

  /** Requests this fake could not serve ("METHOD path"), for the benchmark's report. */
  synchronized Set<String> unserved() {
    return Set.copyOf(unserved);
  }

  // ---- in-process access, for the simulated guests -------------------------------------

  /** The object, a copy; empty when absent. */
  synchronized Optional<ObjectNode> get(String plural, String namespace, String name) {
    ObjectNode o = objects.get(key(kind(plural), namespace, name));
    return Optional.ofNullable(o).map(ObjectNode::deepCopy);
  }

  /** Creates or replaces {@code object} (its kind from its {@code kind} field). */
  synchronized ObjectNode put(ObjectNode object) {
    Kind k =
        KINDS.stream()
            .filter(x -> x.kind().equals(object.path("kind").asText()))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("not served: " + object.path("kind")));
    ObjectNode meta = object.with("metadata");
    String key = key(k, meta.path("namespace").asText(""), meta.path("name").asText());
    ObjectNode old = objects.get(key);
    return store(k, key, object.deepCopy(), old);
  }

  /** Applies {@code change} (a JSON merge patch) to an existing object; false when absent. */
  synchronized boolean merge(String plural, String namespace, String name, JsonNode change) {
    Kind k = kind(plural);
    String key = key(k, namespace, name);
    ObjectNode old = objects.get(key);
    if (old == null) {
      return false;
    }
    ObjectNode next = old.deepCopy();
    mergePatch(next, change);
    store(k, key, next, old);
    return true;
  }

  /** Every object of {@code plural} (copies), in name order. */
  synchronized List<ObjectNode> list(String plural) {
    Kind k = kind(plural);
    String prefix = k.group() + "/" + k.plural() + "/";
    List<ObjectNode> out = new ArrayList<>();
    objects.forEach(
        (key, o) -> {
          if (key.startsWith(prefix)) {
            out.add(o.deepCopy());
          }
        });
    return out;
  }

  private static Kind kind(String plural) {
    return KINDS.stream()
        .filter(k -> k.plural().equals(plural))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("not served: " + plural));
  }

  // ---- the REST API ------------------------------------------------------------------------

  /**
   * Answers one request. {@code query} holds the decoded query parameters, {@code contentType} the
   * request's (for PATCH), {@code body} its body (empty for none).
   */
  synchronized Answer handle(
      String method, String path, Map<String, String> query, String contentType, String body) {
    try {
      return serve(method, path, query, contentType == null ? "" : contentType, body);
    } catch (IOException | IllegalArgumentException e) {
      return failure(400, "BadRequest", "the fake workload API cannot read the request: " + e);
    }
  }

  private Answer serve(
      String method, String path, Map<String, String> query, String contentType, String body)
      throws IOException {
    switch (path) {
      case "/readyz", "/livez", "/healthz" -> {
        return new Answer(200, "\"ok\"");
      }
      case "/version" -> {
        return new Answer(
            200,
            "{\"major\":\"1\",\"minor\":\"37\",\"gitVersion\":\"v1.37.2\",\"platform\":\"linux/amd64\"}");
      }
      case "/api" -> {
        return new Answer(200, "{\"kind\":\"APIVersions\",\"versions\":[\"v1\"]}");
      }
      case "/apis" -> {
        return new Answer(200, groups());
      }
      default -> {}
    }
    if ("true".equals(query.get("watch"))) {
      return unserved(method, path + "?watch=true", "watches are not served by the fake");
    }
    Optional<String> discovery = discovery(path);
    if (discovery.isPresent()) {
      return new Answer(200, discovery.get());
    }
    Optional<Target> parsed = target(path);
    if (parsed.isEmpty()) {
      return unserved(method, path, "the fake workload API serves no " + path);
    }
    Target t = parsed.get();
    String sub = t.subresource();
    if (t.name() == null) {
      return switch (method) {
        case "GET" -> list(t, query);
        case "POST" -> create(t, body);
        default -> unserved(method, path, method + " of a collection");
      };
    }
    if ("eviction".equals(sub) && method.equals("POST") && t.kind().plural().equals("pods")) {
      return evict(t);
    }
    if (sub != null && !sub.equals("status")) {
      return unserved(method, path, "no subresource " + sub);
    }
    return switch (method) {
      case "GET" -> read(t);
      case "PUT" -> replace(t, body, sub != null);
      case "PATCH" -> patch(t, contentType, body, query, sub != null);
      case "DELETE" -> delete(t);
      default -> unserved(method, path, "method " + method);
    };
  }

  private Answer unserved(String method, String path, String why) {
    if (unserved.add(method + " " + path)) {
      LOG.warn("fake workload API: not served: {} {} ({})", method, path, why);
    }
    return failure(404, "NotFound", why);
  }

  private Answer read(Target t) throws IOException {
    ObjectNode o = objects.get(key(t));
    return o == null ? notFound(t) : new Answer(200, JSON.writeValueAsString(o));
  }

  private Answer list(Target t, Map<String, String> query) throws IOException {
    String prefix =
        t.kind().group()
            + "/"
            + t.kind().plural()
            + "/"
            + (t.namespace() == null ? "" : t.namespace() + "/");
    ArrayNode items = JSON.createArrayNode();
    for (Map.Entry<String, ObjectNode> e : objects.entrySet()) {
      if (e.getKey().startsWith(prefix)
          && labelsMatch(e.getValue(), query.getOrDefault("labelSelector", ""))
          && fieldsMatch(e.getValue(), query.getOrDefault("fieldSelector", ""))) {
        items.add(e.getValue());
      }
    }
    ObjectNode out = JSON.createObjectNode();
    out.put("apiVersion", t.kind().apiVersion());
    out.put("kind", t.kind().kind() + "List");
    out.putObject("metadata").put("resourceVersion", Long.toString(resourceVersion));
    out.set("items", items);
    return new Answer(200, JSON.writeValueAsString(out));
  }

  private Answer create(Target t, String body) throws IOException {
    ObjectNode o = parse(body);
    ObjectNode meta = o.with("metadata");
    if (t.namespace() != null) {
      meta.put("namespace", t.namespace());
    }
    if (!meta.hasNonNull("name") && meta.hasNonNull("generateName")) {
      meta.put("name", meta.get("generateName").asText() + suffix());
    }
    if (!meta.hasNonNull("name")) {
      return failure(422, "Invalid", "metadata.name: Required value");
    }
    Target named = new Target(t.kind(), t.namespace(), meta.get("name").asText(), null);
    if (objects.containsKey(key(named))) {
      return failure(
          409, "AlreadyExists", t.kind().plural() + " \"" + named.name() + "\" already exists");
    }
    return new Answer(201, JSON.writeValueAsString(store(t.kind(), key(named), o, null)));
  }

  private Answer replace(Target t, String body, boolean status) throws IOException {
    ObjectNode old = objects.get(key(t));
    if (old == null) {
      return notFound(t);
    }
    ObjectNode o = parse(body);
    String asked = o.path("metadata").path("resourceVersion").asText("");
    if (!asked.isEmpty() && !asked.equals(old.path("metadata").path("resourceVersion").asText())) {
      return conflict(t);
    }
    ObjectNode next = old.deepCopy();
    if (status) {
      next.set("status", o.get("status"));
    } else {
      JsonNode keep = old.get("status");
      next = o;
      next.with("metadata").setAll(identity(old));
      if (keep != null) {
        next.set("status", keep);
      }
    }
    return new Answer(200, JSON.writeValueAsString(store(t.kind(), key(t), next, old)));
  }

  private Answer patch(
      Target t, String contentType, String body, Map<String, String> query, boolean status)
      throws IOException {
    ObjectNode old = objects.get(key(t));
    String type = contentType.split(";")[0].trim();
    if (type.equals("application/apply-patch+yaml")) {
      ObjectNode applied = parse(body);
      if (old == null) {
        if (status) {
          return notFound(t);
        }
        applied.with("metadata").put("name", t.name());
        if (t.namespace() != null) {
          applied.with("metadata").put("namespace", t.namespace());
        }
        return new Answer(201, JSON.writeValueAsString(store(t.kind(), key(t), applied, null)));
      }
      ObjectNode next = old.deepCopy();
      mergePatch(next, status ? onlyStatus(applied) : withoutStatus(applied));
      return new Answer(200, JSON.writeValueAsString(store(t.kind(), key(t), next, old)));
    }
    if (old == null) {
      return notFound(t);
    }
    ObjectNode next = old.deepCopy();
    switch (type) {
      case "application/merge-patch+json", "application/strategic-merge-patch+json" -> {
        JsonNode change = JSON.readTree(body);
        mergePatch(next, status ? onlyStatus(change) : withoutStatus(change));
      }
      case "application/json-patch+json" -> {
        for (JsonNode op : JSON.readTree(body)) {
          if (!jsonPatch(next, op)) {
            return failure(422, "Invalid", "the JSON patch operation " + op + " does not apply");
          }
        }
      }
      default -> {
        return unserved("PATCH", t.kind().plural() + " as " + type, "patch type " + type);
      }
    }
    String asked = next.path("metadata").path("resourceVersion").asText("");
    if (!asked.equals(old.path("metadata").path("resourceVersion").asText())) {
      return conflict(t);
    }
    return new Answer(200, JSON.writeValueAsString(store(t.kind(), key(t), next, old)));
  }

  private Answer delete(Target t) throws IOException {
    ObjectNode old = objects.remove(key(t));
    if (old == null) {
      return notFound(t);
    }
    resourceVersion++;
    if (t.kind().plural().equals("namespaces")) {
      // the namespace's objects go with it
      objects
          .values()
          .removeIf(o -> t.name().equals(o.path("metadata").path("namespace").asText()));
    }
    return new Answer(200, JSON.writeValueAsString(old));
  }

  /** An eviction with no budgets to honour: the pod goes (there is no kubelet to wait for). */
  private Answer evict(Target t) throws IOException {
    if (objects.remove(key(t)) == null) {
      return notFound(t);
    }
    resourceVersion++;
    ObjectNode s = JSON.createObjectNode();
    s.put("kind", "Status").put("apiVersion", "v1").put("status", "Success");
    s.putObject("metadata");
    return new Answer(201, JSON.writeValueAsString(s));
  }

  private ObjectNode store(Kind k, String key, ObjectNode o, ObjectNode old) {
    if (k.kind().equals("Secret") && o.get("stringData") instanceof ObjectNode plain) {
      // As the API server does: stringData is written into data, and never stored.
      ObjectNode data = o.with("data");
      plain
          .fields()
          .forEachRemaining(
              f ->
                  data.put(
                      f.getKey(),
                      java.util.Base64.getEncoder()
                          .encodeToString(
                              f.getValue()
                                  .asText()
                                  .getBytes(java.nio.charset.StandardCharsets.UTF_8))));
      o.remove("stringData");
    }
    o.put("apiVersion", k.apiVersion());
    o.put("kind", k.kind());
    ObjectNode meta = o.with("metadata");
    if (old == null) {
      meta.put("uid", UUID.randomUUID().toString());
      meta.put("creationTimestamp", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
      meta.put("generation", 1);
    } else {
      meta.setAll(identity(old));
      if (!old.path("spec").equals(o.path("spec"))) {
        meta.put("generation", old.path("metadata").path("generation").asLong(1) + 1);
      }
    }
    meta.put("resourceVersion", Long.toString(++resourceVersion));
    objects.put(key, o);
    return o.deepCopy();
  }

  /** The fields of an object's metadata that only the server sets. */
  private static Map<String, JsonNode> identity(ObjectNode old) {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    for (String f : List.of("uid", "creationTimestamp", "generation")) {
      JsonNode v = old.path("metadata").get(f);
      if (v != null) {
        out.put(f, v);
      }
    }
    return out;
  }

  private static JsonNode onlyStatus(JsonNode change) {
    ObjectNode out = JSON.createObjectNode();
    if (change.has("status")) {
      out.set("status", change.get("status"));
    }
    return out;
  }

  private static JsonNode withoutStatus(JsonNode change) {
    ObjectNode out = change.deepCopy();
    out.remove("status");
    return out;
  }

  /** RFC 7386: objects merge, null removes, anything else replaces. */
  static void mergePatch(ObjectNode target, JsonNode change) {
    Iterator<Map.Entry<String, JsonNode>> fields = change.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      JsonNode v = f.getValue();
      if (v.isNull()) {
        target.remove(f.getKey());
      } else if (v.isObject() && target.get(f.getKey()) instanceof ObjectNode t) {
        mergePatch(t, v);
      } else {
        target.set(f.getKey(), v.deepCopy());
      }
    }
  }

  /** RFC 6902's add, replace, remove and test on object members and array indexes. */
  static boolean jsonPatch(ObjectNode root, JsonNode op) {
    String path = op.path("path").asText();
    String[] parts = path.substring(1).split("/", -1);
    JsonNode parent = root;
    for (int i = 0; i < parts.length - 1; i++) {
      parent = child(parent, unescape(parts[i]));
      if (parent == null) {
        return false;
      }
    }
    String last = unescape(parts[parts.length - 1]);
    JsonNode value = op.get("value");
    switch (op.path("op").asText()) {
      case "add", "replace" -> {
        if (parent instanceof ObjectNode o) {
          o.set(last, value);
        } else if (parent instanceof ArrayNode a) {
          if (last.equals("-")) {
            a.add(value);
          } else if (op.path("op").asText().equals("add")) {
            a.insert(Integer.parseInt(last), value);
          } else {
            a.set(Integer.parseInt(last), value);
          }
        } else {
          return false;
        }
        return true;
      }
      case "remove" -> {
        if (parent instanceof ObjectNode o) {
          return o.remove(last) != null;
        }
        if (parent instanceof ArrayNode a) {
          return a.remove(Integer.parseInt(last)) != null;
        }
        return false;
      }
      case "test" -> {
        return value != null && value.equals(child(parent, last));
      }
      default -> {
        return false;
      }
    }
  }

  private static JsonNode child(JsonNode parent, String name) {
    if (parent instanceof ArrayNode a) {
      try {
        return a.get(Integer.parseInt(name));
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return parent.get(name);
  }

  private static String unescape(String token) {
    return token.replace("~1", "/").replace("~0", "~");
  }

  /** Equality-based selectors ({@code a=b}, {@code a==b}, {@code a!=b}) and existence. */
  static boolean labelsMatch(JsonNode o, String selector) {
    return matches(o.path("metadata").path("labels"), selector, false);
  }

  static boolean fieldsMatch(JsonNode o, String selector) {
    return matches(o, selector, true);
  }

  private static boolean matches(JsonNode source, String selector, boolean fields) {
    for (String term : selector.split(",")) {
      term = term.trim();
      if (term.isEmpty()) {
        continue;
      }
      boolean not = term.contains("!=");
      String[] kv = term.split("!=|==|=", 2);
      JsonNode actual = fields ? dotted(source, kv[0]) : source.get(kv[0]);
      if (kv.length == 1) {
        boolean absent = kv[0].startsWith("!");
        JsonNode v = source.get(absent ? kv[0].substring(1) : kv[0]);
        if (absent == (v != null)) {
          return false;
        }
        continue;
      }
      String have = actual == null || actual.isNull() ? "" : actual.asText();
      if (not == have.equals(kv[1])) {
        return false;
      }
    }
    return true;
  }

  private static JsonNode dotted(JsonNode o, String path) {
    JsonNode n = o;
    for (String p : path.split("\\.")) {
      n = n.path(p);
    }
    return n.isMissingNode() ? null : n;
  }

  // ---- paths and discovery ---------------------------------------------------------------

  /** {@code /api/v1/...} or {@code /apis/<group>/<version>/...} as a target. */
  static Optional<Target> target(String path) {
    String[] s = path.replaceAll("^/+|/+$", "").split("/");
    String group;
    String version;
    int i;
    if (s.length >= 3 && s[0].equals("api")) {
      group = "";
      version = s[1];
      i = 2;
    } else if (s.length >= 4 && s[0].equals("apis")) {
      group = s[1];
      version = s[2];
      i = 3;
    } else {
      return Optional.empty();
    }
    List<String> rest = List.of(s).subList(i, s.length);
    String namespace = null;
    if (rest.size() >= 3 && rest.get(0).equals("namespaces")) {
      namespace = rest.get(1);
      rest = rest.subList(2, rest.size());
    }
    if (rest.isEmpty() || rest.size() > 3) {
      return Optional.empty();
    }
    String plural = rest.get(0);
    Optional<Kind> kind =
        KINDS.stream()
            .filter(
                k ->
                    k.group().equals(group)
                        && k.version().equals(version)
                        && k.plural().equals(plural))
            .findFirst();
    if (kind.isEmpty() || (namespace != null && !kind.get().namespaced())) {
      return Optional.empty();
    }
    return Optional.of(
        new Target(
            kind.get(),
            namespace,
            rest.size() > 1 ? rest.get(1) : null,
            rest.size() > 2 ? rest.get(2) : null));
  }

  private static Optional<String> discovery(String path) throws IOException {
    String p = path.replaceAll("/+$", "");
    for (String gv : groupVersions()) {
      String prefix = gv.equals("v1") ? "/api/v1" : "/apis/" + gv;
      if (!p.equals(prefix)) {
        continue;
      }
      ObjectNode out = JSON.createObjectNode();
      out.put("kind", "APIResourceList").put("apiVersion", "v1").put("groupVersion", gv);
      ArrayNode resources = out.putArray("resources");
      for (Kind k : KINDS) {
        if (k.apiVersion().equals(gv)) {
          ObjectNode r = resources.addObject();
          r.put("name", k.plural())
              .put("singularName", k.kind().toLowerCase(java.util.Locale.ROOT))
              .put("namespaced", k.namespaced())
              .put("kind", k.kind());
          ArrayNode verbs = r.putArray("verbs");
          List.of("create", "delete", "get", "list", "patch", "update").forEach(verbs::add);
          if (k.plural().equals("pods")) {
            resources
                .addObject()
                .put("name", "pods/eviction")
                .put("namespaced", true)
                .put("group", "policy")
                .put("version", "v1")
                .put("kind", "Eviction")
                .putArray("verbs")
                .add("create");
          }
        }
      }
      return Optional.of(JSON.writeValueAsString(out));
    }
    return Optional.empty();
  }

  private static Set<String> groupVersions() {
    Set<String> out = new TreeSet<>();
    KINDS.forEach(k -> out.add(k.apiVersion()));
    return out;
  }

  private static String groups() throws IOException {
    ObjectNode out = JSON.createObjectNode();
    out.put("kind", "APIGroupList").put("apiVersion", "v1");
    ArrayNode groups = out.putArray("groups");
    for (String gv : groupVersions()) {
      if (gv.equals("v1")) {
        continue;
      }
      String[] p = gv.split("/");
      ObjectNode g = groups.addObject();
      g.put("name", p[0]);
      ObjectNode v = JSON.createObjectNode().put("groupVersion", gv).put("version", p[1]);
      g.putArray("versions").add(v);
      g.set("preferredVersion", v.deepCopy());
    }
    return JSON.writeValueAsString(out);
  }

  // ---- helpers ---------------------------------------------------------------------------

  private static ObjectNode parse(String body) throws IOException {
    JsonNode n;
    try {
      n = JSON.readTree(body);
    } catch (IOException e) {
      n = YAML.readTree(body);
    }
    if (!(n instanceof ObjectNode o)) {
      throw new IllegalArgumentException("the body is not an object");
    }
    return o;
  }

  private static String suffix() {
    String chars = "bcdfghjklmnpqrstvwxz2456789";
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      b.append(chars.charAt(ThreadLocalRandom.current().nextInt(chars.length())));
    }
    return b.toString();
  }

  private static String key(Kind k, String namespace, String name) {
    return k.group() + "/" + k.plural() + "/" + (k.namespaced() ? namespace + "/" : "") + name;
  }

  private static String key(Target t) {
    return key(t.kind(), t.namespace(), t.name());
  }

  private static Answer notFound(Target t) {
    return failure(404, "NotFound", t.kind().plural() + " \"" + t.name() + "\" not found");
  }

  private static Answer conflict(Target t) {
    return failure(
        409,
        "Conflict",
        "Operation cannot be fulfilled on "
            + t.kind().plural()
            + " \""
            + t.name()
            + "\": the object has been modified; please apply your changes to the latest version"
            + " and try again");
  }

  static Answer failure(int code, String reason, String message) {
    ObjectNode s = JSON.createObjectNode();
    s.put("kind", "Status").put("apiVersion", "v1").put("status", "Failure");
    s.putObject("metadata");
    s.put("message", message).put("reason", reason).put("code", code);
    try {
      return new Answer(code, JSON.writeValueAsString(s));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
