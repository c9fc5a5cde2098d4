package dev.slipway.operator.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Generated TanzuKubernetesClusters that the API server accepts: v1alpha3 ones with everything
 * v1alpha1 cannot say (several pools, labels, taints, volumes, releases, proxy, status), and
 * v1alpha1 ones. Names are unique per try so that an IT can create them in one namespace.
 */
final class TkcArbitraries {
  static final ObjectMapper JSON = new ObjectMapper();

  private TkcArbitraries() {}

  static Arbitrary<String> dnsLabel() {
    return Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(8);
  }

  static Arbitrary<String> vmClass() {
    return Arbitraries.of("best-effort-small", "guaranteed-medium", "best-effort-xsmall");
  }

  static Arbitrary<String> storageClass() {
    return Arbitraries.of("gold", "silver", "wcp.storage");
  }

  static Arbitrary<ObjectNode> distribution() {
    return Arbitraries.of(
            List.of(
                "{\"version\":\"v1.37\"}",
                "{\"version\":\"v1.37.2\",\"fullVersion\":\"v1.37.2+vmware.1-tkg.1\"}",
                "{\"fullVersion\":\"v1.36.4+vmware.2-tkg.1\"}"))
        .map(TkcArbitraries::parse);
  }

  static Arbitrary<ObjectNode> network(boolean v1alpha3) {
    Arbitrary<String> cni = Arbitraries.of("antrea", "calico");
    Arbitrary<String> pods = Arbitraries.of("192.168.0.0/16", "100.96.1.7/11", "172.20.0.0/16");
    Arbitrary<String> services = Arbitraries.of("10.96.0.0/12", "10.100.0.10/16");
    Arbitrary<Boolean> extras = v1alpha3 ? Arbitraries.of(true, false) : Arbitraries.just(false);
    return Combinators.combine(cni, pods, services, Arbitraries.of(true, false), extras)
        .as(
            (c, p, s, domain, extra) -> {
              ObjectNode n = JSON.createObjectNode();
              n.putObject("cni").put("name", c);
              n.putObject("pods").putArray("cidrBlocks").add(p);
              n.putObject("services").putArray("cidrBlocks").add(s);
              if (domain) {
                n.put("serviceDomain", "corp.local");
              }
              if (extra) {
                ObjectNode proxy = n.putObject("proxy");
                proxy.put("httpProxy", "http://proxy.example.com:3128");
                proxy.putArray("noProxy").add(".example.com");
              }
              return n;
            });
  }

  static Arbitrary<ObjectNode> storage() {
    return Combinators.combine(
            Arbitraries.of(true, false), Arbitraries.of("gold", "silver").injectNull(0.3))
        .as(
            (classes, def) -> {
              ObjectNode s = JSON.createObjectNode();
              if (classes) {
                s.putArray("classes").add("gold").add("silver");
              }
              if (def != null) {
                s.put("defaultClass", def);
              }
              return s;
            });
  }

  /** One node pool of v1alpha3, with what v1alpha1 cannot say or without. */
  static Arbitrary<ObjectNode> pool(String name) {
    return Combinators.combine(
            Arbitraries.integers().between(0, 5).injectNull(0.2),
            vmClass(),
            storageClass(),
            Arbitraries.of(true, false),
            Arbitraries.of(true, false),
            Arbitraries.of(true, false))
        .as(
            (replicas, vm, sc, labels, taints, volumes) -> {
              ObjectNode p = JSON.createObjectNode();
              p.put("name", name);
              if (replicas != null) {
                p.put("replicas", replicas);
              }
              p.put("vmClass", vm);
              p.put("storageClass", sc);
              if (labels) {
                p.putObject("labels").put("tier", name).put("example.com/team", "data");
              }
              if (taints) {
                p.putArray("taints")
                    .addObject()
                    .put("key", "dedicated")
                    .put("value", name)
                    .put("effect", "NoSchedule");
              }
              if (volumes) {
                ObjectNode v = p.putArray("volumes").addObject();
                v.put("name", "containerd").put("mountPath", "/var/lib/containerd");
                v.putObject("capacity").put("storage", "50Gi");
                p.put("nodeDrainTimeout", "5m");
                p.put("failureDomain", "zone-a");
              }
              return p;
            });
  }

  static Arbitrary<ArrayNode> pools() {
    return Arbitraries.integers()
        .between(0, 3)
        .flatMap(
            n -> {
              List<String> names = List.of("workers", "np-a", "batch").subList(0, n);
              if (n == 0) {
                return Arbitraries.just(JSON.createArrayNode());
              }
              return Combinators.combine(names.stream().map(TkcArbitraries::pool).toList())
                  .as(
                      ps -> {
                        ArrayNode a = JSON.createArrayNode();
                        ps.forEach(a::add);
                        return a;
                      });
            })
        .flatMap(
            a ->
                Arbitraries.of(true, false)
                    .map(
                        rename -> {
                          // A first pool not named workers: v1alpha1 cannot say its name.
                          if (rename && !a.isEmpty()) {
                            ((ObjectNode) a.get(0)).put("name", "first");
                          }
                          return a;
                        }));
  }

  static Arbitrary<ObjectNode> status() {
    return Combinators.combine(
            Arbitraries.of("creating", "running", "updating"),
            Arbitraries.of(true, false),
            Arbitraries.integers().between(0, 9).injectNull(0.3))
        .as(
            (phase, endpoints, total) -> {
              ObjectNode s = JSON.createObjectNode();
              s.put("phase", phase);
              s.put("observedGeneration", 1);
              s.putArray("conditions")
                  .addObject()
                  .put("type", "Ready")
                  .put("status", "False")
                  .put("reason", "WaitingForControlPlane")
                  .put("message", "waiting")
                  .put("lastTransitionTime", "2026-12-01T20:00:00Z");
              if (endpoints) {
                s.putArray("apiEndpoints").addObject().put("host", "10.0.0.5").put("port", 6443);
                s.put("version", "v1.37.2+vmware.1-tkg.1");
              }
              if (total != null) {
                s.put("totalWorkerReplicas", total);
              }
              return s;
            });
  }

  /** A v1alpha3 cluster (spec only; {@code withStatus} adds a status). */
  static Arbitrary<ObjectNode> hub(boolean withStatus) {
    Arbitrary<ObjectNode> cp =
        Combinators.combine(
                Arbitraries.of(1, 3, 5).injectNull(0.2),
                vmClass(),
                storageClass(),
                Arbitraries.of(true, false))
            .as(
                (r, vm, sc, tkr) -> {
                  ObjectNode c = JSON.createObjectNode();
                  if (r != null) {
                    c.put("replicas", r);
                  }
                  c.put("vmClass", vm).put("storageClass", sc);
                  if (tkr) {
                    c.putObject("tkr")
                        .putObject("reference")
                        .put("name", "v1.37.2---vmware.1-tkg.1");
                  }
                  return c;
                });
    return Combinators.combine(
            cp,
            pools(),
            distribution().injectNull(0.5),
            network(true).injectNull(0.3),
            storage().injectNull(0.5),
            withStatus ? status().injectNull(0.2) : Arbitraries.just((ObjectNode) null))
        .as(
            (c, ps, dist, net, sto, status) -> {
              ObjectNode o = object(TkcConversion.V1ALPHA3);
              ObjectNode spec = o.putObject("spec");
              ObjectNode topo = spec.putObject("topology");
              topo.set("controlPlane", c);
              if (!ps.isEmpty()) {
                topo.set("nodePools", ps);
              }
              if (dist != null) {
                spec.set("distribution", dist);
              }
              if (net != null || sto != null) {
                ObjectNode st = spec.putObject("settings");
                if (net != null) {
                  st.set("network", net);
                }
                if (sto != null) {
                  st.set("storage", sto);
                }
              }
              if (status != null) {
                o.set("status", status);
              }
              return o;
            });
  }

  /** A v1alpha1 cluster as a vSphere 7 user writes it. */
  static Arbitrary<ObjectNode> spoke() {
    Arbitrary<ObjectNode> cp =
        Combinators.combine(Arbitraries.of(1, 3, 5), vmClass(), storageClass())
            .as(
                (n, vm, sc) -> {
                  ObjectNode c = JSON.createObjectNode();
                  c.put("count", n).put("class", vm).put("storageClass", sc);
                  return c;
                });
    Arbitrary<ObjectNode> workers =
        Combinators.combine(Arbitraries.integers().between(0, 5), vmClass(), storageClass())
            .as(
                (n, vm, sc) -> {
                  ObjectNode c = JSON.createObjectNode();
                  c.put("count", n).put("class", vm).put("storageClass", sc);
                  return c;
                });
    return Combinators.combine(
            cp,
            workers.injectNull(0.2),
            distribution().injectNull(0.3),
            network(false).injectNull(0.3),
            storage().injectNull(0.5))
        .as(
            (c, w, dist, net, sto) -> {
              ObjectNode o = object(TkcConversion.V1ALPHA1);
              ObjectNode spec = o.putObject("spec");
              ObjectNode topo = spec.putObject("topology");
              topo.set("controlPlane", c);
              if (w != null) {
                topo.set("workers", w);
              }
              if (dist != null) {
                spec.set("distribution", dist);
              }
              if (net != null || sto != null) {
                ObjectNode st = spec.putObject("settings");
                if (net != null) {
                  st.set("network", net);
                }
                if (sto != null) {
                  st.set("storage", sto);
                }
              }
              return o;
            });
  }

  private static ObjectNode object(String apiVersion) {
    ObjectNode o = JSON.createObjectNode();
    o.put("apiVersion", apiVersion).put("kind", "TanzuKubernetesCluster");
    o.putObject("metadata").put("name", "c").put("namespace", WebhookTestBed.NS);
    return o;
  }

  static ObjectNode parse(String json) {
    try {
      return (ObjectNode) JSON.readTree(json);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
