package dev.slipway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.testenv.ControlPlane;
import dev.slipway.testenv.Manifests;
import dev.slipway.testenv.TestBed;
import dev.slipway.testenv.Vcsim;
import dev.slipway.vsphere.CloneSpec;
import dev.slipway.vsphere.FolderRef;
import dev.slipway.vsphere.PoolRef;
import dev.slipway.vsphere.TaskRef;
import dev.slipway.vsphere.TaskState;
import dev.slipway.vsphere.VSphereConfig;
import dev.slipway.vsphere.VSphereProvider;
import dev.slipway.vsphere.VmConfigSpec;
import dev.slipway.vsphere.VmRef;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The slipway command against a real API server (objects shaped as the controllers write them: the
 * sample TanzuKubernetesCluster, Machines with status) and a real vcsim.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SlipwayCliIT {
  static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  static final String LOCAL_KUBECONFIG =
      """
      apiVersion: v1
      kind: Config
      clusters:
      - name: demo
        cluster: {server: "https://192.168.10.200:6443", certificate-authority-data: Q0E=}
      contexts:
      - name: demo-admin@demo
        context: {cluster: demo, user: demo-admin}
      current-context: demo-admin@demo
      users:
      - name: demo-admin
        user: {client-certificate-data: Q0VSVA==, client-key-data: S0VZ}
      """;

  private ControlPlane cp;
  private KubernetesClient client;
  private String ns;

  @BeforeAll
  void start() {
    cp = ControlPlane.start();
    client = cp.client();
    Manifests.installCrds(client, TestBed.repositoryRoot());
    ns = cp.createNamespace("cli");
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

  record Run(int code, String out, String err) {}

  private Run slipway(Map<String, String> env, String... args) {
    List<String> argv = new ArrayList<>(List.of(args));
    argv.addAll(List.of("--kubeconfig", cp.kubeconfigFile().toString()));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        SlipwayCli.run(
            argv.toArray(String[]::new),
            new PrintWriter(out),
            new PrintWriter(err),
            env,
            Clock.fixed(NOW, ZoneOffset.UTC));
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void describeShowsTheSampleClusterAsATree() {
    Map<String, Object> tkc =
        Manifests.toMap(
            Manifests.load(TestBed.repositoryRoot().resolve("deploy/samples/40-tkc.yaml")).get(0));
    Manifests.set(tkc, "metadata.namespace", ns);
    Manifests.set(tkc, "spec.topology.nodePools[0].replicas", 2);
    client.resource(Manifests.fromMap(tkc)).create();
    TanzuKubernetesCluster demo =
        client.resources(TanzuKubernetesCluster.class).inNamespace(ns).withName("demo").get();
    demo.setStatus(new dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesClusterStatus());
    demo.getStatus().phase = "creating";
    demo.getStatus().conditions =
        List.of(
            cond("Ready", "False", "Scaling", "batch: 0 of 1 ready", 95),
            cond("ControlPlaneReady", "True", "Ready", "1 control-plane machine(s) ready", 600),
            cond("NodePoolsReady", "False", "Scaling", "batch: 0 of 1 ready", 95));
    client.resource(demo).updateStatus();

    machine(demo, "demo-control-plane-x7k2p", Machine.Role.controlPlane, null, ready(610));
    machine(demo, "demo-general-9fz2k", Machine.Role.worker, "general", ready(300));
    machine(demo, "demo-general-bq5xw", Machine.Role.worker, "general", ready(250));
    machine(
        demo,
        "demo-batch-h8c2n",
        Machine.Role.worker,
        "batch",
        cond("BootstrapReady", "True", "BootstrapDataReady", "", 100),
        cond(
            "VMProvisioned",
            "False",
            "Cloning",
            "cloning ubuntu-2404-kube-v1.37.2 into /DC0/vm/" + ns,
            95));

    Run r = slipway(Map.of(), "describe", "cluster", "demo", "-n", ns);

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out())
        .isEqualTo(
"""
NAME                                  READY  REASON            SINCE  MESSAGE
TanzuKubernetesCluster/demo           False  Scaling           1m     batch: 0 of 1 ready
├─ControlPlane                        True                     10m    1 control-plane machine(s) ready
│ └─Machine/demo-control-plane-x7k2p  True                     10m    node is Ready
└─Workers
  ├─NodePool/general                  True                     4m     2 of 2 machine(s) ready
  │ └─2 Machines...                   True                     4m     See demo-general-9fz2k, demo-general-bq5xw
  └─NodePool/batch                    False  MachinesNotReady  1m     0 of 1 machine(s) ready
    └─Machine/demo-batch-h8c2n        False  Cloning           1m     cloning ubuntu-2404-kube-v1.37.2 into /DC0/vm/%s
"""
                .formatted(ns));

    Run missing = slipway(Map.of(), "describe", "cluster", "nope", "-n", ns);
    assertThat(missing.code()).isEqualTo(SlipwayCli.USER_ERROR);
    assertThat(missing.err())
        .isEqualTo("slipway: TanzuKubernetesCluster " + ns + "/nope not found\n");
  }

  @Test
  void kubeconfigPrintsTheSecretOrSaysWhyNot() {
    String cluster = "kc";
    Map<String, Object> tkc =
        Manifests.toMap(
            Manifests.load(TestBed.repositoryRoot().resolve("deploy/samples/40-tkc.yaml")).get(0));
    Manifests.set(tkc, "metadata.namespace", ns);
    Manifests.set(tkc, "metadata.name", cluster);
    client.resource(Manifests.fromMap(tkc)).create();

    Run notYet = slipway(Map.of(), "kubeconfig", cluster, "-n", ns);
    assertThat(notYet.code()).isEqualTo(SlipwayCli.USER_ERROR);
    assertThat(notYet.out()).isEmpty();
    assertThat(notYet.err())
        .isEqualTo(
            "slipway: cluster kc has no kubeconfig yet: Secret "
                + ns
                + "/kc-kubeconfig not found\n");

    Run noCluster = slipway(Map.of(), "kubeconfig", "ghost", "-n", ns);
    assertThat(noCluster.err())
        .isEqualTo("slipway: TanzuKubernetesCluster " + ns + "/ghost not found\n");

    client
        .secrets()
        .inNamespace(ns)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("kc-kubeconfig")
                .endMetadata()
                .addToData(
                    "value",
                    Base64.getEncoder()
                        .encodeToString(LOCAL_KUBECONFIG.getBytes(StandardCharsets.UTF_8)))
                .build())
        .create();
    Run ok = slipway(Map.of(), "kubeconfig", cluster, "-n", ns);
    assertThat(ok.code()).as(ok.err()).isZero();
    assertThat(ok.out()).isEqualTo(LOCAL_KUBECONFIG);
    assertThat(ok.err()).isEmpty();
  }

  /** main() itself: the exit status and stderr a shell sees, no log lines, no stack trace. */
  @Test
  void theJarExitsWithOneAndOneLineForAUserError() throws Exception {
    Path jar;
    try (Stream<Path> files = Files.list(TestBed.repositoryRoot().resolve("cli/target"))) {
      jar =
          files
              .filter(p -> p.getFileName().toString().matches("slipway-cli-.*\\.jar"))
              .findFirst()
              .orElseThrow(() -> new AssertionError("run after package: no cli/target/*.jar"));
    }
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                jar.toString(),
                "kubeconfig",
                "missing",
                "-n",
                ns,
                "--kubeconfig",
                cp.kubeconfigFile().toString())
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(err).isEqualTo(SlipwayCli.USER_ERROR);
    assertThat(out).isEmpty();
    assertThat(err).isEqualTo("slipway: TanzuKubernetesCluster " + ns + "/missing not found\n");
  }

  @Test
  void vmsFlagsOrphansWhoseMachineIsGone() throws IOException {
    String ns = cp.createNamespace("vms");
    try (Vcsim vcsim = Vcsim.start();
        VSphereProvider vsphere = connect(vcsim)) {
      FolderRef folder = vsphere.ensureFolder("/DC0/vm", ns);
      PoolRef pool = vsphere.findResourcePool("/DC0/host/DC0_C0/Resources").orElseThrow();
      VmRef source = vsphere.findVmByPath("/DC0/vm/DC0_H0_VM0").orElseThrow();

      // A Machine and its VM, made the way the machine controller makes them.
      Machine owned =
          machine(ns, null, "demo-control-plane-x7k2p", Machine.Role.controlPlane, null, ready(60));
      VmRef ownedVm =
          clone(
              vsphere,
              source,
              folder,
              pool,
              "demo-control-plane-x7k2p",
              owned.getMetadata().getUid(),
              true);
      vsphere.setCustomAttributes(
          ownedVm,
          Map.of(
              "slipway.dev/cluster", "demo",
              "slipway.dev/namespace", ns,
              "slipway.dev/machine", "demo-control-plane-x7k2p"));
      // A VM whose Machine is gone (deleted while the operator could not reach vCenter).
      VmRef orphan =
          clone(
              vsphere,
              source,
              folder,
              pool,
              "demo-general-gone1",
              "6f1c2a4e-0000-4000-8000-000000000001",
              false);
      vsphere.setCustomAttributes(
          orphan,
          Map.of(
              "slipway.dev/cluster", "demo",
              "slipway.dev/namespace", ns,
              "slipway.dev/machine", "demo-general-gone1"));
      // Someone else's VM in the folder.
      clone(
          vsphere, source, folder, pool, "jumphost", "6f1c2a4e-0000-4000-8000-000000000002", false);

      Path password = Files.createTempFile("vcenter", ".password");
      Files.writeString(password, vcsim.password() + "\n");
      Map<String, String> env =
          Map.of(
              "SLIPWAY_VCENTER_URL", vcsim.sdkUrl().toString(),
              "SLIPWAY_VCENTER_PASSWORD_FILE", password.toString());

      Run r =
          slipway(
              env,
              "vms",
              "-n",
              ns,
              "--username",
              vcsim.username(),
              "--ca-file",
              vcsim.certFile().toString());

      assertThat(r.code()).as(r.err()).isZero();
      List<String> lines = r.out().lines().toList();
      assertThat(lines.get(0).split("\\s+"))
          .containsExactly("NAME", "POWER", "IP", "CLUSTER", "MACHINE", "OWNERSHIP");
      assertThat(lines).hasSize(4);
      assertThat(lines.get(1).split("\\s+"))
          .containsExactly(
              "demo-control-plane-x7k2p",
              "on",
              ipOf(vsphere, ownedVm),
              "demo",
              "demo-control-plane-x7k2p",
              "owned");
      assertThat(lines.get(2).split("\\s+"))
          .containsExactly("demo-general-gone1", "off", "demo", "demo-general-gone1", "ORPHAN");
      assertThat(lines.get(3).split("\\s+")).containsExactly("jumphost", "off", "-");

      // The same with the VM's Machine deleted: now both are orphans.
      client.resource(owned).withGracePeriod(0).delete();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  client
                          .resources(Machine.class)
                          .inNamespace(ns)
                          .withName(owned.getMetadata().getName())
                          .get()
                      == null);
      Run after =
          slipway(
              env,
              "vms",
              "-n",
              ns,
              "--username",
              vcsim.username(),
              "--ca-file",
              vcsim.certFile().toString());
      assertThat(after.out().lines().filter(l -> l.endsWith(" ORPHAN")).count()).isEqualTo(2);

      Run wrongFolder =
          slipway(
              env,
              "vms",
              "-n",
              ns,
              "--username",
              vcsim.username(),
              "--insecure",
              "--folder",
              "/DC0/vm/nothing-here");
      assertThat(wrongFolder.code()).isEqualTo(SlipwayCli.USER_ERROR);
      assertThat(wrongFolder.err())
          .contains("not verifying vCenter's certificate")
          .contains("slipway: folder /DC0/vm/nothing-here not found in vCenter");

      Path wrongPassword = Files.createTempFile("vcenter", ".password");
      Files.writeString(wrongPassword, "not-the-password");
      Run denied =
          slipway(
              env,
              "vms",
              "-n",
              ns,
              "--username",
              vcsim.username(),
              "--password-file",
              wrongPassword.toString(),
              "--thumbprint",
              vcsim.thumbprint());
      assertThat(denied.code()).isEqualTo(SlipwayCli.USER_ERROR);
      assertThat(denied.err()).startsWith("slipway: cannot log in to vCenter ");
    }
  }

  private static String ipOf(VSphereProvider vsphere, VmRef vm) {
    List<String> ips = vsphere.vmState(vm).ipAddresses();
    assertThat(ips).as("vcsim reports the guest IP set through extraConfig").isNotEmpty();
    return ips.get(0);
  }

  private static VmRef clone(
      VSphereProvider vsphere,
      VmRef source,
      FolderRef folder,
      PoolRef pool,
      String name,
      String instanceUuid,
      boolean powerOn) {
    VmConfigSpec.Builder config = VmConfigSpec.builder().instanceUuid(instanceUuid);
    if (powerOn) {
      config.extraConfig("SET.guest.ipAddress", "10.20.30.41");
    }
    TaskRef task =
        vsphere.cloneVm(
            new CloneSpec(source, name, folder, pool, Optional.empty(), config.build(), powerOn));
    await().atMost(Duration.ofSeconds(60)).until(() -> vsphere.taskState(task).isDone());
    TaskState done = vsphere.taskState(task);
    assertThat(done.status()).as(done.toString()).isEqualTo(TaskState.Status.SUCCESS);
    return new VmRef(done.result().orElseThrow());
  }

  private static VSphereProvider connect(Vcsim vcsim) throws IOException {
    return VSphereProvider.connect(
        VSphereConfig.builder()
            .url(vcsim.sdkUrl())
            .username(vcsim.username())
            .password(vcsim.password())
            .caBundlePem(Files.readString(vcsim.certFile()))
            .build());
  }

  /** A Machine with status, as the controllers leave one; owned by {@code tkc} when given. */
  private Machine machine(
      TanzuKubernetesCluster tkc, String name, Machine.Role role, String pool, Condition... cs) {
    return machine(ns, tkc, name, role, pool, cs);
  }

  private Machine machine(
      String namespace,
      TanzuKubernetesCluster tkc,
      String name,
      Machine.Role role,
      String pool,
      Condition... cs) {
    Machine m = new Machine();
    m.getMetadata().setName(name);
    m.getMetadata().setNamespace(namespace);
    m.getMetadata().setLabels(Map.of("slipway.dev/cluster", "demo"));
    Machine.Spec spec = new Machine.Spec();
    spec.clusterName = "demo";
    spec.role = role;
    spec.pool = pool;
    spec.version = "v1.37.2+vmware.1";
    spec.vmClass = "best-effort-small";
    spec.storageClass = "gold";
    spec.image = new Machine.Image();
    spec.image.contentLibrary = "slipway-demo";
    spec.image.item = "ubuntu-2404-kube-v1.37.2";
    m.setSpec(spec);
    if (tkc != null) {
      m.getMetadata()
          .setOwnerReferences(
              List.of(
                  new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder()
                      .withApiVersion(tkc.getApiVersion())
                      .withKind(tkc.getKind())
                      .withName(tkc.getMetadata().getName())
                      .withUid(tkc.getMetadata().getUid())
                      .withController(true)
                      .build()));
    }
    Machine made = client.resource(m).create();
    Machine.Status status = new Machine.Status();
    status.conditions = new ArrayList<>(List.of(cs));
    made.setStatus(status);
    return client.resource(made).updateStatus();
  }

  private static Condition ready(long agoSeconds) {
    return cond("Ready", "True", "NodeReady", "node is Ready", agoSeconds);
  }

  private static Condition cond(
      String type, String status, String reason, String message, long agoSeconds) {
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .withLastTransitionTime(NOW.minusSeconds(agoSeconds).toString())
        .build();
  }
}
