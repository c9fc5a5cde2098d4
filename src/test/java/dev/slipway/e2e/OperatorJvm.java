package dev.slipway.e2e;

import dev.slipway.operator.webhook.WebhookSettings;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The operator as deploy/ runs it: its own JVM on the shipped entry point {@code
 * dev.slipway.operator.app.Main}, settings from a {@code slipway.properties} file with
 * deploy/50-config.yaml's keys (pointed at the env's vcsim), vCenter credentials from the Secret
 * {@code slipway-vcenter-credentials} in the operator's namespace, {@code POD_NAMESPACE} and {@code
 * POD_NAME} as the Deployment sets them. {@link #kill()} is SIGKILL; {@link #start()} after it is
 * the container restart (same pod name, so the same leader-election identity).
 */
public final class OperatorJvm implements AutoCloseable {
  public static final String SECRET = "slipway-vcenter-credentials";
  static final String SERVICE_ACCOUNT = "slipway-operator";
  private static final Pattern PORT = Pattern.compile("serving /healthz.* on port (\\d+)");
  private static final java.util.Set<OperatorJvm> RUNNING =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  static {
    // A test JVM that ends (or fails) never leaves an operator behind acting on the next test bed.
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> RUNNING.forEach(o -> o.process.destroyForcibly()), "operator-jvm-reaper"));
  }

  private final SlipwayEnv env;
  private final String podName;
  private final Path config;
  private final Path log;
  private final List<String> jvmFlags;
  private Path kubeconfig;
  private Process process;
  private long logOffset;
  private int starts;

  private OperatorJvm(
      SlipwayEnv env, String podName, Path config, Path log, List<String> jvmFlags) {
    this.env = env;
    this.podName = podName;
    this.config = config;
    this.log = log;
    this.jvmFlags = jvmFlags;
    this.kubeconfig = env.controlPlane.kubeconfigFile();
  }

  /**
   * The replica of each env that serves the conversion webhook: the first prepared. Each would have
   * its own loopback URL, and a second would patch the CRD to its own (a write by a standby, and
   * two replicas taking turns at it); in a cluster every replica shares the Service instead.
   */
  private static final Map<SlipwayEnv, String> WEBHOOK_SERVERS =
      Collections.synchronizedMap(new WeakHashMap<>());

  /**
   * The conversion webhook on a free loopback port that the CRD names by URL: a test bed's API
   * server has no route to the Service the CRD names otherwise, and then every conversion fails and
   * its watch caches of TanzuKubernetesClusters at v1alpha1 and v1alpha2 list every cluster from
   * etcd again and again (docs/performance.md, optimisation 19). The port is fixed here, not 0, so
   * that the URL stays true when this replica restarts.
   */
  public static List<String> webhookSettings() {
    int port = V1alpha1ClusterE2E.freePort();
    return List.of(
        "webhook.host=127.0.0.1",
        "webhook.port=" + port,
        "webhook.url=https://127.0.0.1:" + port + WebhookSettings.PATH);
  }

  /**
   * Writes the configuration file and the credentials Secret (once per env; both are the same for
   * every replica) and returns a replica called {@code podName}, not started yet; its output goes
   * to {@code target/operator-jvm/<podName>.log}, appended across restarts.
   */
  public static OperatorJvm prepare(SlipwayEnv env, String podName, String... extraSettings) {
    try {
      Path dir = Files.createDirectories(env.root.resolve("target/operator-jvm"));
      Path config = dir.resolve(podName + "-" + ProcessHandle.current().pid() + ".properties");
      List<String> lines =
          new ArrayList<>(
              List.of(
                  "vcenter.url=" + env.vcsim.baseUrl(),
                  "vcenter.credentialsSecret=" + SECRET,
                  "vcenter.caBundle=" + env.vcsim.certFile(),
                  "placement.datacenter=" + env.placement.datacenter(),
                  "placement.parentResourcePool=" + env.placement.parentResourcePool(),
                  "placement.parentFolder=" + env.placement.parentFolder(),
                  "placement.templatesFolder=" + env.placement.templatesFolder(),
                  "placement.mhzPerVcpu=" + env.placement.mhzPerVcpu(),
                  "vip.pool=" + dev.slipway.testenv.TestBed.vips(),
                  "addons.defaultCni=antrea",
                  "operator.reconcileThreads=10",
                  "log.format=text",
                  "http.port=0"));
      String server = WEBHOOK_SERVERS.putIfAbsent(env, podName);
      lines.addAll(
          server == null || server.equals(podName)
              ? webhookSettings()
              : List.of("webhook.enabled=false"));
      lines.addAll(List.of(extraSettings));
      Files.writeString(config, String.join("\n", lines) + "\n");
      env.client
          .secrets()
          .inNamespace(SlipwayEnv.SYSTEM_NAMESPACE)
          .resource(
              new SecretBuilder()
                  .withNewMetadata()
                  .withName(SECRET)
                  .endMetadata()
                  .addToStringData("username", env.vcsim.username())
                  .addToStringData("password", env.vcsim.password())
                  .build())
          .serverSideApply();
      Path log = dir.resolve(podName + "-" + ProcessHandle.current().pid() + ".log");
      return new OperatorJvm(env, podName, config, log, new ArrayList<>());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Runs this replica as a Deployment's pod does, not as the control plane's admin: as deploy/'s
   * ServiceAccount (30-serviceaccount.yaml, 40-operator-rbac.yaml and 45-namespace-roles.yaml are
   * applied), with a token bound to a Pod object of its name, so that the API server knows it as
   * that pod ({@code authentication.kubernetes.io/pod-name}) and deploy/'s admission policies apply
   * to it, the leader fence among them. The Pod never runs: the test bed has no scheduler.
   */
  public OperatorJvm asPod() {
    for (String file :
        List.of("30-serviceaccount.yaml", "40-operator-rbac.yaml", "45-namespace-roles.yaml")) {
      for (var r : dev.slipway.testenv.Manifests.load(env.root.resolve("deploy").resolve(file))) {
        env.client.resource(r).forceConflicts().serverSideApply();
      }
    }
    var pods = env.client.pods().inNamespace(SlipwayEnv.SYSTEM_NAMESPACE);
    io.fabric8.kubernetes.api.model.Pod pod = pods.withName(podName).get();
    if (pod == null) {
      pod =
          pods.resource(
                  new io.fabric8.kubernetes.api.model.PodBuilder()
                      .withNewMetadata()
                      .withName(podName)
                      .endMetadata()
                      .withNewSpec()
                      .withServiceAccountName(SERVICE_ACCOUNT)
                      .addNewContainer()
                      .withName("operator")
                      .withImage("slipway-operator:never-pulled")
                      .endContainer()
                      .endSpec()
                      .build())
              .create();
    }
    String token =
        env.client
            .serviceAccounts()
            .inNamespace(SlipwayEnv.SYSTEM_NAMESPACE)
            .withName(SERVICE_ACCOUNT)
            .tokenRequest(
                new io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder()
                    .withNewSpec()
                    .withExpirationSeconds(6 * 3600L)
                    .withNewBoundObjectRef()
                    .withApiVersion("v1")
                    .withKind("Pod")
                    .withName(podName)
                    .withUid(pod.getMetadata().getUid())
                    .endBoundObjectRef()
                    .endSpec()
                    .build())
            .getStatus()
            .getToken();
    // the admin's kubeconfig (server, trust) with the pod's token instead of the admin's cert
    var kc =
        io.fabric8.kubernetes.client.internal.KubeConfigUtils.parseConfigFromString(
            env.controlPlane.kubeconfigYaml());
    for (var user : kc.getUsers()) {
      user.setUser(new io.fabric8.kubernetes.api.model.AuthInfoBuilder().withToken(token).build());
    }
    Path file =
        config.resolveSibling(podName + "-" + ProcessHandle.current().pid() + ".kubeconfig");
    try {
      io.fabric8.kubernetes.client.internal.KubeConfigUtils.persistKubeConfigIntoFile(
          kc, file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    kubeconfig = file;
    return this;
  }

  /** Adds JVM flags (system properties, say) to every later {@link #start()}. */
  public OperatorJvm jvmFlags(String... flags) {
    jvmFlags.addAll(List.of(flags));
    return this;
  }

  /** Starts the JVM (again); returns at once. */
  public synchronized OperatorJvm start() {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException(podName + " is running");
    }
    List<String> argv = new ArrayList<>();
    argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    argv.add("-Xmx384m");
    argv.add("-XX:TieredStopAtLevel=1"); // starts faster; these runs are about behaviour
    argv.addAll(jvmFlags);
    argv.add("-cp");
    argv.add(System.getProperty("java.class.path"));
    argv.add("dev.slipway.operator.app.Main");
    ProcessBuilder pb =
        new ProcessBuilder(argv)
            .directory(env.root.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().put("SLIPWAY_CONFIG", config.toString());
    pb.environment().put("KUBECONFIG", kubeconfig.toString());
    pb.environment().put("POD_NAMESPACE", SlipwayEnv.SYSTEM_NAMESPACE);
    pb.environment().put("POD_NAME", podName);
    try {
      logOffset = Files.exists(log) ? Files.size(log) : 0;
      Files.writeString(
          log,
          "=== start " + (++starts) + " at " + Instant.now() + "\n",
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
      logOffset = Files.size(log);
      process = pb.start();
      RUNNING.add(this);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  /** SIGKILL: no shutdown hook, no Lease release, no vCenter logout. Waits until it is gone. */
  public synchronized void kill() {
    if (process == null) {
      return;
    }
    process.destroyForcibly();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException(podName + " survived SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** SIGSTOP: the process is frozen, every thread at once, until {@link #resume()}. */
  public void pause() {
    signal("STOP");
  }

  /** SIGCONT. */
  public void resume() {
    signal("CONT");
  }

  private void signal(String name) {
    try {
      Process p = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).start();
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("kill -" + name + " " + pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public synchronized long pid() {
    return process.pid();
  }

  public synchronized boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** The exit code once it ended by itself within {@code timeout}, else empty. */
  public Optional<Integer> awaitExit(Duration timeout) {
    Process p;
    synchronized (this) {
      p = process;
    }
    try {
      return p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)
          ? Optional.of(p.exitValue())
          : Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public String podName() {
    return podName;
  }

  public Path log() {
    return log;
  }

  /**
   * The last {@code n} lines of every run's log that a failure message needs: the starts, warnings,
   * errors and their causes (not the API version notices each start prints).
   */
  public String problems(int n) {
    return last(
        n,
        l ->
            l.startsWith("=== start")
                || l.startsWith("Caused by")
                || ((l.contains(" WARN ") || l.contains(" ERROR "))
                    && !l.contains("VersionUsageUtils")));
  }

  /** The last {@code n} lines of every run's log that contain {@code text}, and the starts. */
  public String about(String text, int n) {
    return last(n, l -> l.startsWith("=== start") || l.contains(text));
  }

  private String last(int n, java.util.function.Predicate<String> keep) {
    try (var lines = Files.lines(log, StandardCharsets.UTF_8)) {
      List<String> kept = lines.filter(keep).toList();
      return String.join("\n", kept.subList(Math.max(0, kept.size() - n), kept.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(log " + log + " not read: " + e.getMessage() + ")";
    }
  }

  /** What this run (since the last {@link #start()}) wrote. */
  public String output() {
    try {
      byte[] all = Files.readAllBytes(log);
      int from = (int) Math.min(logOffset, all.length);
      return new String(all, from, all.length - from, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The port of /healthz, /readyz and /metrics of this run, once it said. */
  public Optional<Integer> port() {
    Matcher m = PORT.matcher(output());
    return m.find() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
  }

  /** {@code GET path} on this run's HTTP port; empty when it does not answer. */
  public Optional<String> get(String path) {
    Optional<Integer> port = port();
    if (port.isEmpty()) {
      return Optional.empty();
    }
    try {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port.get() + path))
                      .timeout(Duration.ofSeconds(5))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? Optional.of(r.body()) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** How often this replica was started. */
  public int starts() {
    return starts;
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(40, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }
}
