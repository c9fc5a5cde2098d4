package dev.slipway.vsphere.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.vsphere.ContentLibrary;
import dev.slipway.vsphere.DatastoreRef;
import dev.slipway.vsphere.DeploySpec;
import dev.slipway.vsphere.FaultKind;
import dev.slipway.vsphere.Library;
import dev.slipway.vsphere.LibraryItem;
import dev.slipway.vsphere.TaskRef;
import dev.slipway.vsphere.VSphereException;
import dev.slipway.vsphere.rest.RestClient;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link ContentLibrary} over the vSphere REST API ({@code /rest/com/vmware/content/...}). */
final class RestLibrary implements ContentLibrary {

  private static final Logger LOG = LoggerFactory.getLogger(RestLibrary.class);
  private static final String LIB = "com/vmware/content/library";
  private static final String ITEM = "com/vmware/content/library/item";
  static final Duration UPLOAD_POLL = Duration.ofMillis(250);

  private final RestClient rest;
  private final LocalTasks local;
  private final Duration deployTimeout;
  private final Duration requestTimeout;

  RestLibrary(RestClient rest, LocalTasks local, Duration deployTimeout, Duration requestTimeout) {
    this.rest = rest;
    this.local = local;
    this.deployTimeout = deployTimeout;
    this.requestTimeout = requestTimeout;
  }

  private static List<String> ids(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private Library library(String id) {
    JsonNode l = rest.call("GET", LIB + "/id:" + id, null);
    return new Library(l.path("id").asText(id), l.path("name").asText(), l.path("type").asText());
  }

  private LibraryItem item(String id) {
    JsonNode i = rest.call("GET", ITEM + "/id:" + id, null);
    return new LibraryItem(
        i.path("id").asText(id),
        i.path("library_id").asText(),
        i.path("name").asText(),
        i.path("type").asText());
  }

  @Override
  public List<Library> listLibraries() {
    List<Library> out = new ArrayList<>();
    for (String id : ids(rest.call("GET", LIB, null))) {
      out.add(library(id));
    }
    return out;
  }

  @Override
  public Optional<Library> findLibrary(String name) {
    JsonNode found = rest.call("POST", LIB + "?~action=find", Map.of("spec", Map.of("name", name)));
    for (String id : ids(found)) {
      Library l = library(id);
      if (l.name().equals(name)) {
        return Optional.of(l);
      }
    }
    return Optional.empty();
  }

  @Override
  public Library ensureLocalLibrary(String name, DatastoreRef datastore) {
    Optional<Library> existing = findLibrary(name);
    if (existing.isPresent()) {
      return existing.get();
    }
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("name", name);
    spec.put("type", "LOCAL");
    spec.put(
        "storage_backings",
        List.of(Map.of("type", "DATASTORE", "datastore_id", datastore.moref())));
    String id =
        rest.call("POST", "com/vmware/content/local-library", Map.of("create_spec", spec)).asText();
    LOG.info("created content library {} ({})", name, id);
    return library(id);
  }

  @Override
  public List<LibraryItem> listItems(String libraryId) {
    List<LibraryItem> out = new ArrayList<>();
    for (String id : ids(rest.call("GET", ITEM + "?library_id=" + libraryId, null))) {
      out.add(item(id));
    }
    return out;
  }

  @Override
  public Optional<LibraryItem> findItem(String libraryName, String itemName) {
    Optional<Library> lib = findLibrary(libraryName);
    if (lib.isEmpty()) {
      return Optional.empty();
    }
    JsonNode found =
        rest.call(
            "POST",
            ITEM + "?~action=find",
            Map.of("spec", Map.of("library_id", lib.get().id(), "name", itemName)));
    for (String id : ids(found)) {
      LibraryItem i = item(id);
      if (i.name().equals(itemName) && i.libraryId().equals(lib.get().id())) {
        return Optional.of(i);
      }
    }
    return Optional.empty();
  }

  @Override
  public LibraryItem getItem(String libraryName, String itemName) {
    return findItem(libraryName, itemName)
        .orElseThrow(
            () ->
                new VSphereException(
                    FaultKind.NOT_FOUND,
                    "com.vmware.vapi.std.errors.not_found",
                    "library item " + itemName + " not found in library " + libraryName));
  }

  @Override
  public void deleteItem(String itemId) {
    rest.call("DELETE", ITEM + "/id:" + itemId, null);
    LOG.info("deleted library item {}", itemId);
  }

  @Override
  public TaskRef uploadOvf(String libraryId, String itemName, Map<String, byte[]> files) {
    long descriptors = files.keySet().stream().filter(n -> n.endsWith(".ovf")).count();
    if (descriptors != 1) {
      throw new VSphereException(
          FaultKind.INVALID_ARGUMENT,
          "",
          "an OVF upload needs exactly one .ovf file, got " + files.keySet());
    }
    String itemId =
        rest.call(
                "POST",
                ITEM,
                Map.of(
                    "create_spec",
                    Map.of("library_id", libraryId, "name", itemName, "type", "ovf")))
            .asText();
    String session =
        rest.call(
                "POST",
                ITEM + "/update-session",
                Map.of("create_spec", Map.of("library_item_id", itemId)))
            .asText();
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      Map<String, Object> fileSpec = new LinkedHashMap<>();
      fileSpec.put("name", f.getKey());
      fileSpec.put("source_type", "PUSH");
      fileSpec.put("size", f.getValue().length);
      JsonNode added =
          rest.call(
              "POST",
              ITEM + "/updatesession/file/id:" + session + "?~action=add",
              Map.of("file_spec", fileSpec));
      String uri = added.path("upload_endpoint").path("uri").asText("");
      if (uri.isEmpty()) {
        throw new VSphereException(FaultKind.OTHER, "", "no upload endpoint for " + f.getKey());
      }
      rest.upload(URI.create(uri), f.getValue());
    }
    rest.call("POST", ITEM + "/update-session/id:" + session + "?~action=complete", null);
    LOG.info(
        "uploaded {} to library {} as item {} ({})", files.keySet(), libraryId, itemName, itemId);
    return local.start(pollSession(session, itemId, System.nanoTime() + deployTimeout.toNanos()));
  }

  /** Completes with the item id when the update session is DONE; re-polls without a thread. */
  private CompletableFuture<String> pollSession(String session, String itemId, long deadline) {
    return rest.callAsync("GET", ITEM + "/update-session/id:" + session, null, requestTimeout)
        .thenCompose(
            s -> {
              String state = s.path("state").asText("");
              switch (state) {
                case "DONE":
                  return CompletableFuture.completedFuture(itemId);
                case "ERROR":
                case "CANCELED":
                  String msg = s.path("error_message").path("default_message").asText(state);
                  return CompletableFuture.failedFuture(
                      new VSphereException(
                          FaultKind.OTHER,
                          "UpdateSession" + state,
                          "upload of library item " + itemId + " failed: " + msg));
                default:
                  if (System.nanoTime() > deadline) {
                    return CompletableFuture.failedFuture(
                        new VSphereException(
                            FaultKind.TRANSIENT,
                            "Timeout",
                            "upload session " + session + " still " + state));
                  }
                  return CompletableFuture.supplyAsync(
                          () -> null,
                          CompletableFuture.delayedExecutor(
                              UPLOAD_POLL.toMillis(), TimeUnit.MILLISECONDS))
                      .thenCompose(x -> pollSession(session, itemId, deadline));
              }
            });
  }

  @Override
  public TaskRef deployOvf(DeploySpec spec) {
    item(spec.itemId()); // NOT_FOUND now rather than in the task
    Map<String, Object> deployment = new LinkedHashMap<>();
    deployment.put("name", spec.name());
    deployment.put("accept_all_EULA", true);
    spec.datastore().ifPresent(ds -> deployment.put("default_datastore_id", ds.moref()));
    if (!spec.networkMappings().isEmpty()) {
      List<Map<String, String>> nets = new ArrayList<>();
      spec.networkMappings().forEach((k, v) -> nets.add(Map.of("key", k, "value", v.moref())));
      deployment.put("network_mappings", nets);
    }
    Map<String, Object> target = new LinkedHashMap<>();
    target.put("resource_pool_id", spec.pool().moref());
    target.put("folder_id", spec.folder().moref());
    Map<String, Object> body = Map.of("deployment_spec", deployment, "target", target);
    CompletableFuture<String> f =
        rest.callAsync(
                "POST",
                "com/vmware/vcenter/ovf/library-item/id:" + spec.itemId() + "?~action=deploy",
                body,
                deployTimeout)
            .thenApply(RestLibrary::deployResult);
    return local.start(f);
  }

  /** The VM moref of a deploy result, or a typed exception. */
  static String deployResult(JsonNode v) {
    if (v.path("succeeded").asBoolean(false)) {
      String id = v.path("resource_id").path("id").asText("");
      if (!id.isEmpty()) {
        return id;
      }
    }
    String type = "";
    String category = "";
    StringBuilder msg = new StringBuilder();
    for (JsonNode e : v.path("error").path("errors")) {
      JsonNode err = e.path("error");
      if (type.isEmpty()) {
        type = err.path("@class").asText(err.path("class").asText(""));
        category = e.path("category").asText("");
      }
      String m = RestClient.messages(err.path("messages"));
      if (!m.isEmpty()) {
        msg.append(msg.length() > 0 ? "; " : "").append(m);
      }
    }
    String text = msg.length() > 0 ? msg.toString() : "OVF deploy did not succeed";
    throw new VSphereException(classify(type, text, category), type, text);
  }

  /**
   * vcsim wraps every deploy failure as a generic error; recover the vim25 cause if named. An error
   * of category {@code SERVER} that names no cause is vCenter failing, not the deploy spec (that is
   * category {@code INPUT} or a typed error such as {@code invalid_argument}): it may pass, so it
   * is {@link FaultKind#TRANSIENT}.
   */
  static FaultKind classify(String type, String message, String category) {
    FaultKind k = Faults.ofVapiType(type);
    if (k != FaultKind.OTHER) {
      return k;
    }
    if (message.contains("already exists")) {
      return FaultKind.ALREADY_EXISTS;
    }
    if (message.contains("not found")) {
      return FaultKind.NOT_FOUND;
    }
    return "SERVER".equals(category) ? FaultKind.TRANSIENT : FaultKind.OTHER;
  }
}
