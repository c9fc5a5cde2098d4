package dev.slipway.guest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The etcd membership of one simulated workload cluster, in memory, and the calls of etcd's JSON
 * gateway that Slipway makes over HTTPS (member list and remove, status, leadership transfer,
 * {@code /health}), answered as the member at a given client URL would answer them. Joining
 * control-plane guests add themselves as learners and are promoted, as {@code kubeadm join
 * --control-plane} does; the first voting member leads until leadership is moved or it is removed.
 * Part of the light guest mode ({@link GuestSimulator.Mode#MUX}).
 */
final class FakeEtcd {
  static final String VERSION = "3.6.0";

  record Member(long id, String name, String peerUrl, String clientUrl, boolean learner) {}

  private final List<Member> members = new ArrayList<>();
  private long leader;

  /** Adds a member; the first one leads. */
  synchronized long add(String name, String ip, boolean learner) {
    long id = ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
    members.add(
        new Member(id, name, "https://" + ip + ":2380", "https://" + ip + ":2379", learner));
    if (leader == 0 && !learner) {
      leader = id;
    }
    return id;
  }

  synchronized void promote(long id) {
    members.replaceAll(
        m -> m.id() == id ? new Member(m.id(), m.name(), m.peerUrl(), m.clientUrl(), false) : m);
    if (leader == 0) {
      leader = id;
    }
  }

  synchronized List<Member> members() {
    return List.copyOf(members);
  }

  synchronized Optional<Member> at(String clientUrl) {
    return members.stream().filter(m -> m.clientUrl().equals(clientUrl)).findFirst();
  }

  /**
   * Answers one gateway call as the member at {@code clientUrl}; a member that is not (or no
   * longer) in the cluster answers as a removed etcd does.
   */
  synchronized FakeKube.Answer handle(String clientUrl, String method, String path, String body) {
    Optional<Member> self = at(clientUrl);
    if (self.isEmpty()) {
      return error(410, 9, "etcdserver: the member has been permanently removed from the cluster");
    }
    try {
      if (path.equals("/health") && method.equals("GET")) {
        return new FakeKube.Answer(200, "{\"health\":\"true\",\"reason\":\"\"}");
      }
      JsonNode req =
          body.isBlank() ? FakeKube.JSON.createObjectNode() : FakeKube.JSON.readTree(body);
      ObjectNode out = FakeKube.JSON.createObjectNode();
      out.putObject("header").put("member_id", Long.toUnsignedString(self.get().id()));
      switch (path) {
        case "/v3/cluster/member/list" -> {
          ArrayNode list = out.putArray("members");
          for (Member m : members) {
            ObjectNode n = list.addObject();
            n.put("ID", Long.toUnsignedString(m.id())).put("name", m.name());
            n.putArray("peerURLs").add(m.peerUrl());
            n.putArray("clientURLs").add(m.clientUrl());
            n.put("isLearner", m.learner());
          }
        }
        case "/v3/maintenance/status" -> {
          out.put("version", VERSION)
              .put("leader", Long.toUnsignedString(leader))
              .put("isLearner", self.get().learner());
        }
        case "/v3/cluster/member/remove" -> {
          long id = Long.parseUnsignedLong(req.path("ID").asText("0"));
          if (!members.removeIf(m -> m.id() == id)) {
            return error(404, 5, "etcdserver: member not found");
          }
          if (leader == id) {
            leader =
                members.stream()
                    .filter(m -> !m.learner())
                    .mapToLong(Member::id)
                    .findFirst()
                    .orElse(0);
          }
        }
        case "/v3/maintenance/transfer-leadership" -> {
          if (self.get().id() != leader) {
            return error(500, 2, "etcdserver: not leader");
          }
          long target = Long.parseUnsignedLong(req.path("targetID").asText("0"));
          if (members.stream().noneMatch(m -> m.id() == target && !m.learner())) {
            return error(500, 2, "etcdserver: bad leader transferee");
          }
          leader = target;
        }
        default -> {
          return error(404, 12, "the fake etcd serves no " + path);
        }
      }
      return new FakeKube.Answer(200, FakeKube.JSON.writeValueAsString(out));
    } catch (IOException | NumberFormatException e) {
      return error(400, 3, "the fake etcd cannot read the request: " + e.getMessage());
    }
  }

  private static FakeKube.Answer error(int http, int code, String message) {
    ObjectNode e = FakeKube.JSON.createObjectNode();
    e.put("error", message).put("code", code).put("message", message);
    return new FakeKube.Answer(http, e.toString());
  }
}
