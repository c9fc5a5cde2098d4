package dev.slipway.testenv;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Test helpers: read the repository's manifests and edit them as plain maps. */
public final class Manifests {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private Manifests() {}

  /** Every YAML document of a file, as generic resources (nothing dropped by a Java model). */
  public static List<GenericKubernetesResource> load(Path file) {
    try {
      List<GenericKubernetesResource> out = new ArrayList<>();
      for (String doc : Files.readString(file).split("(?m)^---\\s*$")) {
        if (!doc.replaceAll("(?m)^\\s*#.*$", "").isBlank()) {
          out.add(SERIALIZATION.unmarshal(doc, GenericKubernetesResource.class));
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The sample manifests under deploy/samples, every file, kustomization excluded. */
  public static List<Path> samples(Path root) {
    try (Stream<Path> s = Files.walk(root.resolve("deploy/samples"))) {
      return s.filter(p -> p.toString().endsWith(".yaml"))
          .filter(p -> !p.getFileName().toString().equals("kustomization.yaml"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Applies every CRD in crds/ and waits until each is Established. */
  public static void installCrds(KubernetesClient client, Path root) {
    try (Stream<Path> files = Files.list(root.resolve("crds"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yml")).toList()) {
        CustomResourceDefinition crd =
            SERIALIZATION.unmarshal(Files.readString(f), CustomResourceDefinition.class);
        withoutServiceWebhook(crd);
        var live =
            client
                .apiextensions()
                .v1()
                .customResourceDefinitions()
                .withName(crd.getMetadata().getName());
        var current = live.get();
        if (current != null
            && current.getSpec().getConversion() != null
            && current.getSpec().getConversion().getWebhook() != null
            && crd.getSpec().getConversion() != null
            && "None".equals(crd.getSpec().getConversion().getStrategy())) {
          // A test before this one pointed the shared API server's CRD at its webhook, which
          // another field manager owns: take it off, or applying None would leave it (invalid).
          live.patch(
              io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                  io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
              "{\"spec\":{\"conversion\":{\"strategy\":\"None\",\"webhook\":null}}}");
        }
        client
            .apiextensions()
            .v1()
            .customResourceDefinitions()
            .resource(crd)
            .forceConflicts()
            .serverSideApply();
        client
            .apiextensions()
            .v1()
            .customResourceDefinitions()
            .withName(crd.getMetadata().getName())
            .waitUntilCondition(
                c ->
                    c.getStatus() != null
                        && c.getStatus().getConditions() != null
                        && c.getStatus().getConditions().stream()
                            .anyMatch(
                                x ->
                                    "Established".equals(x.getType())
                                        && "True".equals(x.getStatus())),
                60,
                TimeUnit.SECONDS);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A CRD whose conversion webhook is a Service (crds/ says {@code slipway-webhook} in {@code
   * slipway-system}) gets conversion strategy None here: a test bed's API server has no route to
   * Services, so every converted request would fail. Versions with v1alpha3's schema (v1alpha2)
   * convert correctly with None; v1alpha1 does not, so tests of it start the operator's
   * ConversionWebhook, which points the CRD at itself by URL (webhook.url) with its CA bundle.
   */
  public static void withoutServiceWebhook(CustomResourceDefinition crd) {
    var c = crd.getSpec().getConversion();
    if (c != null
        && "Webhook".equals(c.getStrategy())
        && c.getWebhook() != null
        && c.getWebhook().getClientConfig() != null
        && c.getWebhook().getClientConfig().getService() != null) {
      crd.getSpec()
          .setConversion(
              new io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceConversionBuilder()
                  .withStrategy("None")
                  .build());
    }
  }

  /**
   * Applies deploy/25-admission-policy.yaml and waits until the API server enforces it (policies
   * take a moment to be compiled and bound).
   */
  public static void installAdmissionPolicies(KubernetesClient client, Path root) {
    Path file = root.resolve("deploy/25-admission-policy.yaml");
    for (GenericKubernetesResource r : load(file)) {
      client.resource(r).forceConflicts().serverSideApply();
    }
    Map<String, Object> probe = toMap(load(root.resolve("deploy/samples/40-tkc.yaml")).get(0));
    set(probe, "metadata.name", "policy-probe");
    // A dry run in a namespace every API server has (the sample's may not exist yet).
    set(probe, "metadata.namespace", "default");
    set(probe, "spec.topology.nodePools[0].labels", Map.of("not a key", "x"));
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(60))
        .pollInterval(java.time.Duration.ofMillis(500))
        .untilAsserted(
            () ->
                org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> client.resource(fromMap(probe)).dryRun().create())
                    .hasMessageContaining("label keys"));
    set(probe, "spec.topology.nodePools[0].labels", Map.of("tier", "x"));
    set(probe, "spec.topology.nodePools[0].replicas", 1000);
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(60))
        .pollInterval(java.time.Duration.ofMillis(500))
        .untilAsserted(
            () ->
                org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> client.resource(fromMap(probe)).dryRun().create())
                    .hasMessageContaining("guardrails.maxWorkersPerPool"));
  }

  /** YAML documents, separated by {@code ---}. */
  public static String yamlAll(List<? extends Object> docs) {
    StringBuilder b = new StringBuilder();
    for (Object d : docs) {
      b.append(SERIALIZATION.asYaml(d));
    }
    return b.toString();
  }

  /** A deep copy of a resource as a mutable map. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> toMap(Object resource) {
    return SERIALIZATION.convertValue(resource, Map.class);
  }

  public static GenericKubernetesResource fromMap(Map<String, Object> map) {
    return SERIALIZATION.convertValue(map, GenericKubernetesResource.class);
  }

  public static <T> T convert(Object value, Class<T> type) {
    return SERIALIZATION.convertValue(value, type);
  }

  /** Sets a value at a path like {@code spec.topology.nodePools[0].name}; null removes it. */
  @SuppressWarnings("unchecked")
  public static void set(Map<String, Object> root, String path, Object value) {
    List<String> parts = new ArrayList<>(Arrays.asList(path.split("\\.")));
    Object cur = root;
    for (int i = 0; i < parts.size(); i++) {
      String part = parts.get(i);
      boolean last = i == parts.size() - 1;
      String key = part.replaceAll("\\[\\d+]$", "");
      Map<String, Object> m = (Map<String, Object>) cur;
      if (part.endsWith("]")) {
        int idx = Integer.parseInt(part.substring(part.indexOf('[') + 1, part.length() - 1));
        List<Object> list = (List<Object>) m.get(key);
        if (last) {
          if (value == null) {
            list.remove(idx);
          } else {
            list.set(idx, value);
          }
          return;
        }
        cur = list.get(idx);
      } else if (last) {
        if (value == null) {
          m.remove(key);
        } else {
          m.put(key, value);
        }
        return;
      } else {
        cur = m.computeIfAbsent(key, k -> new java.util.LinkedHashMap<String, Object>());
      }
    }
  }

  @SuppressWarnings("unchecked")
  public static Object get(Map<String, Object> root, String path) {
    Object cur = root;
    for (String part : path.split("\\.")) {
      String key = part.replaceAll("\\[\\d+]$", "");
      cur = ((Map<String, Object>) cur).get(key);
      if (part.endsWith("]")) {
        int idx = Integer.parseInt(part.substring(part.indexOf('[') + 1, part.length() - 1));
        cur = ((List<Object>) cur).get(idx);
      }
    }
    return cur;
  }
}
