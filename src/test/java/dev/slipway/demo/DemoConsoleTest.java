package dev.slipway.demo;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.testenv.Manifests;
import dev.slipway.testenv.TestBed;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What reaches the demo's console: its own lines, the warnings logback-demo.xml lets through, and
 * the closing instructions. One line per event, no escape codes, no stack traces.
 */
class DemoConsoleTest {
  static final String ESC = "\u001B";

  @Test
  void oneLineDropsEscapesControlsAndFollowingLines() {
    assertThat(ConsoleText.oneLine(ESC + "[1;31mkubeadm" + ESC + "[0m init\tfailed"))
        .isEqualTo("kubeadm init failed");
    assertThat(ConsoleText.oneLine(ESC + "]0;title\u0007plain" + ESC + "7")).isEqualTo("plain");
    assertThat(
            ConsoleText.oneLine(
                "\n  join failed: token rejected\njava.lang.IllegalStateException: x\n\tat a.B(B.java:1)\n"))
        .isEqualTo("join failed: token rejected (2 more line(s) in the log)");
    assertThat(ConsoleText.oneLine(null)).isEmpty();
    assertThat(ConsoleText.oneLine("\u0000\u0008")).isEmpty();
    assertThat(ConsoleText.oneLine("├─NodePool/general")).isEqualTo("├─NodePool/general");
  }

  @Test
  void demoLoggingPutsOneCleanLinePerWarningOnTheConsoleAndTracesInTheFile() throws Exception {
    Path config = TestBed.repositoryRoot().resolve("src/test/resources/logback-demo.xml");
    Path file = Path.of("target/demo/slipway.log"); // where logback-demo.xml writes, from here
    Files.deleteIfExists(file);
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    PrintStream original = System.out;
    LoggerContext logging = new LoggerContext(); // its own, not the JVM's
    logging.setMDCAdapter(new LogbackMDCAdapter());
    try {
      System.setOut(new PrintStream(console, true, StandardCharsets.UTF_8));
      JoranConfigurator joran = new JoranConfigurator();
      joran.setContext(logging);
      joran.doConfigure(config.toFile());
      Exception cause =
          new IllegalStateException("etcd is " + ESC + "[33munhealthy" + ESC + "[0m\nmore");
      logging
          .getLogger("dev.slipway.operator.controller.MachineReconciler")
          .warn("reconcile of {} failed\nwith a second line", "team-a/demo", cause);
      logging.getLogger("dev.slipway.operator.controller.MachineReconciler").info("quiet");
      logging
          .getLogger("dev.slipway.guest.Guest")
          .warn("guest {} failed to boot: {}", "demo-batch-x", "no", new RuntimeException("no"));
    } finally {
      logging.stop();
      System.setOut(original);
    }

    String out = console.toString(StandardCharsets.UTF_8);
    assertThat(out.lines().toList())
        .singleElement()
        .satisfies(
            line ->
                assertThat(line)
                    .contains("WARN  MachineReconciler /")
                    .endsWith(
                        "reconcile of team-a/demo failed (1 more line(s) in the log): etcd is"
                            + " unhealthy (1 more line(s) in the log)"));
    assertThat(out).doesNotContain(ESC).doesNotContain("\tat ").doesNotContain("Exception");

    assertThat(Files.readString(file))
        .contains("java.lang.IllegalStateException: etcd is")
        .contains("\tat dev.slipway.demo.DemoConsoleTest")
        .contains("guest demo-batch-x failed to boot: no")
        .contains("quiet");
  }

  @Test
  void tryItGivesCommandsForTheRunningClusterAndPromisesNoUpgrade() {
    TanzuKubernetesCluster tkc =
        Manifests.convert(
            Manifests.load(TestBed.repositoryRoot().resolve("deploy/samples/40-tkc.yaml")).get(0),
            TanzuKubernetesCluster.class);
    List<Machine> machines =
        List.of(
            machine("demo-control-plane-r2cd6", Machine.Role.controlPlane, null),
            machine("demo-general-2spqk", Machine.Role.worker, "general"),
            machine("demo-batch-p7qlt", Machine.Role.worker, "batch"));
    Path bin = Path.of("/cache/bin");
    Path plugin = Path.of("/repo/cli/target/kubectl-slipway");
    Path management = Path.of("/repo/target/demo/management.kubeconfig");
    Path workload = Path.of("/repo/target/demo/demo.kubeconfig");

    String text = TryIt.text(tkc, machines, bin, plugin, management, workload);

    assertThat(text.lines().toList())
        .contains(
            "  export PATH=\"/cache/bin:/repo/cli/target:$PATH\""
                + " KUBECONFIG=/repo/target/demo/management.kubeconfig",
            "  kubectl get tkc,vsm -n team-a",
            "  kubectl slipway describe cluster demo -n team-a",
            "  kubectl --kubeconfig /repo/target/demo/demo.kubeconfig get nodes",
            "Scale pool general from 1 to 2 workers; a new Machine, its VM and its Node appear:",
            "  kubectl patch tkc demo -n team-a --type json -p"
                + " '[{\"op\":\"replace\",\"path\":\"/spec/topology/nodePools/0/replicas\","
                + "\"value\":2}]'",
            "  kubectl delete vsm demo-batch-p7qlt -n team-a");
    assertThat(text.lines().toList())
        .contains(
            "  kubectl patch tkc demo -n team-a --type merge -p"
                + " '{\"spec\":{\"topology\":{\"controlPlane\":{\"tkr\":{\"reference\":"
                + "{\"name\":\"v1.37.2---vmware.2-tkg.1\"}}}}}}'");
    assertThat(text).doesNotContain(ESC);

    String withoutPlugin = TryIt.text(tkc, machines, bin, null, management, workload);
    assertThat(withoutPlugin)
        .doesNotContain("kubectl slipway")
        .contains("  export PATH=\"/cache/bin:$PATH\" KUBECONFIG=");
  }

  private static Machine machine(String name, Machine.Role role, String pool) {
    Machine m = new Machine();
    m.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("team-a").build());
    m.setSpec(new Machine.Spec());
    m.getSpec().role = role;
    m.getSpec().pool = pool;
    return m;
  }
}
