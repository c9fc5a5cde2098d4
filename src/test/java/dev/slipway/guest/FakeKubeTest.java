package dev.slipway.guest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FakeKubeTest {
  final FakeKube kube = new FakeKube();

  JsonNode json(FakeKube.Answer a) throws Exception {
    return FakeKube.JSON.readTree(a.body());
  }

  FakeKube.Answer call(String method, String path, String type, String body) {
    return kube.handle(method, path, Map.of(), type, body);
  }

  @Test
  void pathsNameKindNamespaceNameAndSubresource() {
    assertThat(FakeKube.target("/api/v1/nodes/n1"))
        .get()
        .satisfies(
            t -> {
              assertThat(t.kind().kind()).isEqualTo("Node");
              assertThat(t.namespace()).isNull();
              assertThat(t.name()).isEqualTo("n1");
            });
    assertThat(FakeKube.target("/api/v1/namespaces/kube-system/pods/p/eviction"))
        .get()
        .satisfies(
            t -> {
              assertThat(t.kind().plural()).isEqualTo("pods");
              assertThat(t.namespace()).isEqualTo("kube-system");
              assertThat(t.subresource()).isEqualTo("eviction");
            });
    assertThat(FakeKube.target("/api/v1/namespaces/kube-system").get().kind().kind())
        .isEqualTo("Namespace");
    assertThat(FakeKube.target("/apis/apps/v1/namespaces/x/daemonsets").get().name()).isNull();
    // a cluster-scoped kind under a namespace, an unknown kind: not served
    assertThat(FakeKube.target("/api/v1/namespaces/x/nodes/n1")).isEmpty();
    assertThat(FakeKube.target("/apis/example.com/v1/widgets")).isEmpty();
  }

  @Test
  void createGetListDeleteWithSelectors() throws Exception {
    String pod =
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"a\",\"labels\":{\"app\":\"x\"}},"
            + "\"spec\":{\"nodeName\":\"n1\"}}";
    assertThat(call("POST", "/api/v1/namespaces/ns/pods", "application/json", pod).status())
        .isEqualTo(201);
    assertThat(call("POST", "/api/v1/namespaces/ns/pods", "application/json", pod).status())
        .isEqualTo(409);
    JsonNode got = json(call("GET", "/api/v1/namespaces/ns/pods/a", null, ""));
    assertThat(got.path("metadata").path("namespace").asText()).isEqualTo("ns");
    assertThat(got.path("metadata").path("uid").asText()).isNotEmpty();

    JsonNode byField =
        json(
            kube.handle(
                "GET", "/api/v1/pods", Map.of("fieldSelector", "spec.nodeName=n1"), null, ""));
    assertThat(byField.path("kind").asText()).isEqualTo("PodList");
    assertThat(byField.path("items")).hasSize(1);
    JsonNode otherNode =
        json(
            kube.handle(
                "GET", "/api/v1/pods", Map.of("fieldSelector", "spec.nodeName=n2"), null, ""));
    assertThat(otherNode.path("items")).isEmpty();
    JsonNode notX =
        json(
            kube.handle(
                "GET", "/api/v1/namespaces/ns/pods", Map.of("labelSelector", "app!=x"), null, ""));
    assertThat(notX.path("items")).isEmpty();

    assertThat(call("DELETE", "/api/v1/namespaces/ns/pods/a", null, "").status()).isEqualTo(200);
    assertThat(call("GET", "/api/v1/namespaces/ns/pods/a", null, "").status()).isEqualTo(404);
    assertThat(call("DELETE", "/api/v1/namespaces/ns/pods/a", null, "").status()).isEqualTo(404);
  }

  @Test
  void secretsStringDataIsStoredAsData() throws Exception {
    call(
        "POST",
        "/api/v1/namespaces/kube-system/secrets",
        "application/json",
        "{\"metadata\":{\"name\":\"s\"},\"stringData\":{\"token-secret\":\"abc\"}}");
    JsonNode s = json(call("GET", "/api/v1/namespaces/kube-system/secrets/s", null, ""));
    assertThat(s.path("data").path("token-secret").asText()).isEqualTo("YWJj");
    assertThat(s.has("stringData")).isFalse();
  }

  @Test
  void serverSideApplyCreatesThenMergesAndKeepsIdentity() throws Exception {
    String path = "/apis/apps/v1/namespaces/kube-system/daemonsets/cni";
    String apply = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: cni\nspec:\n  x: 1\n";
    FakeKube.Answer first = call("PATCH", path, "application/apply-patch+yaml", apply);
    assertThat(first.status()).isEqualTo(201);
    String uid = json(first).path("metadata").path("uid").asText();
    FakeKube.Answer again =
        call(
            "PATCH",
            path,
            "application/apply-patch+yaml",
            "{\"apiVersion\":\"apps/v1\",\"kind\":\"DaemonSet\",\"metadata\":{\"name\":\"cni\"},"
                + "\"spec\":{\"y\":2}}");
    assertThat(again.status()).isEqualTo(200);
    JsonNode ds = json(again);
    assertThat(ds.path("metadata").path("uid").asText()).isEqualTo(uid);
    assertThat(ds.path("spec").path("x").asInt()).isEqualTo(1);
    assertThat(ds.path("spec").path("y").asInt()).isEqualTo(2);
    assertThat(ds.path("metadata").path("generation").asInt()).isEqualTo(2);
  }

  @Test
  void mergeAndJsonPatchesAndStaleVersionsConflict() throws Exception {
    call(
        "POST",
        "/api/v1/nodes",
        "application/json",
        "{\"metadata\":{\"name\":\"n\",\"labels\":{\"a\":\"1\"}},\"spec\":{}}");
    assertThat(
            call(
                    "PATCH",
                    "/api/v1/nodes/n",
                    "application/merge-patch+json",
                    "{\"spec\":{\"unschedulable\":true},\"metadata\":{\"labels\":{\"a\":null}}}")
                .status())
        .isEqualTo(200);
    JsonNode n = json(call("GET", "/api/v1/nodes/n", null, ""));
    assertThat(n.path("spec").path("unschedulable").asBoolean()).isTrue();
    assertThat(n.path("metadata").path("labels").has("a")).isFalse();

    assertThat(
            call(
                    "PATCH",
                    "/api/v1/nodes/n",
                    "application/json-patch+json",
                    "[{\"op\":\"add\",\"path\":\"/metadata/labels/b~1c\",\"value\":\"2\"}]")
                .status())
        .isEqualTo(200);
    assertThat(json(call("GET", "/api/v1/nodes/n", null, "")).path("metadata").path("labels"))
        .hasToString("{\"b/c\":\"2\"}");
    assertThat(
            call(
                    "PATCH",
                    "/api/v1/nodes/n",
                    "application/json-patch+json",
                    "[{\"op\":\"remove\",\"path\":\"/spec/nothing/here\"}]")
                .status())
        .isEqualTo(422);

    assertThat(
            call(
                    "PUT",
                    "/api/v1/nodes/n",
                    "application/json",
                    "{\"metadata\":{\"name\":\"n\",\"resourceVersion\":\"1\"},\"spec\":{}}")
                .status())
        .isEqualTo(409);
    assertThat(
            call(
                    "PATCH",
                    "/api/v1/nodes/n",
                    "application/merge-patch+json",
                    "{\"metadata\":{\"resourceVersion\":\"1\"}}")
                .status())
        .isEqualTo(409);
  }

  @Test
  void statusSubresourceWritesOnlyStatus() throws Exception {
    call(
        "POST",
        "/api/v1/nodes",
        "application/json",
        "{\"metadata\":{\"name\":\"n\"},\"spec\":{\"podCIDR\":\"a\"}}");
    call(
        "PATCH",
        "/api/v1/nodes/n/status",
        "application/merge-patch+json",
        "{\"spec\":{\"podCIDR\":\"b\"},\"status\":{\"phase\":\"Running\"}}");
    JsonNode n = json(call("GET", "/api/v1/nodes/n", null, ""));
    assertThat(n.path("spec").path("podCIDR").asText()).isEqualTo("a");
    assertThat(n.path("status").path("phase").asText()).isEqualTo("Running");
  }

  @Test
  void evictionRemovesThePod() {
    call(
        "POST",
        "/api/v1/namespaces/ns/pods",
        "application/json",
        "{\"metadata\":{\"name\":\"p\"},\"spec\":{}}");
    assertThat(
            call(
                    "POST",
                    "/api/v1/namespaces/ns/pods/p/eviction",
                    "application/json",
                    "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\"}")
                .status())
        .isEqualTo(201);
    assertThat(call("GET", "/api/v1/namespaces/ns/pods/p", null, "").status()).isEqualTo(404);
  }

  @Test
  void discoveryListsTheServedKindsAndGapsAreRemembered() throws Exception {
    JsonNode apps = json(call("GET", "/apis/apps/v1", null, ""));
    assertThat(apps.path("kind").asText()).isEqualTo("APIResourceList");
    assertThat(apps.path("resources").findValuesAsText("name")).contains("daemonsets");
    JsonNode groups = json(call("GET", "/apis", null, ""));
    assertThat(groups.path("groups").findValuesAsText("name")).contains("apps", "storage.k8s.io");

    assertThat(call("GET", "/apis/example.com/v1/widgets", null, "").status()).isEqualTo(404);
    assertThat(kube.handle("GET", "/api/v1/nodes", Map.of("watch", "true"), null, "").status())
        .isEqualTo(404);
    assertThat(kube.unserved())
        .containsExactlyInAnyOrder(
            "GET /apis/example.com/v1/widgets", "GET /api/v1/nodes?watch=true");
  }
}
