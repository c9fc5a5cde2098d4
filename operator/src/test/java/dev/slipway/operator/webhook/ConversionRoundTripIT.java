package dev.slipway.operator.webhook;

import static dev.slipway.testenv.Manifests.toMap;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Round trips through the real API server and the webhook, over generated clusters: one created as
 * v1alpha3 (with pools, labels, taints, volumes, releases, proxy: what v1alpha1 cannot say) reads
 * as v1alpha1 and, written back unchanged through v1alpha1, is unchanged (same spec, same
 * generation); one created as v1alpha1 reads back identically as v1alpha1, with no annotation.
 */
class ConversionRoundTripIT {
  static final String V1 = TkcConversion.V1ALPHA1;
  static final String V3 = TkcConversion.V1ALPHA3;
  static final AtomicInteger SEQ = new AtomicInteger();
  static WebhookTestBed bed;
  static ConversionWebhook webhook;

  @BeforeContainer
  static void start() {
    bed = new WebhookTestBed();
    webhook = bed.startWebhook(WebhookTestBed.settings(Duration.ofHours(1)));
  }

  @AfterContainer
  static void stop() {
    if (webhook != null) {
      webhook.close();
    }
    if (bed != null) {
      bed.close();
    }
  }

  @Provide
  Arbitrary<ObjectNode> hubs() {
    return TkcArbitraries.hub(false);
  }

  @Provide
  Arbitrary<ObjectNode> spokes() {
    return TkcArbitraries.spoke();
  }

  private static GenericKubernetesResource named(ObjectNode o, String prefix) {
    ObjectNode c = o.deepCopy();
    ((ObjectNode) c.get("metadata")).put("name", prefix + SEQ.incrementAndGet());
    return TkcArbitraries.JSON.convertValue(c, GenericKubernetesResource.class);
  }

  @Property(tries = 12)
  void createdAsV1alpha3WrittenBackThroughV1alpha1IsUnchanged(@ForAll("hubs") ObjectNode hub) {
    GenericKubernetesResource created = bed.tkcs(V3).resource(named(hub, "hub-")).create();
    String name = created.getMetadata().getName();

    GenericKubernetesResource asV1 = bed.tkcs(V1).withName(name).get();
    assertThat(asV1.getApiVersion()).isEqualTo(V1);
    assertThat(toMap(asV1.getAdditionalProperties().get("spec"))).containsKey("topology");
    GenericKubernetesResource written = bed.tkcs(V1).resource(asV1).update();
    assertThat(written.getApiVersion()).isEqualTo(V1);

    GenericKubernetesResource after = bed.tkcs(V3).withName(name).get();
    assertThat(toMap(after).get("spec")).isEqualTo(toMap(created).get("spec"));
    assertThat(after.getMetadata().getGeneration())
        .isEqualTo(created.getMetadata().getGeneration());
    assertThat(after.getMetadata().getAnnotations())
        .isEqualTo(created.getMetadata().getAnnotations());
    bed.tkcs(V3).withName(name).delete();
  }

  @Property(tries = 12)
  void createdAsV1alpha1ReadsBackIdentically(@ForAll("spokes") ObjectNode spoke) {
    GenericKubernetesResource sent = named(spoke, "spoke-");
    GenericKubernetesResource created = bed.tkcs(V1).resource(sent).create();
    String name = created.getMetadata().getName();
    assertThat(toMap(created).get("spec")).isEqualTo(toMap(sent).get("spec"));

    GenericKubernetesResource asV1 = bed.tkcs(V1).withName(name).get();
    assertThat(toMap(asV1).get("spec")).isEqualTo(toMap(sent).get("spec"));
    assertThat(asV1.getMetadata().getAnnotations()).isNullOrEmpty();
    GenericKubernetesResource asV3 = bed.tkcs(V3).withName(name).get();
    assertThat(toMap(TkcConversion.convert(TkcArbitraries.JSON.valueToTree(asV3), V1)).get("spec"))
        .isEqualTo(toMap(sent).get("spec"));
    bed.tkcs(V3).withName(name).delete();
  }
}
