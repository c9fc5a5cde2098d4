package dev.slipway.operator.app;

import dev.slipway.operator.LeaderElectionTimings;
import dev.slipway.operator.Slipway;
import dev.slipway.operator.controller.Requeue;
import dev.slipway.operator.webhook.ConversionWebhook;
import dev.slipway.vsphere.CallObserver;
import dev.slipway.vsphere.VSphereProvider;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running operator: its Kubernetes client, vCenter session, controllers, metrics and HTTP
 * endpoints. {@link #close()} is the graceful shutdown (SIGTERM, or leadership lost); {@link
 * #awaitTermination()} returns the exit code once it is done.
 */
public final class OperatorProcess implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OperatorProcess.class);
  static final String METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  /** How long running reconciles may take to finish at shutdown (the pod has 30 s in all). */
  static final Duration RECONCILE_DRAIN = Duration.ofSeconds(20);

  private final OperatorConfig config;
  private final LeaseFence fence;
  private final String identity;
  private final Deque<AutoCloseable> resources = new ArrayDeque<>();
  private final AtomicBoolean leader = new AtomicBoolean();
  private final AtomicBoolean closing = new AtomicBoolean();
  private final CountDownLatch terminated = new CountDownLatch(1);
  private volatile int exitCode;
  private volatile boolean started;
  private PrometheusMeterRegistry registry;
  private HealthServer health;
  private VSphereProvider vsphere;
  private VCenterProbe probe;
  private final InformerReadiness informers = new InformerReadiness(Instant::now);
  private Slipway controllers;
  private ConversionWebhook webhook;

  private OperatorProcess(OperatorConfig config, LeaseFence fence) {
    this.config = config;
    this.fence = fence;
    this.identity = config.identity().orElseGet(() -> "slipway-" + UUID.randomUUID());
  }

  /**
   * Starts everything in order, each step only after the one before worked: the credentials Secret,
   * the vCenter login and placement check, the HTTP endpoints (so the startup probe sees a live
   * process while the rest starts), Slipway's metrics, the controllers (leader election), the
   * vCenter probe. On failure, whatever started is stopped again.
   */
  static OperatorProcess start(
      OperatorConfig config,
      KubernetesClient client,
      KubernetesRequests requests,
      LeaseFence fence) {
    OperatorProcess p = new OperatorProcess(config, fence);
    p.resources.push(client);
    try {
      p.startAll(client, requests);
      return p;
    } catch (RuntimeException e) {
      p.stopAll();
      throw e;
    }
  }

  private void startAll(KubernetesClient client, KubernetesRequests requests) {
    // First, so that the vCenter login below is measured too.
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    resources.push(registry::close);
    requests.bindTo(registry);
    VCenterCredentials credentials;
    try {
      credentials = VCenterCredentials.read(client, config.namespace(), config.credentialsSecret());
    } catch (KubernetesClientException e) {
      throw new StartupException(
          "cannot read Secret "
              + config.credentialsSecret()
              + " through the Kubernetes API at "
              + client.getConfiguration().getMasterUrl()
              + ": "
              + e.getMessage(),
          e);
    }
    try {
      CallObserver timer = SlipwayMetrics.vcenterCallTimer(registry);
      vsphere =
          VCenter.connect(
              config,
              credentials,
              new CallObserver() {
                @Override
                public void starting(String method) {
                  fence.starting(method);
                }

                @Override
                public void observe(String method, Duration duration, boolean failed) {
                  timer.observe(method, duration, failed);
                }
              });
    } finally {
      credentials.clear();
    }
    resources.push(vsphere);
    LOG.info("logged in to {} at {}", vsphere.about().fullName(), config.vcenterUrl());
    resources.push(
        CredentialsWatch.start(client, config.namespace(), config.credentialsSecret(), vsphere));

    bindJvmMetrics();
    SlipwayMetrics metrics = new SlipwayMetrics(registry, leader::get, Clock.systemUTC());
    resources.push(metrics);
    probe = new VCenterProbe(vsphere, config.placement().datacenter(), Clock.systemUTC());
    Gauge.builder("slipway.vcenter.session", () -> probe.ok() ? 1 : 0)
        .description("1 when the last vCenter check (every 30 s) succeeded, else 0")
        .register(registry);

    try {
      health =
          new HealthServer(
              config.httpPort(),
              this::readiness,
              () -> {
                metrics.vcenterCalls(vsphere);
                metrics.reconcilePasses();
                metrics.refreshClusters();
                return registry.scrape();
              },
              METRICS_CONTENT_TYPE);
    } catch (UncheckedIOException e) {
      throw new StartupException("http.port: " + e.getMessage(), e);
    }
    resources.push(health);
    LOG.info("serving /healthz, /readyz and /metrics on port {}", health.port());

    if (config.webhookEnabled()) {
      // Every replica, before leader election: the API server's calls go to any of them.
      try {
        webhook = ConversionWebhook.start(client, config.webhook());
      } catch (KubernetesClientException | IllegalStateException | UncheckedIOException e) {
        throw new StartupException(
            "cannot serve the conversion webhook (webhook.* settings; the Secret "
                + config.webhook().caSecret()
                + " and the CRD "
                + "tanzukubernetesclusters.run.tanzu.vmware.com need deploy/'s RBAC): "
                + e.getMessage(),
            e);
      }
      resources.push(webhook);
    }

    try {
      metrics.watch(client);
    } catch (KubernetesClientException e) {
      throw new StartupException(
          "cannot list and watch Machines, TanzuKubernetesClusters and VSphereNamespaces (are the"
              + " CRDs from crds/ installed, and does the ServiceAccount have deploy/'s RBAC?): "
              + e.getMessage(),
          e);
    }
    if (config.leaderElection()) {
      // Below the controllers on the stack: runs once they stopped and no longer renew the Lease.
      resources.push(() -> releaseLease(client));
    }
    controllers = startControllers(client);
    resources.push(controllers);
    metrics.watchSecrets(client, controllers.secretScope());
    if (!config.leaderElection()) {
      leader.set(true);
    }

    ScheduledExecutorService scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "vcenter-probe");
              t.setDaemon(true);
              return t;
            });
    resources.push(scheduler::shutdownNow);
    if (config.leaderElection()) {
      // Checks the fence twice a second, so that a process resumed after its Lease ran out halts
      // at once even when none of its threads makes a guarded call first (LeaseFence).
      ScheduledExecutorService fenceCheck =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "lease-fence");
                t.setDaemon(true);
                return t;
              });
      resources.push(fenceCheck::shutdownNow);
      fenceCheck.scheduleWithFixedDelay(fence::lapsed, 500, 500, TimeUnit.MILLISECONDS);
    }
    probe.run();
    scheduler.scheduleWithFixedDelay(
        probe,
        VCenterProbe.INTERVAL.toSeconds(),
        VCenterProbe.INTERVAL.toSeconds(),
        TimeUnit.SECONDS);
    started = true;
    LOG.info(
        "started as {}{}",
        identity,
        config.leaderElection()
            ? ", waiting for Lease " + config.namespace() + "/" + config.leaseName()
            : " (leader election off)");
  }

  private Slipway startControllers(KubernetesClient client) {
    try {
      return Slipway.start(
          new Slipway.Wiring(
                  client,
                  vsphere,
                  config.placement(),
                  config.vips(),
                  null,
                  null,
                  null,
                  config.reconcileThreads())
              .withBackoff(Requeue.Backoff.withCap(config.retryBackoffCap()))
              .withReleaseSync(config.releaseSync())
              .withGuardrails(config.guardrails())
              .withOperatorNamespace(config.namespace())
              .withAddons(config.addons())
              .withWorkloadGuard(fence.workloadGuard()),
          o -> {
            o.withMetrics(MicrometerMetrics.withoutPerResourceMetrics(registry))
                .withReconciliationTerminationTimeout(RECONCILE_DRAIN);
            if (config.leaderElection()) {
              o.withLeaderElectionConfiguration(
                  LeaderElectionTimings.SLIPWAY
                      .builder(config.leaseName())
                      .withLeaseNamespace(config.namespace())
                      .withIdentity(identity)
                      .withLeaderCallbacks(
                          new LeaderCallbacks(
                              this::startedLeading, this::stoppedLeading, this::newLeader))
                      // Exiting is ours to do (stoppedLeading): JOSDK's System.exit would run
                      // inside the shutdown hook on SIGTERM and hang the JVM.
                      .withExitOnStopLeading(false)
                      .build());
            }
          });
    } catch (io.javaoperatorsdk.operator.OperatorException | KubernetesClientException e) {
      throw new StartupException("cannot start the controllers: " + e.getMessage(), e);
    }
  }

  /**
   * Hands the Lease over at once instead of after its {@link
   * LeaderElectionTimings#leaseDuration()}: JOSDK 5.2.3 stops renewing but does not release it
   * (fabric8's releaseOnCancel is off). As fabric8's own release does, the Lease is marked expired
   * (duration 1 s from now); the resourceVersion check makes sure it is still ours.
   */
  private void releaseLease(KubernetesClient client) {
    var leases = client.leases().inNamespace(config.namespace());
    Lease lease = leases.withName(config.leaseName()).get();
    if (lease == null || !identity.equals(lease.getSpec().getHolderIdentity())) {
      LOG.debug("Lease not ours to release: {}", lease == null ? null : lease.getSpec());
      return;
    }
    lease.getSpec().setLeaseDurationSeconds(1);
    lease.getSpec().setRenewTime(ZonedDateTime.now(ZoneOffset.UTC));
    try {
      leases.resource(lease).update();
      LOG.info("released Lease {}/{}", config.namespace(), config.leaseName());
    } catch (KubernetesClientException e) {
      // 409: another replica took it meanwhile, which is what we wanted.
      if (e.getCode() != 409) {
        throw e;
      }
    }
  }

  private void bindJvmMetrics() {
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    resources.push(gc);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  /**
   * Ready = started, the controllers' informers are watching (none has stopped for {@link
   * InformerReadiness#GRACE}), and vCenter answers. Leadership is not part of it: the standby is as
   * ready as the leader (it takes over at once), so readiness does not flap when the Lease moves —
   * not even while the new leader's Secret informers list the tenant namespaces it now serves.
   */
  List<HealthServer.Check> readiness() {
    List<HealthServer.Check> checks = new ArrayList<>();
    if (closing.get()) {
      checks.add(new HealthServer.Check("operator", "shutting down"));
      return checks;
    }
    checks.add(new HealthServer.Check("operator", started ? null : "starting"));
    if (started) {
      var runtime = controllers.operator().getRuntimeInfo();
      checks.add(
          new HealthServer.Check(
              "informers", informers.problem(notWatching(runtime.unhealthyEventSources()))));
      checks.add(new HealthServer.Check("vcenter", probe.problem()));
    }
    return checks;
  }

  /** "controller/event source" of each event source that is not watching. */
  private static List<String> notWatching(Map<String, ? extends Map<String, ?>> byController) {
    return byController.entrySet().stream()
        .flatMap(c -> c.getValue().keySet().stream().map(source -> c.getKey() + "/" + source))
        .toList();
  }

  private void startedLeading() {
    fence.startedLeading();
    leader.set(true);
    LOG.info("{} is the leader: reconciling", identity);
  }

  private void stoppedLeading() {
    fence.shuttingDown();
    leader.set(false);
    if (closing.get()) {
      return;
    }
    // Another replica may already act on our objects: stop now and let Kubernetes restart us as
    // a standby, rather than reconcile alongside the new leader.
    LOG.error("{} lost the leader Lease: shutting down", identity);
    exitCode = 1;
    Thread t = new Thread(this::close, "leadership-lost");
    t.start();
  }

  private void newLeader(String who) {
    if (!who.equals(identity)) {
      LOG.info("leader is {}; {} is standing by", who, identity);
    }
  }

  /** The port of /healthz, /readyz and /metrics. */
  /** The vCenter client (tests). */
  VSphereProvider vsphere() {
    return vsphere;
  }

  public int port() {
    return health.port();
  }

  /** The conversion webhook, if this replica serves one (webhook.enabled). */
  public java.util.Optional<ConversionWebhook> webhook() {
    return java.util.Optional.ofNullable(webhook);
  }

  public boolean isLeader() {
    return leader.get();
  }

  public String identity() {
    return identity;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /**
   * Blocks until {@link #close()} finished; the process's exit code (0, or 1 after losing the
   * Lease).
   */
  public int awaitTermination() throws InterruptedException {
    terminated.await();
    return exitCode;
  }

  /**
   * Graceful shutdown: readiness goes false, the controllers stop (running reconciles get {@link
   * #RECONCILE_DRAIN}, then the Lease is released so the standby takes over at once), the informers
   * stop, the vCenter session logs out, the client closes, the HTTP server stops last.
   */
  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      awaitQuietly();
      return;
    }
    LOG.info("shutting down");
    fence.shuttingDown();
    stopAll();
    LOG.info("stopped");
    terminated.countDown();
  }

  private void stopAll() {
    closing.set(true);
    while (!resources.isEmpty()) {
      AutoCloseable r = resources.pop();
      if (r == health) {
        continue;
      }
      closeQuietly(r);
    }
    if (health != null) {
      closeQuietly(health);
    }
    terminated.countDown();
  }

  private static void closeQuietly(AutoCloseable r) {
    try {
      r.close();
    } catch (Exception e) {
      LOG.warn("error while stopping {}: {}", r.getClass().getSimpleName(), e.toString());
    }
  }

  private void awaitQuietly() {
    try {
      terminated.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
