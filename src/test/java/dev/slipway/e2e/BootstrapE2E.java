package dev.slipway.e2e;

import static dev.slipway.testenv.Manifests.set;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.guest.GuestSimulator;
import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.bootstrap.GuestInfo;
import dev.slipway.operator.controller.VSphereTags;
import dev.slipway.testenv.Manifests;
import dev.slipway.vsphere.VmState;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The whole bring-up with the real bootstrap: PKI, kubeadm cloud-init in guestinfo, the guest
 * simulator consuming exactly that, a real workload API server on the VIP, Nodes registered with
 * credentials the bootstrap data gave, and the cluster Ready.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BootstrapE2E {
  static final String NS = "team-a";
  static SlipwayEnv env;
  static GuestSimulator guests;
  static AtomicReference<String> oldCloudInit;

  @BeforeAll
  static void start() {
    env = SlipwayEnv.start(e -> null, e -> null);
    guests = new GuestSimulator(env::connect, List.of(env.placement.parentFolder() + "/" + NS));
    // The init machine (the first control-plane VM to boot: all four CA keys) and the batch worker
    // run a cloud-init that does not clear its guestinfo: only Slipway's scrub clears theirs.
    AtomicReference<String> initVm = new AtomicReference<>();
    guests.oldCloudInitOn(
        vm ->
            vm.contains("-batch-")
                || (vm.contains("-control-plane-")
                    && (initVm.compareAndSet(null, vm) || vm.equals(initVm.get()))));
    oldCloudInit = initVm;
    env.applyNamespaceSamples();
  }

  @AfterAll
  static void stop() {
    if (guests != null) {
      guests.close();
    }
    if (env != null) {
      env.close();
    }
  }

  static TanzuKubernetesCluster tkc(String name) {
    return env.client.resources(TanzuKubernetesCluster.class).inNamespace(NS).withName(name).get();
  }

  static List<Machine> machines() {
    return env.client.resources(Machine.class).inNamespace(NS).list().getItems();
  }

  @Test
  @Order(1)
  void threeControlPlaneMachinesAndTwoWorkersBecomeAReadyCluster() throws Exception {
    Map<String, Object> m =
        Manifests.toMap(Manifests.load(env.root.resolve("deploy/samples/40-tkc.yaml")).get(0));
    set(m, "spec.topology.controlPlane.replicas", 3);
    set(m, "spec.topology.nodePools[0].replicas", 1);
    set(m, "spec.topology.nodePools[1].replicas", 1);
    env.client.resource(Manifests.fromMap(m)).create();

    await()
        .atMost(Duration.ofMinutes(6))
        .pollInterval(Duration.ofSeconds(2))
        .failFast("a guest failed to boot", () -> guests.anyFailure().isPresent())
        .untilAsserted(
            () -> {
              TanzuKubernetesCluster tkc = tkc("demo");
              assertThat(tkc.getStatus()).isNotNull();
              assertThat(machines())
                  .hasSize(5)
                  .allSatisfy(x -> assertThat(x.getStatus().phase).isEqualTo("Running"));
              assertThat(tkc.getStatus().phase)
                  .as(String.valueOf(tkc.getStatus().conditions))
                  .isEqualTo("running");
            });
    TanzuKubernetesCluster tkc = tkc("demo");
    String vip = tkc.getStatus().apiEndpoints.get(0).host;
    assertThat(env.VIPS.contains(vip)).isTrue();
    assertThat(tkc.getStatus().apiEndpoints.get(0).port).isEqualTo(6443);

    // kubectl with the kubeconfig Slipway wrote lists five Ready nodes with the pools' labels
    String kubeconfig =
        new String(
            Base64.getDecoder()
                .decode(
                    env.client
                        .secrets()
                        .inNamespace(NS)
                        .withName("demo-kubeconfig")
                        .get()
                        .getData()
                        .get("value")),
            StandardCharsets.UTF_8);
    Path file = Files.createTempFile("demo-kubeconfig", ".yaml");
    Files.writeString(file, kubeconfig);
    Process p =
        new ProcessBuilder(
                env.controlPlane.testBed().bin("kubectl").toString(),
                "--kubeconfig",
                file.toString(),
                "get",
                "nodes",
                "--no-headers")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    assertThat(out.lines().filter(l -> l.contains(" Ready ")).count()).as(out).isEqualTo(5);

    try (KubernetesClient workload =
        new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig)).build()) {
      List<Node> nodes = workload.nodes().list().getItems();
      assertThat(nodes).hasSize(5);
      for (Machine machine : machines()) {
        Node n = workload.nodes().withName(machine.getMetadata().getName()).get();
        assertThat(n.getSpec().getProviderID()).isEqualTo(machine.getSpec().providerID);
        assertThat(machine.getStatus().nodeRef.name).isEqualTo(n.getMetadata().getName());
        if (machine.getSpec().role == Machine.Role.controlPlane) {
          assertThat(n.getSpec().getTaints())
              .anySatisfy(
                  t -> assertThat(t.getKey()).isEqualTo("node-role.kubernetes.io/control-plane"));
        }
      }
      Node batch =
          nodes.stream()
              .filter(n -> n.getMetadata().getName().contains("-batch-"))
              .findFirst()
              .orElseThrow();
      assertThat(batch.getMetadata().getLabels())
          .containsEntry("tier", "batch")
          .containsEntry("example.com/team", "data");
      assertThat(batch.getSpec().getTaints())
          .anySatisfy(
              t -> {
                assertThat(t.getKey()).isEqualTo("dedicated");
                assertThat(t.getValue()).isEqualTo("batch");
                assertThat(t.getEffect()).isEqualTo("NoSchedule");
              });
      Node general =
          nodes.stream()
              .filter(n -> n.getMetadata().getName().contains("-general-"))
              .findFirst()
              .orElseThrow();
      assertThat(general.getMetadata().getLabels()).containsEntry("tier", "general");
      // joined machines' bootstrap tokens are removed once their nodes exist
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(
                          workload.secrets().inNamespace("kube-system").list().getItems().stream()
                              .filter(
                                  s -> s.getMetadata().getName().startsWith("bootstrap-token-")))
                      .isEmpty());
    }
  }

  /** What govc lists as attached to the object at {@code path}: tag names, sorted. */
  static List<String> tagsOf(String path) {
    return env.govc("tags.attached.ls", "-r", path).lines().sorted().toList();
  }

  /** The names of the tags of one category ({@code govc tags.ls} prints "name category"). */
  static List<String> tagsIn(String category) {
    return env.govc("tags.ls", "-c", category).lines().map(l -> l.split("\\s+")[0]).toList();
  }

  @Test
  @Order(2)
  void aVCenterAdminFindsEverySlipwayObjectByItsTags() {
    String nsFolder = env.placement.parentFolder() + "/" + NS;
    for (Machine m : machines()) {
      assertThat(tagsOf(nsFolder + "/" + m.getMetadata().getName()))
          .as(m.getMetadata().getName())
          .containsExactly("machine", NS, NS + "/demo");
    }
    assertThat(tagsOf(nsFolder)).containsExactly("namespace-folder", NS);
    assertThat(tagsOf(env.placement.parentResourcePool() + "/" + NS))
        .containsExactly("namespace-pool", NS);
    String templates = env.placement.templatesFolderPath();
    assertThat(tagsOf(templates)).containsExactly("templates-folder");
    // Templates are named <library>--<item> (docs/controllers.md).
    assertThat(tagsOf(templates + "/" + SlipwayEnv.LIBRARY + "--" + SlipwayEnv.ITEM))
        .containsExactly("template");
    // The tags are in Slipway's categories, so a search by category finds them all.
    assertThat(tagsIn(VSphereTags.CLUSTER)).contains(NS + "/demo");
    assertThat(tagsIn(VSphereTags.NAMESPACE)).contains(NS);
    assertThat(tagsIn(VSphereTags.OBJECT))
        .containsExactlyInAnyOrder(
            "machine", "namespace-folder", "namespace-pool", "template", "templates-folder");
  }

  @Test
  @Order(2)
  void noKeyAndNoPasswordInAnyEventOrStatus() {
    List<String> texts = new java.util.ArrayList<>();
    for (var e : env.client.v1().events().inAnyNamespace().list().getItems()) {
      texts.add("Event " + e.getMetadata().getName() + ": " + e.getMessage());
    }
    for (Class<? extends io.fabric8.kubernetes.client.CustomResource<?, ?>> type :
        List.of(
            TanzuKubernetesCluster.class,
            Machine.class,
            dev.slipway.operator.api.vmoperator.v1alpha1.VSphereNamespace.class,
            dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesRelease.class)) {
      for (var r : env.client.resources(type).inAnyNamespace().list().getItems()) {
        texts.add(
            type.getSimpleName()
                + " "
                + r.getMetadata().getName()
                + ": "
                + io.fabric8.kubernetes.client.utils.Serialization.asJson(r.getStatus()));
      }
    }
    assertThat(texts).hasSizeGreaterThan(10);
    assertThat(texts)
        .noneMatch(t -> t.contains("PRIVATE KEY"))
        .noneMatch(t -> t.contains(env.vcsim.password()));
  }

  @Test
  @Order(3)
  void controlPlaneFirstThenTheRest() {
    List<Machine> ms = machines();
    Machine init =
        ms.stream()
            .filter(x -> x.getSpec().role == Machine.Role.controlPlane)
            .min(Comparator.comparing(x -> x.getMetadata().getCreationTimestamp()))
            .orElseThrow();
    assertThat(env.initMachine(tkc("demo"))).isEqualTo(init.getMetadata().getName());
    Instant initJoined = joined(init);
    for (Machine x : ms) {
      if (x != init) {
        assertThat(Instant.parse(x.getMetadata().getCreationTimestamp()))
            .as(
                "%s created after %s joined",
                x.getMetadata().getName(), init.getMetadata().getName())
            .isAfterOrEqualTo(initJoined.minusSeconds(1));
      }
    }
    // the control plane grows one machine at a time: the third after the second joined
    List<Machine> cps =
        ms.stream()
            .filter(x -> x.getSpec().role == Machine.Role.controlPlane)
            .sorted(Comparator.comparing(x -> x.getMetadata().getCreationTimestamp()))
            .toList();
    assertThat(Instant.parse(cps.get(2).getMetadata().getCreationTimestamp()))
        .isAfterOrEqualTo(joined(cps.get(1)).minusSeconds(1));
  }

  static Instant joined(Machine m) {
    return env.client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> m.getMetadata().getName().equals(e.getInvolvedObject().getName()))
        .filter(e -> "NodeJoined".equals(e.getReason()))
        .map(Event::getFirstTimestamp)
        .map(Instant::parse)
        .findFirst()
        .orElseThrow(
            () -> new AssertionError("no NodeJoined event for " + m.getMetadata().getName()));
  }

  /**
   * What a vCenter user with read-only access to the VMs sees: every VM's extraConfig, with every
   * value also read as base64 (and gzip), the way the user data is written.
   */
  static String readable(String value) {
    StringBuilder out = new StringBuilder(value);
    try {
      byte[] raw = Base64.getMimeDecoder().decode(value);
      out.append('\n').append(new String(raw, StandardCharsets.UTF_8));
      try (var gz = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(raw))) {
        out.append('\n').append(new String(gz.readAllBytes(), StandardCharsets.UTF_8));
      } catch (java.io.IOException notGzip) {
        // plain base64
      }
    } catch (IllegalArgumentException notBase64) {
      // plain text
    }
    return out.toString();
  }

  @Test
  @Order(4)
  void noPrivateKeyAndNoLiveTokenInAnyVmsExtraConfigAfterReady() throws Exception {
    assertThat(tkc("demo").getStatus().phase).isEqualTo("running");
    String kubeconfig =
        new String(
            Base64.getDecoder()
                .decode(
                    env.client
                        .secrets()
                        .inNamespace(NS)
                        .withName("demo-kubeconfig")
                        .get()
                        .getData()
                        .get("value")),
            StandardCharsets.UTF_8);
    assertThat(oldCloudInit.get()).as("a control-plane guest ran an old cloud-init").isNotNull();
    try (KubernetesClient workload =
        new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig)).build()) {
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofSeconds(2))
          .untilAsserted(
              () -> {
                List<String> liveTokens =
                    workload.secrets().inNamespace("kube-system").list().getItems().stream()
                        .filter(s -> "bootstrap.kubernetes.io/token".equals(s.getType()))
                        .map(s -> s.getData().get("token-secret"))
                        .map(b -> new String(Base64.getDecoder().decode(b), StandardCharsets.UTF_8))
                        .toList();
                List<VmState> vms = env.vms(NS);
                assertThat(vms).hasSize(5);
                for (VmState vm : vms) {
                  // Failures name keys, never print values: they may hold the very keys.
                  Map<String, String> ec = new TreeMap<>();
                  vm.extraConfig()
                      .forEach((k, v) -> ec.put(k, v.length() > 40 ? v.length() + " chars" : v));
                  for (Map.Entry<String, String> e : vm.extraConfig().entrySet()) {
                    String seen = readable(e.getValue());
                    assertThat(seen.contains("PRIVATE KEY"))
                        .as("%s %s holds a private key", vm.name(), e.getKey())
                        .isFalse();
                    assertThat(liveTokens.stream().filter(seen::contains).count())
                        .as("%s %s holds a live bootstrap token", vm.name(), e.getKey())
                        .isZero();
                  }
                  assertThat(GuestInfo.holdsUserdata(vm.extraConfig())).as(vm.name()).isFalse();
                  boolean old =
                      vm.name().contains("-batch-") || vm.name().equals(oldCloudInit.get());
                  if (old) {
                    // no guest cleared it: Slipway's scrub deleted the keys
                    assertThat(ec)
                        .as(vm.name())
                        .doesNotContainKeys(GuestInfo.USERDATA, GuestInfo.USERDATA_ENCODING);
                  } else {
                    // the guest's cloud-init cleared it right after reading it
                    assertThat(ec)
                        .as(vm.name())
                        .containsEntry(GuestInfo.USERDATA, GuestInfo.CLEARED)
                        .doesNotContainKey(GuestInfo.USERDATA_ENCODING);
                  }
                  assertThat(ec).as(vm.name()).containsKey(GuestInfo.METADATA);
                }
              });
    }
  }

  @Test
  @Order(5)
  void deletingTheClusterStopsItsApiServerAndFreesItsSecretsAndVip() {
    TanzuKubernetesCluster tkc = tkc("demo");
    String vip = tkc.getStatus().apiEndpoints.get(0).host;
    assertThat(reachable(vip)).isTrue();
    env.client.resource(tkc).delete();
    await()
        .atMost(Duration.ofMinutes(3))
        .untilAsserted(
            () -> {
              assertThat(tkc("demo")).isNull();
              assertThat(env.vms(NS)).isEmpty();
              assertThat(env.client.secrets().inNamespace(NS).list().getItems())
                  .noneMatch(s -> s.getMetadata().getName().startsWith("demo-"));
              assertThat(reachable(vip)).as("workload API on %s", vip).isFalse();
            });
    // the address is free again: the next cluster gets it
    Map<String, Object> next =
        Manifests.toMap(Manifests.load(env.root.resolve("deploy/samples/40-tkc.yaml")).get(0));
    set(next, "metadata.name", "next");
    env.client.resource(Manifests.fromMap(next)).create();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              TanzuKubernetesCluster next2 = tkc("next");
              assertThat(next2.getStatus()).isNotNull();
              assertThat(next2.getStatus().apiEndpoints).isNotEmpty();
              assertThat(next2.getStatus().apiEndpoints.get(0).host).isEqualTo(vip);
            });
  }

  static boolean reachable(String host) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, 6443), 500);
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
