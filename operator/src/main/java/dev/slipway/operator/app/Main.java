package dev.slipway.operator.app;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.LoggerFactory;

/**
 * The operator process: {@code java dev.slipway.operator.app.Main}. Configuration comes from the
 * file {@code SLIPWAY_CONFIG} and {@code SLIPWAY_*} variables ({@link OperatorConfig}); the
 * Kubernetes API from the pod's ServiceAccount, or {@code KUBECONFIG} / {@code ~/.kube/config}
 * outside a cluster.
 *
 * <p>Exit codes: 0 after a clean shutdown (SIGTERM), 1 when the API server or vCenter cannot be
 * reached or leadership was lost (Kubernetes restarts the pod), 2 for configuration problems (one
 * line each on standard error; a restart will not help).
 */
public final class Main {
  static final String USAGE =
      """
      Usage: slipway-operator [--version | --help]
      Runs Slipway's controllers. Settings: the file named by SLIPWAY_CONFIG
      (default /etc/slipway/slipway.properties) and SLIPWAY_* environment variables
      (vcenter.url -> SLIPWAY_VCENTER_URL); POD_NAMESPACE, POD_NAME. See docs/operator.md.
      """;

  private Main() {}

  public static void main(String[] args) {
    asyncStagesOnTheCommonPool();
    idleHttpSelectorsWakeEveryMinute();
    int code = execute(args, System.getenv(), System.out, System.err);
    // The only System.exit: JOSDK's and fabric8's non-daemon threads must not keep a failed or
    // finished process alive.
    System.exit(code);
  }

  static final String COMMON_POOL_PARALLELISM =
      "java.util.concurrent.ForkJoinPool.common.parallelism";

  /**
   * CompletableFuture runs its async stages on the common ForkJoinPool only when that pool's
   * parallelism is above 1; at 1, the JVM's default on 2 processors (a 2-CPU machine or a pod
   * limited to 2 CPUs), it starts a new thread for each one. The JDK HTTP client completes every
   * response that way: the operator made a thread per request to the workload clusters (15 744 of
   * them after 100 clusters were built and idle for a minute; docs/performance.md, optimisation
   * 26). Unless the property is set, the pool gets at least 2. Must run before anything uses
   * CompletableFuture: first in {@link #main}.
   */
  static void asyncStagesOnTheCommonPool() {
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
      System.setProperty(
          COMMON_POOL_PARALLELISM,
          Integer.toString(Math.max(2, Runtime.getRuntime().availableProcessors() - 1)));
    }
  }

  static final String HTTP_SELECTOR_TIMEOUT = "jdk.internal.httpclient.selectorTimeout";

  /**
   * Each JDK HTTP client has a selector thread which, with nothing to do, wakes every 3 s (the
   * JDK's default) only to see whether its client is still referenced. The operator holds a client
   * for each workload cluster's API server and one for each cluster's etcd: at 1 000 clusters, 2
   * 000 threads waking for nothing, about 1 % of a core (2 000 idle clients in a JVM of their own,
   * three runs: 0.97-1.20 %; 0.20-0.40 % with a minute; docs/performance.md, optimisation 49).
   * Unless the property is set, they wake every minute. A request's timeout still fires on time:
   * registering it wakes the selector. What waits longer: a dropped client's thread ends up to a
   * minute after the client is collected, and an expired pooled connection is closed up to a minute
   * late. Must run before the first HTTP client is made: first in {@link #main}.
   */
  static void idleHttpSelectorsWakeEveryMinute() {
    if (System.getProperty(HTTP_SELECTOR_TIMEOUT) == null) {
      System.setProperty(HTTP_SELECTOR_TIMEOUT, "60000");
    }
  }

  /** Everything {@link #main} does but exiting; returns the exit code. */
  static int execute(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    if (args.length == 1 && args[0].equals("--version")) {
      out.println("slipway-operator " + version());
      return 0;
    }
    if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
      out.print(USAGE);
      return 0;
    }
    if (args.length > 0) {
      err.println("slipway-operator: unknown argument " + args[0]);
      err.print(USAGE);
      return ConfigException.EXIT_CODE;
    }
    OperatorProcess process;
    try {
      process = run(args, env);
    } catch (ConfigException e) {
      for (String problem : e.problems()) {
        err.println("slipway-operator: " + problem);
      }
      err.println(
          "slipway-operator: not started: "
              + e.problems().size()
              + " configuration problem"
              + (e.problems().size() == 1 ? "" : "s"));
      return ConfigException.EXIT_CODE;
    } catch (StartupException e) {
      err.println("slipway-operator: not started: " + e.getMessage());
      return StartupException.EXIT_CODE;
    } catch (RuntimeException e) {
      // A bug, not a configuration: say so with the trace, and still exit (JOSDK's and fabric8's
      // threads would keep a JVM alive that returned from main with an exception).
      err.println("slipway-operator: not started: " + e);
      e.printStackTrace(err);
      return StartupException.EXIT_CODE;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(process::close, "shutdown"));
    try {
      return process.awaitTermination();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.close();
      return 1;
    }
  }

  /**
   * Starts the operator in this JVM and returns at once; the caller closes the handle. Used by
   * {@link #main} and by tests, which pass the environment instead of the process's own.
   *
   * @throws ConfigException for configuration problems (all of them, one line each)
   * @throws StartupException when the API server or vCenter cannot be reached
   */
  public static OperatorProcess run(String[] args, Map<String, String> env) {
    Logging.configure("text");
    OperatorConfig config = OperatorConfig.load(env);
    Logging.configure(config.logFormat());
    LoggerFactory.getLogger(Main.class)
        .info("slipway-operator {} starting with {}", version(), config);
    KubernetesRequests requests = new KubernetesRequests();
    LeaseFence fence = LeaseFence.of(config);
    return OperatorProcess.start(
        config, client(env, requests, fence, config.identity()), requests, fence);
  }

  /** In a pod: the ServiceAccount. Elsewhere: {@code KUBECONFIG}, else {@code ~/.kube/config}. */
  static KubernetesClient client(
      Map<String, String> env,
      KubernetesRequests requests,
      LeaseFence fence,
      Optional<String> identity) {
    String kubeconfig = env.get("KUBECONFIG");
    Config config;
    if (kubeconfig != null && !kubeconfig.isBlank()) {
      Path file = Path.of(kubeconfig.split(java.io.File.pathSeparator)[0]);
      try {
        config = Config.fromKubeconfig(Files.readString(file));
      } catch (IOException e) {
        throw new ConfigException("KUBECONFIG: cannot read " + file + ": " + e.getMessage());
      }
    } else {
      config = Config.autoConfigure(null);
    }
    // Which replica wrote what, in the API server's audit log.
    config.setUserAgent(
        "slipway-operator/" + version() + identity.map(n -> " (" + n + ")").orElse(""));
    return new KubernetesClientBuilder()
        .withConfig(config)
        .withHttpClientFactory(new JdkHttpClientFactory())
        .withHttpClientBuilderConsumer(
            b ->
                b.addOrReplaceInterceptor(KubernetesRequests.NAME, requests)
                    .addOrReplaceInterceptor(LeaseFence.NAME, fence))
        .build();
  }

  static String version() {
    Properties p = new Properties();
    try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        return "unknown";
      }
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p.getProperty("version", "unknown");
  }
}
