package dev.slipway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.guest.EtcdClient;
import dev.slipway.guest.GuestSimulator;
import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.testenv.Manifests;
import dev.slipway.vsphere.VSphereProvider;
import dev.slipway.vsphere.VmState;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * What the guest simulator shows of a real node, on a cluster of three control-plane machines and
 * one worker brought up by Slipway: a real three-member etcd over TLS from the cluster's etcd CA,
 * one kube-apiserver per control-plane guest on its own address, the VIP following a live API
 * server, and a kubelet that lets pods go when they are deleted or evicted (with a real disruption
 * controller deciding evictions).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GuestEtcdE2E {
  static final String NS = "team-a";
  static SlipwayEnv env;
  static GuestSimulator guests;
  static String kubeconfig;
  static String vip;

  @BeforeAll
  static void start() {
    env = SlipwayEnv.start(e -> null, e -> null);
    guests = new GuestSimulator(env::connect, List.of(env.placement.parentFolder() + "/" + NS));
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

  static TanzuKubernetesCluster tkc() {
    return env.client.resources(TanzuKubernetesCluster.class).inNamespace(NS).withName("ha").get();
  }

  static List<Machine> machines() {
    return env.client.resources(Machine.class).inNamespace(NS).list().getItems();
  }

  static List<String> controlPlaneMachines() {
    return machines().stream()
        .filter(m -> m.getSpec().role == Machine.Role.controlPlane)
        .map(m -> m.getMetadata().getName())
        .sorted()
        .toList();
  }

  static String secret(String name, String key) {
    return new String(
        Base64.getDecoder()
            .decode(env.client.secrets().inNamespace(NS).withName(name).get().getData().get(key)),
        StandardCharsets.UTF_8);
  }

  /** A client with a certificate from the cluster's etcd CA, as Slipway would make one. */
  static EtcdClient etcd() throws Exception {
    return EtcdClient.fromCa(
        secret("ha-etcd", "tls.crt"), secret("ha-etcd", "tls.key"), "slipway-e2e");
  }

  static KubernetesClient workload(String masterUrl) {
    Config c = Config.fromKubeconfig(kubeconfig);
    if (masterUrl != null) {
      c.setMasterUrl(masterUrl);
    }
    c.setRequestRetryBackoffLimit(0);
    return new KubernetesClientBuilder().withConfig(c).build();
  }

  @Test
  @Order(1)
  @SuppressWarnings("unchecked")
  void threeControlPlaneMachinesAndAWorkerBecomeReady() {
    Map<String, Object> m =
        Manifests.toMap(Manifests.load(env.root.resolve("deploy/samples/40-tkc.yaml")).get(0));
    Manifests.set(m, "metadata.name", "ha");
    Manifests.set(m, "spec.topology.controlPlane.replicas", 3);
    List<Object> pools =
        (List<Object>) Manifests.get(m, "spec.topology.nodePools"); // keep "general" only
    pools.remove(1);
    env.client.resource(Manifests.fromMap(m)).create();
    await()
        .atMost(Duration.ofMinutes(7))
        .pollInterval(Duration.ofSeconds(2))
        .failFast("a guest failed to boot", () -> guests.anyFailure().isPresent())
        .untilAsserted(
            () -> {
              assertThat(machines())
                  .hasSize(4)
                  .allSatisfy(x -> assertThat(x.getStatus().phase).isEqualTo("Running"));
              assertThat(tkc().getStatus().phase).isEqualTo("running");
              // A Node exists once the kubelet registered; a control-plane guest's etcd member
              // and API server come after that, as with kubeadm join.
              for (Machine x : machines()) {
                assertThat(guests.phase(x.getMetadata().getName())).hasValue("RUNNING");
              }
            });
    kubeconfig = secret("ha-kubeconfig", "value");
    vip = tkc().getStatus().apiEndpoints.get(0).host;
  }

  @Test
  @Order(2)
  void everyControlPlaneGuestRunsAHealthyEtcdMemberOverTls() throws Exception {
    EtcdClient etcd = etcd();
    List<String> cps = controlPlaneMachines();
    List<String> clientUrls = new ArrayList<>();
    for (String cp : cps) {
      clientUrls.add("https://" + guests.address(cp).orElseThrow() + ":2379");
    }
    for (String url : clientUrls) {
      List<EtcdClient.Member> members = etcd.memberList(url);
      assertThat(members).as("members seen from %s", url).hasSize(3);
      assertThat(members).noneMatch(EtcdClient.Member::learner);
      assertThat(members.stream().map(EtcdClient.Member::name).sorted().toList())
          .as("etcd member names are the node names")
          .isEqualTo(cps);
      assertThat(members.stream().flatMap(x -> x.clientUrls().stream()).sorted().toList())
          .isEqualTo(clientUrls.stream().sorted().toList());
      assertThat(etcd.healthy(url)).as("%s/health", url).isTrue();
    }
    // A client certificate from another CA is refused: the members require the cluster's.
    EtcdClient stranger =
        EtcdClient.fromCa(secret("ha-ca", "tls.crt"), secret("ha-ca", "tls.key"), "stranger");
    assertThat(stranger.healthy(clientUrls.get(0))).isFalse();
  }

  @Test
  @Order(3)
  void everyControlPlaneGuestServesTheApiOnItsOwnAddress() {
    for (String cp : controlPlaneMachines()) {
      String own = "https://" + guests.address(cp).orElseThrow() + ":6443";
      // The kubeconfig's CA verifies the serving certificate: the guest's address is a SAN.
      try (KubernetesClient c = workload(own)) {
        String ready;
        try {
          ready = c.raw("/readyz");
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
          ready = e.getMessage() + " " + verbose(c, own + "/readyz?verbose");
        }
        assertThat(ready).as(own).isEqualTo("ok");
        assertThat(c.nodes().list().getItems()).hasSize(4);
      }
    }
  }

  static String verbose(KubernetesClient c, String url) {
    try {
      return c.getHttpClient()
          .sendAsync(c.getHttpClient().newHttpRequestBuilder().uri(url).build(), String.class)
          .get(10, TimeUnit.SECONDS)
          .body();
    } catch (Exception e) {
      return e.toString();
    }
  }

  static Pod pod(String name, String node) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("default")
        .addToLabels("app", name)
        .endMetadata()
        .withNewSpec()
        .withNodeName(node)
        .addNewContainer()
        .withName("app")
        .withImage("registry.example.com/app:1")
        .endContainer()
        .endSpec()
        .build();
  }

  static String worker() {
    return machines().stream()
        .filter(m -> m.getSpec().role != Machine.Role.controlPlane)
        .findFirst()
        .orElseThrow()
        .getMetadata()
        .getName();
  }

  @Test
  @Order(4)
  void aDeletedPodBoundToAWorkerIsRemovedByItsKubelet() throws Exception {
    try (KubernetesClient w = workload(null)) {
      w.pods().inNamespace("default").resource(pod("doomed", worker())).create();
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () ->
                  assertThat(w.pods().inNamespace("default").withName("doomed").get())
                      .extracting(p -> p.getStatus().getPhase())
                      .isEqualTo("Running"));
      Path file = Files.createTempFile("ha-kubeconfig", ".yaml");
      Files.writeString(file, kubeconfig);
      Instant before = Instant.now();
      // kubectl waits until the pod is gone; the default 30 s grace period is the kubelet's to cut.
      Process p =
          new ProcessBuilder(
                  env.controlPlane.testBed().bin("kubectl").toString(),
                  "--kubeconfig",
                  file.toString(),
                  "-n",
                  "default",
                  "delete",
                  "pod",
                  "doomed",
                  "--timeout=25s")
              .redirectErrorStream(true)
              .start();
      assertThat(p.waitFor(40, TimeUnit.SECONDS)).isTrue();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.exitValue()).as(out).isZero();
      assertThat(Duration.between(before, Instant.now())).isLessThan(Duration.ofSeconds(15));
      assertThat(w.pods().inNamespace("default").withName("doomed").get()).isNull();
    }
  }

  @Test
  @Order(5)
  void anEvictionIsDecidedByTheDisruptionBudgetAndThenTheKubeletRemovesThePod() {
    try (KubernetesClient w = workload(null)) {
      w.pods().inNamespace("default").resource(pod("guarded", worker())).create();
      PodDisruptionBudget pdb =
          new PodDisruptionBudgetBuilder()
              .withNewMetadata()
              .withName("guarded")
              .withNamespace("default")
              .endMetadata()
              .withNewSpec()
              .withMinAvailable(new IntOrString(1))
              .withNewSelector()
              .addToMatchLabels("app", "guarded")
              .endSelector()
              .endSpec()
              .build();
      w.policy().v1().podDisruptionBudget().inNamespace("default").resource(pdb).create();
      // kube-controller-manager's disruption controller computes the budget from the Ready pod.
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () -> {
                PodDisruptionBudget b =
                    w.policy()
                        .v1()
                        .podDisruptionBudget()
                        .inNamespace("default")
                        .withName("guarded")
                        .get();
                assertThat(b.getStatus().getObservedGeneration())
                    .isEqualTo(b.getMetadata().getGeneration());
                assertThat(b.getStatus().getCurrentHealthy()).isEqualTo(1);
                assertThat(b.getStatus().getDisruptionsAllowed()).isZero();
              });
      assertThat(w.pods().inNamespace("default").withName("guarded").evict())
          .as("eviction against minAvailable=1 with one pod")
          .isFalse();
      assertThat(w.pods().inNamespace("default").withName("guarded").get()).isNotNull();

      w.policy()
          .v1()
          .podDisruptionBudget()
          .inNamespace("default")
          .withName("guarded")
          .edit(
              b ->
                  new PodDisruptionBudgetBuilder(b)
                      .editSpec()
                      .withMinAvailable(new IntOrString(0))
                      .endSpec()
                      .build());
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () ->
                  assertThat(
                          w.policy()
                              .v1()
                              .podDisruptionBudget()
                              .inNamespace("default")
                              .withName("guarded")
                              .get()
                              .getStatus()
                              .getDisruptionsAllowed())
                      .isEqualTo(1));
      assertThat(w.pods().inNamespace("default").withName("guarded").evict()).isTrue();
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> assertThat(w.pods().inNamespace("default").withName("guarded").get()).isNull());
    }
  }

  @Test
  @Order(6)
  void stoppingTheGuestThatHoldsTheVipMovesItToAnotherLiveApiServer() throws Exception {
    String endpoint = vip + ":6443";
    String holder = guests.vipHolder(endpoint).orElseThrow();
    VmState vm =
        env.vms(NS).stream().filter(v -> v.name().equals(holder)).findFirst().orElseThrow();
    Instant off;
    try (VSphereProvider v = env.connect()) {
      v.powerOff(vm.ref());
      off = Instant.now();
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () -> {
              assertThat(guests.vipHolder(endpoint)).isPresent().get().isNotEqualTo(holder);
              try (KubernetesClient c = workload(null)) {
                assertThat(c.nodes().list().getItems()).hasSize(4);
              }
            });
    assertThat(Duration.between(off, Instant.now())).isLessThan(Duration.ofSeconds(10));
    // Slipway powers the VM on again; the guest resumes from its disk and its member rejoins.
    EtcdClient etcd = etcd();
    String url = "https://" + guests.address(holder).orElseThrow() + ":2379";
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              assertThat(etcd.healthy(url)).isTrue();
              assertThat(etcd.memberList(url)).hasSize(3);
            });
  }

  static String readyStatus(KubernetesClient w, String node) {
    return w.nodes().withName(node).get().getStatus().getConditions().stream()
        .filter(c -> "Ready".equals(c.getType()))
        .map(c -> c.getStatus())
        .findFirst()
        .orElse("none");
  }

  @Test
  @Order(7)
  void aPoweredOffWorkerStopsHeartbeatingAndTurnsNotReadyThenComesBack() throws Exception {
    // Everything is up again after the previous test, including the resumed control-plane guest.
    await()
        .atMost(Duration.ofMinutes(2))
        .untilAsserted(
            () -> {
              for (Machine x : machines()) {
                assertThat(guests.phase(x.getMetadata().getName())).hasValue("RUNNING");
              }
            });
    String node = worker();
    VmState vm = env.vms(NS).stream().filter(v -> v.name().equals(node)).findFirst().orElseThrow();
    // Slipway would power the VM on again at once; it sits this one out.
    env.stopSlipway();
    try (KubernetesClient w = workload(null);
        VSphereProvider v = env.connect()) {
      assertThat(readyStatus(w, node)).isEqualTo("True");
      v.powerOff(vm.ref());
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> guests.phase(node).orElse("").equals("STOPPED"));
      java.time.ZonedDateTime renewed =
          w.leases().inNamespace("kube-node-lease").withName(node).get().getSpec().getRenewTime();
      // kube-controller-manager's node lifecycle controller (grace period 20 s) sees no heartbeat.
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofSeconds(1))
          .untilAsserted(() -> assertThat(readyStatus(w, node)).isEqualTo("Unknown"));
      assertThat(
              w.leases()
                  .inNamespace("kube-node-lease")
                  .withName(node)
                  .get()
                  .getSpec()
                  .getRenewTime())
          .as("the lease is not renewed while the VM is off")
          .isEqualTo(renewed);
      v.powerOn(vm.ref());
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(readyStatus(w, node)).isEqualTo("True"));
    } finally {
      env.startSlipway();
    }
  }
}
