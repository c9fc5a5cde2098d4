package dev.slipway.guest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class FakeEtcdTest {
  final FakeEtcd etcd = new FakeEtcd();

  JsonNode call(String ip, String path, String body) throws Exception {
    FakeKube.Answer a = etcd.handle("https://" + ip + ":2379", "POST", path, body);
    return FakeKube.JSON.readTree(a.body()).deepCopy();
  }

  @Test
  void joinersAreLearnersUntilPromotedAndTheFirstMemberLeads() throws Exception {
    long first = etcd.add("cp-1", "127.0.0.1", false);
    long second = etcd.add("cp-2", "127.0.0.2", true);
    JsonNode list = call("127.0.0.2", "/v3/cluster/member/list", "{}");
    assertThat(list.path("members")).hasSize(2);
    assertThat(list.path("members").get(1).path("isLearner").asBoolean()).isTrue();
    assertThat(list.path("members").get(1).path("clientURLs").get(0).asText())
        .isEqualTo("https://127.0.0.2:2379");
    etcd.promote(second);
    assertThat(
            call("127.0.0.1", "/v3/cluster/member/list", "{}")
                .path("members")
                .get(1)
                .path("isLearner")
                .asBoolean())
        .isFalse();

    JsonNode status = call("127.0.0.2", "/v3/maintenance/status", "{}");
    assertThat(status.path("header").path("member_id").asText())
        .isEqualTo(Long.toUnsignedString(second));
    assertThat(status.path("leader").asText()).isEqualTo(Long.toUnsignedString(first));
  }

  @Test
  void leadershipMovesOnlyFromTheLeaderAndRemovalHandsItOn() throws Exception {
    long first = etcd.add("cp-1", "127.0.0.1", false);
    long second = etcd.add("cp-2", "127.0.0.2", false);
    String toSecond = "{\"targetID\":\"" + Long.toUnsignedString(second) + "\"}";
    assertThat(
            etcd.handle(
                    "https://127.0.0.2:2379",
                    "POST",
                    "/v3/maintenance/transfer-leadership",
                    toSecond)
                .status())
        .isEqualTo(500);
    assertThat(
            etcd.handle(
                    "https://127.0.0.1:2379",
                    "POST",
                    "/v3/maintenance/transfer-leadership",
                    toSecond)
                .status())
        .isEqualTo(200);
    assertThat(call("127.0.0.1", "/v3/maintenance/status", "{}").path("leader").asText())
        .isEqualTo(Long.toUnsignedString(second));

    call(
        "127.0.0.1",
        "/v3/cluster/member/remove",
        "{\"ID\":\"" + Long.toUnsignedString(second) + "\"}");
    assertThat(call("127.0.0.1", "/v3/maintenance/status", "{}").path("leader").asText())
        .isEqualTo(Long.toUnsignedString(first));
    // the removed member answers as a removed etcd does; removing it again: not found
    assertThat(
            etcd.handle("https://127.0.0.2:2379", "POST", "/v3/maintenance/status", "{}").status())
        .isEqualTo(410);
    FakeKube.Answer again =
        etcd.handle(
            "https://127.0.0.1:2379",
            "POST",
            "/v3/cluster/member/remove",
            "{\"ID\":\"" + Long.toUnsignedString(second) + "\"}");
    assertThat(again.status()).isEqualTo(404);
    assertThat(again.body()).contains("member not found");
  }

  @Test
  void healthAnswersForMembersOnly() {
    etcd.add("cp-1", "127.0.0.1", false);
    assertThat(etcd.handle("https://127.0.0.1:2379", "GET", "/health", "").body())
        .contains("\"health\":\"true\"");
    assertThat(etcd.handle("https://127.0.0.9:2379", "GET", "/health", "").status()).isEqualTo(410);
  }
}
