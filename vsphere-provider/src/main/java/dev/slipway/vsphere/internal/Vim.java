package dev.slipway.vsphere.internal;

import dev.slipway.vsphere.FaultKind;
import dev.slipway.vsphere.ManagedRef;
import dev.slipway.vsphere.VSphereConfig;
import dev.slipway.vsphere.VSphereException;
import dev.slipway.vsphere.soap.Moref;
import dev.slipway.vsphere.soap.ObjectContent;
import dev.slipway.vsphere.soap.ServiceContent;
import dev.slipway.vsphere.soap.SoapClient;
import dev.slipway.vsphere.soap.XmlNode;
import dev.slipway.vsphere.soap.XmlWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The vim25 session and the generic calls on top of it: login / transparent re-login, property
 * collector reads, SearchIndex lookups, custom fields.
 */
final class Vim {

  private static final Logger LOG = LoggerFactory.getLogger(Vim.class);

  private final SoapClient soap;
  private final VSphereConfig config;
  private final LoginGate gate;
  private final Object loginLock = new Object();
  private volatile ServiceContent sc;
  private final java.util.concurrent.atomic.AtomicLong sessions =
      new java.util.concurrent.atomic.AtomicLong();
  private final Map<String, Integer> fieldKeys = new ConcurrentHashMap<>();

  Vim(SoapClient soap, VSphereConfig config, LoginGate gate) {
    this.soap = soap;
    this.config = config;
    this.gate = gate;
  }

  /** Negotiates the version, reads the ServiceContent and logs in. */
  void connect() {
    soap.negotiateVersion();
    synchronized (loginLock) {
      login();
    }
  }

  ServiceContent serviceContent() {
    return sc;
  }

  /**
   * Counts the logins of this client: objects made in one session (a property collector, its
   * filters) are gone once it is different.
   */
  long session() {
    return sessions.get();
  }

  String version() {
    return soap.version();
  }

  private void login() {
    gate.admit();
    soap.setCookie(null);
    XmlNode r =
        soap.call(
            "RetrieveServiceContent",
            new XmlWriter().ref("_this", "ServiceInstance", "ServiceInstance").toString());
    sc = ServiceContent.parse(r.child("returnval").orElseThrow());
    char[] pw = gate.password();
    String user = gate.username();
    String password = new String(pw);
    java.util.Arrays.fill(pw, '\0');
    try {
      soap.call(
          "Login",
          new XmlWriter()
              .ref("_this", sc.sessionManager().type(), sc.sessionManager().value())
              .element("userName", user)
              .element("password", password)
              .toString());
    } catch (VSphereException e) {
      // vCenter does not echo the password, but never let it through if some endpoint did.
      VSphereException safe =
          new VSphereException(
              e.kind(), e.faultType(), Redact.secret(e.vcenterMessage(), password), null);
      if (e.kind() == FaultKind.NOT_AUTHENTICATED) {
        gate.rejected(safe);
      }
      throw safe;
    }
    gate.succeeded();
    sessions.incrementAndGet();
    fieldKeys.clear();
    LOG.info("vim25 session established at {} as {}", config.sdkUrl(), user);
  }

  /**
   * Calls a vim25 method with the session; on NotAuthenticated logs in again once (unless another
   * thread already did) and retries.
   */
  XmlNode call(String method, String body) {
    String cookieBefore = soap.cookie().orElse(null);
    try {
      return soap.call(method, body);
    } catch (VSphereException e) {
      if (e.kind() != FaultKind.NOT_AUTHENTICATED || "InvalidLogin".equals(e.faultType())) {
        throw e;
      }
      synchronized (loginLock) {
        if (java.util.Objects.equals(cookieBefore, soap.cookie().orElse(null))) {
          LOG.info("vim25 session lost ({}); logging in again", e.vcenterMessage());
          login();
        }
      }
      return soap.call(method, body);
    }
  }

  /** Like {@link #call} with {@code _this} and the rest of the body. */
  XmlNode call(String method, Moref self, XmlWriter rest) {
    return call(
        method,
        new XmlWriter().ref("_this", self.type(), self.value()).raw(rest.toString()).toString());
  }

  /** Logs out; best effort. */
  void logout() {
    if (soap.cookie().isEmpty() || sc == null) {
      return;
    }
    try {
      soap.call(
          "Logout",
          new XmlWriter()
              .ref("_this", sc.sessionManager().type(), sc.sessionManager().value())
              .toString());
    } catch (VSphereException e) {
      LOG.debug("Logout failed: {}", e.getMessage());
    } finally {
      soap.setCookie(null);
    }
  }

  static Optional<XmlNode> returnval(XmlNode response) {
    return response.child("returnval");
  }

  // ---- property collector -------------------------------------------------------------------

  /** Properties of one object; NOT_FOUND if it does not exist. */
  ObjectContent properties(Moref obj, String... paths) {
    XmlWriter spec = new XmlWriter().open("specSet").open("propSet").element("type", obj.type());
    for (String p : paths) {
      spec.element("pathSet", p);
    }
    spec.close("propSet")
        .open("objectSet")
        .ref("obj", obj.type(), obj.value())
        .close("objectSet")
        .close("specSet");
    List<ObjectContent> all = retrieve(spec);
    return all.stream()
        .filter(o -> o.obj().value().equals(obj.value()))
        .findFirst()
        .orElseThrow(
            () ->
                new VSphereException(
                    FaultKind.NOT_FOUND,
                    "ManagedObjectNotFound",
                    obj.type() + " " + obj.value() + " does not exist"));
  }

  ObjectContent properties(ManagedRef ref, String... paths) {
    return properties(Moref.of(ref), paths);
  }

  /**
   * Properties of the direct children of a folder ({@code childEntity}) of the given type; the
   * folder itself is skipped.
   */
  List<ObjectContent> folderChildren(Moref folder, String childType, String... paths) {
    XmlWriter spec = new XmlWriter().open("specSet").open("propSet").element("type", childType);
    for (String p : paths) {
      spec.element("pathSet", p);
    }
    spec.close("propSet")
        .open("objectSet")
        .ref("obj", folder.type(), folder.value())
        .element("skip", true)
        .open("selectSet", "TraversalSpec")
        .element("name", "folderChildren")
        .element("type", "Folder")
        .element("path", "childEntity")
        .element("skip", false)
        .close("selectSet")
        .close("objectSet")
        .close("specSet");
    return retrieve(spec);
  }

  /** RetrievePropertiesEx plus ContinueRetrievePropertiesEx until the token runs out. */
  List<ObjectContent> retrieve(XmlWriter specSet) {
    Moref pc = sc.propertyCollector();
    XmlNode r =
        call(
            "RetrievePropertiesEx",
            pc,
            new XmlWriter().raw(specSet.toString()).open("options").close("options"));
    List<ObjectContent> out = new ArrayList<>();
    Optional<XmlNode> result = returnval(r);
    while (result.isPresent()) {
      out.addAll(ObjectContent.parseAll(result.get()));
      Optional<String> token = result.get().childText("token").filter(t -> !t.isBlank());
      if (token.isEmpty()) {
        break;
      }
      result =
          returnval(
              call(
                  "ContinueRetrievePropertiesEx",
                  pc,
                  new XmlWriter().element("token", token.get())));
    }
    return out;
  }

  // ---- search index ---------------------------------------------------------------------------

  Optional<Moref> findByInventoryPath(String path) {
    XmlNode r =
        call(
            "FindByInventoryPath",
            sc.searchIndex(),
            new XmlWriter().element("inventoryPath", normalizePath(path)));
    return returnval(r).flatMap(Moref::of);
  }

  Optional<Moref> findChild(Moref parent, String name) {
    XmlNode r =
        call(
            "FindChild",
            sc.searchIndex(),
            new XmlWriter().ref("entity", parent.type(), parent.value()).element("name", name));
    return returnval(r).flatMap(Moref::of);
  }

  Optional<Moref> findVmByUuid(String uuid, boolean instanceUuid) {
    XmlNode r =
        call(
            "FindByUuid",
            sc.searchIndex(),
            new XmlWriter()
                .element("uuid", uuid)
                .element("vmSearch", true)
                .element("instanceUuid", instanceUuid));
    return returnval(r).flatMap(Moref::of);
  }

  /** Inventory paths have no leading slash in vim25; accept both. */
  static String normalizePath(String path) {
    String p = path.trim();
    while (p.startsWith("/")) {
      p = p.substring(1);
    }
    while (p.endsWith("/") && p.length() > 1) {
      p = p.substring(0, p.length() - 1);
    }
    return p;
  }

  // ---- custom fields --------------------------------------------------------------------------

  /** The key of the custom field {@code name}, defining it (global) if missing. */
  int fieldKey(String name) {
    Integer k = fieldKeys.get(name);
    if (k != null) {
      return k;
    }
    refreshFields();
    k = fieldKeys.get(name);
    if (k != null) {
      return k;
    }
    try {
      XmlNode r =
          call("AddCustomFieldDef", customFieldsManager(), new XmlWriter().element("name", name));
      int key =
          returnval(r)
              .flatMap(d -> d.childText("key"))
              .map(String::trim)
              .map(Integer::parseInt)
              .orElseThrow();
      fieldKeys.put(name, key);
      return key;
    } catch (VSphereException e) {
      if (e.kind() != FaultKind.ALREADY_EXISTS) {
        throw e;
      }
      refreshFields();
      k = fieldKeys.get(name);
      if (k == null) {
        throw e;
      }
      return k;
    }
  }

  /** Field key to name, for reading {@code customValue}. */
  Map<Integer, String> fieldNames() {
    if (fieldKeys.isEmpty()) {
      refreshFields();
    }
    Map<Integer, String> out = new HashMap<>();
    fieldKeys.forEach((n, k) -> out.put(k, n));
    return out;
  }

  private void refreshFields() {
    ObjectContent o = properties(customFieldsManager(), "field");
    o.prop("field")
        .ifPresent(
            arr -> {
              for (XmlNode def : arr.children()) {
                Optional<String> n = def.childText("name");
                Optional<String> k = def.childText("key").map(String::trim);
                if (n.isPresent() && k.isPresent()) {
                  fieldKeys.put(n.get(), Integer.parseInt(k.get()));
                }
              }
            });
  }

  void setField(Moref entity, String name, String value) {
    int key = fieldKey(name);
    call(
        "SetField",
        customFieldsManager(),
        new XmlWriter()
            .ref("entity", entity.type(), entity.value())
            .element("key", key)
            .element("value", value));
  }

  /** Parses {@code customValue} into field name to value (unknown keys are re-read once). */
  Map<String, String> customValues(Optional<XmlNode> customValue) {
    Map<String, String> out = new HashMap<>();
    if (customValue.isEmpty()) {
      return out;
    }
    Map<Integer, String> names = fieldNames();
    List<XmlNode> values = customValue.get().children();
    boolean refreshed = false;
    for (XmlNode v : values) {
      Optional<String> k = v.childText("key").map(String::trim);
      if (k.isEmpty()) {
        continue;
      }
      int key = Integer.parseInt(k.get());
      if (!names.containsKey(key) && !refreshed) {
        refreshFields();
        names = fieldNames();
        refreshed = true;
      }
      String name = names.get(key);
      if (name != null) {
        out.put(name, v.childText("value").orElse(""));
      }
    }
    return out;
  }

  private Moref customFieldsManager() {
    Moref m = sc.customFieldsManager();
    if (m == null) {
      throw new VSphereException(
          FaultKind.INVALID_STATE, "CustomFieldsManager", "this endpoint has no custom fields");
    }
    return m;
  }
}
