package dev.slipway.demo;

import dev.slipway.cli.ClusterTree;
import dev.slipway.e2e.SlipwayEnv;
import dev.slipway.guest.GuestSimulator;
import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.testenv.Manifests;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Slipway's main job on an embedded default: a local Kubernetes control plane as the management
 * cluster, vcsim as vCenter with a content library holding a node image, the guest simulator
 * playing the VMs' operating system, and the operator; then deploy/samples (VM classes, a release,
 * a vSphere Namespace and a cluster of one control-plane machine and two workers) is applied and
 * the cluster built. Ctrl-C tears everything down.
 */
public final class LocalDemo {
  private LocalDemo() {}

  public static void main(String[] args) throws Exception {
    Instant start = Instant.now();
    say(
        "starting a local management cluster (etcd, kube-apiserver, kube-controller-manager), vcsim and Slipway...");
    SlipwayEnv env = SlipwayEnv.start(e -> null, e -> null);
    GuestSimulator guests =
        new GuestSimulator(env::connect, List.of(env.placement.parentFolder() + "/team-a"));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  say("stopping: guests, operator, vcsim, control plane...");
                  guests.close();
                  env.close();
                  say("stopped.");
                  stopped.countDown();
                },
                "demo-stop"));
    say("management cluster and vcsim are up (vCenter at " + env.vcsim.sdkUrl() + ")");
    for (GenericKubernetesResource r :
        Manifests.load(env.root.resolve("deploy/45-namespace-roles.yaml"))) {
      env.client.resource(r).forceConflicts().serverSideApply();
    }
    for (String file : List.of("10-vmclasses.yaml", "20-tkr.yaml", "30-vspherenamespace.yaml")) {
      say("kubectl apply -f deploy/samples/" + file);
      env.applySample(file);
    }
    env.awaitNamespaceReady("team-a");
    say(
        "vSphere Namespace team-a is Ready: namespace, role bindings, resource pool and folder exist");
    say("kubectl apply -f deploy/samples/40-tkc.yaml");
    env.applySample("40-tkc.yaml");

    Map<String, String> seen = new HashMap<>();
    while (true) {
      for (Machine m :
          env.client.resources(Machine.class).inNamespace("team-a").list().getItems()) {
        String phase =
            m.getStatus() == null || m.getStatus().phase == null ? "Pending" : m.getStatus().phase;
        if (!phase.equals(seen.put(m.getMetadata().getName(), phase))) {
          say("machine " + m.getMetadata().getName() + ": " + phase);
        }
      }
      guests.anyFailure().ifPresent(f -> say("a guest failed to boot: " + f));
      TanzuKubernetesCluster tkc =
          env.client
              .resources(TanzuKubernetesCluster.class)
              .inNamespace("team-a")
              .withName("demo")
              .get();
      if (tkc != null && tkc.getStatus() != null && "running".equals(tkc.getStatus().phase)) {
        break;
      }
      Thread.sleep(1000);
    }
    say(
        "cluster team-a/demo is Ready after "
            + Duration.between(start, Instant.now()).toSeconds()
            + " s");
    TanzuKubernetesCluster tkc =
        env.client
            .resources(TanzuKubernetesCluster.class)
            .inNamespace("team-a")
            .withName("demo")
            .get();
    List<Machine> machines =
        env.client.resources(Machine.class).inNamespace("team-a").list().getItems();
    System.out.println();
    System.out.println(ClusterTree.render(ClusterTree.build(tkc, machines), Instant.now()));

    Path dir = Files.createDirectories(env.root.resolve("target/demo"));
    Path management = dir.resolve("management.kubeconfig");
    Files.writeString(management, env.controlPlane.kubeconfigYaml());
    Path workload = dir.resolve("demo.kubeconfig");
    Files.writeString(
        workload,
        new String(
            Base64.getDecoder()
                .decode(
                    env.client
                        .secrets()
                        .inNamespace("team-a")
                        .withName("demo-kubeconfig")
                        .get()
                        .getData()
                        .get("value")),
            StandardCharsets.UTF_8));
    String kubectl = env.controlPlane.testBed().bin("kubectl").toString();
    System.out.println("Try, while this runs (Ctrl-C stops everything):");
    System.out.println("  " + kubectl + " --kubeconfig " + management + " get tkc,vsm -n team-a");
    System.out.println("  " + kubectl + " --kubeconfig " + workload + " get nodes");
    System.out.println();
    stopped.await();
  }

  private static void say(String s) {
    System.out.println("[slipway-demo] " + s);
    System.out.flush();
  }
}
