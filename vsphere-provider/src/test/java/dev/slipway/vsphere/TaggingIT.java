package dev.slipway.vsphere;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.testenv.Vcsim;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Tag lookups by name against vcsim's REST tagging API, which lists ids only: reading every tag for
 * every lookup made 1 000 clusters cost half a million calls (docs/performance.md).
 */
class TaggingIT {
  private static final String READ_TAG = "GET /com/vmware/cis/tagging/tag/{id}";

  private final Vcsim vcsim = Vcsim.shared();
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

  private VSphereProvider counted() {
    return VSphereProvider.connect(
        It.config(vcsim)
            .callObserver(
                (method, duration, failed) ->
                    calls.computeIfAbsent(method, m -> new AtomicInteger()).incrementAndGet())
            .build());
  }

  private int reads() {
    return calls.getOrDefault(READ_TAG, new AtomicInteger()).get();
  }

  @Test
  void makingTagsOneAfterAnotherReadsNoTagItAlreadyKnows() {
    String category = It.unique("many");
    try (VSphereProvider p = counted()) {
      for (int i = 0; i < 40; i++) {
        p.ensureTag(category, "t-" + i);
      }
      // Reading every tag of the category for each new one would be 0 + 1 + ... + 39 = 780.
      assertThat(reads()).isZero();
      Tag t0 = p.ensureTag(category, "t-0");
      assertThat(reads()).as("a known tag is read once, to be sure of its name").isEqualTo(1);
      assertThat(p.tagsIn(category)).hasSize(40).contains(t0);
    }
  }

  @Test
  void aNewTagOfACategoryAlreadyFoundIsOneCall() {
    String category = It.unique("one-call");
    try (VSphereProvider p = counted()) {
      p.ensureTag(category, "first");
      calls.clear();
      Tag second = p.ensureTag(category, "second");
      assertThat(calls).containsOnlyKeys("POST /com/vmware/cis/tagging/tag");
      assertThat(calls.get("POST /com/vmware/cis/tagging/tag")).hasValue(1);
      assertThat(p.findTag(category, "second")).contains(second);
    }
  }

  @Test
  void aFreshConnectionReadsEachTagOnceThenOnlyTheOneItLooksFor() {
    String category = It.unique("cold");
    try (VSphereProvider maker = VSphereProvider.connect(It.config(vcsim).build())) {
      for (int i = 0; i < 20; i++) {
        maker.ensureTag(category, "t-" + i);
      }
    }
    try (VSphereProvider p = counted()) {
      assertThat(p.findTag(category, "absent")).isEmpty();
      assertThat(reads()).isEqualTo(20);
      Tag t7 = p.findTag(category, "t-7").orElseThrow();
      assertThat(t7.name()).isEqualTo("t-7");
      assertThat(reads()).isEqualTo(21);
      assertThat(p.ensureTag(category, "t-7")).isEqualTo(t7);
      p.ensureTag(category, "t-20");
      assertThat(reads()).isEqualTo(22);
      p.deleteTag(t7);
      assertThat(p.findTag(category, "t-7")).isEmpty();
    }
  }

  @Test
  void aTagRenamedInVCenterIsNotTakenForItsOldName() {
    String category = It.unique("renamed");
    try (VSphereProvider p = VSphereProvider.connect(It.config(vcsim).build())) {
      Tag old = p.ensureTag(category, "before");
      vcsim.govc("tags.update", "-n", "after", "-c", category, "before");
      assertThat(p.findTag(category, "before")).isEmpty();
      assertThat(p.findTag(category, "after")).map(Tag::id).contains(old.id());
      Tag again = p.ensureTag(category, "before");
      assertThat(again.id()).isNotEqualTo(old.id());
      // And the other way round: a name given to a tag seen under another name is still found.
      vcsim.govc("tags.update", "-n", "third", "-c", category, "after");
      vcsim.govc("tags.update", "-n", "before-2", "-c", category, "third");
      assertThat(p.ensureTag(category, "before-2").id()).isEqualTo(old.id());
    }
  }
}
