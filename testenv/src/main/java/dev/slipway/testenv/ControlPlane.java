package dev.slipway.testenv;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A real Kubernetes control plane on loopback: etcd and kube-apiserver started through fabric8
 * kube-api-test from the test bed's binaries, plus kube-controller-manager running the namespace
 * and garbage-collector controllers against it (without them namespaces never finish deleting and
 * owner references never cascade), and the disruption controller (without it no PodDisruptionBudget
 * gets a status, and the Eviction API refuses every pod a budget covers).
 */
public final class ControlPlane implements AutoCloseable {

  /** Controllers the tests rely on; names from kube-controller-manager's own list. */
  public static final List<String> CONTROLLERS =
      List.of(
          "namespace-controller",
          "garbage-collector-controller",
          "serviceaccount-controller",
          "resourcequota-controller",
          "disruption-controller");

  private static ControlPlane shared;

  private final TestBed bed;
  private final KubeAPIServer apiServer;
  private final String kubeconfigYaml;
  private final Path kubeconfigFile;
  private final ManagedProcess controllerManager;
  private final Path auditLog;
  private ManagedProcess restartedApiServer;
  private List<String> apiServerCommand;

  /**
   * Writes are audited (who, what, when: {@link #auditLog()}), so tests can tell which process
   * wrote what; reads are not, to keep the log small.
   */
  static final String AUDIT_POLICY =
      """
      apiVersion: audit.k8s.io/v1
      kind: Policy
      omitStages: ["RequestReceived"]
      rules:
      - level: Metadata
        verbs: ["create", "update", "patch", "delete", "deletecollection"]
      - level: None
      """;

  private ControlPlane(TestBed bed) {
    this.bed = bed;
    Path work = workDir(bed);
    this.auditLog = work.resolve("audit.log");
    Path auditPolicy = work.resolve("audit-policy.yaml");
    try {
      Files.writeString(auditPolicy, AUDIT_POLICY);
    } catch (IOException e) {
      throw new TestBedException("cannot write " + auditPolicy + ": " + e.getMessage(), e);
    }
    this.apiServer =
        new KubeAPIServer(
            KubeAPIServerConfigBuilder.anAPIServerConfig()
                .withTestDir(work.toString())
                .withApiServerVersion(bed.kubernetesVersion())
                .withOfflineMode(true)
                .withStartupTimeout((int) STARTUP_TIMEOUT.toMillis())
                .withApiServerFlag("--bind-address", "127.0.0.1")
                .withApiServerFlag("--advertise-address", "127.0.0.1")
                // Loopback may only be advertised without the endpoint reconciler (1.37 refuses
                // it otherwise); nothing in the tests needs the kubernetes Service's endpoints.
                .withApiServerFlag("--endpoint-reconciler-type", "none")
                .withApiServerFlag("--audit-policy-file", auditPolicy.toString())
                .withApiServerFlag("--audit-log-path", auditLog.toString())
                .withApiServerFlag("--audit-log-format", "json")
                .build());
    try {
      Duration wait = midnightWait(java.time.LocalTime.now(), STARTUP_TIMEOUT);
      if (!wait.isZero()) {
        Thread.sleep(wait.toMillis());
      }
      apiServer.start();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TestBedException("interrupted while waiting to start kube-apiserver", e);
    } catch (RuntimeException e) {
      throw new TestBedException(
          "kube-apiserver or etcd did not start ("
              + e.getMessage()
              + "); enable DEBUG for io.fabric8.kubeapitest.process to see their output",
          e);
    }
    this.kubeconfigYaml = apiServer.getKubeConfigYaml();
    this.kubeconfigFile = work.resolve("kubeconfig.yaml");
    try {
      Files.writeString(kubeconfigFile, kubeconfigYaml);
    } catch (IOException e) {
      apiServer.stop();
      throw new TestBedException("cannot write " + kubeconfigFile + ": " + e.getMessage(), e);
    }
    this.controllerManager = startControllerManager();
  }

  /** Starts a control plane of its own; the caller closes it. */
  public static ControlPlane start() {
    return new ControlPlane(TestBed.get());
  }

  /** The control plane shared by every test in this JVM, started on first use. */
  public static synchronized ControlPlane shared() {
    if (shared == null) {
      shared = start();
      Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "control-plane-stop"));
    }
    return shared;
  }

  static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(2);

  /**
   * How long to wait before starting kube-apiserver at {@code now} (local time): kube-api-test
   * 7.5.2 computes its start-up deadline as a {@link java.time.LocalTime}, so a deadline past
   * midnight wraps to the small hours and the very first poll "times out" (seen: a start at
   * 23:58:48 failed within a second). A start whose deadline would cross midnight waits until just
   * after it; any other starts at once.
   */
  static Duration midnightWait(java.time.LocalTime now, Duration timeout) {
    Duration toMidnight =
        Duration.ofNanos(java.time.LocalTime.MAX.toNanoOfDay() - now.toNanoOfDay());
    Duration margin = Duration.ofSeconds(5);
    if (toMidnight.compareTo(timeout.plus(margin)) > 0) {
      return Duration.ZERO;
    }
    return toMidnight.plus(Duration.ofSeconds(1));
  }

  private static Path workDir(TestBed bed) {
    // kube-api-test keeps its certificates in its test directory, so each control plane gets its
    // own, with the binaries linked in from the shared cache.
    Path work =
        bed.root()
            .resolve("target/kube-api-test")
            .resolve(ProcessHandle.current().pid() + "-" + System.nanoTime());
    try {
      Files.createDirectories(work);
      Files.createSymbolicLink(work.resolve("k8s"), bed.dir().resolve("k8s"));
    } catch (IOException e) {
      throw new TestBedException("cannot prepare " + work + ": " + e.getMessage(), e);
    }
    return work;
  }

  private ManagedProcess startControllerManager() {
    int port = freePort();
    Path log = bed.logDir().resolve("kube-controller-manager-" + port + ".log");
    ManagedProcess kcm =
        ManagedProcess.start(
            "kube-controller-manager",
            List.of(
                bed.bin("kube-controller-manager").toString(),
                "--kubeconfig=" + kubeconfigFile,
                "--authentication-kubeconfig=" + kubeconfigFile,
                "--authorization-kubeconfig=" + kubeconfigFile,
                "--controllers=" + String.join(",", CONTROLLERS),
                "--leader-elect=false",
                "--bind-address=127.0.0.1",
                "--secure-port=" + port,
                "--concurrent-gc-syncs=5",
                "--namespace-sync-period=10s",
                // Quotas on new CRDs are evaluated at this period (default 5m); tests wait on it.
                "--resource-quota-sync-period=5s"),
            log);
    waitHealthy(kcm, URI.create("https://127.0.0.1:" + port + "/healthz"), Duration.ofSeconds(60));
    return kcm;
  }

  private void waitHealthy(ManagedProcess p, URI health, Duration timeout) {
    HttpClient http =
        HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(trustAll()).build();
    Instant deadline = Instant.now().plus(timeout);
    String last = "no answer";
    while (Instant.now().isBefore(deadline)) {
      if (!p.isAlive()) {
        close();
        throw new TestBedException(p + " exited during start-up; read its log");
      }
      try {
        HttpResponse<String> r =
            http.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
        last = r.statusCode() + " " + r.body();
      } catch (IOException e) {
        last = e.toString(); // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TestBedException("interrupted while starting " + p, e);
      }
      sleep(200);
    }
    close();
    throw new TestBedException(
        p + " was not healthy at " + health + " within " + timeout + "; last answer: " + last);
  }

  /**
   * A new client for the caller to close; tests never share one (closing it would break others).
   */
  public KubernetesClient client() {
    return new KubernetesClientBuilder().withConfig(config()).build();
  }

  public Config config() {
    return Config.fromKubeconfig(kubeconfigYaml);
  }

  public String kubeconfigYaml() {
    return kubeconfigYaml;
  }

  public Path kubeconfigFile() {
    return kubeconfigFile;
  }

  /**
   * The API server's audit log: one JSON event per line for every write (verb, user agent, object,
   * requestReceivedTimestamp, responseStatus).
   */
  public Path auditLog() {
    return auditLog;
  }

  public TestBed testBed() {
    return bed;
  }

  /** Creates a namespace named after {@code prefix} plus a random suffix and returns its name. */
  public String createNamespace(String prefix) {
    String clean = prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
    clean = clean.substring(0, Math.min(clean.length(), 50)).replaceAll("^-+|-+$", "");
    String name = clean + "-" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 30), 36);
    try (KubernetesClient c = client()) {
      c.namespaces()
          .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
          .create();
    }
    return name;
  }

  /**
   * Restarts kube-apiserver as a crash would: SIGKILL, {@code down} without it, then the same
   * binary with the same arguments (port, certificates, etcd with its data), under a watchdog like
   * every other test-bed process; returns once it answers again. etcd and kube-controller-manager
   * keep running. Clients keep their configuration: the address and certificates are unchanged.
   */
  public synchronized void restartApiServer(Duration down) {
    if (apiServerCommand == null) {
      apiServerCommand = commandLine(launchedApiServer());
    }
    List<String> argv = apiServerCommand;
    if (restartedApiServer != null) {
      restartedApiServer.process().descendants().forEach(ProcessHandle::destroyForcibly);
      restartedApiServer.process().destroyForcibly();
      restartedApiServer.close();
    } else {
      stopLaunchedApiServer();
    }
    sleep(down.toMillis());
    restartedApiServer =
        ManagedProcess.start(
            "kube-apiserver", argv, bed.logDir().resolve("kube-apiserver-restarted.log"));
    Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
    try (KubernetesClient c = client()) {
      while (true) {
        try {
          c.namespaces().withName("default").get();
          return;
        } catch (RuntimeException e) {
          if (Instant.now().isAfter(deadline) || !restartedApiServer.isAlive()) {
            throw new TestBedException(
                "kube-apiserver did not come back (log: " + restartedApiServer.log() + ")", e);
          }
          sleep(200);
        }
      }
    }
  }

  /** kube-api-test's kube-apiserver process (it has no restart of its own). */
  private Process launchedApiServer() {
    try {
      Object p = field(apiServer, "kubeApiServerProcess");
      return (Process) field(p, "apiServerProcess");
    } catch (ReflectiveOperationException e) {
      throw new TestBedException("cannot find kube-api-test's kube-apiserver process: " + e, e);
    }
  }

  /** Stops it through kube-api-test, so that it does not take the process's end for a failure. */
  private void stopLaunchedApiServer() {
    try {
      Object p = field(apiServer, "kubeApiServerProcess");
      p.getClass().getMethod("stopApiServer").invoke(p);
    } catch (ReflectiveOperationException e) {
      throw new TestBedException("cannot stop kube-api-test's kube-apiserver: " + e, e);
    }
  }

  private static Object field(Object o, String name) throws ReflectiveOperationException {
    java.lang.reflect.Field f = o.getClass().getDeclaredField(name);
    f.setAccessible(true);
    return f.get(o);
  }

  private static List<String> commandLine(Process p) {
    ProcessHandle.Info info = p.info();
    if (info.command().isEmpty() || info.arguments().isEmpty()) {
      throw new TestBedException("cannot read kube-apiserver's command line (pid " + p.pid() + ")");
    }
    List<String> argv = new java.util.ArrayList<>();
    argv.add(info.command().get());
    argv.addAll(List.of(info.arguments().get()));
    return argv;
  }

  public boolean controllerManagerAlive() {
    return controllerManager != null && controllerManager.isAlive();
  }

  @Override
  public synchronized void close() {
    if (controllerManager != null) {
      controllerManager.close();
    }
    if (restartedApiServer != null) {
      restartedApiServer.close();
    }
    apiServer.stop();
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new TestBedException("no free loopback port: " + e.getMessage(), e);
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TestBedException("interrupted", e);
    }
  }

  /** Only for health probes of processes this class started on loopback. */
  static SSLContext trustAll() {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(
          null,
          new TrustManager[] {
            new X509TrustManager() {
              @Override
              public void checkClientTrusted(X509Certificate[] chain, String authType) {}

              @Override
              public void checkServerTrusted(X509Certificate[] chain, String authType) {}

              @Override
              public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
              }
            }
          },
          new SecureRandom());
      return ctx;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
