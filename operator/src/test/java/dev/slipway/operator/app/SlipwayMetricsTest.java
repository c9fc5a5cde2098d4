package dev.slipway.operator.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.vsphere.VSphereProvider;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.search.RequiredSearch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class SlipwayMetricsTest {
  private static final Instant START = Instant.parse("2026-01-10T10:00:00Z");
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicBoolean leader = new AtomicBoolean(true);
  private final SlipwayMetrics metrics =
      new SlipwayMetrics(registry, leader::get, Clock.fixed(START, ZoneOffset.UTC));

  private static Condition condition(String type, String status, String reason, Instant at) {
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage("m")
        .withLastTransitionTime(at.toString())
        .build();
  }

  private static Machine machine(String uid, Instant created, String phase, Condition... cs) {
    Machine m = new Machine();
    m.setMetadata(
        new ObjectMetaBuilder()
            .withName("m-" + uid)
            .withNamespace("team-a")
            .withUid(uid)
            .withCreationTimestamp(created.toString())
            .build());
    Machine.Status s = new Machine.Status();
    s.phase = phase;
    s.conditions = new ArrayList<>(List.of(cs));
    m.setStatus(s);
    return m;
  }

  private RequiredSearch timer() {
    return registry.get("slipway.machine.provisioning");
  }

  @Test
  void provisioningIsObservedOncePerMachineFromCreationToReady() {
    Instant created = START.plusSeconds(10);
    Machine m =
        machine(
            "u1",
            created,
            "Running",
            condition("Ready", "True", "Ready", created.plus(Duration.ofMinutes(4))));

    metrics.onMachine(m);
    metrics.onMachine(m);

    assertThat(timer().timer().count()).isEqualTo(1);
    assertThat(timer().timer().totalTime(TimeUnit.SECONDS)).isEqualTo(240.0);
  }

  @Test
  void machinesNotYetRunningOrReadyBeforeThisProcessAreNotObserved() {
    metrics.onMachine(machine("u1", START, "Provisioning"));
    metrics.onMachine(
        machine(
            "u2",
            START.minusSeconds(600),
            "Running",
            condition("Ready", "True", "Ready", START.minusSeconds(60))));

    assertThat(timer().timer().count()).isZero();
  }

  @Test
  void theStandbyObservesNothingEvenAfterItBecomesLeader() {
    leader.set(false);
    Machine m =
        machine("u1", START, "Running", condition("Ready", "True", "Ready", START.plusSeconds(90)));
    metrics.onMachine(m);
    leader.set(true);
    metrics.onMachine(m);

    assertThat(timer().timer().count()).isZero();
  }

  @Test
  void errorsAreCountedOncePerTransitionByKindAndReason() {
    TanzuKubernetesCluster tkc = new TanzuKubernetesCluster();
    tkc.setMetadata(new ObjectMetaBuilder().withName("demo").withUid("c1").build());
    Instant at = START.plusSeconds(5);
    List<Condition> failed =
        List.of(
            condition("ResourcesResolved", "False", "TanzuKubernetesReleaseNotFound", at),
            // the summary repeats the reason: not a second error
            condition("Ready", "False", "TanzuKubernetesReleaseNotFound", at),
            // waiting is not failing
            condition("ControlPlaneReady", "False", "WaitingForControlPlane", at));

    metrics.onConditions(tkc, failed);
    metrics.onConditions(tkc, failed);
    metrics.onConditions(
        tkc,
        List.of(
            condition(
                "ResourcesResolved",
                "False",
                "TanzuKubernetesReleaseNotFound",
                at.plusSeconds(60))));

    Counter c =
        registry
            .get("slipway.errors")
            .tag("kind", "TanzuKubernetesCluster")
            .tag("reason", "TanzuKubernetesReleaseNotFound")
            .counter();
    assertThat(c.count()).isEqualTo(2.0);
    assertThat(registry.find("slipway.errors").counters()).hasSize(1);
  }

  @Test
  void machinesAreCountedByPhaseWithEveryPhasePresent() {
    List<Machine> machines =
        List.of(
            machine("a", START, "Running"),
            machine("b", START, "Running"),
            machine("c", START, "Provisioning"),
            machine("d", START, null));
    metrics.countMachinesFrom(() -> machines);

    assertThat(registry.get("slipway.machines").tag("phase", "Running").gauge().value())
        .isEqualTo(2.0);
    assertThat(registry.get("slipway.machines").tag("phase", "Provisioning").gauge().value())
        .isEqualTo(1.0);
    assertThat(registry.get("slipway.machines").tag("phase", "Unknown").gauge().value())
        .isEqualTo(1.0);
    assertThat(registry.get("slipway.machines").tag("phase", "Failed").gauge().value()).isZero();
    assertThat(registry.find("slipway.machines").gauges()).hasSize(SlipwayMetrics.PHASES.size());
  }

  @Test
  void vcenterCallsFollowTheProvidersCountsPerMethod() {
    Map<String, Long> counts = new ConcurrentHashMap<>(Map.of("Login", 1L));
    VSphereProvider vsphere = provider(counts);

    metrics.vcenterCalls(vsphere);
    counts.put("Login", 2L);
    counts.put("CloneVM_Task", 3L);
    metrics.vcenterCalls(vsphere);

    assertThat(
            registry.get("slipway.vcenter.calls").tag("method", "Login").functionCounter().count())
        .isEqualTo(2.0);
    assertThat(
            registry
                .get("slipway.vcenter.calls")
                .tag("method", "CloneVM_Task")
                .functionCounter()
                .count())
        .isEqualTo(3.0);
  }

  @Test
  void reconcilePassesAreCountedByControllerAndStep() {
    var p =
        dev.slipway.operator.controller.steps.Pipeline.<Object>builder("metrics-test")
            .step("wait", x -> dev.slipway.operator.controller.steps.Next.waitForEvents("w"))
            .build();
    p.run(new Object());
    metrics.reconcilePasses();
    p.run(new Object());
    p.run(new Object());

    assertThat(
            registry
                .get("slipway.reconcile.passes")
                .tag("controller", "metrics-test")
                .tag("step", "wait")
                .functionCounter()
                .count())
        .isEqualTo(3.0);
    assertThat(
            registry
                .get("slipway.reconcile.step.cpu")
                .tag("controller", "metrics-test")
                .tag("step", "wait")
                .functionCounter()
                .count())
        .as("seconds, as the pipeline counted them in nanoseconds")
        .isEqualTo(
            dev.slipway.operator.controller.steps.Pipeline.stepCpuNanos(
                    new dev.slipway.operator.controller.steps.Pipeline.At("metrics-test", "wait"))
                / 1e9);
  }

  @Test
  void theLeaderGaugeFollowsLeadership() {
    assertThat(registry.get("slipway.leader").gauge().value()).isEqualTo(1.0);
    leader.set(false);
    assertThat(registry.get("slipway.leader").gauge().value()).isZero();
  }

  /** Only callCounts() is asked for; anything else would be a bug in the metrics. */
  private static VSphereProvider provider(Map<String, Long> counts) {
    return (VSphereProvider)
        Proxy.newProxyInstance(
            VSphereProvider.class.getClassLoader(),
            new Class<?>[] {VSphereProvider.class},
            (proxy, method, args) -> {
              if (method.getName().equals("callCounts")) {
                return Map.copyOf(counts);
              }
              throw new UnsupportedOperationException(method.getName());
            });
  }

  private static TanzuKubernetesCluster cluster(String name, String phase, String ready) {
    TanzuKubernetesCluster c = new TanzuKubernetesCluster();
    c.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("team-a").build());
    c.setStatus(new dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesClusterStatus());
    c.getStatus().phase = phase;
    c.getStatus().conditions = new ArrayList<>(List.of(condition("Ready", ready, "R", START)));
    return c;
  }

  private static io.fabric8.kubernetes.api.model.Secret secret(
      String name, String cluster, Map<String, String> stringData) {
    Map<String, String> data = new java.util.HashMap<>();
    stringData.forEach(
        (k, v) ->
            data.put(
                k,
                java.util.Base64.getEncoder()
                    .encodeToString(v.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
    return new io.fabric8.kubernetes.api.model.SecretBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("team-a")
        .withUid("uid-" + name)
        .withResourceVersion("1")
        .addToLabels("slipway.dev/cluster", cluster)
        .endMetadata()
        .withData(data)
        .build();
  }

  @Test
  void clustersByPhaseReadinessAndCertificateExpiry() throws Exception {
    TanzuKubernetesCluster deleting = cluster("gone", "deleting", "False");
    deleting.getMetadata().setDeletionTimestamp(START.toString());
    dev.slipway.operator.bootstrap.ClusterPki pki =
        dev.slipway.operator.bootstrap.ClusterPki.generate("demo");
    String kubeconfig =
        dev.slipway.operator.bootstrap.Kubeconfigs.admin("demo", "127.1.0.10", 6443, pki.ca());
    List<io.fabric8.kubernetes.api.model.Secret> secrets =
        List.of(
            secret("demo-kubeconfig", "demo", Map.of("value", kubeconfig)),
            secret("demo-ca", "demo", Map.of("tls.crt", pki.ca().certPem())),
            // not a certificate Secret of the cluster: no series
            secret("demo-ssh", "demo", Map.of("value", "ssh-ed25519 AAAA")),
            secret("demo-sa", "demo", Map.of("tls.crt", "not a certificate")));
    // As the metrics' Secret informer keeps them: the expiry only, no keys or kubeconfigs.
    secrets.forEach(SlipwayMetrics::expiryOnly);
    assertThat(secrets)
        .extracting(s -> s.getData() == null ? Set.of() : s.getData().keySet())
        .containsExactly(
            Set.of(SlipwayMetrics.NOT_AFTER), Set.of(SlipwayMetrics.NOT_AFTER), Set.of(), Set.of());
    metrics.countClustersFrom(
        () ->
            List.of(
                cluster("demo", "running", "True"),
                cluster("new", "creating", "False"),
                cluster("odd", null, "Unknown"),
                deleting),
        () -> secrets);

    metrics.refreshClusters();

    assertThat(registry.get("slipway.clusters").tag("phase", "running").gauge().value())
        .isEqualTo(1.0);
    assertThat(registry.get("slipway.clusters").tag("phase", "creating").gauge().value())
        .isEqualTo(1.0);
    assertThat(registry.get("slipway.clusters").tag("phase", "Unknown").gauge().value())
        .isEqualTo(1.0);
    assertThat(registry.get("slipway.clusters").tag("phase", "deleting").gauge().value())
        .isEqualTo(1.0);
    assertThat(registry.get("slipway.cluster.ready").tag("name", "demo").gauge().value())
        .isEqualTo(1.0);
    assertThat(registry.get("slipway.cluster.ready").tag("name", "new").gauge().value())
        .isEqualTo(0.0);
    assertThat(registry.find("slipway.cluster.ready").tag("name", "gone").gauge()).isNull();

    double kubeconfigExpiry =
        registry
            .get("slipway.cluster.certificate.expiry.timestamp")
            .tags("namespace", "team-a", "name", "demo", "certificate", "kubeconfig")
            .gauge()
            .value();
    double caExpiry =
        registry
            .get("slipway.cluster.certificate.expiry.timestamp")
            .tags("certificate", "ca")
            .gauge()
            .value();
    // the admin certificate: one year; the CA: ten
    assertThat(kubeconfigExpiry - Instant.now().getEpochSecond())
        .isBetween(364 * 86400.0, 366 * 86400.0);
    assertThat(caExpiry - Instant.now().getEpochSecond()).isGreaterThan(9 * 365 * 86400.0);
    assertThat(registry.find("slipway.cluster.certificate.expiry.timestamp").gauges()).hasSize(2);

    // read again with nothing changed: nothing registered again, nor the rows built
    int registered = metrics.rowRegistrations;
    int refreshes = metrics.refreshes;
    metrics.refreshClusters();
    assertThat(metrics.rowRegistrations).isEqualTo(registered);
    assertThat(metrics.refreshes).isEqualTo(refreshes);
    assertThat(registry.get("slipway.cluster.ready").tag("name", "demo").gauge().value())
        .isEqualTo(1.0);

    // a cluster that went away takes its series with it
    metrics.countClustersFrom(() -> List.of(cluster("new", "creating", "False")), List::of);
    metrics.refreshClusters();
    assertThat(registry.find("slipway.cluster.ready").tag("name", "demo").gauge()).isNull();
    assertThat(registry.find("slipway.cluster.certificate.expiry.timestamp").gauges()).isEmpty();
  }

  @Test
  void vcenterCallsAreTimedByMethodAndOutcome() {
    var observer = SlipwayMetrics.vcenterCallTimer(registry);
    observer.observe("Login", Duration.ofMillis(40), false);
    observer.observe("Login", Duration.ofMillis(60), true);
    observer.observe("CloneVM_Task", Duration.ofMillis(300), false);

    var ok =
        registry.get("slipway.vcenter.call.duration").tags("method", "Login", "outcome", "success");
    assertThat(ok.timer().count()).isEqualTo(1);
    assertThat(
            registry
                .get("slipway.vcenter.call.duration")
                .tags("method", "Login", "outcome", "failure")
                .timer()
                .totalTime(TimeUnit.MILLISECONDS))
        .isEqualTo(60.0);
    assertThat(registry.get("slipway.vcenter.call.duration").timers()).hasSize(3);
  }
}
