package dev.slipway.operator.bootstrap;

import static dev.slipway.operator.bootstrap.Specs.PKI;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * cloud-init reads user data with PyYAML (YAML 1.1, where unquoted {@code on} or {@code 0644} are
 * not strings). Every rendering, loaded by PyYAML as cloud-init loads it, must give exactly what
 * {@link CloudInit#parse} gives.
 */
class CloudInitPyYamlIT {

  static final String LOADER =
      String.join(
          "\n",
          "import json, sys, yaml",
          "text = open(sys.argv[1]).read()",
          "assert text.startswith('#cloud-config\\n'), 'header'",
          "doc = yaml.safe_load(text)",
          "out = {",
          "  'files': {f['path']: f['content'] for f in doc['write_files']},",
          "  'types': sorted({type(f[k]).__name__ for f in doc['write_files'] for k in f}),",
          "  'runcmd': doc['runcmd'],",
          "  'keys': [k for u in doc['users'] if isinstance(u, dict)"
              + " for k in u.get('ssh_authorized_keys', [])],",
          "  'lock_passwd': [u['lock_passwd'] for u in doc['users'] if isinstance(u, dict)],",
          "}",
          "json.dump(out, sys.stdout)");

  @TempDir Path tmp;

  static Stream<Arguments> renderings() {
    BootstrapToken t = BootstrapToken.generate();
    NodeSpec tricky =
        new NodeSpec(
            "demo-w-9",
            Map.of("yes", "on", "example.com/octal", "0644"),
            List.of(Specs.TRICKY_TAINT, new Taint("k", "off", "NoSchedule")));
    return Stream.of(
        Arguments.of(
            "init", CloudInit.init(Specs.full(), Specs.controlPlaneNode("demo-cp-1"), PKI, t)),
        Arguments.of(
            "join-control-plane",
            CloudInit.joinControlPlane(Specs.full(), Specs.controlPlaneNode("demo-cp-2"), PKI, t)),
        Arguments.of(
            "join-worker", CloudInit.joinWorker(Specs.full(), tricky, PKI.ca().certPem(), t)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renderings")
  void pyYamlReadsWhatParseReads(String role, String cloudConfig) throws Exception {
    Path doc = tmp.resolve(role + ".yaml");
    Path script = tmp.resolve("load.py");
    Files.writeString(doc, cloudConfig);
    Files.writeString(script, LOADER);

    Exec.Result r = Exec.run(tmp, "python3", script.toString(), doc.toString());

    assertThat(r.exitCode()).as(r.describe()).isZero();
    Map<String, Object> py = new KubernetesSerialization().unmarshal(r.output(), Map.class);
    CloudInit.Parsed ours = CloudInit.parse(cloudConfig);
    assertThat(py.get("files")).isEqualTo(ours.files());
    assertThat(py.get("runcmd")).isEqualTo(ours.runcmd());
    assertThat(py.get("keys")).isEqualTo(ours.sshAuthorizedKeys());
    assertThat(py.get("types")).as("every write_files field is a string").isEqualTo(List.of("str"));
    assertThat(py.get("lock_passwd")).isEqualTo(List.of(true));
  }
}
