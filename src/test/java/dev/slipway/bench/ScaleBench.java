package dev.slipway.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.slipway.e2e.SlipwayEnv;
import dev.slipway.guest.GuestSimulator;
import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.testenv.Manifests;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The scale benchmark (docs/performance.md; {@code bench/run.sh}): the real test bed (management
 * control plane, vcsim, the guest simulator in light mode), the real operator process ({@code
 * dev.slipway.operator.app.Main}) in a JVM of its own with a fixed heap. It applies N clusters of
 * one control-plane machine and W workers at once, waits until all are Ready, stays idle for a
 * while, and writes {@code results.json} and PNG charts: B2 (time to Ready, curve, CPU, heap), B3
 * (vCenter calls and API requests per machine, create to Running), B4 (the same while idle), B5
 * (heap after a full GC).
 *
 * <p>Not a test: it measures and reports, it asserts nothing. {@link BenchRun} is the part the
 * regression guard (PerformanceBudgetE2E) shares.
 */
public final class ScaleBench {
  private ScaleBench() {}

  public static void main(String[] args) throws Exception {
    BenchRun.Options o = BenchRun.Options.parse(args);
    Path out =
        o.out()
            .orElseGet(
                () ->
                    Path.of(
                        "target/bench/"
                            + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                                .format(java.time.LocalDateTime.now())));
    Files.createDirectories(out);
    try (BenchRun run = BenchRun.start(o, out)) {
      if (o.b1Runs() > 0) {
        BenchRun.B1 b1 = run.b1();
        System.out.println(b1.summary());
        b1.write(out);
      } else {
        BenchRun.Result r = run.measure();
        System.out.println(r.summary());
        r.write(out);
        if (o.upgrade()) {
          BenchRun.B6 b6 = run.upgrade();
          System.out.println(b6.summary());
          b6.write(out);
        }
      }
      System.out.println("[bench] results in " + out.toAbsolutePath());
    }
    System.exit(0);
  }

  /** One benchmark run: the test bed, the operator JVM, the simulator, and the measurements. */
  public static final class BenchRun implements AutoCloseable {
    /** Benchmark options; {@code --name value} on the command line. */
    public record Options(
        int clusters,
        int workers,
        int clustersPerNamespace,
        int idleSeconds,
        String heap,
        int readyTimeoutSeconds,
        int controlPlanes,
        GuestSimulator.Mode guestMode,
        int b1Runs,
        boolean upgrade,
        int idleScrapeSeconds,
        boolean heapDump,
        @com.fasterxml.jackson.annotation.JsonIgnore Optional<Path> out) {
      public static Options parse(String[] args) {
        Map<String, String> a = new TreeMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
          if (!args[i].startsWith("--")) {
            throw new IllegalArgumentException("expected --name value, got " + args[i]);
          }
          a.put(args[i].substring(2), args[i + 1]);
        }
        if (args.length % 2 != 0) {
          throw new IllegalArgumentException("an option without a value: " + args[args.length - 1]);
        }
        Options o =
            new Options(
                Integer.parseInt(a.getOrDefault("clusters", "5")),
                Integer.parseInt(a.getOrDefault("workers", "1")),
                Integer.parseInt(a.getOrDefault("clusters-per-namespace", "10")),
                Integer.parseInt(a.getOrDefault("idle-seconds", "120")),
                a.getOrDefault("heap", "512m"),
                Integer.parseInt(a.getOrDefault("ready-timeout-seconds", "1800")),
                Integer.parseInt(a.getOrDefault("control-planes", "1")),
                GuestSimulator.Mode.valueOf(a.getOrDefault("guest-mode", "LIGHT")),
                Integer.parseInt(a.getOrDefault("b1-runs", "0")),
                Boolean.parseBoolean(a.getOrDefault("upgrade", "false")),
                Integer.parseInt(a.getOrDefault("idle-scrape-seconds", "30")),
                Boolean.parseBoolean(a.getOrDefault("heap-dump", "false")),
                Optional.ofNullable(a.get("out")).map(Path::of));
        a.keySet()
            .removeAll(
                List.of(
                    "clusters",
                    "workers",
                    "clusters-per-namespace",
                    "idle-seconds",
                    "heap",
                    "ready-timeout-seconds",
                    "control-planes",
                    "guest-mode",
                    "b1-runs",
                    "upgrade",
                    "idle-scrape-seconds",
                    "heap-dump",
                    "out"));
        if (!a.isEmpty()) {
          throw new IllegalArgumentException("unknown options: " + a.keySet());
        }
        return o;
      }

      int machines() {
        return clusters * (controlPlanes + workers);
      }

      int namespaces() {
        return (clusters + clustersPerNamespace - 1) / clustersPerNamespace;
      }
    }

    private final Options options;
    private final Path out;
    private final SlipwayEnv env;
    private final Process operator;
    private final int operatorPort;
    private final GuestSimulator guests;
    private final long apiServerPid;
    private final long vcsimPid;
    private final HttpClient http = HttpClient.newHttpClient();
    private final SharedIndexInformer<TanzuKubernetesCluster> clusters;

    private BenchRun(Options options, Path out) throws IOException {
      this.options = options;
      this.out = out;
      this.env = SlipwayEnv.withoutOperator();
      // Before any guest runs an API server of its own: the management plane's processes.
      this.apiServerPid = child("kube-apiserver");
      this.vcsimPid = child("vcsim");
      env.applySample("10-vmclasses.yaml");
      env.applySample("20-tkr.yaml");
      this.operatorPort = freePort();
      this.operator = startOperator();
      awaitOperatorReady();
      List<String> folders = new ArrayList<>();
      for (int i = 0; i < options.namespaces(); i++) {
        String ns = namespace(i);
        env.apply(vsphereNamespace(ns));
        folders.add(env.placement.parentFolder() + "/" + ns);
      }
      for (int i = 0; i < options.namespaces(); i++) {
        env.awaitNamespaceReady(namespace(i));
      }
      this.guests = new GuestSimulator(env::connect, folders, options.guestMode());
      this.clusters = env.client.resources(TanzuKubernetesCluster.class).inAnyNamespace().inform();
    }

    public static BenchRun start(Options options, Path out) throws IOException {
      return new BenchRun(options, out);
    }

    static String namespace(int i) {
      return "bench-" + i;
    }

    private io.fabric8.kubernetes.api.model.GenericKubernetesResource vsphereNamespace(
        String name) {
      Map<String, Object> m =
          Manifests.toMap(
              Manifests.load(env.root.resolve("deploy/samples/30-vspherenamespace.yaml")).get(0));
      Manifests.set(m, "metadata.name", name);
      Manifests.set(m, "spec.limits", null);
      Manifests.set(m, "spec.objectLimits.tanzuKubernetesClusters", options.clustersPerNamespace());
      Manifests.set(
          m,
          "spec.objectLimits.machines",
          2 * options.clustersPerNamespace() * (options.controlPlanes() + options.workers()));
      return Manifests.fromMap(m);
    }

    /** The operator process as deploy/ runs it, configured as MainIT does, heap fixed. */
    private Process startOperator() throws IOException {
      String ns = SlipwayEnv.SYSTEM_NAMESPACE;
      env.client
          .secrets()
          .inNamespace(ns)
          .resource(
              new SecretBuilder()
                  .withNewMetadata()
                  .withName("slipway-vcenter-credentials")
                  .endMetadata()
                  .addToStringData("username", env.vcsim.username())
                  .addToStringData("password", env.vcsim.password())
                  .build())
          .serverSideApply();
      Path config = out.resolve("slipway.properties");
      Files.writeString(
          config,
          String.join(
              "\n",
              "vcenter.url=" + env.vcsim.baseUrl(),
              "vcenter.credentialsSecret=slipway-vcenter-credentials",
              "vcenter.caBundle=" + env.vcsim.certFile(),
              "placement.datacenter=/DC0",
              "placement.parentResourcePool=/DC0/host/DC0_C0/Resources",
              "placement.parentFolder=" + env.placement.parentFolder(),
              "placement.templatesFolder=slipway-templates",
              "placement.mhzPerVcpu=2000",
              "vip.pool=" + dev.slipway.testenv.TestBed.vips(),
              "log.format=text",
              String.join("\n", dev.slipway.e2e.OperatorJvm.webhookSettings()),
              ""));
      ProcessBuilder pb =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-Xms" + options.heap(),
                  "-Xmx" + options.heap(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  "dev.slipway.operator.app.Main")
              .redirectErrorStream(true)
              .redirectOutput(out.resolve("operator.log").toFile());
      pb.environment().put("SLIPWAY_CONFIG", config.toString());
      pb.environment().put("KUBECONFIG", env.controlPlane.kubeconfigFile().toString());
      pb.environment().put("POD_NAMESPACE", ns);
      pb.environment().put("POD_NAME", "slipway-bench");
      pb.environment().put("SLIPWAY_HTTP_PORT", String.valueOf(operatorPort));
      return pb.start();
    }

    private void awaitOperatorReady() {
      Instant deadline = Instant.now().plusSeconds(120);
      while (Instant.now().isBefore(deadline)) {
        if (!operator.isAlive()) {
          throw new IllegalStateException(
              "the operator exited with " + operator.exitValue() + "; see operator.log in " + out);
        }
        try {
          if (get("/readyz").statusCode() == 200) {
            return;
          }
        } catch (UncheckedIOException e) {
          // not listening yet
        }
        sleep(500);
      }
      throw new IllegalStateException("the operator was not ready within 120 s; see " + out);
    }

    private HttpResponse<String> get(String path) {
      try {
        return http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + operatorPort + path))
                .timeout(Duration.ofSeconds(20))
                .build(),
            HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    /** Counters of everything at one moment. */
    record Counters(
        Instant at,
        Map<String, Double> vcenterCalls,
        Map<String, Double> operatorRequests,
        Map<String, Double> apiServerRequests,
        Map<String, Double> conversionReviews,
        Map<String, Double> operatorConflicts,
        Map<String, Double> passes,
        Map<String, Double> stepCpu,
        double operatorCpuSeconds,
        double apiServerCpuSeconds,
        double vcsimCpuSeconds,
        double benchCpuSeconds,
        double operatorHeapMiB) {

      /** These counters with the processes' CPU as it is now (no /metrics read). */
      Counters withCpu(BenchRun run) {
        return new Counters(
            Instant.now(),
            vcenterCalls,
            operatorRequests,
            apiServerRequests,
            conversionReviews,
            operatorConflicts,
            passes,
            stepCpu,
            cpuSeconds(run.operator.pid()),
            cpuSeconds(run.apiServerPid),
            cpuSeconds(run.vcsimPid),
            cpuSeconds(ProcessHandle.current().pid()),
            operatorHeapMiB);
      }
    }

    /**
     * The operator's CPU per read of its {@code /metrics} (milliseconds): {@code n} reads one after
     * the other, idle, the process's CPU before and after (what else it did meanwhile included).
     */
    double scrapeCpuMillis(int n) {
      double before = cpuSeconds(operator.pid());
      for (int i = 0; i < n; i++) {
        get("/metrics");
      }
      return 1000 * (cpuSeconds(operator.pid()) - before) / n;
    }

    Counters counters() {
      String metrics = get("/metrics").body();
      String apiServer = env.client.raw("/metrics");
      return new Counters(
          Instant.now(),
          PromText.sumBy(metrics, "slipway_vcenter_calls_total", "method"),
          PromText.sumBy(metrics, "slipway_kubernetes_requests_total", "verb", "resource"),
          PromText.sumBy(apiServer, "apiserver_request_total", "verb", "resource", "subresource"),
          PromText.sumBy(
              apiServer, "apiserver_conversion_webhook_request_total", "result", "failure_type"),
          PromText.sumBy(
              metrics,
              "slipway_kubernetes_requests_total",
              Map.of("code", "409"),
              "verb",
              "resource"),
          PromText.sumBy(metrics, "slipway_reconcile_passes_total", "controller", "step"),
          PromText.sumBy(metrics, "slipway_reconcile_step_cpu_seconds_total", "controller", "step"),
          cpuSeconds(operator.pid()),
          cpuSeconds(apiServerPid),
          cpuSeconds(vcsimPid),
          cpuSeconds(ProcessHandle.current().pid()),
          heapUsedMiB(metrics));
    }

    /**
     * From the read of the operator's {@code /metrics} each sample makes anyway: a read costs the
     * operator a refresh of its per-cluster gauges and the formatting of every series, and serving
     * two reads per sample was 39 % of its CPU samples while idle at 1 000 clusters
     * (docs/performance.md, run 11).
     */
    static double heapUsedMiB(String metrics) {
      return PromText.sum(metrics, "jvm_memory_used_bytes", Map.of("area", "heap")) / (1024 * 1024);
    }

    /** One sample of the timeline. */
    record Sample(
        double t,
        int ready,
        double operatorCpu,
        double apiServerCpu,
        double vcsimCpu,
        double benchCpu,
        double operatorHeapMiB) {}

    /** What one run measured. */
    public record Result(
        Options options,
        double secondsToAllReady,
        boolean allReady,
        List<Double> readySeconds,
        Map<String, Double> createVcenterCalls,
        Map<String, Double> createOperatorRequests,
        Map<String, Double> createApiServerRequests,
        Map<String, Double> createConversionReviews,
        double createOperatorCpuSeconds,
        double createBenchCpuSeconds,
        Map<String, Double> createOperatorConflicts,
        Map<String, Double> idleOperatorConflicts,
        int idleSeconds,
        Map<String, Double> idleVcenterCalls,
        Map<String, Double> idleOperatorRequests,
        Map<String, Double> idleApiServerRequests,
        Map<String, Double> idleConversionReviews,
        Map<String, Double> idlePasses,
        Map<String, Double> idleStepCpuSeconds,
        double idleOperatorCpuSeconds,
        double idleApiServerCpuSeconds,
        double idleVcsimCpuSeconds,
        Map<String, Double> idleOperatorCpuByThread,
        double scrapeCpuMillis,
        double heapAfterFullGcMiB,
        List<Sample> timeline,
        Map<String, String> guestFailures,
        Set<String> unservedWorkloadRequests) {

      static boolean isWrite(String verbKey) {
        String verb = verbKey.split(" ")[0];
        return !(verb.equals("GET") || verb.equals("LIST") || verb.equals("WATCH"));
      }

      /** 409s of status writes (a create of something that exists is a 409 too, by design). */
      static double statusConflicts(Map<String, Double> conflicts) {
        return conflicts.entrySet().stream()
            .filter(e -> e.getKey().endsWith("/status"))
            .mapToDouble(Map.Entry::getValue)
            .sum();
      }

      /** The API server's conversion webhook calls that failed (keys "result failure_type"). */
      static double failed(Map<String, Double> reviews) {
        return reviews.entrySet().stream()
            .filter(e -> !e.getKey().startsWith("success"))
            .mapToDouble(Map.Entry::getValue)
            .sum();
      }

      static double total(Map<String, Double> m) {
        return m.values().stream().mapToDouble(Double::doubleValue).sum();
      }

      static double writes(Map<String, Double> m, boolean leases) {
        return m.entrySet().stream()
            .filter(e -> isWrite(e.getKey()))
            .filter(e -> leases || !e.getKey().contains("leases"))
            .mapToDouble(Map.Entry::getValue)
            .sum();
      }

      /** The per-machine and idle figures B3 and B4 are about. */
      public Map<String, Object> figures() {
        int machines = options.machines();
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("machines", machines);
        f.put("secondsToAllReady", secondsToAllReady);
        f.put("operatorCpuSecondsToAllReady", createOperatorCpuSeconds);
        // The guest simulator and the benchmark's own watch: test bed, on the same cores.
        f.put("benchmarkJvmCpuSecondsToAllReady", createBenchCpuSeconds);
        f.put("vcenterCallsPerMachine", total(createVcenterCalls) / machines);
        f.put("operatorWritesPerMachine", writes(createOperatorRequests, false) / machines);
        f.put(
            "operatorReadsPerMachine",
            (total(createOperatorRequests) - writes(createOperatorRequests, true)) / machines);
        f.put("apiServerWritesPerMachine", writes(createApiServerRequests, false) / machines);
        // The API server's calls of the conversion webhook (kept-alive connections: optimisation
        // 36).
        f.put("conversionReviewsPerCluster", total(createConversionReviews) / options.clusters());
        f.put(
            "operatorStatusConflicts409",
            statusConflicts(createOperatorConflicts) + statusConflicts(idleOperatorConflicts));
        double minutes = idleSeconds / 60.0;
        f.put("idleOperatorWritesExceptLeases", writes(idleOperatorRequests, false));
        f.put(
            "idleOperatorLeaseWrites",
            writes(idleOperatorRequests, true) - writes(idleOperatorRequests, false));
        f.put(
            "idleOperatorReadsPerMinute",
            (total(idleOperatorRequests) - writes(idleOperatorRequests, true)) / minutes);
        f.put(
            "idleOperatorReadsExceptLeases",
            total(idleOperatorRequests)
                - writes(idleOperatorRequests, true)
                - idleOperatorRequests.getOrDefault("GET leases", 0.0));
        f.put(
            "idleVcenterCallsPerClusterPerMinute",
            total(idleVcenterCalls) / options.clusters() / minutes);
        // What the controllers did while nothing changed (slipway_reconcile_passes_total).
        f.put("idleReconcilePassesPerMinute", total(idlePasses) / minutes);
        f.put("idleOperatorCpuPercentOfACore", 100 * idleOperatorCpuSeconds / idleSeconds);
        // Of it, the reconcile threads' CPU inside the controllers' steps
        // (slipway_reconcile_step_cpu_seconds_total).
        f.put("idleReconcileStepsCpuPercentOfACore", 100 * total(idleStepCpuSeconds) / idleSeconds);
        f.put("idleApiServerCpuPercentOfACore", 100 * idleApiServerCpuSeconds / idleSeconds);
        f.put("idleVcsimCpuPercentOfACore", 100 * idleVcsimCpuSeconds / idleSeconds);
        f.put("idleScrapeSeconds", options.idleScrapeSeconds());
        f.put("operatorCpuMillisPerScrape", scrapeCpuMillis);
        f.put("idleConversionReviews", total(idleConversionReviews));
        f.put(
            "conversionReviewsFailed",
            failed(createConversionReviews) + failed(idleConversionReviews));
        f.put("heapAfterFullGcMiB", heapAfterFullGcMiB);
        return f;
      }

      public String summary() {
        StringBuilder s = new StringBuilder();
        figures().forEach((k, v) -> s.append(String.format("  %-40s %s%n", k, v)));
        s.append("  vCenter calls, create -> Running: ").append(createVcenterCalls).append('\n');
        s.append("  operator requests, create -> Running: ")
            .append(createOperatorRequests)
            .append('\n');
        s.append("  operator 409s, create -> Running: ")
            .append(createOperatorConflicts)
            .append('\n');
        s.append("  vCenter calls, idle: ").append(idleVcenterCalls).append('\n');
        s.append("  operator requests, idle: ").append(idleOperatorRequests).append('\n');
        s.append("  reconcile passes, idle (controller step): ").append(idlePasses).append('\n');
        s.append("  reconcile steps' CPU seconds, idle (controller step): ")
            .append(idleStepCpuSeconds)
            .append('\n');
        s.append("  operator CPU seconds by thread, idle: ")
            .append(idleOperatorCpuByThread)
            .append('\n');
        return s.toString();
      }

      void write(Path dir) throws IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("options", options);
        json.put("machine", machineDescription());
        json.put("figures", figures());
        json.put("result", this);
        new ObjectMapper()
            .findAndRegisterModules()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .writeValue(dir.resolve("results.json").toFile(), json);
        List<double[]> ready = new ArrayList<>();
        List<double[]> opCpu = new ArrayList<>();
        List<double[]> apiCpu = new ArrayList<>();
        List<double[]> vcCpu = new ArrayList<>();
        List<double[]> benchCpu = new ArrayList<>();
        List<double[]> heap = new ArrayList<>();
        for (Sample s : timeline) {
          ready.add(new double[] {s.t(), s.ready()});
          opCpu.add(new double[] {s.t(), s.operatorCpu()});
          apiCpu.add(new double[] {s.t(), s.apiServerCpu()});
          vcCpu.add(new double[] {s.t(), s.vcsimCpu()});
          benchCpu.add(new double[] {s.t(), s.benchCpu()});
          heap.add(new double[] {s.t(), s.operatorHeapMiB()});
        }
        new LineChart(
                "Clusters Ready (" + options.clusters() + " applied at once)", "clusters Ready")
            .add("clusters Ready", ready)
            .write(dir.resolve("ready.png"));
        new LineChart("CPU", "% of one core")
            .add("operator", opCpu)
            .add("management kube-apiserver", apiCpu)
            .add("vcsim", vcCpu)
            .add("benchmark JVM (guest simulator)", benchCpu)
            .write(dir.resolve("cpu.png"));
        new LineChart("Operator heap (fixed at " + options.heap() + ")", "MiB used")
            .add("heap used", heap)
            .write(dir.resolve("heap.png"));
      }
    }

    static String machineDescription() {
      String cpu = "unknown";
      try {
        cpu =
            Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                .filter(l -> l.startsWith("model name"))
                .findFirst()
                .map(l -> l.substring(l.indexOf(':') + 1).strip())
                .orElse("unknown");
      } catch (IOException e) {
        // not Linux: the CPU stays unknown
      }
      return Runtime.getRuntime().availableProcessors()
          + " cores, "
          + cpu
          + ", java "
          + System.getProperty("java.version");
    }

    /** The sample cluster with this run's control planes and workers. */
    private io.fabric8.kubernetes.api.model.GenericKubernetesResource cluster(
        String name, String ns) {
      Map<String, Object> m = env.sampleCluster(name, options.workers());
      Manifests.set(m, "metadata.namespace", ns);
      Manifests.set(m, "spec.topology.controlPlane.replicas", options.controlPlanes());
      return Manifests.fromMap(m);
    }

    /**
     * B1: one cluster of {@code controlPlanes} + {@code workers} at a time, {@code b1Runs} times:
     * apply → {@code status.phase} running, read from an informer every 100 ms; each cluster is
     * deleted, and its VMs gone, before the next is applied.
     */
    public B1 b1() {
      List<Double> seconds = new ArrayList<>();
      for (int i = 0; i < options.b1Runs(); i++) {
        String name = "b1-" + i;
        String ns = namespace(0);
        Instant t0 = Instant.now();
        env.client.resource(cluster(name, ns)).create();
        Instant deadline = t0.plusSeconds(options.readyTimeoutSeconds());
        Double took = null;
        while (took == null && Instant.now().isBefore(deadline) && guests.failures().isEmpty()) {
          TanzuKubernetesCluster c = clusters.getStore().getByKey(ns + "/" + name);
          if (c != null && c.getStatus() != null && "running".equals(c.getStatus().phase)) {
            took = seconds(t0, Instant.now());
          } else {
            sleep(100);
          }
        }
        if (took == null) {
          throw new IllegalStateException(
              name + " not Ready within the timeout; guest failures: " + guests.failures());
        }
        seconds.add(took);
        System.out.printf("[bench] B1 run %d: %s Ready %.1f s after apply%n", i + 1, name, took);
        env.client.resources(TanzuKubernetesCluster.class).inNamespace(ns).withName(name).delete();
        Instant gone = Instant.now().plusSeconds(options.readyTimeoutSeconds());
        while (Instant.now().isBefore(gone)
            && (clusters.getStore().getByKey(ns + "/" + name) != null || !env.vms(ns).isEmpty())) {
          sleep(500);
        }
      }
      return new B1(options, seconds);
    }

    /** B1's runs, in seconds from apply to Ready, in the order they ran. */
    public record B1(Options options, List<Double> seconds) {
      double percentile(double p) {
        List<Double> sorted = seconds.stream().sorted().toList();
        // nearest rank
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
      }

      String summary() {
        return String.format(
            "  B1 %d + %d, %s guests, %d runs: p50 %.1f s, p95 %.1f s, min %.1f s, max %.1f s%n"
                + "  runs: %s",
            options.controlPlanes(),
            options.workers(),
            options.guestMode(),
            seconds.size(),
            percentile(50),
            percentile(95),
            seconds.stream().mapToDouble(Double::doubleValue).min().orElse(0),
            seconds.stream().mapToDouble(Double::doubleValue).max().orElse(0),
            seconds);
      }

      void write(Path dir) throws IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("options", options);
        json.put("machine", machineDescription());
        json.put("p50Seconds", percentile(50));
        json.put("p95Seconds", percentile(95));
        json.put("seconds", seconds);
        new ObjectMapper()
            .findAndRegisterModules()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .writeValue(dir.resolve("b1.json").toFile(), json);
      }
    }

    /** B6: what the rolling upgrade of every cluster at once took. */
    public record B6(
        Options options,
        int clusters,
        int upgraded,
        double seconds,
        List<double[]> upgradedOverTime,
        Map<String, Double> vcenterCalls,
        Map<String, Double> operatorRequests,
        Map<String, String> guestFailures,
        Set<String> unservedWorkloadRequests) {
      String summary() {
        return String.format(
            "  B6 rolling upgrade of %d clusters at once (%s guests): %d upgraded in %.1f s",
            clusters, options.guestMode(), upgraded, seconds);
      }

      void write(Path dir) throws IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("options", options);
        json.put("machine", machineDescription());
        json.put("clusters", clusters);
        json.put("upgraded", upgraded);
        json.put("seconds", seconds);
        json.put("upgradedOverTime", upgradedOverTime);
        json.put("vcenterCalls", vcenterCalls);
        json.put("operatorRequests", operatorRequests);
        json.put("guestFailures", guestFailures);
        json.put("unservedWorkloadRequests", unservedWorkloadRequests);
        new ObjectMapper()
            .findAndRegisterModules()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .writeValue(dir.resolve("b6.json").toFile(), json);
        new LineChart("B6: clusters upgraded over time", "clusters")
            .add("upgraded (every machine on the new release, cluster running)", upgradedOverTime)
            .write(dir.resolve("b6-upgraded.png"));
      }
    }

    /**
     * B6: publishes the next release ({@link SlipwayEnv#NEXT_RELEASE}, an image of its own), then
     * moves every cluster's control plane to it at once (the node pools follow it) and waits until
     * each cluster runs with every machine on it and no machine of the old release left.
     */
    public B6 upgrade() throws Exception {
      env.applyNextRelease();
      String next = SlipwayEnv.NEXT_RELEASE;
      Instant releaseDeadline = Instant.now().plusSeconds(300);
      while (!releaseReady(next)) {
        if (Instant.now().isAfter(releaseDeadline)) {
          throw new IllegalStateException("release " + next + " not Ready within 300 s");
        }
        sleep(1000);
      }
      Counters start = counters();
      Instant t0 = Instant.now();
      for (TanzuKubernetesCluster c : clusters.getStore().list()) {
        env.client
            .resources(TanzuKubernetesCluster.class)
            .inNamespace(c.getMetadata().getNamespace())
            .withName(c.getMetadata().getName())
            .edit(
                t -> {
                  t.getSpec().topology.controlPlane.tkr.reference.name = next;
                  return t;
                });
      }
      List<double[]> curve = new ArrayList<>();
      Instant deadline = t0.plusSeconds(options.readyTimeoutSeconds());
      int done = 0;
      while (Instant.now().isBefore(deadline)) {
        sleep(2000);
        done = upgradedClusters(next);
        curve.add(new double[] {seconds(t0, Instant.now()), done});
        if (done >= options.clusters() || !guests.failures().isEmpty()) {
          break;
        }
      }
      Counters end = counters();
      System.out.println(
          "[bench] "
              + done
              + " of "
              + options.clusters()
              + " upgraded after "
              + seconds(t0, end.at())
              + " s");
      return new B6(
          options,
          options.clusters(),
          done,
          seconds(t0, end.at()),
          curve,
          PromText.delta(start.vcenterCalls(), end.vcenterCalls()),
          PromText.delta(start.operatorRequests(), end.operatorRequests()),
          guests.failures(),
          guests.unservedRequests());
    }

    private boolean releaseReady(String name) {
      var r =
          env.client
              .resources(dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesRelease.class)
              .withName(name)
              .get();
      return r != null
          && r.getStatus() != null
          && r.getStatus().conditions != null
          && r.getStatus().conditions.stream()
              .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** Clusters running with all their machines on {@code release}, as many as they should have. */
    private int upgradedClusters(String release) {
      Map<String, List<Machine>> byCluster = new TreeMap<>();
      for (Machine m : env.client.resources(Machine.class).inAnyNamespace().list().getItems()) {
        String c =
            m.getMetadata().getLabels() == null
                ? null
                : m.getMetadata()
                    .getLabels()
                    .get(
                        dev.slipway.operator.controller.TanzuKubernetesClusterReconciler
                            .CLUSTER_LABEL);
        if (c != null) {
          byCluster
              .computeIfAbsent(m.getMetadata().getNamespace() + "/" + c, k -> new ArrayList<>())
              .add(m);
        }
      }
      int n = 0;
      for (TanzuKubernetesCluster c : clusters.getStore().list()) {
        List<Machine> ms =
            byCluster.getOrDefault(
                c.getMetadata().getNamespace() + "/" + c.getMetadata().getName(), List.of());
        if (c.getStatus() != null
            && "running".equals(c.getStatus().phase)
            && ms.size() == options.controlPlanes() + options.workers()
            && ms.stream()
                .allMatch(
                    m ->
                        release.equals(m.getSpec().release)
                            && m.getStatus() != null
                            && "Running".equals(m.getStatus().phase))) {
          n++;
        }
      }
      return n;
    }

    /** Applies the clusters at once, waits for Ready, then idles; returns what it saw. */
    public Result measure() throws Exception {
      Map<String, Double> readyAt = new ConcurrentHashMap<>();
      List<Sample> timeline = new ArrayList<>();
      Counters start = counters();
      Instant t0 = Instant.now();
      for (int i = 0; i < options.clusters(); i++) {
        env.client
            .resource(cluster("c" + i, namespace(i / options.clustersPerNamespace())))
            .create();
      }
      Instant deadline = t0.plusSeconds(options.readyTimeoutSeconds());
      Counters prev = start;
      while (Instant.now().isBefore(deadline)) {
        sleep(2000);
        double t = seconds(t0, Instant.now());
        for (TanzuKubernetesCluster c : clusters.getStore().list()) {
          if (c.getStatus() != null && "running".equals(c.getStatus().phase)) {
            readyAt.putIfAbsent(
                c.getMetadata().getNamespace() + "/" + c.getMetadata().getName(), t);
          }
        }
        Counters now = counters();
        timeline.add(sample(t, readyAt.size(), prev, now));
        prev = now;
        if (readyAt.size() >= options.clusters() || !guests.failures().isEmpty()) {
          break;
        }
      }
      Counters ready = counters();
      boolean allReady = readyAt.size() >= options.clusters();
      double total = seconds(t0, ready.at());
      System.out.println(
          "[bench] "
              + readyAt.size()
              + " of "
              + options.clusters()
              + " Ready after "
              + total
              + " s");
      // Idle: nothing changes; every call now is the cost of standing still. CPU every 5 s, the
      // operator's /metrics (and the API server's) every idleScrapeSeconds, as a Prometheus would
      // scrape them: a scrape of 1 000 clusters' series is work of its own (scrapeCpuMillis).
      Map<Long, ThreadCpu> threadsAtReady = threadCpu(operator.pid());
      Instant idleEnd = Instant.now().plusSeconds(options.idleSeconds());
      Instant nextScrape = Instant.now().plusSeconds(options.idleScrapeSeconds());
      while (Instant.now().isBefore(idleEnd)) {
        sleep(Math.min(5000, Math.max(0, Duration.between(Instant.now(), idleEnd).toMillis())));
        Counters now;
        if (Instant.now().isBefore(nextScrape)) {
          now = prev.withCpu(this);
        } else {
          now = counters();
          nextScrape = now.at().plusSeconds(options.idleScrapeSeconds());
        }
        timeline.add(sample(seconds(t0, now.at()), readyAt.size(), prev, now));
        prev = now;
      }
      Counters idle = counters();
      Map<String, Double> idleThreads = byThreadName(threadsAtReady, threadCpu(operator.pid()));
      double idleSeconds = seconds(ready.at(), idle.at());
      double scrapeCpuMillis = scrapeCpuMillis(20);
      double heap = heapAfterFullGc();
      // What holds B5's heap, for whoever looks next: the live objects by class (after the full
      // GC above, so measured after B5), and with --heap-dump true the whole heap.
      jcmd("heap-histogram.txt", "GC.class_histogram");
      if (options.heapDump()) {
        jcmd(
            "heap-dump.txt",
            "GC.heap_dump",
            out.resolve("operator.hprof").toAbsolutePath().toString());
      }
      List<Double> readySeconds = readyAt.values().stream().sorted().toList();
      return new Result(
          options,
          total,
          allReady,
          readySeconds,
          PromText.delta(start.vcenterCalls(), ready.vcenterCalls()),
          PromText.delta(start.operatorRequests(), ready.operatorRequests()),
          PromText.delta(start.apiServerRequests(), ready.apiServerRequests()),
          PromText.delta(start.conversionReviews(), ready.conversionReviews()),
          ready.operatorCpuSeconds() - start.operatorCpuSeconds(),
          ready.benchCpuSeconds() - start.benchCpuSeconds(),
          PromText.delta(start.operatorConflicts(), ready.operatorConflicts()),
          PromText.delta(ready.operatorConflicts(), idle.operatorConflicts()),
          (int) Math.round(idleSeconds),
          PromText.delta(ready.vcenterCalls(), idle.vcenterCalls()),
          PromText.delta(ready.operatorRequests(), idle.operatorRequests()),
          PromText.delta(ready.apiServerRequests(), idle.apiServerRequests()),
          PromText.delta(ready.conversionReviews(), idle.conversionReviews()),
          PromText.delta(ready.passes(), idle.passes()),
          PromText.delta(ready.stepCpu(), idle.stepCpu()),
          idle.operatorCpuSeconds() - ready.operatorCpuSeconds(),
          idle.apiServerCpuSeconds() - ready.apiServerCpuSeconds(),
          idle.vcsimCpuSeconds() - ready.vcsimCpuSeconds(),
          idleThreads,
          scrapeCpuMillis,
          heap,
          timeline,
          guests.failures(),
          guests.unservedRequests());
    }

    private Sample sample(double t, int ready, Counters prev, Counters now) {
      double dt = Math.max(0.001, seconds(prev.at(), now.at()));
      return new Sample(
          t,
          ready,
          100 * (now.operatorCpuSeconds() - prev.operatorCpuSeconds()) / dt,
          100 * (now.apiServerCpuSeconds() - prev.apiServerCpuSeconds()) / dt,
          100 * (now.vcsimCpuSeconds() - prev.vcsimCpuSeconds()) / dt,
          100 * (now.benchCpuSeconds() - prev.benchCpuSeconds()) / dt,
          now.operatorHeapMiB());
    }

    /** jcmd GC.run (a full collection), then the heap used as the operator's /metrics says. */
    private double heapAfterFullGc() throws IOException, InterruptedException {
      jcmd(null, "GC.run");
      return heapUsedMiB(get("/metrics").body());
    }

    /**
     * jcmd {@code command} on the operator's JVM; its output to {@code file} in out (or dropped).
     */
    private void jcmd(String file, String... command) throws IOException, InterruptedException {
      List<String> argv = new ArrayList<>();
      argv.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
      argv.add(String.valueOf(operator.pid()));
      argv.addAll(List.of(command));
      Process jcmd = new ProcessBuilder(argv).redirectErrorStream(true).start();
      byte[] output = jcmd.getInputStream().readAllBytes();
      jcmd.waitFor(300, TimeUnit.SECONDS);
      if (file != null) {
        Files.write(out.resolve(file), output);
      }
    }

    static double seconds(Instant a, Instant b) {
      return Duration.between(a, b).toMillis() / 1000.0;
    }

    /** utime + stime of a process from /proc, in seconds (clock ticks of 1/100 s). */
    static double cpuSeconds(long pid) {
      if (pid <= 0) {
        return 0;
      }
      try {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // fields 14 and 15 of stat; f[0] is field 3.
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
      } catch (IOException | RuntimeException e) {
        return 0;
      }
    }

    /** One thread's name and CPU seconds (utime + stime). */
    record ThreadCpu(String name, double seconds) {}

    /**
     * Every thread of process {@code pid} by thread id, from /proc/pid/task (the kernel keeps the
     * first 15 characters of a Java thread's name). Empty when the process is gone.
     */
    static Map<Long, ThreadCpu> threadCpu(long pid) {
      Map<Long, ThreadCpu> out = new LinkedHashMap<>();
      try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
        for (Path t : (Iterable<Path>) tasks::iterator) {
          try {
            String stat = Files.readString(t.resolve("stat"));
            String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            out.put(
                Long.parseLong(t.getFileName().toString()),
                new ThreadCpu(name, (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0));
          } catch (IOException | RuntimeException e) {
            // The thread ended meanwhile.
          }
        }
      } catch (IOException e) {
        return Map.of();
      }
      return out;
    }

    /**
     * The CPU each thread used between two snapshots, summed by its name with every run of digits
     * written {@code #} (so a pool's threads are one line). A thread that ended in between is not
     * in it; one that started counts from its start.
     */
    static Map<String, Double> byThreadName(
        Map<Long, ThreadCpu> before, Map<Long, ThreadCpu> after) {
      Map<String, Double> out = new TreeMap<>();
      after.forEach(
          (tid, t) -> {
            ThreadCpu b = before.get(tid);
            double used = t.seconds() - (b == null ? 0 : b.seconds());
            out.merge(t.name().replaceAll("[0-9]+", "#"), used, Double::sum);
          });
      out.values().removeIf(v -> v == 0);
      return out;
    }

    /** The pid of this JVM's descendant process whose command ends with {@code name}, or -1. */
    static long child(String name) {
      return ProcessHandle.current()
          .descendants()
          .filter(p -> p.info().command().map(c -> c.endsWith("/" + name)).orElse(false))
          .mapToLong(ProcessHandle::pid)
          .min()
          .orElse(-1);
    }

    private static int freePort() throws IOException {
      try (ServerSocket s = new ServerSocket(0)) {
        return s.getLocalPort();
      }
    }

    private static void sleep(long millis) {
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void close() {
      clusters.close();
      guests.close();
      operator.destroy();
      try {
        if (!operator.waitFor(60, TimeUnit.SECONDS)) {
          operator.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        operator.destroyForcibly();
      }
      env.close();
    }
  }
}
