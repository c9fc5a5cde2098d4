package dev.slipway.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.controller.fake.InMemoryVSphere;
import dev.slipway.vsphere.FaultKind;
import dev.slipway.vsphere.FolderRef;
import dev.slipway.vsphere.Tag;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VSphereTagsTest {
  InMemoryVSphere vs;
  RecordingEvents recorded;
  VSphereTags tags;
  FolderRef folder;
  Machine owner = TestObjects.machine("m-1", Machine.Role.worker, "pool-a");

  @BeforeEach
  void setUp() {
    vs = InMemoryVSphere.standard();
    folder = vs.addFolder("/DC0/vm/ns-a");
    recorded = new RecordingEvents();
    tags = new VSphereTags(vs, recorded.events);
    vs.resetCalls();
  }

  Map<String, String> attached() {
    return vs.tagsOf(folder).stream().collect(Collectors.toMap(Tag::category, Tag::name));
  }

  @Test
  void attachesAnObjectsTagsInOneCallOncePerObject() {
    assertThat(tags.ensure(folder, VSphereTags.machine("ns-a", "tkc-1"), owner)).isTrue();
    assertThat(vs.calls().stream().map(c -> c.method()))
        .containsExactly("ensureTag", "ensureTag", "ensureTag", "attachTags");
    assertThat(attached())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "slipway-object", "machine",
                "slipway-namespace", "ns-a",
                "slipway-cluster", "ns-a/tkc-1"));

    vs.resetCalls();
    assertThat(tags.ensure(folder, VSphereTags.machine("ns-a", "tkc-1"), owner)).isTrue();
    assertThat(vs.calls()).isEmpty();
  }

  @Test
  void anObjectWithSomeOfItsTagsCostsOneCallAndIsNotListed() {
    vs.attachTags(folder, List.of(vs.ensureTag("slipway-object", "namespace-folder")));
    tags.ensure(other(), VSphereTags.namespaceObject("folder", "ns-a"), owner); // tag ids cached
    vs.resetCalls();

    tags.ensure(folder, VSphereTags.namespaceObject("folder", "ns-a"), owner);

    assertThat(vs.calls().stream().map(c -> c.method())).containsExactly("attachTags");
    assertThat(attached())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("slipway-object", "namespace-folder", "slipway-namespace", "ns-a"));
  }

  @Test
  void aTagDeletedInVCenterIsMadeAgain() {
    tags.ensure(other(), VSphereTags.namespaceObject("folder", "ns-a"), owner);
    // The cached tag is deleted by an admin before it is attached to the next object.
    Tag cached = vs.tagsIn("slipway-object").get(0);
    vs.deleteTag(cached);

    assertThat(tags.ensure(folder, VSphereTags.namespaceObject("folder", "ns-a"), owner)).isTrue();

    assertThat(attached()).containsEntry("slipway-object", "namespace-folder");
    assertThat(vs.tagsIn("slipway-object")).extracting(Tag::id).doesNotContain(cached.id());
    assertThat(recorded.reasons()).isEmpty();
  }

  FolderRef other() {
    return vs.addFolder("/DC0/vm/ns-b");
  }

  @Test
  void aFailureIsReportedAndTriedAgainNextTime() {
    vs.failNext("attachTags", FaultKind.TRANSIENT, "vAPI endpoint restarting");

    assertThat(tags.ensure(folder, VSphereTags.template("templates-folder"), owner)).isFalse();
    assertThat(recorded.reasons()).containsExactly("TaggingFailed");
    assertThat(recorded.messages("TaggingFailed").get(0)).contains("vAPI endpoint restarting");
    assertThat(attached()).isEmpty();

    assertThat(tags.ensure(folder, VSphereTags.template("templates-folder"), owner)).isTrue();
    assertThat(attached()).containsEntry("slipway-object", "templates-folder");
  }

  @Test
  void aDeletedClusterOrNamespaceTakesOnlyItsOwnTags() {
    tags.ensure(folder, VSphereTags.machine("ns-a", "tkc-1"), owner);
    FolderRef b = vs.addFolder("/DC0/vm/ns-ab");
    tags.ensure(b, VSphereTags.machine("ns-ab", "tkc-1"), owner);
    tags.ensure(b, VSphereTags.machine("ns-a", "tkc-2"), owner);

    assertThat(tags.deleteClusterTag("ns-a", "tkc-1", owner)).isTrue();
    assertThat(names("slipway-cluster")).containsExactlyInAnyOrder("ns-ab/tkc-1", "ns-a/tkc-2");

    assertThat(tags.deleteNamespaceTags("ns-a", owner)).isTrue();
    assertThat(names("slipway-cluster")).containsExactly("ns-ab/tkc-1");
    assertThat(names("slipway-namespace")).containsExactly("ns-ab");
    assertThat(recorded.reasons()).isEmpty();
  }

  @Test
  void aTagThatCannotBeDeletedIsReported() {
    tags.ensure(folder, VSphereTags.machine("ns-a", "tkc-1"), owner);
    vs.failNext("deleteTag", FaultKind.PERMISSION, "no InventoryService.Tagging.DeleteTag");

    assertThat(tags.deleteClusterTag("ns-a", "tkc-1", owner)).isFalse();
    assertThat(recorded.reasons()).containsExactly("TaggingFailed");
  }

  java.util.List<String> names(String category) {
    return vs.tagsIn(category).stream().map(Tag::name).toList();
  }
}
