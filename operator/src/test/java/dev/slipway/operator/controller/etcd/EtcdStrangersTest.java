package dev.slipway.operator.controller.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EtcdStrangersTest {
  static EtcdMember member(long id, String name) {
    return new EtcdMember(id, name, List.of("https://p" + id), List.of("https://c" + id), false);
  }

  @Test
  void aStartedMemberWhoseNameNoControlPlaneMachineHasIsAStranger() {
    List<EtcdMember> members =
        List.of(member(1, "cp-a"), member(2, "cp-b"), member(3, "cp-gone"), member(4, ""));
    assertThat(EtcdClient.strangers(members, Set.of("cp-a", "cp-b", "cp-new")::contains))
        .extracting(EtcdMember::name)
        .as("a member not started yet has no name and is left alone")
        .containsExactly("cp-gone");
    assertThat(EtcdClient.strangers(members, Set.of("cp-a", "cp-b", "cp-gone")::contains))
        .isEmpty();
  }

  @Test
  void withoutAStrangerNoMemberIsProbed() {
    List<EtcdMember> members = List.of(member(1, "cp-a"), member(2, "cp-b"), member(3, ""));
    List<URI> probed = new ArrayList<>();

    assertThat(
            EtcdClient.strangerToRemove(
                members, Set.of("cp-a", "cp-b")::contains, u -> probed.add(u) && true))
        .isEmpty();
    assertThat(probed).isEmpty();
  }

  @Test
  void aStrangerThatDoesNotAnswerIsRemovedWhileTheRestKeepAHealthyMajority() {
    List<EtcdMember> members = List.of(member(1, "cp-a"), member(2, "cp-b"), member(3, "cp-gone"));
    Set<String> machines = Set.of("cp-a", "cp-b");

    assertThat(
            EtcdClient.strangerToRemove(
                members, machines::contains, u -> !u.toString().equals("https://c3")))
        .map(EtcdMember::name)
        .contains("cp-gone");
    assertThat(EtcdClient.strangerToRemove(members, machines::contains, u -> true))
        .as("a stranger that answers runs on a VM that is still there")
        .isEmpty();
    assertThat(
            EtcdClient.strangerToRemove(
                members, machines::contains, u -> u.toString().equals("https://c1")))
        .as("one healthy member of two left is no majority")
        .isEmpty();
  }
}
