package dev.slipway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What sigs.k8s.io/cli-utils' kstatus (Flux's health checks, kpt) says about live objects: the
 * objects are read raw from the API server, exactly as a GitOps tool reads them, and handed to the
 * test bed's kstatus command.
 */
public final class KStatus {
  private static final ObjectMapper JSON = new ObjectMapper();

  private KStatus() {}

  /** One object's status: Current, InProgress, Failed, Terminating, NotFound or Unknown. */
  public record Result(String kind, String namespace, String name, String status, String message) {
    @Override
    public String toString() {
      return kind
          + " "
          + (namespace == null ? "" : namespace + "/")
          + name
          + ": "
          + status
          + " ("
          + message
          + ")";
    }
  }

  /** Together with the object it was computed from. */
  public record Observed(GenericKubernetesResource object, Result result) {}

  public static List<Observed> of(
      KubernetesClient client, String apiVersion, String kind, String namespace) {
    var op = client.genericKubernetesResources(apiVersion, kind);
    List<GenericKubernetesResource> items =
        namespace == null ? op.list().getItems() : op.inNamespace(namespace).list().getItems();
    List<Observed> out = new ArrayList<>();
    if (items.isEmpty()) {
      return out;
    }
    Map<String, Object> list = new LinkedHashMap<>();
    list.put("apiVersion", "v1");
    list.put("kind", "List");
    List<Object> raw = new ArrayList<>();
    for (GenericKubernetesResource r : items) {
      // the list drops each item's kind and apiVersion; a GitOps tool reads objects with them
      r.setApiVersion(apiVersion);
      r.setKind(kind);
      raw.add(r);
    }
    list.put("items", raw);
    try {
      Tools.Result r = Tools.run("kstatus", JSON.writeValueAsString(list)).ok();
      List<String> lines = r.out().lines().filter(l -> !l.isBlank()).toList();
      assertThat(lines).as(r.out()).hasSize(items.size());
      for (int i = 0; i < lines.size(); i++) {
        JsonNode n = JSON.readTree(lines.get(i));
        Result res =
            new Result(
                n.path("kind").asText(),
                n.path("namespace").asText(null),
                n.path("name").asText(),
                n.path("status").asText(),
                n.path("message").asText());
        assertThat(res.name()).isEqualTo(items.get(i).getMetadata().getName());
        out.add(new Observed(items.get(i), res));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The Ready condition's status ("True", "False", "Unknown") or null when there is none. */
  @SuppressWarnings("unchecked")
  public static String ready(GenericKubernetesResource r) {
    Object status = r.getAdditionalProperties().get("status");
    if (!(status instanceof Map<?, ?> s) || !(s.get("conditions") instanceof List<?> cs)) {
      return null;
    }
    for (Object c : cs) {
      Map<String, Object> m = (Map<String, Object>) c;
      if ("Ready".equals(m.get("type"))) {
        return (String) m.get("status");
      }
    }
    return null;
  }

  /** Whether the controller has seen the current spec: status.observedGeneration == generation. */
  @SuppressWarnings("unchecked")
  public static boolean observed(GenericKubernetesResource r) {
    Object status = r.getAdditionalProperties().get("status");
    if (!(status instanceof Map<?, ?> s) || !(s.get("observedGeneration") instanceof Number g)) {
      return false;
    }
    return g.longValue() == r.getMetadata().getGeneration();
  }
}
