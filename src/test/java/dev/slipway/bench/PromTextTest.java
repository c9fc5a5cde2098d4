package dev.slipway.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PromTextTest {

  @Test
  void aLabelValueWithBracesOrEscapedQuotesIsRead() {
    String text =
        """
        # TYPE slipway_vcenter_calls_total counter
        slipway_vcenter_calls_total{method="GET /com/vmware/cis/tagging/tag/{id}"} 7.0
        slipway_vcenter_calls_total{method="POST /com/vmware/cis/tagging/tag-association/{id}?~action=attach"} 3.0
        slipway_vcenter_calls_total{method="CloneVM_Task"} 2.0
        odd{a="say \\"hi\\" {x}",b="back\\\\slash"} 1
        """;
    assertThat(PromText.sumBy(text, "slipway_vcenter_calls_total", "method"))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "GET /com/vmware/cis/tagging/tag/{id}", 7.0,
                "POST /com/vmware/cis/tagging/tag-association/{id}?~action=attach", 3.0,
                "CloneVM_Task", 2.0));
    assertThat(PromText.parse(text))
        .filteredOn(s -> s.name().equals("odd"))
        .singleElement()
        .satisfies(
            s ->
                assertThat(s.labels())
                    .containsEntry("a", "say \"hi\" {x}")
                    .containsEntry("b", "back\\slash"));
  }
}
