package dev.slipway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesClusterStatus;
import dev.slipway.testenv.ControlPlane;
import dev.slipway.testenv.Manifests;
import dev.slipway.testenv.TestBed;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.Config;
import io.fabric8.kubernetes.api.model.ConfigBuilder;
import io.fabric8.kubernetes.api.model.NamedAuthInfo;
import io.fabric8.kubernetes.api.model.NamedCluster;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.api.model.NamedContextBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.internal.KubeConfigUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The launcher Maven writes next to the jar, linked into a directory on PATH as kubectl-slipway,
 * run by the test bed's real kubectl as {@code kubectl slipway ...} against a real API server. The
 * same TanzuKubernetesCluster name exists in two namespaces, told apart by their Ready message, so
 * every answer shows which kubeconfig, context and namespace the plugin used; real kubectl is asked
 * the same question ({@code config view --minify}) and must agree.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KubectlPluginIT {
  private ControlPlane cp;
  private KubernetesClient client;
  private String nsA;
  private String nsB;
  private Path home;
  private Path bin;
  private Path fileA;
  private Path fileB;
  private Path fileC;

  record Result(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  @BeforeAll
  void start() throws IOException {
    cp = ControlPlane.start();
    client = cp.client();
    Manifests.installCrds(client, TestBed.repositoryRoot());
    nsA = cp.createNamespace("plugin-a");
    nsB = cp.createNamespace("plugin-b");
    cluster(nsA);
    cluster(nsB);

    // The plugin layout as a user installs it: a link on PATH to cli/target/kubectl-slipway.
    Path launcher = TestBed.repositoryRoot().resolve("cli/target/kubectl-slipway");
    assertThat(launcher).as("run after package: cli/target/kubectl-slipway").isExecutable();
    Path tmp = Files.createTempDirectory("kubectl-plugin");
    bin = Files.createDirectories(tmp.resolve("bin"));
    Files.createSymbolicLink(bin.resolve("kubectl-slipway"), launcher);
    Files.createSymbolicLink(bin.resolve("kubectl"), cp.testBed().bin("kubectl"));
    home = Files.createDirectories(tmp.resolve("home")); // no ~/.kube/config to fall back on

    Config bed = KubeConfigUtils.parseConfigFromString(cp.kubeconfigYaml());
    NamedCluster server = bed.getClusters().get(0);
    NamedAuthInfo user = bed.getUsers().get(0);
    // KUBECONFIG=A:B. A defines context a (namespace A) and is first, so its current context
    // and its context a win; B's context a (another cluster, namespace B) must be ignored.
    fileA = tmp.resolve("a.yaml");
    write(
        fileA,
        new ConfigBuilder()
            .withClusters(server)
            .withUsers(user)
            .withContexts(context("a", server.getName(), user.getName(), nsA))
            .withCurrentContext("a")
            .build());
    fileB = tmp.resolve("b.yaml");
    write(
        fileB,
        new ConfigBuilder()
            .withContexts(
                context("b", server.getName(), user.getName(), nsB),
                context("a", "nowhere", user.getName(), nsB))
            .withCurrentContext("b")
            .build());
    // C stands alone, for --kubeconfig, which replaces $KUBECONFIG.
    fileC = tmp.resolve("c.yaml");
    write(
        fileC,
        new ConfigBuilder()
            .withClusters(server)
            .withUsers(user)
            .withContexts(context("c", server.getName(), user.getName(), nsB))
            .withCurrentContext("c")
            .build());
  }

  @AfterAll
  void stop() {
    if (client != null) {
      client.close();
    }
    if (cp != null) {
      cp.close();
    }
  }

  @Test
  void kubectlFindsThePluginOnPath() {
    Result list = kubectl("plugin", "list");
    assertThat(list.code()).as(list.toString()).isZero();
    assertThat(list.out()).contains(bin.resolve("kubectl-slipway").toString());
    assertThat(list.err())
        .as("kubectl warns about plugins it cannot run")
        .doesNotContain("warning");

    Result help = kubectl("slipway", "--help");
    assertThat(help.code()).as(help.toString()).isZero();
    assertThat(help.out()).startsWith("Usage: kubectl slipway ").contains("describe", "vms");
  }

  @Test
  void describeUsesTheMergedKubeconfigsCurrentContextAndItsNamespace() {
    Result r = kubectl("slipway", "describe", "cluster", "demo");
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out()).isEqualTo(inProcess(nsA)).contains("cluster in " + nsA + " is ready");
    assertThat(kubectlNamespace()).isEqualTo(nsA);
  }

  @Test
  void contextChoosesAnotherContextAndNamespaceFlagWins() {
    Result b = kubectl("slipway", "describe", "cluster", "demo", "--context", "b");
    assertThat(b.code()).as(b.toString()).isZero();
    assertThat(b.out()).isEqualTo(inProcess(nsB));
    assertThat(kubectlNamespace("--context", "b")).isEqualTo(nsB);

    // kubectl passes everything after the plugin's name, so flags may precede the subcommand.
    Result flagWins =
        kubectl("slipway", "--context", "b", "-n", nsA, "describe", "cluster", "demo");
    assertThat(flagWins.code()).as(flagWins.toString()).isZero();
    assertThat(flagWins.out()).isEqualTo(inProcess(nsA));
  }

  @Test
  void kubeconfigFlagReplacesTheEnvironment() {
    Result c = kubectl("slipway", "describe", "cluster", "demo", "--kubeconfig", fileC.toString());
    assertThat(c.code()).as(c.toString()).isZero();
    assertThat(c.out()).isEqualTo(inProcess(nsB));
    assertThat(kubectlNamespace("--kubeconfig", fileC.toString())).isEqualTo(nsB);
  }

  @Test
  void errorsAreOneLineAndTheExitCodeReachesTheShell() {
    Result nope = kubectl("slipway", "describe", "cluster", "demo", "--context", "nope");
    assertThat(nope.code()).isEqualTo(SlipwayCli.USER_ERROR);
    assertThat(nope.out()).isEmpty();
    assertThat(nope.err()).isEqualTo("slipway: context \"nope\" does not exist\n");
    Result kubectlToo = kubectl("get", "namespaces", "--context", "nope");
    assertThat(kubectlToo.code()).as("kubectl refuses it too").isNotZero();
    assertThat(kubectlToo.err()).contains("context was not found for specified context: nope");

    Result ghost = kubectl("slipway", "describe", "cluster", "ghost");
    assertThat(ghost.code()).isEqualTo(SlipwayCli.USER_ERROR);
    assertThat(ghost.out()).isEmpty();
    assertThat(ghost.err())
        .isEqualTo("slipway: TanzuKubernetesCluster " + nsA + "/ghost not found\n");
  }

  /** The namespace real kubectl would use with these flags and the same environment. */
  private String kubectlNamespace(String... flags) {
    List<String> args = new ArrayList<>(List.of("config", "view", "--minify"));
    args.addAll(List.of(flags));
    args.add("-o=jsonpath={.contexts[0].context.namespace}");
    Result r = kubectl(args.toArray(String[]::new));
    assertThat(r.code()).as(r.toString()).isZero();
    return r.out().strip();
  }

  /** What the command prints run in this JVM with the namespace and server given explicitly. */
  private String inProcess(String namespace) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        SlipwayCli.run(
            new String[] {
              "describe",
              "cluster",
              "demo",
              "-n",
              namespace,
              "--kubeconfig",
              cp.kubeconfigFile().toString()
            },
            new PrintWriter(out),
            new PrintWriter(err),
            Map.of(),
            Clock.systemUTC());
    assertThat(code).as(err.toString()).isZero();
    return out.toString();
  }

  /**
   * Runs the real kubectl from {@link #bin} with a user's environment: PATH with the plugin,
   * KUBECONFIG naming a missing file (ignored, as kubectl does), then A and B, and an empty HOME.
   */
  private Result kubectl(String... args) {
    List<String> argv = new ArrayList<>();
    argv.add(bin.resolve("kubectl").toString());
    argv.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(argv);
    Map<String, String> env = pb.environment();
    env.clear();
    env.putAll(
        new HashMap<>(
            Map.of(
                "PATH",
                bin + ":/usr/local/bin:/usr/bin:/bin",
                "HOME",
                home.toString(),
                "JAVA_HOME",
                System.getProperty("java.home"),
                "KUBECONFIG",
                String.join(
                    ":",
                    home.resolve("missing.yaml").toString(),
                    fileA.toString(),
                    fileB.toString()))));
    try {
      Process p = pb.start();
      CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
      String out = read(p.getInputStream());
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("kubectl " + String.join(" ", args) + " took over 120 s");
      }
      return new Result(p.exitValue(), out, err.join());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static String read(InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static NamedContext context(String name, String cluster, String user, String ns) {
    return new NamedContextBuilder()
        .withName(name)
        .withNewContext()
        .withCluster(cluster)
        .withUser(user)
        .withNamespace(ns)
        .endContext()
        .build();
  }

  private static void write(Path file, Config config) throws IOException {
    KubeConfigUtils.persistKubeConfigIntoFile(config, file.toFile());
  }

  /**
   * The sample cluster in {@code ns}, Ready for three and a half hours (so SINCE reads 3h in both
   * runs being compared), with one Ready control-plane machine.
   */
  private void cluster(String ns) {
    Map<String, Object> sample =
        Manifests.toMap(
            Manifests.load(TestBed.repositoryRoot().resolve("deploy/samples/40-tkc.yaml")).get(0));
    Manifests.set(sample, "metadata.namespace", ns);
    client.resource(Manifests.fromMap(sample)).create();
    TanzuKubernetesCluster tkc =
        client.resources(TanzuKubernetesCluster.class).inNamespace(ns).withName("demo").get();
    Instant since = Instant.now().minus(Duration.ofMinutes(210));
    tkc.setStatus(new TanzuKubernetesClusterStatus());
    tkc.getStatus().phase = "running";
    tkc.getStatus().conditions =
        List.of(
            cond("Ready", "True", "Ready", "cluster in " + ns + " is ready", since),
            cond("ControlPlaneReady", "True", "Ready", "1 control-plane machine(s) ready", since));
    tkc = client.resource(tkc).updateStatus();

    Machine m = new Machine();
    m.getMetadata().setName("demo-control-plane-x7k2p");
    m.getMetadata().setNamespace(ns);
    m.getMetadata().setLabels(Map.of("slipway.dev/cluster", "demo"));
    m.getMetadata()
        .setOwnerReferences(
            List.of(
                new OwnerReferenceBuilder()
                    .withApiVersion(tkc.getApiVersion())
                    .withKind(tkc.getKind())
                    .withName("demo")
                    .withUid(tkc.getMetadata().getUid())
                    .withController(true)
                    .build()));
    Machine.Spec spec = new Machine.Spec();
    spec.clusterName = "demo";
    spec.role = Machine.Role.controlPlane;
    spec.version = "v1.37.2+vmware.1";
    spec.vmClass = "guaranteed-medium";
    spec.storageClass = "gold";
    spec.image = new Machine.Image();
    spec.image.contentLibrary = "slipway-demo";
    spec.image.item = "ubuntu-2404-kube-v1.37.2";
    m.setSpec(spec);
    Machine made = client.resource(m).create();
    made.setStatus(new Machine.Status());
    made.getStatus().conditions =
        new ArrayList<>(List.of(cond("Ready", "True", "NodeReady", "node is Ready", since)));
    client.resource(made).updateStatus();
  }

  private static Condition cond(
      String type, String status, String reason, String message, Instant since) {
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .withLastTransitionTime(since.toString())
        .build();
  }
}
