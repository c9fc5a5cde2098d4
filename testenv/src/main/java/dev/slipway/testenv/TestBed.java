package dev.slipway.testenv;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Where the real binaries of the test bed are: {@code testenv/build.sh} builds them once from the
 * Go module proxy and caches them by version outside the repository; this class asks the script for
 * the directory (building if the cache is incomplete) and hands out paths.
 */
public final class TestBed {

  private static TestBed instance;
  private static Path toolsDir;

  private final Path root;
  private final Path dir;
  private final Properties versions = new Properties();

  private TestBed(Path root, Path dir) {
    this.root = root;
    this.dir = dir;
    try (InputStream in = Files.newInputStream(dir.resolve("versions.properties"))) {
      versions.load(in);
    } catch (IOException e) {
      throw new TestBedException(
          "the test bed in " + dir + " has no versions.properties; delete it and rerun", e);
    }
  }

  /** The test bed of this repository, built if needed (once per JVM). */
  public static synchronized TestBed get() {
    if (instance == null) {
      Path root = repositoryRoot();
      instance = new TestBed(root, build(root));
    }
    return instance;
  }

  /**
   * The loopback range for workload clusters' VIPs: {@code SLIPWAY_TEST_VIPS} (VIP-pool syntax),
   * default {@code 127.1.0.10-127.1.0.250}, moved for a parallel test JVM ({@link #forShard}).
   */
  public static String vips() {
    return forShard(
        System.getenv().getOrDefault("SLIPWAY_TEST_VIPS", "127.1.0.10-127.1.0.250"), shard());
  }

  /**
   * The loopback range for simulated guests: {@code SLIPWAY_TEST_GUEST_IPS}, default {@code
   * 127.2.0.1-127.2.3.250}, moved for a parallel test JVM ({@link #forShard}).
   */
  public static String guestIps() {
    return forShard(
        System.getenv().getOrDefault("SLIPWAY_TEST_GUEST_IPS", "127.2.0.1-127.2.3.250"), shard());
  }

  /**
   * Which of the parallel test JVMs this is: the number in {@code -Dslipway.test.fork} (Failsafe
   * sets it to {@code fork-<its fork number>}, 1, 2, ...); 1 when unset or without a number.
   */
  public static int shard() {
    return shard(System.getProperty("slipway.test.fork"));
  }

  /**
   * The number in {@code value}. (Failsafe replaces {@code ${surefire.forkNumber}} only inside a
   * longer value: on its own it arrived as "" — SUREFIRE-1068 — and every JVM took the same
   * addresses.)
   */
  static int shard(String value) {
    String digits = value == null ? "" : value.replaceAll("\\D", "");
    return digits.isEmpty() ? 1 : Integer.parseInt(digits);
  }

  /**
   * {@code range} for test JVM {@code shard}: the second octet of every 127.x address moved up by
   * 100 per shard after the first, so parallel JVMs never serve on the same address.
   */
  static String forShard(String range, int shard) {
    if (shard <= 1) {
      return range;
    }
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\\b127\\.(\\d{1,3})\\.").matcher(range);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      int octet = Integer.parseInt(m.group(1)) + 100 * (shard - 1);
      if (octet > 255) {
        throw new TestBedException(
            "cannot move "
                + range
                + " for test JVM "
                + shard
                + ": 127."
                + octet
                + " is no address");
      }
      m.appendReplacement(out, "127." + octet + ".");
    }
    m.appendTail(out);
    return out.toString();
  }

  /** The repository's top directory: {@code -Dslipway.root}, else the nearest parent of the cwd. */
  public static Path repositoryRoot() {
    String prop = System.getProperty("slipway.root");
    if (prop != null && Files.isRegularFile(Path.of(prop, "testenv", "build.sh"))) {
      return Path.of(prop).toAbsolutePath();
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("testenv/build.sh"))) {
        return p;
      }
    }
    throw new TestBedException(
        "cannot find testenv/build.sh above "
            + Path.of("").toAbsolutePath()
            + "; run from the Slipway repository or pass -Dslipway.root=<repository>");
  }

  private static Path build(Path root) {
    return runBuild(root, "build.sh");
  }

  private static Path runBuild(Path root, String script) {
    Path log = logDir(root).resolve("testenv-build.log");
    ProcessBuilder pb =
        new ProcessBuilder("bash", root.resolve("testenv/" + script).toString())
            .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
    try {
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(60, TimeUnit.MINUTES) || p.exitValue() != 0) {
        throw new TestBedException(
            "testenv/"
                + script
                + " failed (exit "
                + p.exitValue()
                + "); its messages are in "
                + log);
      }
      String last = out.lines().reduce((a, b) -> b).orElse("");
      Path dir = Path.of(last);
      if (!Files.isDirectory(dir)) {
        throw new TestBedException("testenv/" + script + " printed no directory; see " + log);
      }
      return dir;
    } catch (IOException e) {
      throw new TestBedException("cannot run testenv/" + script + " (is bash installed?): " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TestBedException("interrupted while building the test bed", e);
    }
  }

  /** Directory for process logs: {@code <repository>/target/testbed-logs}. */
  static Path logDir(Path root) {
    Path dir = root.resolve("target/testbed-logs");
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new TestBedException("cannot create " + dir + ": " + e.getMessage(), e);
    }
    return dir;
  }

  public Path logDir() {
    return logDir(root);
  }

  public Path root() {
    return root;
  }

  /** The cache directory holding {@code bin/} and the kube-api-test layout under {@code k8s/}. */
  public Path dir() {
    return dir;
  }

  public Path bin(String name) {
    Path p = dir.resolve("bin").resolve(name);
    if (!Files.isExecutable(p)) {
      throw new TestBedException(p + " is missing or not executable; delete " + dir + " and rerun");
    }
    return p;
  }

  /**
   * One of the packaging tools {@code testenv/build-tools.sh} builds into a cache of its own:
   * {@code helm}, {@code promtool} or {@code kstatus} (built if needed, once per JVM).
   */
  public static Path tool(String name) {
    Path dir;
    synchronized (TestBed.class) {
      if (toolsDir == null) {
        toolsDir = runBuild(repositoryRoot(), "build-tools.sh");
      }
      dir = toolsDir;
    }
    Path p = dir.resolve("bin").resolve(name);
    if (!Files.isExecutable(p)) {
      throw new TestBedException(p + " is missing or not executable; delete " + dir + " and rerun");
    }
    return p;
  }

  /** The Kubernetes version the binaries were built from, numeric (e.g. {@code 1.37.2}). */
  public String kubernetesVersion() {
    return versions.getProperty("kubernetes");
  }

  public String etcdVersion() {
    return versions.getProperty("etcd");
  }

  public String govmomiVersion() {
    return versions.getProperty("govmomi");
  }
}
