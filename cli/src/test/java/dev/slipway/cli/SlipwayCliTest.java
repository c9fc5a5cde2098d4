package dev.slipway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.vsphere.FaultKind;
import dev.slipway.vsphere.VSphereException;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parsing, messages and exit codes; nothing here reaches a server. */
class SlipwayCliTest {

  record Run(int code, String out, String err) {}

  static Run run(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        SlipwayCli.run(args, new PrintWriter(out), new PrintWriter(err), env, Clock.systemUTC());
    return new Run(code, out.toString(), err.toString());
  }

  static Run run(String... args) {
    return run(Map.of(), args);
  }

  @Test
  void helpListsTheCommandsAndSucceeds() {
    Run r = run("--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("describe", "kubeconfig", "vms");
    Run sub = run("vms", "--help");
    assertThat(sub.code()).isZero();
    assertThat(sub.out())
        .contains("--vcenter-url", "SLIPWAY_VCENTER_URL", "--password-file", "ORPHAN");
  }

  @Test
  void usageErrorsAreUserErrorsWithoutStackTraces() {
    Run none = run();
    assertThat(none.code()).isEqualTo(SlipwayCli.USER_ERROR);
    assertThat(none.err()).startsWith("slipway: say what to do");

    Run unknown = run("destroy", "everything");
    assertThat(unknown.code()).isEqualTo(SlipwayCli.USER_ERROR);
    assertThat(unknown.err()).contains("Unmatched argument").doesNotContain("\tat ");

    Run noName = run("describe", "cluster");
    assertThat(noName.code()).isEqualTo(SlipwayCli.USER_ERROR);
    assertThat(noName.err())
        .contains("Missing required parameter: 'NAME'")
        .contains("Try 'slipway describe cluster --help'");

    Run what = run("describe");
    assertThat(what.code()).isEqualTo(SlipwayCli.USER_ERROR);
    assertThat(what.err()).contains("slipway describe cluster NAME -n NAMESPACE");
  }

  @Test
  void aMissingKubeconfigIsNamed() {
    Run r = run("kubeconfig", "demo", "-n", "team-a", "--kubeconfig", "/nonexistent/kubeconfig");
    assertThat(r.code()).isEqualTo(SlipwayCli.USER_ERROR);
    assertThat(r.err()).isEqualTo("slipway: kubeconfig /nonexistent/kubeconfig does not exist\n");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void anUnreadableKubeconfigIsAUserError(@TempDir Path dir) throws IOException {
    Path kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(kubeconfig, "this: [is not a kubeconfig");
    Run r = run("describe", "cluster", "demo", "--kubeconfig", kubeconfig.toString());
    assertThat(r.code()).isEqualTo(SlipwayCli.USER_ERROR);
    assertThat(r.err()).startsWith("slipway: cannot use kubeconfig " + kubeconfig);
  }

  @Test
  void anUnreachableApiServerIsAUserErrorNamingTheServer(@TempDir Path dir) throws IOException {
    Path kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(
        kubeconfig,
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: nowhere
          cluster:
            server: https://127.0.0.1:1
        contexts:
        - name: nowhere
          context: {cluster: nowhere, user: nobody, namespace: team-a}
        current-context: nowhere
        users:
        - name: nobody
          user: {token: not-a-token}
        """);
    Run r = run("describe", "cluster", "demo", "--kubeconfig", kubeconfig.toString());
    assertThat(r.code()).isEqualTo(SlipwayCli.USER_ERROR);
    assertThat(r.err())
        .startsWith("slipway: cannot reach the Kubernetes API server at https://127.0.0.1:1/")
        .doesNotContain("\tat ");
  }

  @Test
  void vcenterSettingsComeFromFlagsOrTheEnvironmentAndAreChecked(@TempDir Path dir)
      throws IOException {
    Map<String, String> env = new HashMap<>();
    assertThat(run(env, "vms", "-n", "team-a").err())
        .isEqualTo("slipway: no vCenter: give --vcenter-url or set SLIPWAY_VCENTER_URL\n");

    env.put("SLIPWAY_VCENTER_URL", "https://vcenter.example.com");
    Run noUser = run(env, "vms", "-n", "team-a");
    assertThat(noUser.code()).isEqualTo(SlipwayCli.USER_ERROR);
    assertThat(noUser.err())
        .isEqualTo("slipway: no vCenter user: give --username or set SLIPWAY_VCENTER_USERNAME\n");

    env.put("SLIPWAY_VCENTER_USERNAME", "admin");
    assertThat(run(env, "vms", "-n", "team-a").err())
        .isEqualTo(
            "slipway: no vCenter password: give --password-file or set"
                + " SLIPWAY_VCENTER_PASSWORD\n");

    Path password = dir.resolve("password");
    Files.writeString(password, "secret\n");
    Path ca = dir.resolve("ca.pem");
    Files.writeString(ca, "not a certificate");
    assertThat(
            run(
                    env,
                    "vms",
                    "-n",
                    "team-a",
                    "--password-file",
                    password.toString(),
                    "--ca-file",
                    ca.toString(),
                    "--thumbprint",
                    "AB:CD")
                .err())
        .isEqualTo("slipway: give at most one of --ca-file, --thumbprint and --insecure\n");

    env.put("SLIPWAY_VCENTER_INSECURE", "true");
    env.put("SLIPWAY_VCENTER_PASSWORD_FILE", password.toString());
    assertThat(run(env, "vms", "-n", "team-a", "--thumbprint", "AB:CD").err())
        .isEqualTo("slipway: give at most one of --ca-file, --thumbprint and --insecure\n");

    env.remove("SLIPWAY_VCENTER_INSECURE");
    assertThat(run(env, "vms", "-n", "team-a", "--thumbprint", "AB:CD").err())
        .isEqualTo(
            "slipway: vCenter settings: thumbprintSha256 must be 32 bytes of hex (SHA-256)\n");

    assertThat(
            run(env, "vms", "-n", "team-a", "--vcenter-url", "ftp://vcenter", "--insecure").err())
        .contains("slipway: vCenter settings: url must be https://host[:port]: ftp://vcenter");

    env.put("SLIPWAY_VCENTER_PASSWORD_FILE", dir.resolve("missing").toString());
    assertThat(run(env, "vms", "-n", "team-a").err())
        .startsWith("slipway: cannot read password file " + dir.resolve("missing"));
  }

  @Test
  void failuresMapToExitCodes() {
    StringWriter err = new StringWriter();
    int code =
        SlipwayCli.failed(new IllegalStateException("boom"), new PrintWriter(err, true), Map.of());
    assertThat(code).isEqualTo(SlipwayCli.UNEXPECTED);
    assertThat(err.toString())
        .contains("slipway: unexpected error: java.lang.IllegalStateException: boom")
        .contains("SLIPWAY_DEBUG=1")
        .doesNotContain("\tat ");

    StringWriter debug = new StringWriter();
    SlipwayCli.failed(
        new IllegalStateException("boom"),
        new PrintWriter(debug, true),
        Map.of("SLIPWAY_DEBUG", "1"));
    assertThat(debug.toString()).contains("\tat dev.slipway.cli.SlipwayCliTest");

    KubernetesClientException forbidden =
        new KubernetesClientException(
            new StatusBuilder()
                .withCode(403)
                .withMessage(
                    "tanzukubernetesclusters.run.tanzu.vmware.com \"demo\" is forbidden: User"
                        + " \"carol\" cannot delete resource")
                .build());
    assertThat(SlipwayCli.userMessage(forbidden))
        .isEqualTo(
            "Kubernetes API: tanzukubernetesclusters.run.tanzu.vmware.com \"demo\" is forbidden:"
                + " User \"carol\" cannot delete resource");
    assertThat(
            SlipwayCli.userMessage(
                new KubernetesClientException(new StatusBuilder().withCode(500).build())))
        .isNull();
    assertThat(
            SlipwayCli.userMessage(
                new VSphereException(
                    FaultKind.NOT_AUTHENTICATED, "InvalidLogin", "wrong password")))
        .startsWith("vCenter: ")
        .contains("wrong password");
    assertThat(
            SlipwayCli.userMessage(
                new VSphereException(FaultKind.OTHER, "SystemError", "vCenter is unwell")))
        .isNull();
    assertThat(SlipwayCli.userMessage(new UserException("fix this"))).isEqualTo("fix this");
  }
}
