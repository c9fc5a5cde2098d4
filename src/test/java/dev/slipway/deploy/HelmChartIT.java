package dev.slipway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.testenv.TestBed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Helm chart in deploy/helm/slipway against the kustomize base in deploy/: `helm lint`, the
 * same objects from `helm template` with the default values as from `kubectl kustomize deploy/`,
 * its crds/ identical to the generated ones, and each value landing where it should. (Installing
 * and upgrading it into an API server: HelmE2E.)
 */
class HelmChartIT {
  static final Path ROOT = TestBed.repositoryRoot();
  static final Path CHART = ROOT.resolve("deploy/helm/slipway");
  static final String NS = "slipway-system";

  static String template(String... extra) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of("template", "slipway", CHART.toString(), "--namespace", NS, "--include-crds"));
    args.addAll(List.of(extra));
    return Tools.helm(args.toArray(String[]::new)).ok().out();
  }

  static Map<String, String> kustomize() {
    String out = Tools.kubectl("kustomize", ROOT.resolve("deploy").toString()).ok().out();
    List<Map<String, Object>> docs = Yaml.documents(out);
    for (Map<String, Object> d : docs) {
      if ("CustomResourceDefinition".equals(d.get("kind"))) {
        // The chart's crds/ are the generated files byte for byte (Helm does not template crds/),
        // so they lack the part-of label kustomization.yaml adds to every object.
        @SuppressWarnings("unchecked")
        Map<String, Object> md = (Map<String, Object>) d.get("metadata");
        @SuppressWarnings("unchecked")
        Map<String, Object> labels = (Map<String, Object>) md.get("labels");
        labels.remove("app.kubernetes.io/part-of");
        if (labels.isEmpty()) {
          md.remove("labels");
        }
      }
    }
    return normalise(docs);
  }

  /** The ConfigMap's slipway.properties as key=value pairs: comments are not configuration. */
  @SuppressWarnings("unchecked")
  static Map<String, String> normalise(List<Map<String, Object>> docs) {
    for (Map<String, Object> d : docs) {
      if ("ConfigMap".equals(d.get("kind"))) {
        Map<String, Object> data = (Map<String, Object>) d.get("data");
        data.put(
            "slipway.properties",
            new java.util.TreeMap<>(Yaml.properties((String) data.get("slipway.properties")))
                .toString());
      }
    }
    return Yaml.byId(docs);
  }

  static Map<String, Object> object(String rendered, String kind, String name) {
    return Yaml.documents(rendered).stream()
        .filter(d -> kind.equals(d.get("kind")) && Yaml.id(d).endsWith("/" + name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in:\n" + rendered));
  }

  @SuppressWarnings("unchecked")
  static Properties properties(String rendered) {
    Map<String, Object> cm = object(rendered, "ConfigMap", "slipway-config");
    return Yaml.properties(
        (String) ((Map<String, Object>) cm.get("data")).get("slipway.properties"));
  }

  @Test
  void lintsClean() {
    Tools.Result r = Tools.helm("lint", "--strict", CHART.toString());
    assertThat(r.code()).as(r.out()).isZero();
    assertThat(r.out()).contains("1 chart(s) linted, 0 chart(s) failed");
  }

  @Test
  void defaultValuesRenderTheKustomizeBase() {
    Map<String, String> kustomize = kustomize();
    // Helm cannot create its own release namespace (it stores the release there first), so the
    // Namespace is rendered only with namespace.create=true; everything else is there by default.
    Map<String, String> helm = normalise(Yaml.documents(template()));
    Map<String, String> withoutNamespace = new java.util.TreeMap<>(kustomize);
    withoutNamespace.remove("Namespace//" + NS);
    assertThat(helm.keySet()).containsExactlyElementsOf(withoutNamespace.keySet());
    assertThat(helm).containsExactlyInAnyOrderEntriesOf(withoutNamespace);

    Map<String, String> all = normalise(Yaml.documents(template("--set", "namespace.create=true")));
    assertThat(all).containsExactlyInAnyOrderEntriesOf(kustomize);
    assertThat(kustomize).hasSize(35);
  }

  @Test
  void chartCrdsAreTheGeneratedOnes() throws IOException {
    List<Path> generated;
    try (Stream<Path> s = Files.list(ROOT.resolve("crds"))) {
      generated = s.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
    }
    List<Path> chart;
    try (Stream<Path> s = Files.list(CHART.resolve("crds"))) {
      chart = s.sorted().toList();
    }
    assertThat(chart.stream().map(p -> p.getFileName().toString()))
        .containsExactlyElementsOf(
            generated.stream().map(p -> p.getFileName().toString()).toList());
    for (Path g : generated) {
      assertThat(Files.readString(CHART.resolve("crds").resolve(g.getFileName())))
          .as(
              "deploy/helm/slipway/crds/%s differs from crds/ (the operator build copies it)",
              g.getFileName())
          .isEqualTo(Files.readString(g));
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyValueLandsWhereItShould() {
    String out =
        template(
            "--set", "image.repository=registry.example.com/platform/slipway-operator",
            "--set", "image.tag=1.2.3",
            "--set", "image.pullPolicy=Always",
            "--set", "replicas=3",
            "--set", "resources.requests.cpu=250m",
            "--set", "resources.limits.memory=1Gi",
            "--set", "logFormat=text",
            "--set", "vcenter.url=https://vc.corp.example.com:8443",
            "--set", "vcenter.credentialsSecret=vc-creds",
            "--set", "vcenter.caBundle=",
            "--set", "vcenter.thumbprint=AB:CD:EF",
            "--set", "vip.pool=10.40.0.200-10.40.0.249",
            "--set", "placement.datacenter=/DC1",
            "--set", "placement.parentResourcePool=/DC1/host/C/Resources",
            "--set", "placement.parentFolder=/DC1/vm",
            "--set", "placement.templatesFolder=tpl",
            "--set", "placement.mhzPerVcpu=2400",
            "--set", "reconcileThreads=4",
            "--set", "releases.contentLibraries={tkgs-a,tkgs-b}",
            "--set", "releases.syncIntervalSeconds=30",
            "--set", "guardrails.maxWorkersPerPool=40",
            "--set", "guardrails.maxMachinesPerCluster=60",
            "--set", "guardrails.maxMachinesPerNamespace=200",
            "--set", "guardrails.maxMachinesInFlightPerCluster=5",
            "--set", "addons.defaultCni=calico",
            "--set", "addons.resyncSeconds=120");
    Properties p = properties(out);
    assertThat(new java.util.TreeMap<>(p))
        .containsExactlyInAnyOrderEntriesOf(
            Map.ofEntries(
                Map.entry("vcenter.url", "https://vc.corp.example.com:8443"),
                Map.entry("vcenter.credentialsSecret", "vc-creds"),
                Map.entry("vcenter.thumbprint", "AB:CD:EF"),
                Map.entry("placement.datacenter", "/DC1"),
                Map.entry("placement.parentResourcePool", "/DC1/host/C/Resources"),
                Map.entry("placement.parentFolder", "/DC1/vm"),
                Map.entry("placement.templatesFolder", "tpl"),
                Map.entry("placement.mhzPerVcpu", "2400"),
                Map.entry("vip.pool", "10.40.0.200-10.40.0.249"),
                Map.entry("operator.reconcileThreads", "4"),
                Map.entry("releases.contentLibraries", "tkgs-a,tkgs-b"),
                Map.entry("releases.syncIntervalSeconds", "30"),
                Map.entry("guardrails.maxWorkersPerPool", "40"),
                Map.entry("guardrails.maxMachinesPerCluster", "60"),
                Map.entry("guardrails.maxMachinesPerNamespace", "200"),
                Map.entry("guardrails.maxMachinesInFlightPerCluster", "5"),
                Map.entry("addons.defaultCni", "calico"),
                Map.entry("addons.resyncSeconds", "120"),
                Map.entry("log.format", "text")));
    // The API's admission policy holds the same ceilings as the operator.
    Map<String, Object> guardrails = object(out, "ValidatingAdmissionPolicy", "slipway-guardrails");
    assertThat(
            (List<Map<String, Object>>)
                ((Map<String, Object>) guardrails.get("spec")).get("variables"))
        .contains(
            Map.of("name", "maxWorkersPerPool", "expression", "40"),
            Map.of("name", "maxMachinesPerCluster", "expression", "60"));
    Map<String, Object> cm = object(out, "ConfigMap", "slipway-config");
    assertThat((Map<String, Object>) cm.get("data")).doesNotContainKey("vcenter-ca.pem");

    Map<String, Object> deployment = object(out, "Deployment", "slipway-operator");
    Map<String, Object> spec = (Map<String, Object>) deployment.get("spec");
    assertThat(spec.get("replicas")).isEqualTo(3);
    Map<String, Object> container =
        ((List<Map<String, Object>>)
                ((Map<String, Object>) ((Map<String, Object>) spec.get("template")).get("spec"))
                    .get("containers"))
            .get(0);
    assertThat(container.get("image"))
        .isEqualTo("registry.example.com/platform/slipway-operator:1.2.3");
    assertThat(container.get("imagePullPolicy")).isEqualTo("Always");
    assertThat(container.get("resources"))
        .isEqualTo(
            Map.of(
                "requests",
                Map.of("cpu", "250m", "memory", "384Mi"),
                "limits",
                Map.of("memory", "1Gi")));

    // the default image tag is the chart's appVersion
    Map<String, Object> byDefault =
        ((List<Map<String, Object>>)
                ((Map<String, Object>)
                        ((Map<String, Object>)
                                ((Map<String, Object>)
                                        object(template(), "Deployment", "slipway-operator")
                                            .get("spec"))
                                    .get("template"))
                            .get("spec"))
                    .get("containers"))
            .get(0);
    assertThat(byDefault.get("image"))
        .isEqualTo("ghcr.io/slipway-dev/slipway-operator:0.1.0-SNAPSHOT");

    // the release namespace is the operator's namespace everywhere
    // (crds/ is not templated: the TanzuKubernetesCluster CRD's conversion names the Service in
    // slipway-system, and the operator points it at its own namespace's Service when it starts.)
    String all = template("--namespace", "platform-slipway");
    List<String> docs = List.of(all.split("(?m)^---$"));
    String crds =
        String.join(
            "",
            docs.stream().filter(d -> d.contains("kind: \"CustomResourceDefinition\"")).toList());
    String elsewhere =
        String.join(
            "---",
            docs.stream().filter(d -> !d.contains("kind: \"CustomResourceDefinition\"")).toList());
    assertThat(elsewhere).doesNotContain(NS);
    assertThat(crds)
        .containsOnlyOnce(NS)
        .contains("name: \"slipway-webhook\"\n          namespace: \"" + NS + "\"");
    Map<String, Object> binding = object(elsewhere, "ClusterRoleBinding", "slipway-operator");
    assertThat(((List<Map<String, Object>>) binding.get("subjects")).get(0).get("namespace"))
        .isEqualTo("platform-slipway");
  }

  @Test
  void contradictoryTrustSettingsAndUnknownLogFormatsFailToRender() {
    Tools.Result both =
        Tools.helm("template", "slipway", CHART.toString(), "--set", "vcenter.thumbprint=AB:CD");
    assertThat(both.code()).isNotZero();
    assertThat(both.out())
        .contains("vcenter: set at most one of caBundle, thumbprint and insecure");

    Tools.Result log =
        Tools.helm("template", "slipway", CHART.toString(), "--set", "logFormat=xml");
    assertThat(log.code()).isNotZero();
    assertThat(log.out()).contains("logFormat: \"xml\" is neither text nor json");

    Properties insecure =
        properties(template("--set", "vcenter.caBundle=", "--set", "vcenter.insecure=true"));
    assertThat(insecure.getProperty("vcenter.insecure")).isEqualTo("true");
    assertThat(insecure.getProperty("vcenter.caBundle")).isNull();
  }
}
