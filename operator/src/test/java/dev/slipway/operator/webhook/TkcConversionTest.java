package dev.slipway.operator.webhook;

import static dev.slipway.operator.webhook.TkcArbitraries.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Conversion on its own: TKGS's mapping, and round trips without loss in both directions. */
class TkcConversionTest {
  static final String V1 = TkcConversion.V1ALPHA1;
  static final String V2 = TkcConversion.V1ALPHA2;
  static final String V3 = TkcConversion.V1ALPHA3;

  @Provide
  Arbitrary<ObjectNode> hubs() {
    return TkcArbitraries.hub(true);
  }

  @Provide
  Arbitrary<ObjectNode> spokes() {
    return TkcArbitraries.spoke();
  }

  @Property(tries = 500)
  void v1alpha3ThroughV1alpha1IsLossless(@ForAll("hubs") ObjectNode hub) {
    ObjectNode spoke = TkcConversion.convert(hub, V1);
    assertThat(spoke.get("apiVersion").asText()).isEqualTo(V1);
    assertThat(spoke.path("spec").path("topology").has("nodePools")).isFalse();
    assertThat(TkcConversion.convert(spoke, V3)).isEqualTo(hub);
  }

  @Property(tries = 500)
  void v1alpha1ThroughV1alpha3IsLosslessAndNeedsNoAnnotation(@ForAll("spokes") ObjectNode spoke) {
    ObjectNode hub = TkcConversion.convert(spoke, V3);
    assertThat(hub.path("metadata").has("annotations")).isFalse();
    assertThat(TkcConversion.convert(hub, V1)).isEqualTo(spoke);
    assertThat(TkcConversion.convert(TkcConversion.convert(hub, V2), V1)).isEqualTo(spoke);
  }

  @Property(tries = 200)
  void v1alpha2IsV1alpha3Relabelled(@ForAll("hubs") ObjectNode hub) {
    ObjectNode v2 = TkcConversion.convert(hub, V2);
    ObjectNode expected = hub.deepCopy().put("apiVersion", V2);
    assertThat(v2).isEqualTo(expected);
    assertThat(TkcConversion.convert(v2, V3)).isEqualTo(hub);
  }

  @Test
  void tkgsMappingOfAvSphere7Manifest() {
    ObjectNode v1 =
        parse(
            """
            {"apiVersion":"run.tanzu.vmware.com/v1alpha1","kind":"TanzuKubernetesCluster",
             "metadata":{"name":"dev","namespace":"team-a"},
             "spec":{"topology":{
                "controlPlane":{"count":3,"class":"guaranteed-small","storageClass":"gold"},
                "workers":{"count":2,"class":"best-effort-medium","storageClass":"silver"}},
              "distribution":{"version":"v1.37"},
              "settings":{"network":{"cni":{"name":"calico"},
                 "services":{"cidrBlocks":["10.96.0.1/12"]},"pods":{"cidrBlocks":["192.168.1.1/16"]}},
                "storage":{"classes":["gold"],"defaultClass":"gold"}}},
             "status":{"phase":"running","clusterApiStatus":{"apiEndpoints":[{"host":"10.0.0.5","port":6443}]}}}
            """);
    ObjectNode v3 = TkcConversion.convert(v1, V3);
    assertThat(v3)
        .isEqualTo(
            parse(
                """
                {"apiVersion":"run.tanzu.vmware.com/v1alpha3","kind":"TanzuKubernetesCluster",
                 "metadata":{"name":"dev","namespace":"team-a"},
                 "spec":{"topology":{
                    "controlPlane":{"replicas":3,"vmClass":"guaranteed-small","storageClass":"gold"},
                    "nodePools":[{"name":"workers","replicas":2,"vmClass":"best-effort-medium",
                                  "storageClass":"silver"}]},
                  "distribution":{"version":"v1.37"},
                  "settings":{"network":{"cni":{"name":"calico"},
                     "services":{"cidrBlocks":["10.96.0.1/12"]},"pods":{"cidrBlocks":["192.168.1.1/16"]}},
                    "storage":{"classes":["gold"],"defaultClass":"gold"}}},
                 "status":{"phase":"running","apiEndpoints":[{"host":"10.0.0.5","port":6443}]}}
                """));
  }

  @Test
  void anEditThroughV1alpha1WinsAndKeepsWhatV1alpha1CannotSay() {
    ObjectNode hub =
        parse(
            """
            {"apiVersion":"run.tanzu.vmware.com/v1alpha3","kind":"TanzuKubernetesCluster",
             "metadata":{"name":"c","namespace":"team-a"},
             "spec":{"topology":{
                "controlPlane":{"replicas":1,"vmClass":"a","storageClass":"gold"},
                "nodePools":[{"name":"np1","replicas":2,"vmClass":"b","storageClass":"gold",
                              "labels":{"tier":"app"}},
                             {"name":"np2","replicas":1,"vmClass":"b","storageClass":"gold"}]}}}
            """);
    ObjectNode spoke = TkcConversion.convert(hub, V1);
    assertThat(spoke.at("/metadata/annotations").has(TkcConversion.ANNOTATION)).isTrue();
    ((ObjectNode) spoke.at("/spec/topology/workers")).put("count", 5);
    ((ObjectNode) spoke.at("/spec/topology/controlPlane")).put("count", 3);
    ObjectNode back = TkcConversion.convert(spoke, V3);
    assertThat(back.at("/spec/topology/nodePools/0/replicas").asInt()).isEqualTo(5);
    assertThat(back.at("/spec/topology/nodePools/0/name").asText()).isEqualTo("np1");
    assertThat(back.at("/spec/topology/nodePools/0/labels/tier").asText()).isEqualTo("app");
    assertThat(back.at("/spec/topology/nodePools/1/name").asText()).isEqualTo("np2");
    assertThat(back.at("/spec/topology/controlPlane/replicas").asInt()).isEqualTo(3);
    assertThat(back.path("metadata").has("annotations")).isFalse();
  }

  @Test
  void refusesVersionsItDoesNotServe() {
    ObjectNode o = parse("{\"apiVersion\":\"run.tanzu.vmware.com/v1alpha3\"}");
    assertThatThrownBy(() -> TkcConversion.convert(o, "run.tanzu.vmware.com/v9"))
        .hasMessageContaining("not served");
  }
}
