package dev.slipway.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.controller.fake.InMemoryVSphere;
import dev.slipway.vsphere.FaultKind;
import dev.slipway.vsphere.FolderRef;
import dev.slipway.vsphere.Tag;
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
  void attachesEachTagOnceAndAsksVCenterOncePerObject() {
    assertThat(tags.ensure(folder, VSphereTags.machine("ns-a", "tkc-1"), owner)).isTrue();
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
  void aTagAlreadyThereIsNotAttachedAgain() {
    vs.attachTag(folder, vs.ensureTag("slipway-object", "namespace-folder"));
    vs.resetCalls();

    tags.ensure(folder, VSphereTags.namespaceObject("folder", "ns-a"), owner);

    assertThat(vs.calls().stream().filter(c -> c.method().equals("attachTag")).count())
        .isEqualTo(1);
    assertThat(attached()).containsEntry("slipway-namespace", "ns-a");
  }

  @Test
  void aTagDeletedInVCenterIsMadeAgain() {
    FolderRef other = vs.addFolder("/DC0/vm/ns-b");
    tags.ensure(other, VSphereTags.namespaceObject("folder", "ns-a"), owner);
    // The cached tag is gone by the time it is attached to the next object.
    vs.failNext("attachTag", FaultKind.NOT_FOUND, "tag not found");

    assertThat(tags.ensure(folder, VSphereTags.namespaceObject("folder", "ns-a"), owner)).isTrue();

    assertThat(attached()).containsEntry("slipway-object", "namespace-folder");
    assertThat(recorded.reasons()).isEmpty();
  }

  @Test
  void aFailureIsReportedAndTriedAgainNextTime() {
    vs.failNext("tagsOf", FaultKind.TRANSIENT, "vAPI endpoint restarting");

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
