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
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slipway's main job on an embedded default: a local Kubernetes control plane as the management
 * cluster, vcsim as vCenter with a content library holding a node image, the guest simulator
 * playing the VMs' operating system, and the operator; then deploy/samples (VM classes, a release,
 * a vSphere Namespace and a cluster of one control-plane machine and two workers) is applied and
 * the cluster built. It then prints how to look at both clusters and how to scale, delete a machine
 * and (not yet) upgrade, and keeps reporting machine changes. Ctrl-C tears everything down.
 *
 * <p>The console gets one line per event, without escape codes or stack traces ({@link
 * ConsoleText}); details go to target/demo/slipway.log.
 */
public final class LocalDemo {
  private static final Logger LOG = LoggerFactory.getLogger(LocalDemo.class);
  static final String NS = "team-a";
  static final String CLUSTER = "demo";

  private LocalDemo() {}

  public static void main(String[] args) throws Exception {
    Instant start = Instant.now();
    say(
        "starting a local management cluster (etcd, kube-apiserver, kube-controller-manager),"
            + " vcsim and Slipway...");
    SlipwayEnv env = SlipwayEnv.start(e -> null, e -> null);
    GuestSimulator guests =
        new GuestSimulator(env::connect, List.of(env.placement.parentFolder() + "/" + NS));
    AtomicBoolean stopping = new AtomicBoolean();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stopping.set(true);
                  say("stopping: guests, operator, vcsim, control plane...");
                  guests.close();
                  env.close();
                  say("stopped.");
                  stopped.countDown();
                },
                "demo-stop"));
    try {
      run(env, guests, start, stopping);
    } catch (Exception e) {
      if (!stopping.get()) {
        LOG.info("the demo failed", e); // the file has the stack trace; the console one line
        say("the demo failed: " + e.getMessage() + " (details in target/demo/slipway.log)");
        System.exit(1);
      }
      // Ctrl-C during bring-up: the calls fail because everything is going; that is no error.
    }
    stopped.await();
  }

  private static void run(
      SlipwayEnv env, GuestSimulator guests, Instant start, AtomicBoolean stopping)
      throws Exception {
    say("management cluster and vcsim are up (vCenter at " + env.vcsim.sdkUrl() + ")");
    for (GenericKubernetesResource r :
        Manifests.load(env.root.resolve("deploy/45-namespace-roles.yaml"))) {
      env.client.resource(r).forceConflicts().serverSideApply();
    }
    for (String file : List.of("10-vmclasses.yaml", "20-tkr.yaml", "30-vspherenamespace.yaml")) {
      say("kubectl apply -f deploy/samples/" + file);
      env.applySample(file);
    }
    env.applyNextRelease(); // a later build, so that an upgrade can be tried
    env.awaitNamespaceReady(NS);
    say(
        "vSphere Namespace "
            + NS
            + " is Ready: namespace, role bindings, resource pool and folder exist");
    say("kubectl apply -f deploy/samples/40-tkc.yaml");
    env.applySample("40-tkc.yaml");

    Watch watch = new Watch(env, guests);
    while (!stopping.get()) {
      watch.poll();
      TanzuKubernetesCluster tkc = cluster(env);
      if (tkc != null && tkc.getStatus() != null && "running".equals(tkc.getStatus().phase)) {
        break;
      }
      Thread.sleep(1000);
    }
    if (stopping.get()) {
      return;
    }
    say(
        "cluster "
            + NS
            + "/"
            + CLUSTER
            + " is Ready after "
            + Duration.between(start, Instant.now()).toSeconds()
            + " s");
    TanzuKubernetesCluster tkc = cluster(env);
    List<Machine> machines = env.client.resources(Machine.class).inNamespace(NS).list().getItems();
    System.out.println();
    System.out.println(ClusterTree.render(ClusterTree.build(tkc, machines), Instant.now()));

    Path dir = Files.createDirectories(env.root.resolve("target/demo"));
    Path management = dir.resolve("management.kubeconfig");
    Files.writeString(management, env.controlPlane.kubeconfigYaml());
    Path workload = dir.resolve(CLUSTER + ".kubeconfig");
    Files.writeString(
        workload,
        new String(
            Base64.getDecoder()
                .decode(
                    env.client
                        .secrets()
                        .inNamespace(NS)
                        .withName(CLUSTER + "-kubeconfig")
                        .get()
                        .getData()
                        .get("value")),
            StandardCharsets.UTF_8));
    Path kubectlDir = env.controlPlane.testBed().bin("kubectl").getParent();
    Path plugin = env.root.resolve("cli/target/kubectl-slipway");
    System.out.print(
        TryIt.text(
            tkc,
            machines,
            kubectlDir,
            Files.isExecutable(plugin) ? plugin : null,
            management,
            workload));
    System.out.flush();

    while (!stopping.get()) {
      try {
        watch.poll();
      } catch (RuntimeException e) {
        if (stopping.get()) {
          return;
        }
        LOG.info("reading the cluster failed", e);
        say("cannot read the cluster: " + e.getMessage());
      }
      Thread.sleep(1000);
    }
  }

  private static TanzuKubernetesCluster cluster(SlipwayEnv env) {
    return env.client
        .resources(TanzuKubernetesCluster.class)
        .inNamespace(NS)
        .withName(CLUSTER)
        .get();
  }

  /** Machine phases as they change, machines that went, and each failed guest boot, once. */
  private static final class Watch {
    private final SlipwayEnv env;
    private final GuestSimulator guests;
    private final Map<String, String> phases = new HashMap<>();
    private final Set<String> failuresSaid = new TreeSet<>();

    Watch(SlipwayEnv env, GuestSimulator guests) {
      this.env = env;
      this.guests = guests;
    }

    void poll() {
      Set<String> present = new TreeSet<>();
      for (Machine m : env.client.resources(Machine.class).inNamespace(NS).list().getItems()) {
        String name = m.getMetadata().getName();
        present.add(name);
        String phase =
            m.getStatus() == null || m.getStatus().phase == null ? "Pending" : m.getStatus().phase;
        if (!phase.equals(phases.put(name, phase))) {
          say("machine " + name + ": " + phase);
        }
      }
      for (String gone : new TreeSet<>(phases.keySet())) {
        if (!present.contains(gone)) {
          phases.remove(gone);
          say("machine " + gone + ": gone");
        }
      }
      guests
          .failures()
          .forEach(
              (vm, why) -> {
                if (failuresSaid.add(vm)) {
                  say(
                      "the guest of VM "
                          + vm
                          + " failed to boot: "
                          + ConsoleText.oneLine(why)
                          + " (details in target/demo/slipway.log)");
                }
              });
    }
  }

  /** One line on the console, whatever the text holds. */
  static void say(String s) {
    System.out.println("[slipway-demo] " + ConsoleText.oneLine(s));
    System.out.flush();
  }
}
