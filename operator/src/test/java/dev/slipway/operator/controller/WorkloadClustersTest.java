package dev.slipway.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.http.StandardHttpRequest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkloadClustersTest {

  static HttpRequest request(String method, String path) {
    return new StandardHttpRequest.Builder()
        .uri("https://127.1.0.10:6443" + path)
        .method(method, "application/json", "{}")
        .build();
  }

  @Test
  void everyWriteToAWorkloadClusterAsksTheGuardFirstAndReadsDoNot() {
    List<String> asked = new ArrayList<>();
    Interceptor i =
        WorkloadClusters.writesAskFirst(
            action -> {
              asked.add(action);
              if (action.startsWith("DELETE")) {
                throw new IllegalStateException("fenced");
              }
            });
    i.before(null, request("GET", "/api/v1/nodes"), null);
    i.before(null, request("POST", "/api/v1/namespaces/x/pods/p/eviction"), null);
    i.before(null, request("PATCH", "/api/v1/nodes/w-1"), null);
    assertThatThrownBy(() -> i.before(null, request("DELETE", "/api/v1/nodes/w-1"), null))
        .hasMessage("fenced");
    assertThat(asked)
        .containsExactly(
            "POST /api/v1/namespaces/x/pods/p/eviction",
            "PATCH /api/v1/nodes/w-1",
            "DELETE /api/v1/nodes/w-1");
  }
}
