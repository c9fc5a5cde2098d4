package dev.slipway.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.e2e.SlipwayEnv;
import dev.slipway.guest.GuestSimulator;
import dev.slipway.operator.Slipway;
import dev.slipway.testenv.TestBed;
import dev.slipway.vsphere.VSphereProvider;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.authentication.SelfSubjectReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Helm chart, installed for real: `helm install` into the test bed's API server (CRDs from the
 * chart's crds/, RBAC, configuration, the admission policy), `helm upgrade` with one value changed
 * changes that and nothing else, and the operator, running with the chart's ServiceAccount token,
 * builds a cluster. While it does, kstatus (sigs.k8s.io/cli-utils, what Flux's health checks and
 * kpt use) reads the live TanzuKubernetesCluster, Machines, VSphereNamespace and
 * TanzuKubernetesRelease: never Current while work is pending, Current when Ready, Failed when a
 * machine failed or a cluster's references cannot be resolved.
 */
class HelmE2E {
  static final String NS = "slipway-system";
  static final Path CHART = HelmChartIT.CHART;
  static final String TKC = "run.tanzu.vmware.com/v1alpha3";

  static SlipwayEnv env;
  static GuestSimulator guests;
  static KubernetesClient operatorClient;
  static VSphereProvider vcenter;
  static Slipway slipway;
  static Path kubeconfig;

  /** Every kstatus observation made, to check the never-Current-while-pending rule on all. */
  static final List<KStatus.Observed> observations = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    env = SlipwayEnv.start(e -> null, e -> null);
    env.stopSlipway();
    kubeconfig = env.controlPlane.kubeconfigFile();
    // SlipwayEnv applied crds/ and the admission policies itself; the chart is to install them.
    for (GenericKubernetesResource r :
        dev.slipway.testenv.Manifests.load(env.root.resolve("deploy/25-admission-policy.yaml"))) {
      env.client.resource(r).delete();
    }
    env.client.apiextensions().v1().customResourceDefinitions().delete();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                env
                    .client
                    .apiextensions()
                    .v1()
                    .customResourceDefinitions()
                    .list()
                    .getItems()
                    .stream()
                    .noneMatch(
                        c ->
                            c.getSpec().getGroup().contains("slipway")
                                || c.getSpec().getGroup().equals("run.tanzu.vmware.com")));
  }

  @AfterAll
  static void stop() {
    if (guests != null) {
      guests.close();
    }
    if (slipway != null) {
      slipway.close();
    }
    if (vcenter != null) {
      vcenter.close();
    }
    if (operatorClient != null) {
      operatorClient.close();
    }
    if (env != null) {
      env.close();
    }
  }

  static Tools.Result helm(String... args) {
    List<String> a = new ArrayList<>(List.of(args));
    a.addAll(List.of("--namespace", NS, "--kubeconfig", kubeconfig.toString()));
    return Tools.helm(a.toArray(String[]::new));
  }

  /** Values pointing the chart at the test bed's vcsim. */
  static Path values() throws Exception {
    Path f = env.root.resolve("src/test/target/helm-e2e-values.yaml");
    Files.createDirectories(f.getParent());
    String pem = Files.readString(env.vcsim.certFile());
    StringBuilder b = new StringBuilder();
    b.append("vcenter:\n  url: ").append(env.vcsim.baseUrl()).append('\n');
    b.append("  caBundle: |\n");
    pem.lines().forEach(l -> b.append("    ").append(l).append('\n'));
    b.append("placement:\n");
    b.append("  datacenter: /DC0\n");
    b.append("  parentResourcePool: /DC0/host/DC0_C0/Resources\n");
    b.append("  parentFolder: ").append(env.placement.parentFolder()).append('\n');
    b.append("vip:\n  pool: ").append(TestBed.vips()).append("\n");
    b.append("reconcileThreads: 4\n");
    Files.writeString(f, b.toString());
    return f;
  }

  @Test
  void installUpgradeAndBuildAClusterWithTheChartsServiceAccount() throws Exception {
    Tools.Result install =
        helm(
            "install",
            "slipway",
            CHART.toString(),
            "--create-namespace",
            "-f",
            values().toString());
    assertThat(install.code()).as(install.out()).isZero();
    assertThat(install.out()).contains("STATUS: deployed");

    // Everything the chart renders now exists, CRDs Established.
    List<Map<String, Object>> manifest =
        Yaml.documents(helm("get", "manifest", "slipway").ok().out());
    assertThat(manifest).hasSize(29);
    for (var crd : env.client.apiextensions().v1().customResourceDefinitions().list().getItems()) {
      assertThat(crd.getStatus().getConditions())
          .anySatisfy(
              c -> assertThat(c.getType() + "=" + c.getStatus()).isEqualTo("Established=True"));
    }
    assertThat(env.client.apiextensions().v1().customResourceDefinitions().list().getItems())
        .hasSize(5);
    Map<String, String> before = resourceVersions(manifest);
    Properties config = config();
    assertThat(config.getProperty("vcenter.url")).isEqualTo(env.vcsim.baseUrl().toString());
    assertThat(config.getProperty("log.format")).isEqualTo("json");

    // helm upgrade with one value changed: the ConfigMap changes, in that key only.
    Tools.Result upgrade =
        helm("upgrade", "slipway", CHART.toString(), "--reuse-values", "--set", "logFormat=text");
    assertThat(upgrade.code()).as(upgrade.out()).isZero();
    assertThat(upgrade.out()).contains("REVISION: 2");
    Map<String, String> after = resourceVersions(manifest);
    Map<String, String> changed = new LinkedHashMap<>();
    after.forEach(
        (k, v) -> {
          if (!v.equals(before.get(k))) {
            changed.put(k, v);
          }
        });
    assertThat(changed.keySet()).containsExactly("ConfigMap/" + NS + "/slipway-config");
    Properties upgraded = config();
    assertThat(upgraded.getProperty("log.format")).isEqualTo("text");
    upgraded.setProperty("log.format", "json");
    assertThat(upgraded).isEqualTo(config);

    // The chart's admission policy is enforced.
    Map<String, Object> probe =
        dev.slipway.testenv.Manifests.toMap(
            dev.slipway.testenv.Manifests.load(env.root.resolve("deploy/samples/40-tkc.yaml"))
                .get(0));
    dev.slipway.testenv.Manifests.set(probe, "metadata.name", "policy-probe");
    // A dry run in a namespace every API server has (the sample's is made by its VSphereNamespace).
    dev.slipway.testenv.Manifests.set(probe, "metadata.namespace", "default");
    dev.slipway.testenv.Manifests.set(
        probe, "spec.topology.nodePools[0].labels", Map.of("not a key", "x"));
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                org.assertj.core.api.Assertions.assertThatThrownBy(
                        () ->
                            env.client
                                .resource(dev.slipway.testenv.Manifests.fromMap(probe))
                                .dryRun()
                                .create())
                    .hasMessageContaining("label keys"));

    startOperatorAsTheChartsServiceAccount();
    buildScaleAndFail();
  }

  static Map<String, String> resourceVersions(List<Map<String, Object>> manifest) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map<String, Object> o : manifest) {
      GenericKubernetesResource r = dev.slipway.testenv.Manifests.fromMap(o);
      GenericKubernetesResource live =
          r.getMetadata().getNamespace() == null
              ? env.client
                  .genericKubernetesResources(r.getApiVersion(), r.getKind())
                  .withName(r.getMetadata().getName())
                  .get()
              : env.client
                  .genericKubernetesResources(r.getApiVersion(), r.getKind())
                  .inNamespace(r.getMetadata().getNamespace())
                  .withName(r.getMetadata().getName())
                  .get();
      assertThat(live).as(Yaml.id(o)).isNotNull();
      out.put(Yaml.id(o), live.getMetadata().getResourceVersion());
    }
    return out;
  }

  static Properties config() {
    return Yaml.properties(
        env.client
            .configMaps()
            .inNamespace(NS)
            .withName("slipway-config")
            .get()
            .getData()
            .get("slipway.properties"));
  }

  static void startOperatorAsTheChartsServiceAccount() {
    String token =
        env.client
            .serviceAccounts()
            .inNamespace(NS)
            .withName("slipway-operator")
            .tokenRequest(
                new TokenRequestBuilder()
                    .withNewSpec()
                    .withExpirationSeconds(3600L)
                    .endSpec()
                    .build())
            .getStatus()
            .getToken();
    Config admin = env.controlPlane.config();
    operatorClient =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder(admin)
                    .withClientCertData(null)
                    .withClientKeyData(null)
                    .withClientCertFile(null)
                    .withClientKeyFile(null)
                    .withOauthToken(token)
                    .build())
            .build();
    assertThat(
            operatorClient
                .resource(new SelfSubjectReviewBuilder().build())
                .create()
                .getStatus()
                .getUserInfo()
                .getUsername())
        .isEqualTo("system:serviceaccount:" + NS + ":slipway-operator");
    vcenter = env.connect();
    slipway =
        env.startReplica(
            operatorClient,
            vcenter,
            new Slipway.LeaderElection("slipway-operator", NS, "helm-e2e", false));
    guests = new GuestSimulator(env::connect, List.of(env.placement.parentFolder() + "/team-a"));
  }

  /** kstatus of every Slipway object there is now; each observation is checked and kept. */
  static List<KStatus.Observed> observe() {
    List<KStatus.Observed> now = new ArrayList<>();
    now.addAll(KStatus.of(env.client, "vmoperator.slipway.dev/v1alpha1", "VSphereNamespace", null));
    now.addAll(KStatus.of(env.client, TKC, "TanzuKubernetesRelease", null));
    now.addAll(KStatus.of(env.client, TKC, "TanzuKubernetesCluster", "team-a"));
    now.addAll(KStatus.of(env.client, "cluster.slipway.dev/v1alpha1", "Machine", "team-a"));
    for (KStatus.Observed o : now) {
      if (o.result().status().equals("Current")) {
        // Current only when the controller saw this spec and says Ready.
        assertThat(KStatus.observed(o.object()) && "True".equals(KStatus.ready(o.object())))
            .as(
                "Current while work is pending: %s, status %s",
                o.result(), o.object().getAdditionalProperties().get("status"))
            .isTrue();
      }
    }
    observations.addAll(now);
    return now;
  }

  static KStatus.Result status(List<KStatus.Observed> now, String kind, String name) {
    return now.stream()
        .map(KStatus.Observed::result)
        .filter(r -> r.kind().equals(kind) && r.name().equals(name))
        .findFirst()
        .orElse(null);
  }

  /** Observes every 250 ms until {@code done} holds for an observation; returns that one. */
  static List<KStatus.Observed> observeUntil(
      Duration atMost, Predicate<List<KStatus.Observed>> done) {
    long end = System.nanoTime() + atMost.toNanos();
    while (true) {
      assertThat(guests == null ? java.util.Optional.empty() : guests.anyFailure())
          .as("a guest failed to boot")
          .isEmpty();
      List<KStatus.Observed> now = observe();
      if (done.test(now)) {
        return now;
      }
      if (System.nanoTime() > end) {
        throw new AssertionError(
            "not reached within "
                + atMost
                + "; last: "
                + now.stream().map(KStatus.Observed::result).toList());
      }
      try {
        TimeUnit.MILLISECONDS.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  static Set<String> statusesSeen(String kind, String name) {
    Set<String> out = new LinkedHashSet<>();
    for (KStatus.Observed o : observations) {
      if (o.result().kind().equals(kind) && o.result().name().equals(name)) {
        out.add(o.result().status());
      }
    }
    return out;
  }

  static String statusOf(String kind, String name) {
    KStatus.Result r = status(observe(), kind, name);
    return r == null ? null : r.status();
  }

  void buildScaleAndFail() {
    // VSphereNamespace and release, then the cluster: InProgress until Ready, then Current.
    env.applySample("10-vmclasses.yaml");
    env.applySample("20-tkr.yaml");
    env.applySample("30-vspherenamespace.yaml");
    observeUntil(
        Duration.ofMinutes(2),
        now ->
            "Current".equals(s(now, "VSphereNamespace", "team-a"))
                && "Current".equals(s(now, "TanzuKubernetesRelease", "v1.37.2---vmware.1-tkg.1")));
    env.applySample("40-tkc.yaml");
    observeUntil(
        Duration.ofMinutes(5), now -> "Current".equals(s(now, "TanzuKubernetesCluster", "demo")));
    assertThat(statusesSeen("TanzuKubernetesCluster", "demo"))
        .containsExactly("InProgress", "Current");
    List<KStatus.Observed> ready = observe();
    assertThat(ready.stream().filter(o -> o.result().kind().equals("Machine")))
        .hasSize(3)
        .allSatisfy(o -> assertThat(o.result().status()).isEqualTo("Current"));
    assertThat(
            ready.stream()
                .filter(o -> o.result().kind().equals("Machine"))
                .map(o -> o.result().name())
                .map(HelmE2E::statusesSeenMachine))
        .allSatisfy(seen -> assertThat(seen).contains("InProgress"));

    // Scaling: the edit is InProgress at once (generation ahead of observedGeneration, then
    // Ready False while the new machine comes up), Current again when it is Ready.
    observations.clear();
    scaleGeneral(2);
    assertThat(statusOf("TanzuKubernetesCluster", "demo")).isEqualTo("InProgress");
    observeUntil(
        Duration.ofMinutes(3),
        now ->
            "Current".equals(s(now, "TanzuKubernetesCluster", "demo"))
                && now.stream().filter(o -> o.result().kind().equals("Machine")).count() == 4);
    assertThat(statusesSeen("TanzuKubernetesCluster", "demo"))
        .containsExactly("InProgress", "Current");

    // A machine that fails for good (vCenter refuses the clone): Failed, and so is its cluster,
    // with remediation off (max-unhealthy 0); with it on, the machine would be replaced.
    env.client
        .genericKubernetesResources(TKC, "TanzuKubernetesCluster")
        .inNamespace("team-a")
        .withName("demo")
        .edit(
            r -> {
              r.getMetadata().getAnnotations().put("slipway.dev/health-max-unhealthy", "0");
              return r;
            });
    env.vcsim.addFault("CloneVM_Task", "InvalidArgument", "helm-e2e: clone refused", 1);
    scaleGeneral(3);
    List<KStatus.Observed> failed =
        observeUntil(
            Duration.ofMinutes(2),
            now -> "Failed".equals(s(now, "TanzuKubernetesCluster", "demo")));
    assertThat(
            failed.stream()
                .map(KStatus.Observed::result)
                .filter(r -> r.kind().equals("Machine") && r.status().equals("Failed")))
        .singleElement()
        .satisfies(r -> assertThat(r.message()).contains("helm-e2e: clone refused"));
    assertThat(s(failed, "VSphereNamespace", "team-a")).isEqualTo("Current");
    assertThat(s(failed, "TanzuKubernetesRelease", "v1.37.2---vmware.1-tkg.1"))
        .isEqualTo("Current");

    // A cluster whose release does not exist: Failed, not forever InProgress.
    Map<String, Object> broken =
        dev.slipway.testenv.Manifests.toMap(
            dev.slipway.testenv.Manifests.load(env.root.resolve("deploy/samples/40-tkc.yaml"))
                .get(0));
    dev.slipway.testenv.Manifests.set(broken, "metadata.name", "no-release");
    dev.slipway.testenv.Manifests.set(
        broken, "spec.topology.controlPlane.tkr.reference.name", "v9.9.9---vmware.1-tkg.1");
    env.apply(dev.slipway.testenv.Manifests.fromMap(broken));
    List<KStatus.Observed> unresolved =
        observeUntil(
            Duration.ofMinutes(1),
            now -> "Failed".equals(s(now, "TanzuKubernetesCluster", "no-release")));
    assertThat(status(unresolved, "TanzuKubernetesCluster", "no-release").message())
        .contains("v9.9.9---vmware.1-tkg.1");
  }

  static Set<String> statusesSeenMachine(String name) {
    return statusesSeen("Machine", name);
  }

  static String s(List<KStatus.Observed> now, String kind, String name) {
    KStatus.Result r = status(now, kind, name);
    return r == null ? null : r.status();
  }

  static void scaleGeneral(int replicas) {
    env.client
        .genericKubernetesResources(TKC, "TanzuKubernetesCluster")
        .inNamespace("team-a")
        .withName("demo")
        .edit(
            r -> {
              Map<String, Object> m = dev.slipway.testenv.Manifests.toMap(r);
              dev.slipway.testenv.Manifests.set(m, "spec.topology.nodePools[0].replicas", replicas);
              return dev.slipway.testenv.Manifests.fromMap(m);
            });
  }
}
