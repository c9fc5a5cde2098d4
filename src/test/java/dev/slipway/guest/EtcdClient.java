package dev.slipway.guest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * etcd's cluster API over its v3 JSON gateway ({@code /v3/cluster/member/*}, {@code /health}), with
 * mutual TLS: the server must present a certificate from the cluster's etcd CA and we present a
 * client certificate from the same CA, as kubeadm and Cluster API do over gRPC.
 */
public final class EtcdClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One member as etcd lists it; {@code name} and {@code clientURLs} stay empty until started. */
  public record Member(
      String id, String name, List<String> peerUrls, List<String> clientUrls, boolean learner) {}

  private final HttpClient http;

  public EtcdClient(String caPem, String certPem, String keyPem) throws Exception {
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .sslContext(Pki.mutualTls(caPem, certPem, keyPem))
            .connectTimeout(Duration.ofSeconds(2))
            .build();
  }

  /** A client with a certificate freshly issued from the etcd CA (CN {@code commonName}). */
  public static EtcdClient fromCa(String caPem, String caKeyPem, String commonName)
      throws Exception {
    Pki.ClientCert c = Pki.clientCertificate(commonName, caPem, caKeyPem);
    return new EtcdClient(caPem, c.certPem(), c.keyPem());
  }

  public List<Member> memberList(String clientUrl) throws IOException, InterruptedException {
    return members(post(clientUrl, "/v3/cluster/member/list", Map.of("linearizable", true)));
  }

  /** Adds a member; returns the new member's ID and the member list after the change. */
  public Map.Entry<String, List<Member>> memberAdd(
      String clientUrl, String peerUrl, boolean learner) throws IOException, InterruptedException {
    JsonNode r =
        post(
            clientUrl,
            "/v3/cluster/member/add",
            Map.of("peerURLs", List.of(peerUrl), "isLearner", learner));
    return Map.entry(r.path("member").path("ID").asText(), members(r));
  }

  public void memberPromote(String clientUrl, String id) throws IOException, InterruptedException {
    post(clientUrl, "/v3/cluster/member/promote", Map.of("ID", id));
  }

  public void memberRemove(String clientUrl, String id) throws IOException, InterruptedException {
    post(clientUrl, "/v3/cluster/member/remove", Map.of("ID", id));
  }

  /** etcd's own {@code /health}: true when the member is part of a cluster with a leader. */
  public boolean healthy(String clientUrl) {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(clientUrl + "/health"))
                  .timeout(Duration.ofSeconds(3))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200
          && "true".equals(JSON.readTree(r.body()).path("health").asText());
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private JsonNode post(String clientUrl, String path, Object body)
      throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(clientUrl + path))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException(
          "etcd " + clientUrl + path + " answered " + r.statusCode() + ": " + r.body());
    }
    return JSON.readTree(r.body());
  }

  private static List<Member> members(JsonNode r) {
    List<Member> out = new ArrayList<>();
    for (JsonNode m : r.path("members")) {
      out.add(
          new Member(
              m.path("ID").asText(),
              m.path("name").asText(""),
              strings(m.path("peerURLs")),
              strings(m.path("clientURLs")),
              m.path("isLearner").asBoolean(false)));
    }
    return out;
  }

  private static List<String> strings(JsonNode a) {
    List<String> out = new ArrayList<>();
    a.forEach(n -> out.add(n.asText()));
    return out;
  }
}
