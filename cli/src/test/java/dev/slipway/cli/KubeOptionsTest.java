package dev.slipway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Which cluster and namespace a command line means, as kubectl would read it: --context over the
 * current context, -n over the context's namespace, "default" last, and the options accepted before
 * or after the subcommand. Nothing is contacted; the servers need not exist.
 */
class KubeOptionsTest {
  static final String KUBECONFIG =
      """
      apiVersion: v1
      kind: Config
      clusters:
      - name: one
        cluster: {server: "https://one.example.com:6443"}
      - name: two
        cluster: {server: "https://two.example.com:6443"}
      users:
      - name: someone
        user: {token: not-a-token}
      contexts:
      - name: one
        context: {cluster: one, user: someone, namespace: team-one}
      - name: two
        context: {cluster: two, user: someone}
      - name: three
        context: {cluster: one, user: someone, namespace: team-three}
      current-context: one
      """;

  @TempDir Path dir;
  Path kubeconfig;

  @BeforeEach
  void write() throws IOException {
    kubeconfig = dir.resolve("config");
    Files.writeString(kubeconfig, KUBECONFIG);
  }

  /** The options as picocli sets them for this command line (parsed, not run). */
  private static KubeOptions parse(String... args) {
    SlipwayCli app = new SlipwayCli(Map.of(), Clock.systemUTC());
    new CommandLine(app).parseArgs(args);
    return app.kube();
  }

  private String[] describe(String... options) {
    String[] args = new String[options.length + 5];
    args[0] = "describe";
    args[1] = "cluster";
    args[2] = "demo";
    args[3] = "--kubeconfig";
    args[4] = kubeconfig.toString();
    System.arraycopy(options, 0, args, 5, options.length);
    return args;
  }

  @Test
  void theCurrentContextGivesTheServerAndTheNamespace() {
    KubeOptions kube = parse(describe());
    assertThat(kube.config().getMasterUrl()).isEqualTo("https://one.example.com:6443/");
    assertThat(kube.namespace()).isEqualTo("team-one");
  }

  @Test
  void contextChoosesAnotherServerAndItsNamespaceOrDefault() {
    KubeOptions two = parse(describe("--context", "two"));
    assertThat(two.config().getMasterUrl()).isEqualTo("https://two.example.com:6443/");
    assertThat(two.namespace()).as("context two names no namespace").isEqualTo("default");

    KubeOptions three = parse(describe("--context=three"));
    assertThat(three.config().getMasterUrl()).isEqualTo("https://one.example.com:6443/");
    assertThat(three.namespace()).isEqualTo("team-three");
  }

  @Test
  void namespaceFlagWinsOverTheContextsNamespace() {
    assertThat(parse(describe("-n", "mine")).namespace()).isEqualTo("mine");
    assertThat(parse(describe("--context", "three", "--namespace", "mine")).namespace())
        .isEqualTo("mine");
    assertThat(parse(describe("--namespace=mine", "--context", "two")).namespace())
        .isEqualTo("mine");
    assertThat(parse(describe("-nmine")).namespace()).isEqualTo("mine");
  }

  @Test
  void optionsMayComeBeforeTheSubcommandAsWithKubectl() {
    KubeOptions before =
        parse(
            "--kubeconfig",
            kubeconfig.toString(),
            "--context",
            "two",
            "-n",
            "early",
            "describe",
            "cluster",
            "demo");
    assertThat(before.config().getMasterUrl()).isEqualTo("https://two.example.com:6443/");
    assertThat(before.namespace()).isEqualTo("early");

    KubeOptions between = parse("describe", "-n", "middle", "cluster", "demo", "--kubeconfig", "x");
    assertThat(between.namespace()).isEqualTo("middle");
    assertThat(between.kubeconfig).isEqualTo(Path.of("x"));

    KubeOptions kubeconfigCommand =
        parse("-n", "early", "kubeconfig", "demo", "--context", "three");
    assertThat(kubeconfigCommand.namespace).isEqualTo("early");
    assertThat(kubeconfigCommand.context).isEqualTo("three");
  }

  @Test
  void anUnknownContextIsRefusedNotReplacedByTheCurrentOne() {
    KubeOptions nope = parse(describe("--context", "nope"));
    assertThatThrownBy(nope::config)
        .isInstanceOf(UserException.class)
        .hasMessage("context \"nope\" does not exist in " + kubeconfig);

    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        SlipwayCli.run(
            describe("--context", "nope"),
            new PrintWriter(out),
            new PrintWriter(err),
            Map.of(),
            Clock.systemUTC());
    assertThat(code).isEqualTo(SlipwayCli.USER_ERROR);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString())
        .isEqualTo("slipway: context \"nope\" does not exist in " + kubeconfig + "\n");
  }

  @Test
  void usageNamesTheCommandAsItWasCalled() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        SlipwayCli.run(
            "kubectl slipway",
            new String[] {"describe", "cluster"},
            new PrintWriter(out),
            new PrintWriter(err),
            Map.of(),
            Clock.systemUTC());
    assertThat(code).isEqualTo(SlipwayCli.USER_ERROR);
    assertThat(err.toString()).contains("Try 'kubectl slipway describe cluster --help'");

    StringWriter help = new StringWriter();
    SlipwayCli.run(
        "kubectl slipway",
        new String[] {"--help"},
        new PrintWriter(help),
        new PrintWriter(new StringWriter()),
        Map.of(),
        Clock.systemUTC());
    assertThat(help.toString()).startsWith("Usage: kubectl slipway ");
  }
}
