package dev.slipway.operator.api;

import static dev.slipway.testenv.Manifests.fromMap;
import static dev.slipway.testenv.Manifests.set;
import static dev.slipway.testenv.Manifests.toMap;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.operator.webhook.ConversionWebhook;
import dev.slipway.operator.webhook.WebhookSettings;
import dev.slipway.testenv.ControlPlane;
import dev.slipway.testenv.Manifests;
import dev.slipway.testenv.TestBed;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CRDs in crds/ on a real API server: every sample applies unchanged and round-trips, and every
 * invalid manifest is rejected at apply time with a message naming the field.
 */
class ApiSchemaIT {

  static ControlPlane cp;
  static KubernetesClient client;
  static Path root;
  static final String NS = "team-a";

  @BeforeAll
  static void installCrds() {
    cp = ControlPlane.shared();
    client = cp.client();
    root = TestBed.repositoryRoot();
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .serverSideApply();
    Manifests.installCrds(client, root);
    Manifests.installAdmissionPolicies(client, root);
    // The samples include a v1alpha1 manifest: the operator's conversion webhook serves it.
    client
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName("slipway-system")
                .endMetadata()
                .build())
        .serverSideApply();
    int port;
    try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    webhookUrl = "https://127.0.0.1:" + port + WebhookSettings.PATH;
    webhook =
        ConversionWebhook.start(
            client,
            new WebhookSettings(
                "slipway-system",
                "127.0.0.1",
                port,
                WebhookSettings.DEFAULT_SERVICE,
                java.util.Optional.of(java.net.URI.create(webhookUrl)),
                WebhookSettings.DEFAULT_CA_SECRET,
                java.time.Duration.ofHours(1)));
  }

  static ConversionWebhook webhook;
  static String webhookUrl;

  @AfterAll
  static void close() {
    if (webhook != null) {
      webhook.close();
    }
    client.close();
  }

  static Stream<Path> samples() {
    return Manifests.samples(TestBed.repositoryRoot()).stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void sampleAppliesUnchangedAndRoundTrips(Path file) {
    for (GenericKubernetesResource sent : Manifests.load(file)) {
      GenericKubernetesResource created = client.resource(sent).create();
      try {
        // The API server kept every field (no pruning) ...
        assertThat(toMap(created.getAdditionalProperties().get("spec")))
            .as("spec of %s after create", sent.getMetadata().getName())
            .isEqualTo(toMap(sent.getAdditionalProperties().get("spec")));
        // ... and so does Slipway's Java model of the kind.
        Class<? extends HasMetadata> type = typeOf(sent);
        HasMetadata typed = Manifests.convert(created, type);
        assertThat(toMap(typed).get("spec"))
            .as("spec of %s through %s", sent.getMetadata().getName(), type.getSimpleName())
            .isEqualTo(toMap(sent.getAdditionalProperties().get("spec")));
      } finally {
        client.resource(created).delete();
      }
    }
  }

  private static Class<? extends HasMetadata> typeOf(GenericKubernetesResource r) {
    return ApiTypes.ALL.stream()
        .filter(t -> HasMetadata.getApiVersion(t).equals(r.getApiVersion()))
        .filter(t -> HasMetadata.getKind(t).equals(r.getKind()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no Java type for " + r.getApiVersion()));
  }

  /** An invalid manifest or update and what the API server must say about it. */
  record Case(
      String name,
      String sample,
      Consumer<Map<String, Object>> create,
      Consumer<Map<String, Object>> update,
      String field,
      String message) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Case bad(
      String name, String sample, Consumer<Map<String, Object>> m, String f, String msg) {
    return new Case(name, sample, m, null, f, msg);
  }

  static Case badUpdate(
      String name,
      String sample,
      Consumer<Map<String, Object>> before,
      Consumer<Map<String, Object>> update,
      String f,
      String msg) {
    return new Case(name, sample, before, update, f, msg);
  }

  static final String TKC = "40-tkc.yaml";
  static final String CLASS = "10-vmclasses.yaml";
  static final String TKR = "20-tkr.yaml";
  static final String VNS = "30-vspherenamespace.yaml";
  static final String MACHINE = "reference/machine.yaml";
  static final String CP = "spec.topology.controlPlane";
  static final String POOL0 = "spec.topology.nodePools[0]";
  static final String POOL1 = "spec.topology.nodePools[1]";
  static final String NET = "spec.settings.network";

  static List<Case> invalid() {
    return List.of(
        bad(
            "cp replicas 2",
            TKC,
            m -> set(m, CP + ".replicas", 2),
            CP + ".replicas",
            "must be 1, 3 or 5"),
        bad(
            "cp replicas 0",
            TKC,
            m -> set(m, CP + ".replicas", 0),
            CP + ".replicas",
            "must be 1, 3 or 5"),
        bad(
            "pool replicas -1",
            TKC,
            m -> set(m, POOL0 + ".replicas", -1),
            POOL0 + ".replicas",
            "must be 0 or more"),
        bad(
            "pool replicas over the static ceiling",
            TKC,
            m -> set(m, POOL0 + ".replicas", 1001),
            POOL0 + ".replicas",
            "must be at most 1000"),
        bad(
            "pool replicas over the guardrail",
            TKC,
            m -> set(m, POOL0 + ".replicas", 101),
            "",
            "spec.topology.nodePools[].replicas: at most 100 workers per node pool (the"
                + " operator's guardrails.maxWorkersPerPool); over it: general=101"),
        bad(
            "machines per cluster over the guardrail",
            TKC,
            m -> {
              set(m, POOL0 + ".replicas", 100);
              for (int i = 1; i <= 4; i++) {
                pools(m)
                    .add(
                        Map.of(
                            "name",
                            "extra" + i,
                            "replicas",
                            100,
                            "vmClass",
                            "x",
                            "storageClass",
                            "gold"));
              }
            },
            "",
            "spec.topology: 502 machines asked for; at most 500 per cluster"),
        bad(
            "duplicate pool",
            TKC,
            m -> set(m, POOL1 + ".name", "general"),
            "spec.topology.nodePools",
            "must be unique"),
        bad(
            "pool name syntax",
            TKC,
            m -> set(m, POOL0 + ".name", "Bad_Name"),
            POOL0 + ".name",
            "must be a DNS-1123 label"),
        bad(
            "pool name length",
            TKC,
            m -> set(m, POOL0 + ".name", "p".repeat(64)),
            POOL0 + ".name",
            "may not be more than 63"),
        bad(
            "taint effect",
            TKC,
            m -> set(m, POOL1 + ".taints[0].effect", "Sometimes"),
            POOL1 + ".taints[0].effect",
            "supported values: \"NoExecute\", \"NoSchedule\", \"PreferNoSchedule\""),
        bad(
            "taint key",
            TKC,
            m -> set(m, POOL1 + ".taints[0].key", "bad key!"),
            POOL1 + ".taints[0].key",
            "must be a Kubernetes qualified name"),
        bad(
            "label key",
            TKC,
            m -> set(m, POOL0 + ".labels", Map.of("bad key", "x")),
            "",
            "spec.topology.nodePools[].labels: keys must be Kubernetes label keys"),
        bad(
            "label value",
            TKC,
            m -> set(m, POOL0 + ".labels", Map.of("tier", "not ok!")),
            POOL0 + ".labels",
            "values must be at most 63 letters"),
        bad(
            "empty vmClass",
            TKC,
            m -> set(m, CP + ".vmClass", ""),
            CP + ".vmClass",
            "vmClass must name a VirtualMachineClass"),
        bad(
            "missing vmClass",
            TKC,
            m -> set(m, CP + ".vmClass", null),
            CP + ".vmClass",
            "Required value"),
        bad(
            "missing pool storageClass",
            TKC,
            m -> set(m, POOL0 + ".storageClass", null),
            POOL0 + ".storageClass",
            "Required value"),
        bad(
            "pod cidr prefix",
            TKC,
            m -> set(m, NET + ".pods.cidrBlocks", List.of("10.0.0.0/33")),
            NET + ".pods.cidrBlocks",
            "must be CIDRs"),
        bad(
            "service cidr text",
            TKC,
            m -> set(m, NET + ".services.cidrBlocks", List.of("not-a-cidr")),
            NET + ".services.cidrBlocks",
            "must be CIDRs"),
        bad(
            "overlapping ranges",
            TKC,
            m -> set(m, NET + ".pods.cidrBlocks", List.of("10.96.0.0/16")),
            NET,
            "must not overlap"),
        bad(
            "negative volume",
            TKC,
            m -> set(m, POOL0 + ".volumes[0].capacity", Map.of("storage", "-5Gi")),
            POOL0 + ".volumes[0].capacity.storage",
            "must be a positive quantity"),
        bad(
            "volume size text",
            TKC,
            m -> set(m, POOL0 + ".volumes[0].capacity", Map.of("storage", "lots")),
            POOL0 + ".volumes[0].capacity.storage",
            "must be a positive quantity"),
        bad(
            "relative mount",
            TKC,
            m -> set(m, POOL0 + ".volumes[0].mountPath", "var/lib"),
            POOL0 + ".volumes[0].mountPath",
            "must be an absolute path"),
        bad(
            "drain timeout",
            TKC,
            m -> set(m, POOL1 + ".nodeDrainTimeout", "five minutes"),
            POOL1 + ".nodeDrainTimeout",
            "must be a duration"),
        bad(
            "cluster name length",
            TKC,
            m -> set(m, "metadata.name", "c".repeat(42)),
            "",
            "at most 41 characters"),
        bad(
            "cluster + pool name length",
            TKC,
            m -> {
              set(m, "metadata.name", "c".repeat(40));
              set(m, POOL0 + ".name", "p".repeat(17));
            },
            "",
            "at most 56 characters together"),
        bad(
            "proxy url",
            TKC,
            m -> set(m, NET + ".proxy.httpProxy", "not a url"),
            NET + ".proxy.httpProxy",
            "must be a URL"),
        bad(
            "trust data",
            TKC,
            m -> set(m, NET + ".trust.additionalTrustedCAs[0].data", "not base64!!"),
            NET + ".trust.additionalTrustedCAs[0].data",
            "must be a base64-encoded PEM"),
        bad(
            "cni name",
            TKC,
            m -> set(m, NET + ".cni.name", "flannel"),
            NET + ".cni.name",
            "supported values: \"antrea\", \"calico\""),
        bad(
            "missing topology",
            TKC,
            m -> set(m, "spec.topology", null),
            "spec.topology",
            "Required value"),
        bad(
            "service domain",
            TKC,
            m -> set(m, NET + ".serviceDomain", "Cluster_Local"),
            NET + ".serviceDomain",
            "must be a DNS domain"),
        bad(
            "empty tkr name",
            TKC,
            m -> set(m, CP + ".tkr.reference.name", ""),
            CP + ".tkr.reference.name",
            "must name a TanzuKubernetesRelease"),
        bad(
            "too many pools",
            TKC,
            ApiSchemaIT::thirtyThreePools,
            "spec.topology.nodePools",
            "must have at most 32 items"),
        badUpdate(
            "cp scale in",
            TKC,
            m -> set(m, CP + ".replicas", 3),
            m -> set(m, CP + ".replicas", 1),
            CP + ".replicas",
            "cannot decrease"),
        badUpdate(
            "cp tkr downgrade",
            TKC,
            m -> {},
            m -> set(m, CP + ".tkr.reference.name", "v1.36.9---vmware.1-tkg.1"),
            "",
            "spec.topology.controlPlane.tkr.reference.name cannot change from"
                + " v1.37.2---vmware.1-tkg.1 to v1.36.9---vmware.1-tkg.1: the Kubernetes version"
                + " may only stay or grow by one minor version (no downgrade, no skipped minor, no"
                + " other major)"),
        badUpdate(
            "cp tkr skips a minor",
            TKC,
            m -> {},
            m -> set(m, CP + ".tkr.reference.name", "v1.39.0---vmware.1-tkg.1"),
            "",
            "spec.topology.controlPlane.tkr.reference.name cannot change from"
                + " v1.37.2---vmware.1-tkg.1 to v1.39.0---vmware.1-tkg.1: the Kubernetes version"
                + " may only stay or grow by one minor version"),
        badUpdate(
            "cp tkr other major",
            TKC,
            m -> {},
            m -> set(m, CP + ".tkr.reference.name", "v2.0.0---vmware.1-tkg.1"),
            "",
            "from v1.37.2---vmware.1-tkg.1 to v2.0.0---vmware.1-tkg.1: the Kubernetes version"),
        bad(
            "pool tkr newer than cp",
            TKC,
            m -> set(m, POOL0 + ".tkr", Map.of("reference", Map.of("name", "v1.38.0---vmware.1"))),
            "",
            "spec.topology.nodePools[].tkr.reference.name: a pool names a release newer than the"
                + " control plane's v1.37.2---vmware.1-tkg.1: workers may not run a newer"
                + " Kubernetes than the control plane"),
        bad(
            "pool rollout without steps",
            TKC,
            m ->
                set(
                    m,
                    POOL0 + ".strategy",
                    Map.of("rollingUpdate", Map.of("maxSurge", 0, "maxUnavailable", 0))),
            POOL0 + ".strategy.rollingUpdate",
            "maxSurge and maxUnavailable cannot both be 0 (a rollout could take no step)"),
        bad(
            "pool maxSurge negative",
            TKC,
            m -> set(m, POOL0 + ".strategy", Map.of("rollingUpdate", Map.of("maxSurge", -1))),
            POOL0 + ".strategy.rollingUpdate.maxSurge",
            "should be greater than or equal to 0"),
        badUpdate(
            "network changed",
            TKC,
            m -> {},
            m -> set(m, NET + ".services.cidrBlocks", List.of("10.100.0.0/16")),
            NET,
            "immutable after the cluster is created"),
        badUpdate(
            "network removed",
            TKC,
            m -> {},
            m -> set(m, NET, null),
            "spec",
            "cannot be added or removed"),
        bad(
            "class cpus 0",
            CLASS,
            m -> set(m, "spec.hardware.cpus", 0),
            "spec.hardware.cpus",
            "must be between 1 and 768"),
        bad(
            "class memory 0",
            CLASS,
            m -> set(m, "spec.hardware.memory", "0"),
            "spec.hardware.memory",
            "must be a positive quantity"),
        bad(
            "class memory text",
            CLASS,
            m -> set(m, "spec.hardware.memory", "banana"),
            "spec.hardware.memory",
            "must be a positive quantity"),
        bad(
            "permission role",
            VNS,
            m -> set(m, "spec.permissions[0].role", "admin"),
            "spec.permissions[0].role",
            "supported values: \"edit\", \"owner\", \"view\""),
        bad(
            "permission kind",
            VNS,
            m -> set(m, "spec.permissions[0].kind", "Robot"),
            "spec.permissions[0].kind",
            "supported values: \"Group\", \"ServiceAccount\", \"User\""),
        bad(
            "namespace cpu",
            VNS,
            m -> set(m, "spec.limits.cpu", "-1"),
            "spec.limits.cpu",
            "must be a positive quantity"),
        bad(
            "datastore path",
            VNS,
            m -> set(m, "spec.storageClasses[0].datastore", "LocalDS_0"),
            "spec.storageClasses[0].datastore",
            "must be a datastore inventory path"),
        bad(
            "duplicate storage class",
            VNS,
            m ->
                set(
                    m,
                    "spec.storageClasses",
                    List.of(
                        Map.of("name", "gold", "datastore", "/a"),
                        Map.of("name", "gold", "datastore", "/b"))),
            "spec.storageClasses",
            "must be unique"),
        bad(
            "tkr version",
            TKR,
            m -> set(m, "spec.version", "1.30"),
            "spec.version",
            "must be a version such as"),
        badUpdate(
            "tkr version changed",
            TKR,
            m -> {},
            m -> set(m, "spec.version", "v1.37.3+vmware.1-tkg.1"),
            "spec.version",
            "spec.version is immutable"),
        bad(
            "machine role",
            MACHINE,
            m -> set(m, "spec.role", "boss"),
            "spec.role",
            "supported values: \"controlPlane\", \"worker\""),
        bad(
            "tkr name not its version",
            TKR,
            m -> set(m, "metadata.name", "latest"),
            "",
            "metadata.name must be spec.version with + written as ---: v1.37.2---vmware.1-tkg.1"),
        badUpdate(
            "machine template hash changed",
            MACHINE,
            m -> {},
            m -> set(m, "spec.templateHash", "0123456789abcdef"),
            "spec.templateHash",
            "spec.templateHash is immutable"),
        badUpdate(
            "machine template hash removed",
            MACHINE,
            m -> {},
            m -> set(m, "spec.templateHash", null),
            "spec",
            "spec.templateHash cannot be removed"),
        badUpdate(
            "machine role changed",
            MACHINE,
            m -> {},
            m -> set(m, "spec.role", "worker"),
            "spec.role",
            "spec.role is immutable"));
  }

  @SuppressWarnings("unchecked")
  static List<Object> pools(Map<String, Object> m) {
    return (List<Object>)
        ((Map<String, Object>) ((Map<String, Object>) m.get("spec")).get("topology"))
            .get("nodePools");
  }

  static void thirtyThreePools(Map<String, Object> m) {
    List<Object> pools = new ArrayList<>();
    Map<String, Object> first = (Map<String, Object>) Manifests.get(m, POOL0);
    IntStream.range(0, 33)
        .forEach(
            i -> {
              Map<String, Object> p = new java.util.LinkedHashMap<>(first);
              p.put("name", "p" + i);
              pools.add(p);
            });
    set(m, "spec.topology.nodePools", pools);
  }

  static int counter;

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void invalidManifestIsRejectedNamingTheField(Case c) {
    Map<String, Object> m =
        toMap(Manifests.load(root.resolve("deploy/samples/" + c.sample())).get(0));
    // A release's name is its version (a rule of its own), so releases keep the sample's name.
    if (!c.sample().equals(TKR)) {
      set(m, "metadata.name", "case-" + (++counter));
    }
    c.create().accept(m);
    if (c.update() == null) {
      assertRejected(() -> client.resource(fromMap(m)).create(), c);
      return;
    }
    GenericKubernetesResource created = client.resource(fromMap(m)).create();
    try {
      Map<String, Object> changed = toMap(created);
      c.update().accept(changed);
      assertRejected(() -> client.resource(fromMap(changed)).update(), c);
    } finally {
      client.resource(created).delete();
    }
  }

  private static void assertRejected(Runnable call, Case c) {
    String prefix = c.field().isEmpty() ? "" : c.field() + ": ";
    assertThatThrownBy(call::run)
        .isInstanceOf(KubernetesClientException.class)
        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(422))
        .hasMessageContaining(prefix)
        .hasMessageContaining(c.message());
  }

  @Test
  void releaseEditsWithinTheVersionRulesAreAccepted() {
    Map<String, Object> m = toMap(Manifests.load(root.resolve("deploy/samples/" + TKC)).get(0));
    set(m, "metadata.name", "case-steps");
    GenericKubernetesResource current = client.resource(fromMap(m)).create();
    try {
      // Same patch with another build, the next minor, and a name the rules cannot read (the
      // controller checks that one against the release's spec.kubernetes.version).
      for (String name :
          List.of("v1.37.2---vmware.2-tkg.1", "v1.38.0---vmware.1-tkg.1", "my-release")) {
        Map<String, Object> changed = toMap(current);
        set(changed, CP + ".tkr.reference.name", name);
        current = client.resource(fromMap(changed)).update();
      }
      assertThat(Manifests.get(toMap(current), CP + ".tkr.reference.name")).isEqualTo("my-release");
    } finally {
      client.resource(current).delete();
    }
  }

  @Test
  void atLeastThirtyInvalidCases() {
    assertThat(invalid()).hasSizeGreaterThanOrEqualTo(30);
    assertThat(invalid().stream().map(Case::name).distinct()).hasSameSizeAs(invalid());
  }

  @Test
  void kubectlExplainPrintsFieldDescriptions() throws Exception {
    Process p =
        new ProcessBuilder(
                cp.testBed().bin("kubectl").toString(),
                "--kubeconfig",
                cp.kubeconfigFile().toString(),
                "--cache-dir",
                java.nio.file.Files.createTempDirectory("kubectl-cache").toString(),
                "explain",
                "tkc.spec.topology.nodePools")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    assertThat(out)
        .contains("Groups of worker machines with the same class")
        .contains("vmClass")
        .contains("Name of the VirtualMachineClass");
  }

  @Test
  void threeTkcVersionsAreServedV1alpha2WithV1alpha3sSchemaV1alpha1WithItsOwn() throws Exception {
    var crd =
        client
            .apiextensions()
            .v1()
            .customResourceDefinitions()
            .withName("tanzukubernetesclusters.run.tanzu.vmware.com")
            .get();
    var versions = crd.getSpec().getVersions();
    assertThat(versions)
        .extracting(v -> v.getName())
        .containsExactlyInAnyOrder("v1alpha1", "v1alpha2", "v1alpha3");
    assertThat(versions).allMatch(v -> v.getServed());
    assertThat(versions.stream().filter(v -> v.getStorage()).map(v -> v.getName()))
        .containsExactly("v1alpha3");
    var byName =
        versions.stream().collect(java.util.stream.Collectors.toMap(v -> v.getName(), v -> v));
    assertThat(byName.get("v1alpha2").getSchema()).isEqualTo(byName.get("v1alpha3").getSchema());
    assertThat(byName.get("v1alpha2").getAdditionalPrinterColumns())
        .isEqualTo(byName.get("v1alpha3").getAdditionalPrinterColumns());
    var v1Topology =
        byName
            .get("v1alpha1")
            .getSchema()
            .getOpenAPIV3Schema()
            .getProperties()
            .get("spec")
            .getProperties()
            .get("topology")
            .getProperties();
    assertThat(v1Topology).containsOnlyKeys("controlPlane", "workers");
    assertThat(v1Topology.get("controlPlane").getProperties())
        .containsOnlyKeys("count", "class", "storageClass");
    assertThat(byName.get("v1alpha1").getAdditionalPrinterColumns())
        .extracting(c -> c.getName() + "=" + c.getJsonPath())
        .containsExactly(
            "Control Plane=.spec.topology.controlPlane.count",
            "Worker=.spec.topology.workers.count",
            "Distribution=.spec.distribution.fullVersion",
            "Age=.metadata.creationTimestamp",
            "Phase=.status.phase");
    // crds/ names the operator's webhook Service; this test bed's API server reaches no Service,
    // so the webhook this test started points the CRD at its URL.
    var fromFile =
        new io.fabric8.kubernetes.client.utils.KubernetesSerialization()
            .unmarshal(
                java.nio.file.Files.readString(
                    root.resolve("crds/tanzukubernetesclusters.run.tanzu.vmware.com-v1.yml")),
                io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition.class);
    var conversion = fromFile.getSpec().getConversion();
    assertThat(conversion.getStrategy()).isEqualTo("Webhook");
    assertThat(conversion.getWebhook().getConversionReviewVersions()).containsExactly("v1");
    var service = conversion.getWebhook().getClientConfig().getService();
    assertThat(service.getNamespace() + "/" + service.getName() + ":" + service.getPort())
        .isEqualTo("slipway-system/slipway-webhook:443");
    assertThat(service.getPath()).isEqualTo("/convert");
    assertThat(crd.getSpec().getConversion().getStrategy()).isEqualTo("Webhook");
    assertThat(crd.getSpec().getConversion().getWebhook().getClientConfig().getUrl())
        .isEqualTo(webhookUrl);
  }
}
