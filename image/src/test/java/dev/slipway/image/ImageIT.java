package dev.slipway.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.testenv.ControlPlane;
import dev.slipway.testenv.TestBed;
import dev.slipway.testenv.Vcsim;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The image Jib wrote to target/jib-image.tar, as a container runtime would run it: its layers
 * unpacked in order into a root file system, its entrypoint run there in a chroot (with the image's
 * user, environment, and /dev and /proc mounted in a mount namespace of its own), with no file from
 * this machine's Java or libraries visible. Proves the jlinked runtime, the shared libraries, the
 * classpath file and the main class work together, and that the operator in the image talks TLS to
 * a real API server and vCenter and shuts down on SIGTERM.
 */
class ImageIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Path TAR = Path.of(System.getProperty("image.tar"));
  static final String REFERENCE = System.getProperty("image.reference");

  static Path rootfs;
  static JsonNode manifest;
  static JsonNode config;
  static long layerBytes;

  @BeforeAll
  static void unpack() throws Exception {
    Path work = TAR.resolveSibling("image-unpacked");
    deleteTree(work);
    Path blobs = Files.createDirectories(work.resolve("blobs"));
    rootfs = Files.createDirectories(work.resolve("rootfs"));
    exec(List.of("tar", "-xf", TAR.toString(), "-C", blobs.toString()));
    manifest = JSON.readTree(blobs.resolve("manifest.json").toFile()).get(0);
    config = JSON.readTree(blobs.resolve(manifest.get("Config").asText()).toFile());
    for (JsonNode layer : manifest.get("Layers")) {
      Path blob = blobs.resolve(layer.asText());
      layerBytes += Files.size(blob);
      exec(
          List.of(
              "tar",
              "--warning=no-unknown-keyword",
              "--same-permissions",
              "-xzf",
              blob.toString(),
              "-C",
              rootfs.toString()));
    }
    // What every container runtime provides; the image has neither.
    Files.createDirectories(rootfs.resolve("dev"));
    Files.createDirectories(rootfs.resolve("proc"));
  }

  @Test
  void theImageIsNamedAsTheDeploymentRefersToIt() throws IOException {
    assertThat(manifest.get("RepoTags").get(0).asText())
        .isEqualTo(REFERENCE)
        .isEqualTo("ghcr.io/slipway-dev/slipway-operator:0.1.0-SNAPSHOT");
    String deployment =
        Files.readString(TestBed.repositoryRoot().resolve("deploy/60-deployment.yaml"));
    assertThat(deployment).contains("image: " + REFERENCE + "\n");
  }

  @Test
  void itRunsTheJlinkedRuntimeAsANonRootUserAndIsSmall() {
    JsonNode c = config.get("config");
    assertThat(c.get("User").asText()).isEqualTo("65532:65532");
    assertThat(strings(c.get("Entrypoint")))
        .containsExactly(
            "/opt/java/bin/java",
            "-cp",
            "@/app/jib-classpath-file",
            "dev.slipway.operator.app.Main");
    assertThat(c.get("ExposedPorts").has("8080/tcp")).isTrue();
    assertThat(rootfs.resolve("opt/java/bin/java")).isExecutable();
    assertThat(rootfs.resolve("lib64/ld-linux-x86-64.so.2")).exists();
    assertThat(rootfs.resolve("etc/passwd")).content().contains("nonroot:x:65532:65532:");
    // No shell, no package manager: the runtime and the operator only.
    assertThat(rootfs.resolve("bin")).doesNotExist();
    assertThat(rootfs.resolve("usr")).doesNotExist();
    // Compressed, as pulled: keep it in check (about 71 MB when this was written).
    assertThat(layerBytes).isLessThan(90L * 1024 * 1024);
  }

  @Test
  void theEntrypointPrintsTheVersion() throws Exception {
    Result r = run(List.of("--version"), Map.of());

    assertThat(r.exitCode()).isZero();
    assertThat(r.stdout()).isEqualTo("slipway-operator 0.1.0-SNAPSHOT\n");
  }

  @Test
  void withoutConfigurationItSaysWhatIsMissingAndExits2() throws Exception {
    Result r = run(List.of(), Map.of());

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr().lines())
        .contains(
            "slipway-operator: vcenter.url: required (in the file or as SLIPWAY_VCENTER_URL)",
            "slipway-operator: vip.pool: required (in the file or as SLIPWAY_VIP_POOL)",
            "slipway-operator: POD_NAMESPACE: not set (the operator's namespace: credentials"
                + " Secret and leader Lease; the Deployment sets it from metadata.namespace)")
        .last()
        .isEqualTo("slipway-operator: not started: 7 configuration problems");
  }

  @Test
  void itOperatesAgainstARealApiServerAndVCenterAndStopsOnSigterm() throws Exception {
    try (ControlPlane cp = ControlPlane.start();
        Vcsim vcsim = Vcsim.start();
        KubernetesClient client = cp.client()) {
      dev.slipway.testenv.Manifests.installCrds(client, TestBed.repositoryRoot());
      client
          .namespaces()
          .resource(
              new NamespaceBuilder()
                  .withNewMetadata()
                  .withName("slipway-system")
                  .endMetadata()
                  .build())
          .serverSideApply();
      client
          .secrets()
          .inNamespace("slipway-system")
          .resource(
              new SecretBuilder()
                  .withNewMetadata()
                  .withName("slipway-vcenter-credentials")
                  .endMetadata()
                  .addToStringData("username", vcsim.username())
                  .addToStringData("password", vcsim.password())
                  .build())
          .create();
      // Where the Deployment mounts the ConfigMap, as the Deployment's environment names it.
      Path etc = Files.createDirectories(rootfs.resolve("etc/slipway"));
      Files.copy(vcsim.certFile(), etc.resolve("vcenter-ca.pem"), REPLACE);
      Files.writeString(etc.resolve("kubeconfig"), selfContainedKubeconfig(cp.config()));
      Files.writeString(
          etc.resolve("slipway.properties"),
          String.join(
              "\n",
              "vcenter.url=" + vcsim.baseUrl(),
              "vcenter.credentialsSecret=slipway-vcenter-credentials",
              "vcenter.caBundle=/etc/slipway/vcenter-ca.pem",
              "placement.datacenter=/DC0",
              "placement.parentResourcePool=/DC0/host/DC0_C0/Resources",
              "placement.parentFolder=/DC0/vm",
              "vip.pool=127.1.0.10-127.1.0.250",
              "log.format=json",
              ""));
      int port = freePort();
      Map<String, String> env = new LinkedHashMap<>();
      env.put("SLIPWAY_CONFIG", "/etc/slipway/slipway.properties");
      env.put("KUBECONFIG", "/etc/slipway/kubeconfig");
      env.put("POD_NAMESPACE", "slipway-system");
      env.put("POD_NAME", "slipway-operator-0");
      env.put("SLIPWAY_HTTP_PORT", Integer.toString(port));
      env.put("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError");
      Path log = TAR.resolveSibling("image-operator.log");

      Process p = start(List.of(), env, log);
      try {
        HttpClient http = HttpClient.newHttpClient();
        await()
            .atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(500))
            .ignoreExceptionsInstanceOf(java.net.ConnectException.class)
            .untilAsserted(
                () -> {
                  assertThat(p.isAlive()).as("operator alive; log: %s", log).isTrue();
                  assertThat(get(http, port, "/readyz").statusCode()).isEqualTo(200);
                });
        // Ready does not wait for leadership (a standby is ready too): the Lease comes after.
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(500))
            .untilAsserted(
                () ->
                    assertThat(get(http, port, "/metrics").body())
                        .contains("slipway_vcenter_calls_total{method=\"Login\"} 1.0")
                        .contains("slipway_leader 1.0")
                        .contains("operator_sdk_"));
        // The process in the chroot runs as the image's user, not as root.
        assertThat(Files.readAllLines(Path.of("/proc/" + p.pid() + "/status")))
            .anySatisfy(l -> assertThat(l).matches("Uid:\\s+65532\\s+65532\\s+65532\\s+65532"));

        p.destroy(); // SIGTERM, as the kubelet sends it
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("stopped within 30 s").isTrue();
        // 128 + SIGTERM: the JVM ran its shutdown hook to the end.
        assertThat(p.exitValue()).isEqualTo(143);
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
          if (line.startsWith("{")) {
            lines.add(JSON.readTree(line));
          }
        }
        assertThat(lines)
            .extracting(l -> l.path("message").asText())
            .contains(
                "slipway-operator-0 is the leader: reconciling",
                "shutting down",
                "released Lease slipway-system/slipway-operator",
                "stopped");
      } finally {
        p.destroyForcibly();
        deleteTree(etc);
      }
    }
  }

  private static final java.nio.file.CopyOption REPLACE =
      java.nio.file.StandardCopyOption.REPLACE_EXISTING;

  record Result(int exitCode, String stdout, String stderr) {}

  /** Runs the image's entrypoint plus {@code args} to the end. */
  private static Result run(List<String> args, Map<String, String> env) throws Exception {
    Path out = Files.createTempFile(TAR.getParent(), "image-run", ".out");
    Path err = Files.createTempFile(TAR.getParent(), "image-run", ".err");
    ProcessBuilder pb = command(args, env);
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  private static Process start(List<String> args, Map<String, String> env, Path log)
      throws IOException {
    ProcessBuilder pb = command(args, env);
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    return pb.start();
  }

  /**
   * A private mount namespace with the host's /dev and a fresh /proc under the root file system,
   * then chroot to it as the image's user: {@code unshare} execs the shell, the shell execs {@code
   * chroot}, {@code chroot} execs the entrypoint, so the process we hold is the JVM.
   */
  private static ProcessBuilder command(List<String> args, Map<String, String> env) {
    JsonNode c = config.get("config");
    List<String> cmd = new ArrayList<>();
    cmd.add(hostTool("unshare"));
    cmd.addAll(List.of("--mount", "--propagation", "private", hostTool("sh"), "-c"));
    cmd.add(
        "r=\"$1\"; u=\"$2\"; shift 2; "
            + "\"$MOUNT\" --rbind /dev \"$r/dev\" && \"$MOUNT\" -t proc proc \"$r/proc\" && "
            + "exec \"$CHROOT\" --userspec=\"$u\" \"$r\" \"$@\"");
    cmd.add("sh");
    cmd.add(rootfs.toString());
    cmd.add(c.get("User").asText());
    cmd.addAll(strings(c.get("Entrypoint")));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    Map<String, String> e = pb.environment();
    e.clear();
    for (String kv : strings(c.get("Env"))) {
      int eq = kv.indexOf('=');
      e.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    e.putAll(env);
    e.put("MOUNT", hostTool("mount"));
    e.put("CHROOT", hostTool("chroot"));
    return pb;
  }

  private static String hostTool(String name) {
    for (String dir : (System.getenv("PATH") + ":/usr/sbin:/sbin").split(File.pathSeparator)) {
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    throw new IllegalStateException(name + " not found on PATH");
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  /** The test bed's kubeconfig names certificate files on this machine; inline them. */
  private static String selfContainedKubeconfig(Config c) throws IOException {
    return String.join(
        "\n",
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: test-bed",
        "  cluster:",
        "    server: " + c.getMasterUrl(),
        "    certificate-authority-data: " + data(c.getCaCertData(), c.getCaCertFile()),
        "users:",
        "- name: test-bed",
        "  user:",
        "    client-certificate-data: " + data(c.getClientCertData(), c.getClientCertFile()),
        "    client-key-data: " + data(c.getClientKeyData(), c.getClientKeyFile()),
        "contexts:",
        "- name: test-bed",
        "  context: {cluster: test-bed, user: test-bed}",
        "current-context: test-bed",
        "");
  }

  private static String data(String inline, String file) throws IOException {
    if (inline != null && !inline.isBlank()) {
      return inline;
    }
    return Base64.getEncoder().encodeToString(Files.readAllBytes(Path.of(file)));
  }

  private static HttpResponse<String> get(HttpClient http, int port, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(5))
            .build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void exec(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed: " + out);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.delete(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
  }
}
