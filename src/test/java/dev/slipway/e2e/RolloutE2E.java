package dev.slipway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.guest.GuestSimulator;
import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.bootstrap.CertKey;
import dev.slipway.operator.bootstrap.ClientCertificates;
import dev.slipway.operator.controller.MachineReconciler;
import dev.slipway.operator.controller.etcd.EtcdClient;
import dev.slipway.operator.controller.etcd.EtcdMember;
import dev.slipway.testenv.Manifests;
import dev.slipway.vsphere.VSphereProvider;
import dev.slipway.vsphere.VmRef;
import dev.slipway.vsphere.VmState;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A live control plane grown from one to three machines, then a rolling upgrade, on the full guest
 * simulator with a real etcd member on every control-plane guest: the 3 + 2 cluster moves from
 * release A to a new build B while a prober reads the API through the VIP every 100 ms and etcd's
 * member health every second. Then a pool's VM class changes and its VMs are replaced with the new
 * size, one at a time, their Nodes drained and deleted.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RolloutE2E {
  static final String NS = "team-a";
  static final String NAME = "roll";
  static final String RELEASE_A = "v1.37.2---vmware.1-tkg.1";
  static final String RELEASE_B = SlipwayEnv.NEXT_RELEASE;

  /** Workers of the pool: 2 in CI; {@code -Dslipway.rollout.workers=3} for the 3 + 3 form. */
  static final int WORKERS = Integer.getInteger("slipway.rollout.workers", 2);

  static SlipwayEnv env;
  static GuestSimulator guests;

  @BeforeAll
  static void start() {
    env = SlipwayEnv.start(e -> null, e -> null);
    guests = new GuestSimulator(env::connect, List.of(env.placement.parentFolder() + "/" + NS));
    env.applyNamespaceSamples();
    env.applyNextRelease();
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

  /** Edits the cluster as a person would with kubectl edit. */
  static void editCluster(java.util.function.UnaryOperator<TanzuKubernetesCluster> change) {
    env.client.resources(TanzuKubernetesCluster.class).inNamespace(NS).withName(NAME).edit(change);
  }

  static TanzuKubernetesCluster tkc() {
    return env.client.resources(TanzuKubernetesCluster.class).inNamespace(NS).withName(NAME).get();
  }

  static List<Machine> machines() {
    return env.client
        .resources(Machine.class)
        .inNamespace(NS)
        .withLabel("slipway.dev/cluster", NAME)
        .list()
        .getItems();
  }

  static String secret(String name, String key) {
    return new String(
        Base64.getDecoder()
            .decode(env.client.secrets().inNamespace(NS).withName(name).get().getData().get(key)),
        StandardCharsets.UTF_8);
  }

  static void awaitSettled(Duration atMost, int machineCount) {
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofSeconds(2))
        .failFast("a guest failed to boot", () -> guests.anyFailure().isPresent())
        .untilAsserted(
            () -> {
              List<Machine> ms = machines();
              assertThat(ms).hasSize(machineCount);
              assertThat(ms).allSatisfy(x -> assertThat(MachineReconciler.isReady(x)).isTrue());
              assertThat(tkc().getStatus().phase).isEqualTo("running");
            });
  }

  @Test
  @Order(1)
  void aLiveControlPlaneGrowsFromOneToThreeEtcdMembers() {
    env.client.resource(Manifests.fromMap(env.sampleCluster(NAME, WORKERS))).create();
    awaitSettled(Duration.ofMinutes(6), 1 + WORKERS);
    assertThat(members()).hasSize(1);

    editCluster(
        t -> {
          ((dev.slipway.operator.api.run.v1alpha3.ControlPlane) t.getSpec().topology.controlPlane)
                  .replicas =
              3;
          return t;
        });
    awaitSettled(Duration.ofMinutes(6), 3 + WORKERS);
    EtcdClient etcd = etcd();
    List<EtcdMember> members = etcd.members();
    assertThat(members).hasSize(3).noneMatch(EtcdMember::learner);
    assertThat(members)
        .allSatisfy(m -> assertThat(etcd.healthy(URI.create(m.clientUrls().get(0)))).isTrue());
  }

  @Test
  @Order(2)
  void anUpgradeReplacesEveryMachineWhileEtcdKeepsAHealthyMajority() throws Exception {
    Set<String> before = names(machines());
    Prober prober = new Prober(secret(NAME + "-kubeconfig", "value"));
    prober.start();
    try {
      editCluster(
          t -> {
            t.getSpec().topology.controlPlane.tkr.reference.name = RELEASE_B;
            return t;
          });
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(tkc().getStatus().phase).isEqualTo("updating"));
      await()
          .atMost(Duration.ofMinutes(12))
          .pollInterval(Duration.ofSeconds(2))
          .failFast("a guest failed to boot", () -> guests.anyFailure().isPresent())
          .untilAsserted(
              () -> {
                List<Machine> ms = machines();
                assertThat(ms).hasSize(3 + WORKERS);
                assertThat(ms)
                    .allSatisfy(x -> assertThat(x.getSpec().release).isEqualTo(RELEASE_B));
                assertThat(ms).allSatisfy(x -> assertThat(MachineReconciler.isReady(x)).isTrue());
                assertThat(tkc().getStatus().phase).isEqualTo("running");
              });
    } finally {
      prober.stop();
    }
    System.out.printf(
        "RolloutE2E upgrade: %d API probes, %d failed (%d ms in total); fewest healthy etcd"
            + " members seen: %d%n",
        prober.probes.get(), prober.failures.get(), prober.failedMillis.get(), prober.fewest.get());
    assertThat(prober.fewest.get())
        .as("healthy etcd members at every check")
        .isGreaterThanOrEqualTo(2);
    assertThat(prober.failedMillis.get())
        .as("API unavailable through the VIP, ms")
        .isLessThan(15_000);
    assertThat(tkc().getStatus().version).isEqualTo("v1.37.2+vmware.2");
    List<EtcdMember> members = members();
    assertThat(members).hasSize(3);
    assertThat(members.stream().map(EtcdMember::name).collect(Collectors.toSet()))
        .isEqualTo(
            machines().stream()
                .filter(x -> x.getSpec().role == Machine.Role.controlPlane)
                .map(x -> x.getMetadata().getName())
                .collect(Collectors.toSet()));
    assertThat(names(machines())).doesNotContainAnyElementsOf(before);
    assertThat(env.vms(NS).stream().map(VmState::name)).doesNotContainAnyElementsOf(before);
    try (KubernetesClient w = workload(secret(NAME + "-kubeconfig", "value"))) {
      assertThat(w.nodes().list().getItems().stream().map(n -> n.getMetadata().getName()))
          .as("old Nodes deleted")
          .doesNotContainAnyElementsOf(before);
    }
  }

  @Test
  @Order(3)
  void aNewVmClassReplacesThePoolsVmsWithTheNewSize() {
    Set<String> workersBefore =
        names(machines().stream().filter(x -> x.getSpec().role == Machine.Role.worker).toList());
    editCluster(
        t -> {
          t.getSpec().topology.nodePools.get(0).vmClass = "guaranteed-medium";
          return t;
        });
    awaitSettledOn("guaranteed-medium", Duration.ofMinutes(6));
    List<Machine> workers =
        machines().stream().filter(x -> x.getSpec().role == Machine.Role.worker).toList();
    assertThat(names(workers)).doesNotContainAnyElementsOf(workersBefore);
    for (Machine w : workers) {
      VmState vm =
          env.vms(NS).stream()
              .filter(v -> v.name().equals(w.getMetadata().getName()))
              .findFirst()
              .orElseThrow();
      assertThat(vm.memoryMiB()).as("guaranteed-medium's memory").isEqualTo(8192);
      assertThat(w.getStatus().conditions)
          .noneMatch(c -> "NodeDrained".equals(c.getType()) && "False".equals(c.getStatus()));
    }
  }

  @Test
  @Order(4)
  void aPodDisruptionBudgetHoldsTheDrainUntilNodeDrainTimeoutThenTheNodeGoes() throws Exception {
    Machine leaving =
        machines().stream()
            .filter(x -> x.getSpec().role == Machine.Role.worker)
            .findFirst()
            .orElseThrow();
    String node = leaving.getMetadata().getName();
    try (KubernetesClient w = workload(secret(NAME + "-kubeconfig", "value"))) {
      for (int i = 0; i < 2; i++) {
        w.pods()
            .inNamespace("default")
            .resource(
                new io.fabric8.kubernetes.api.model.PodBuilder()
                    .withNewMetadata()
                    .withName("web-" + i)
                    .addToLabels("app", "web")
                    .endMetadata()
                    .withNewSpec()
                    .withNodeName(node)
                    .addNewContainer()
                    .withName("web")
                    .withImage("registry.k8s.io/pause:3.10")
                    .endContainer()
                    .endSpec()
                    .build())
            .create();
      }
      w.policy()
          .v1()
          .podDisruptionBudget()
          .inNamespace("default")
          .resource(
              new io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder()
                  .withNewMetadata()
                  .withName("web")
                  .endMetadata()
                  .withNewSpec()
                  .withMinAvailable(new io.fabric8.kubernetes.api.model.IntOrString(2))
                  .withNewSelector()
                  .addToMatchLabels("app", "web")
                  .endSelector()
                  .endSpec()
                  .build())
          .create();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  w.policy()
                              .v1()
                              .podDisruptionBudget()
                              .inNamespace("default")
                              .withName("web")
                              .get()
                              .getStatus()
                          != null
                      && w.policy()
                              .v1()
                              .podDisruptionBudget()
                              .inNamespace("default")
                              .withName("web")
                              .get()
                              .getStatus()
                              .getCurrentHealthy()
                          == 2);
    }
    env.client
        .resources(Machine.class)
        .inNamespace(NS)
        .withName(node)
        .edit(
            x -> {
              if (x.getMetadata().getAnnotations() == null) {
                x.getMetadata().setAnnotations(new java.util.HashMap<>());
              }
              x.getMetadata().getAnnotations().put("slipway.dev/delete-machine", "true");
              return x;
            });
    editCluster(
        t -> {
          t.getSpec().topology.nodePools.get(0).nodeDrainTimeout = "20s";
          t.getSpec().topology.nodePools.get(0).replicas = 1;
          return t;
        });
    // The budget holds: the machine says so and the pods stay.
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              Machine m = env.client.resources(Machine.class).inNamespace(NS).withName(node).get();
              assertThat(m).isNotNull();
              assertThat(m.getStatus().conditions)
                  .anySatisfy(
                      c -> {
                        assertThat(c.getType()).isEqualTo("NodeDrained");
                        assertThat(c.getReason()).isEqualTo("Draining");
                        assertThat(c.getMessage()).contains("PodDisruptionBudget");
                      });
            });
    try (KubernetesClient w = workload(secret(NAME + "-kubeconfig", "value"))) {
      assertThat(w.pods().inNamespace("default").list().getItems()).hasSize(2);
    }
    // After nodeDrainTimeout the machine goes on; its VM and its Node go.
    await()
        .atMost(Duration.ofSeconds(90))
        .until(
            () -> env.client.resources(Machine.class).inNamespace(NS).withName(node).get() == null);
    assertThat(env.vms(NS).stream().map(VmState::name)).doesNotContain(node);
    try (KubernetesClient w = workload(secret(NAME + "-kubeconfig", "value"))) {
      assertThat(w.nodes().withName(node).get()).as("Node deleted").isNull();
    }
  }

  @Test
  @Order(5)
  void aNewMachineThatFailsStopsTheRolloutAndNoOldMachineGoes() {
    Set<String> before = names(machines());
    env.vcsim.addFault("CloneVM_Task", "InvalidArgument", "rollout-e2e: clone refused", 1);
    try {
      editCluster(
          t -> {
            t.getSpec().topology.nodePools.get(0).vmClass = "best-effort-small";
            // Remediation off (max-unhealthy 0): with it on, the failed machine is replaced
            // (RemediationE2E); here the rollout must stop at it.
            t.getMetadata().getAnnotations().put("slipway.dev/health-max-unhealthy", "0");
            return t;
          });
      await()
          .atMost(Duration.ofSeconds(90))
          .untilAsserted(
              () -> {
                var c =
                    tkc().getStatus().conditions.stream()
                        .filter(x -> "MachinesUpToDate".equals(x.getType()))
                        .findFirst()
                        .orElseThrow();
                assertThat(c.getReason()).isEqualTo("RolloutBlocked");
                assertThat(c.getMessage()).contains("rollout-e2e: clone refused");
              });
      assertThat(names(machines())).containsAll(before);
      assertThat(tkc().getStatus().phase).isEqualTo("updateFailed");
    } finally {
      env.vcsim.clearFaults();
    }
  }

  @Test
  @Order(6)
  void anEtcdMemberWhoseMachineAndVmAreGoneIsRemoved() {
    env.vcsim.clearFaults();
    Machine cp =
        machines().stream()
            .filter(x -> x.getSpec().role == Machine.Role.controlPlane)
            .findFirst()
            .orElseThrow();
    String name = cp.getMetadata().getName();
    String uid = cp.getMetadata().getUid();
    // While the operator is away (a running one would put its finalizer back before the delete),
    // someone takes the finalizer off: the Machine goes at once, its VM and etcd member stay.
    env.stopSlipway();
    try {
      env.client
          .resources(Machine.class)
          .inNamespace(NS)
          .withName(name)
          .edit(
              x -> {
                x.getMetadata().setFinalizers(List.of());
                return x;
              });
      env.client.resources(Machine.class).inNamespace(NS).withName(name).delete();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  env.client.resources(Machine.class).inNamespace(NS).withName(name).get() == null);
      // Then its VM goes behind Slipway's back too: its etcd member no longer answers.
      try (VSphereProvider v = env.connect()) {
        VmRef vm =
            v.findVmByPath(env.placement.parentFolder() + "/" + NS + "/" + name).orElseThrow();
        dev.slipway.vsphere.TaskRef off = v.powerOff(vm);
        await().atMost(Duration.ofSeconds(30)).until(() -> v.taskState(off).isDone());
        dev.slipway.vsphere.TaskRef gone = v.destroy(vm);
        await().atMost(Duration.ofSeconds(30)).until(() -> v.taskState(gone).isDone());
        assertThat(v.findVmByInstanceUuid(uid)).isEmpty();
      }
    } finally {
      env.startSlipway();
    }
    await()
        .atMost(Duration.ofMinutes(4))
        .pollInterval(Duration.ofSeconds(2))
        .untilAsserted(
            () -> {
              Set<String> cps =
                  machines().stream()
                      .filter(x -> x.getSpec().role == Machine.Role.controlPlane)
                      .filter(x -> MachineReconciler.isReady(x))
                      .map(x -> x.getMetadata().getName())
                      .collect(Collectors.toSet());
              assertThat(cps).hasSize(3).doesNotContain(name);
              assertThat(members().stream().map(EtcdMember::name).collect(Collectors.toSet()))
                  .isEqualTo(cps);
            });
    assertThat(
            env.client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> "EtcdMemberRemoved".equals(e.getReason())))
        .anySatisfy(e -> assertThat(e.getMessage()).contains(name));
  }

  static void awaitSettledOn(String vmClass, Duration atMost) {
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofSeconds(2))
        .failFast("a guest failed to boot", () -> guests.anyFailure().isPresent())
        .untilAsserted(
            () -> {
              List<Machine> ms = machines();
              assertThat(ms).hasSize(3 + WORKERS);
              assertThat(ms.stream().filter(x -> x.getSpec().role == Machine.Role.worker))
                  .allSatisfy(x -> assertThat(x.getSpec().vmClass).isEqualTo(vmClass));
              assertThat(ms).allSatisfy(x -> assertThat(MachineReconciler.isReady(x)).isTrue());
              assertThat(tkc().getStatus().phase).isEqualTo("running");
            });
  }

  static Set<String> names(List<Machine> ms) {
    return ms.stream().map(x -> x.getMetadata().getName()).collect(Collectors.toSet());
  }

  static KubernetesClient workload(String kubeconfig) {
    Config c = Config.fromKubeconfig(kubeconfig);
    c.setRequestRetryBackoffLimit(0);
    c.setRequestTimeout(2_000);
    c.setConnectionTimeout(1_000);
    return new KubernetesClientBuilder().withConfig(c).build();
  }

  /** Slipway's own etcd client, with a certificate from the cluster's etcd CA. */
  static EtcdClient etcd() {
    CertKey ca = new CertKey(secret(NAME + "-etcd", "tls.crt"), secret(NAME + "-etcd", "tls.key"));
    CertKey me = ClientCertificates.issue("rollout-e2e", ca, Instant.now());
    List<URI> endpoints = new ArrayList<>();
    for (Machine m : machines()) {
      if (m.getSpec().role == Machine.Role.controlPlane
          && m.getMetadata().getDeletionTimestamp() == null
          && m.getStatus() != null
          && m.getStatus().addresses != null) {
        m.getStatus()
            .addresses
            .forEach(a -> endpoints.add(URI.create("https://" + a.address + ":2379")));
      }
    }
    return new EtcdClient(ClientCertificates.sslContext(me, ca), endpoints, Duration.ofSeconds(2));
  }

  static List<EtcdMember> members() {
    return etcd().members();
  }

  /** Reads the API through the VIP every 100 ms and etcd member health every second. */
  static final class Prober {
    final AtomicInteger probes = new AtomicInteger();
    final AtomicInteger failures = new AtomicInteger();
    final AtomicLong failedMillis = new AtomicLong();
    final AtomicInteger fewest = new AtomicInteger(Integer.MAX_VALUE);
    final AtomicBoolean running = new AtomicBoolean(true);
    final List<String> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
    final String kubeconfig;
    final List<Thread> threads = new ArrayList<>();

    Prober(String kubeconfig) {
      this.kubeconfig = kubeconfig;
    }

    void start() {
      threads.add(new Thread(this::api, "api-prober"));
      threads.add(new Thread(this::etcdHealth, "etcd-prober"));
      threads.forEach(Thread::start);
    }

    void stop() throws InterruptedException {
      running.set(false);
      for (Thread t : threads) {
        t.join();
      }
    }

    private void api() {
      try (KubernetesClient w = workload(kubeconfig)) {
        while (running.get()) {
          long t0 = System.nanoTime();
          probes.incrementAndGet();
          try {
            w.namespaces().withName("kube-system").get();
          } catch (RuntimeException e) {
            failures.incrementAndGet();
            failedMillis.addAndGet(Math.max(100, (System.nanoTime() - t0) / 1_000_000));
          }
          sleep(100);
        }
      }
    }

    private void etcdHealth() {
      while (running.get()) {
        try {
          EtcdClient etcd = etcd();
          int healthy = 0;
          for (EtcdMember m : etcd.members()) {
            if (!m.clientUrls().isEmpty() && etcd.healthy(URI.create(m.clientUrls().get(0)))) {
              healthy++;
            }
          }
          fewest.accumulateAndGet(healthy, Math::min);
        } catch (RuntimeException e) {
          // No member answered the member list at all: etcd is down as far as anyone can tell.
          fewest.set(0);
          errors.add(Instant.now() + " " + e);
        }
        sleep(1_000);
      }
    }

    private static void sleep(long ms) {
      try {
        Thread.sleep(ms);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
