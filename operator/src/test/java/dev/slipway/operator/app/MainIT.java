package dev.slipway.operator.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.slipway.operator.LeaderElectionTimings;
import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.testenv.ControlPlane;
import dev.slipway.testenv.Manifests;
import dev.slipway.testenv.TestBed;
import dev.slipway.testenv.Vcsim;
import dev.slipway.vsphere.VSphereException;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator process as {@link Main} starts it, against a real API server (CRDs from crds/) and
 * vcsim: configuration from a file plus environment, credentials from a Secret read through the
 * API, leader election between two replicas, /healthz, /readyz, /metrics, graceful shutdown.
 */
class MainIT {
  static final String NS = "slipway-system";
  static final String SECRET = "slipway-vcenter-credentials";

  static ControlPlane controlPlane;
  static Vcsim vcsim;
  static KubernetesClient client;
  @TempDir static Path dir;
  static Path configFile;

  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void testBed() throws IOException {
    controlPlane = ControlPlane.start();
    vcsim = Vcsim.start();
    client = controlPlane.client();
    Manifests.installCrds(client, TestBed.repositoryRoot());
    // team-a is made by its VSphereNamespace (twoReplicas...), as the operator reads Secrets only
    // in namespaces it made.
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .serverSideApply();
    client
        .secrets()
        .inNamespace(NS)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(SECRET)
                .endMetadata()
                .addToStringData("username", vcsim.username())
                .addToStringData("password", vcsim.password() + "\n")
                .build())
        .create();
    // deploy/50-config.yaml's keys, pointed at vcsim's default inventory.
    configFile = dir.resolve("slipway.properties");
    Files.writeString(
        configFile,
        String.join(
            "\n",
            "vcenter.url=" + vcsim.baseUrl(),
            "vcenter.credentialsSecret=" + SECRET,
            "vcenter.caBundle=" + vcsim.certFile(),
            "placement.datacenter=/DC0",
            "placement.parentResourcePool=/DC0/host/DC0_C0/Resources",
            "placement.parentFolder=/DC0/vm",
            "placement.templatesFolder=slipway-templates",
            "placement.mhzPerVcpu=2000",
            "vip.pool=127.1.0.10-127.1.0.250",
            "operator.reconcileThreads=4",
            "log.format=text",
            ""));
  }

  @AfterAll
  static void stopTestBed() {
    if (client != null) {
      client.close();
    }
    if (vcsim != null) {
      vcsim.close();
    }
    if (controlPlane != null) {
      controlPlane.close();
    }
  }

  static Map<String, String> env(String podName) {
    Map<String, String> env = new HashMap<>();
    env.put("SLIPWAY_CONFIG", configFile.toString());
    env.put("KUBECONFIG", controlPlane.kubeconfigFile().toString());
    env.put("POD_NAMESPACE", NS);
    env.put("POD_NAME", podName);
    env.put("SLIPWAY_HTTP_PORT", "0");
    // The conversion webhook on loopback, called by URL (this API server reaches no Service).
    int port;
    try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    env.put("SLIPWAY_WEBHOOK_HOST", "127.0.0.1");
    env.put("SLIPWAY_WEBHOOK_PORT", String.valueOf(port));
    env.put("SLIPWAY_WEBHOOK_URL", "https://127.0.0.1:" + port + "/convert");
    return env;
  }

  private HttpResponse<String> get(OperatorProcess p, String path) {
    try {
      return http.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p.port() + path))
              .timeout(Duration.ofSeconds(10))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** One sample's value from Prometheus text, e.g. {@code slipway_machines{phase="Running"}}. */
  static Optional<Double> sample(String metrics, String series) {
    Matcher m =
        Pattern.compile("(?m)^" + Pattern.quote(series) + " ([-+0-9.eE]+|NaN)$").matcher(metrics);
    return m.find() ? Optional.of(Double.parseDouble(m.group(1))) : Optional.empty();
  }

  @Test
  void twoReplicasOneLeaderBothReadyWithMetricsAndAGracefulHandOver() throws Exception {
    OperatorProcess a = Main.run(new String[0], env("replica-a"));
    OperatorProcess b = null;
    try {
      await().atMost(Duration.ofSeconds(30)).until(a::isLeader);
      b = Main.run(new String[0], env("replica-b"));
      OperatorProcess standby = b;

      // Liveness and readiness: both replicas, whichever holds the Lease.
      for (OperatorProcess p : List.of(a, b)) {
        assertThat(get(p, "/healthz").statusCode()).isEqualTo(200);
        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(() -> assertThat(get(p, "/readyz").statusCode()).isEqualTo(200));
        assertThat(get(p, "/readyz").body())
            .isEqualTo("[+]operator ok\n[+]informers ok\n[+]vcenter ok\nready\n");
      }
      assertThat(b.isLeader()).isFalse();
      Lease lease = client.leases().inNamespace(NS).withName("slipway-operator").get();
      assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("replica-a");

      // The sample namespace, made by the leader.
      for (GenericKubernetesResource r :
          Manifests.load(
              TestBed.repositoryRoot().resolve("deploy/samples/30-vspherenamespace.yaml"))) {
        client.resource(r).serverSideApply();
      }
      // Ready for objects once the quota controller counted its quota.
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  Optional.ofNullable(
                          client
                              .resources(
                                  dev.slipway.operator.api.vmoperator.v1alpha1.VSphereNamespace
                                      .class)
                              .withName("team-a")
                              .get())
                      .map(v -> v.getStatus())
                      .map(st -> st.conditions)
                      .orElse(List.of())
                      .stream()
                      .anyMatch(
                          c ->
                              dev.slipway.operator.status.Types.NAMESPACE_READY.equals(c.getType())
                                  && "True".equals(c.getStatus())));
      // A cluster whose release does not exist: the leader's controller says why, and the
      // leader's error counter counts it by reason; the standby counts nothing.
      for (GenericKubernetesResource r :
          Manifests.load(TestBed.repositoryRoot().resolve("deploy/samples/40-tkc.yaml"))) {
        client.resource(r).serverSideApply();
      }
      // Every replica serves the conversion webhook, the standby too: b started last, so the
      // CRD calls b's, and the cluster reads as v1alpha1 through it.
      assertThat(a.webhook()).isPresent();
      assertThat(
              client
                  .apiextensions()
                  .v1()
                  .customResourceDefinitions()
                  .withName("tanzukubernetesclusters.run.tanzu.vmware.com")
                  .get()
                  .getSpec()
                  .getConversion()
                  .getWebhook()
                  .getClientConfig()
                  .getUrl())
          .isEqualTo("https://127.0.0.1:" + standby.webhook().orElseThrow().port() + "/convert");
      GenericKubernetesResource asV1alpha1 =
          client
              .genericKubernetesResources("run.tanzu.vmware.com/v1alpha1", "TanzuKubernetesCluster")
              .inNamespace("team-a")
              .withName("demo")
              .get();
      assertThat(Manifests.get(Manifests.toMap(asV1alpha1), "spec.topology.workers.count"))
          .isEqualTo(1);
      String reason =
          await()
              .atMost(Duration.ofSeconds(60))
              .until(() -> resolutionFailure("team-a", "demo"), Optional::isPresent)
              .orElseThrow();
      String errors =
          "slipway_errors_total{kind=\"TanzuKubernetesCluster\",reason=\"" + reason + "\"}";
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(sample(get(a, "/metrics").body(), errors)).contains(1.0));
      assertThat(get(b, "/metrics").body()).doesNotContain("slipway_errors_total{");

      // A Machine: counted by the phase the machine controller gives it, on both replicas.
      client.resources(Machine.class).inNamespace("team-a").resource(machine("m-0")).create();
      String phase =
          await()
              .atMost(Duration.ofSeconds(60))
              .until(() -> phase("team-a", "m-0"), Optional::isPresent)
              .orElseThrow();
      for (OperatorProcess p : List.of(a, b)) {
        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () ->
                    assertThat(
                            sample(
                                get(p, "/metrics").body(),
                                "slipway_machines{phase=\"" + phase + "\"}"))
                        .contains(1.0));
      }

      String leaderMetrics = get(a, "/metrics").body();
      // JOSDK's Micrometer metrics, per controller.
      assertThat(leaderMetrics)
          .contains("operator_sdk_events_received_total{")
          .contains("operator_sdk_reconciliations_started_total{")
          // The type label says which UpdateControl JOSDK saw; status is written by Slipway's
          // own finisher now, so only the controller is pinned.
          .contains(
              "operator_sdk_controllers_execution_reconcile_success_total"
                  + "{controller=\"tanzukubernetescluster\",")
          .contains("operator_sdk_reconciliations_queue_size_machine");
      // Slipway's own.
      assertThat(sample(leaderMetrics, "slipway_leader")).contains(1.0);
      assertThat(sample(get(b, "/metrics").body(), "slipway_leader")).contains(0.0);
      assertThat(sample(leaderMetrics, "slipway_vcenter_session")).contains(1.0);
      assertThat(sample(leaderMetrics, "slipway_machine_provisioning_seconds_count")).contains(0.0);
      assertThat(leaderMetrics)
          .contains("slipway_machine_provisioning_seconds_bucket{le=\"300.0\"}");
      assertThat(sample(leaderMetrics, "slipway_vcenter_calls_total{method=\"Login\"}"))
          .hasValueSatisfying(n -> assertThat(n).isGreaterThan(0));
      assertThat(
              sample(
                  leaderMetrics, "slipway_vcenter_calls_total{method=\"RetrieveServiceContent\"}"))
          .hasValueSatisfying(n -> assertThat(n).isGreaterThan(0));
      assertThat(leaderMetrics).contains("jvm_memory_used_bytes{");
      assertThat(sample(leaderMetrics, "slipway_cluster_ready{name=\"demo\",namespace=\"team-a\"}"))
          .contains(0.0);
      assertThat(leaderMetrics)
          .contains(
              "slipway_vcenter_call_duration_seconds_bucket{method=\"Login\",outcome=\"success\"")
          .containsPattern(
              "slipway_kubernetes_requests_total\\{code=\"201\",resource=\"[a-z./]+\",verb=\"POST\"}");

      // deploy/monitoring's alerts and dashboard query only what /metrics exports.
      everyMonitoredMetricIsExported(a);

      // Graceful shutdown of the leader: it releases the Lease, so the standby takes over well
      // within the lease duration, and stays ready throughout (sampled every 20 ms from before the
      // leader stops until 5 s after the standby leads; CI once saw a 503 right at the take-over).
      List<String> notReady = new CopyOnWriteArrayList<>();
      AtomicBoolean sampling = new AtomicBoolean(true);
      Thread sampler =
          new Thread(
              () -> {
                while (sampling.get()) {
                  HttpResponse<String> r = get(standby, "/readyz");
                  if (r.statusCode() != 200) {
                    notReady.add(java.time.Instant.now() + " " + r.statusCode() + ": " + r.body());
                  }
                  try {
                    Thread.sleep(20);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "readyz-sampler");
      sampler.start();
      try {
        a.close();
        assertThat(a.awaitTermination()).isZero();
        await()
            .atMost(LeaderElectionTimings.SLIPWAY.leaseDuration().minusSeconds(3))
            .until(standby::isLeader);
        Thread.sleep(5_000);
      } finally {
        sampling.set(false);
        sampler.join();
      }
      assertThat(notReady).as("/readyz of the new leader during the take-over").isEmpty();
      assertThat(get(b, "/readyz").statusCode()).isEqualTo(200);
      assertThat(client.leases().inNamespace(NS).withName("slipway-operator").get())
          .satisfies(l -> assertThat(l.getSpec().getHolderIdentity()).isEqualTo("replica-b"));
      OperatorProcess stopped = a;
      assertThat(catchThrowableOfType(ConnectException.class, () -> rawConnect(stopped.port())))
          .isNotNull();
    } finally {
      a.close();
      if (b != null) {
        b.close();
      }
    }
  }

  /**
   * A cluster CA Secret as the cluster controller writes it (the demo cluster never gets that far
   * here, its release does not exist), so the certificate gauge has a series; then every metric
   * name in deploy/monitoring's rules and dashboard must be in the leader's /metrics.
   */
  private void everyMonitoredMetricIsExported(OperatorProcess leader) throws IOException {
    client
        .secrets()
        .inNamespace("team-a")
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("demo-ca")
                .addToLabels("slipway.dev/cluster", "demo")
                .endMetadata()
                .addToStringData(
                    "tls.crt",
                    dev.slipway.operator.bootstrap.ClusterPki.generate("demo").ca().certPem())
                .build())
        .create();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(get(leader, "/metrics").body())
                    .contains(
                        "slipway_cluster_certificate_expiry_timestamp_seconds{certificate=\"ca\""));
    String scrape = get(leader, "/metrics").body();
    Path root = TestBed.repositoryRoot();
    Files.createDirectories(root.resolve("operator/target"));
    Files.writeString(root.resolve("operator/target/metrics-scrape.txt"), scrape);
    Set<String> exported = new TreeSet<>();
    Matcher m = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]").matcher(scrape);
    while (m.find()) {
      exported.add(m.group(1));
    }
    Path rules = root.resolve("deploy/monitoring/slipway.rules.yaml");
    Path dashboard = root.resolve("deploy/monitoring/slipway-dashboard.json");
    Map<String, List<String>> expressions =
        Map.of(
            rules.toString(), MonitoringNames.ruleExpressions(rules),
            dashboard.toString(), MonitoringNames.dashboardExpressions(dashboard));
    Set<String> used = new TreeSet<>();
    expressions.forEach(
        (file, exprs) -> {
          assertThat(exprs).as(file).isNotEmpty();
          for (String expr : exprs) {
            Set<String> names = MonitoringNames.metricNames(expr);
            assertThat(names).as("%s: %s uses no metric", file, expr).isNotEmpty();
            assertThat(exported)
                .as("%s: %s uses a metric /metrics does not export", file, expr)
                .containsAll(names);
            used.addAll(names);
          }
        });
    assertThat(used).contains("slipway_cluster_ready", "slipway_leader");
  }

  private static void rawConnect(int port) throws IOException {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
      s.getOutputStream().write(1);
    }
  }

  @Test
  void aMissingCredentialsSecretStopsStartUpNamingIt() {
    Map<String, String> env = env("replica-x");
    env.put("SLIPWAY_VCENTER_CREDENTIALSSECRET", "no-such-secret");

    ConfigException e =
        catchThrowableOfType(ConfigException.class, () -> Main.run(new String[0], env));
    assertThat(e.problems())
        .containsExactly(
            "vcenter.credentialsSecret: Secret no-such-secret in namespace slipway-system not"
                + " found; create it with keys username and password: kubectl -n slipway-system"
                + " create secret generic no-such-secret --from-literal=username=USER"
                + " --from-file=password=FILE");

    // As the process reports it: one line, exit code 2, nothing started.
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Main.execute(
            new String[0],
            env,
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "slipway-operator: "
                + e.problems().get(0)
                + "\nslipway-operator: not started: 1 configuration problem\n");
  }

  @Test
  void aRotatedPasswordInTheSecretIsUsedWithoutARestart() throws Exception {
    String secret = "rotating-credentials";
    client.secrets().inNamespace(NS).resource(credentials(secret, vcsim.password())).create();
    Map<String, String> env = env("replica-r");
    env.put("SLIPWAY_VCENTER_CREDENTIALSSECRET", secret);
    env.put("SLIPWAY_OPERATOR_LEADERELECTION", "false");
    OperatorProcess p = Main.run(new String[0], env);
    try {
      // The Secret changes to a password vCenter does not take; once the session is lost, the
      // next login uses it and is rejected.
      client
          .secrets()
          .inNamespace(NS)
          .resource(credentials(secret, "not-" + vcsim.password()))
          .update();
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                vcsim.addFault("FindByInventoryPath", "NotAuthenticated", "session lost", 1);
                try {
                  assertThatThrownBy(() -> p.vsphere().findDatacenter("/DC0"))
                      .isInstanceOfSatisfying(
                          VSphereException.class,
                          e -> assertThat(e.faultType()).isIn("InvalidLogin", "LoginBackedOff"));
                } finally {
                  vcsim.clearFaults();
                }
              });
      // Fixed in the Secret: the next call logs in with it, without waiting out the brake.
      client.secrets().inNamespace(NS).resource(credentials(secret, vcsim.password())).update();
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(p.vsphere().findDatacenter("/DC0")).isPresent());
    } finally {
      p.close();
    }
  }

  static io.fabric8.kubernetes.api.model.Secret credentials(String name, String password) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(NS)
        .endMetadata()
        .addToStringData("username", vcsim.username())
        .addToStringData("password", password)
        .build();
  }

  @Test
  void wrongVCenterPasswordAndMissingPlacementAreConfigurationProblems() {
    client
        .secrets()
        .inNamespace(NS)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("wrong-password")
                .endMetadata()
                .addToStringData("username", vcsim.username())
                .addToStringData("password", "not-" + vcsim.password())
                .build())
        .create();
    Map<String, String> wrongPassword = env("replica-y");
    wrongPassword.put("SLIPWAY_VCENTER_CREDENTIALSSECRET", "wrong-password");

    ConfigException rejected =
        catchThrowableOfType(ConfigException.class, () -> Main.run(new String[0], wrongPassword));
    assertThat(rejected.problems())
        .containsExactly(
            "vcenter.url: "
                + vcsim.baseUrl()
                + ": vCenter rejected user "
                + vcsim.username()
                + " (check username and password in Secret wrong-password in namespace"
                + " slipway-system)");
    assertThat(rejected.getMessage()).doesNotContain(vcsim.password());

    Map<String, String> elsewhere = env("replica-z");
    elsewhere.put("SLIPWAY_PLACEMENT_DATACENTER", "/DC9");
    elsewhere.put("SLIPWAY_PLACEMENT_PARENTFOLDER", "/DC0/vm/nope");
    ConfigException missing =
        catchThrowableOfType(ConfigException.class, () -> Main.run(new String[0], elsewhere));
    assertThat(missing.problems())
        .containsExactly(
            "placement.datacenter: /DC9 not found in vCenter",
            "placement.parentFolder: /DC0/vm/nope not found in vCenter (a VM folder path, e.g."
                + " /Datacenter/vm)");
  }

  private static Optional<String> resolutionFailure(String ns, String name) {
    TanzuKubernetesCluster tkc =
        client.resources(TanzuKubernetesCluster.class).inNamespace(ns).withName(name).get();
    if (tkc == null || tkc.getStatus() == null) {
      return Optional.empty();
    }
    return tkc.getStatus().conditions.stream()
        .filter(c -> c.getType().equals("ResourcesResolved") && c.getStatus().equals("False"))
        .map(Condition::getReason)
        .findFirst();
  }

  private static Optional<String> phase(String ns, String name) {
    Machine m = client.resources(Machine.class).inNamespace(ns).withName(name).get();
    return Optional.ofNullable(m).map(Machine::getStatus).map(s -> s.phase);
  }

  private static Machine machine(String name) {
    Machine m = new Machine();
    m.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).build());
    Machine.Spec s = new Machine.Spec();
    s.clusterName = "demo";
    s.role = Machine.Role.worker;
    s.pool = "general";
    s.version = "v1.37.2+vmware.1";
    s.vmClass = "best-effort-small";
    s.storageClass = "gold";
    s.image = new Machine.Image();
    s.image.contentLibrary = "slipway-demo";
    s.image.item = "ubuntu-2404-kube-v1.37.2";
    m.setSpec(s);
    return m;
  }
}
