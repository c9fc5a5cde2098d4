package dev.slipway.e2e;

import static org.awaitility.Awaitility.await;

import dev.slipway.operator.Slipway;
import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.api.vmoperator.v1alpha1.VSphereNamespace;
import dev.slipway.operator.config.AddonSettings;
import dev.slipway.operator.config.Placement;
import dev.slipway.operator.controller.BootstrapData;
import dev.slipway.operator.controller.NodeObserver;
import dev.slipway.testenv.ControlPlane;
import dev.slipway.testenv.Manifests;
import dev.slipway.testenv.TestBed;
import dev.slipway.testenv.Vcsim;
import dev.slipway.vsphere.DatastoreRef;
import dev.slipway.vsphere.FolderRef;
import dev.slipway.vsphere.Library;
import dev.slipway.vsphere.TaskRef;
import dev.slipway.vsphere.TaskState;
import dev.slipway.vsphere.VSphereConfig;
import dev.slipway.vsphere.VSphereProvider;
import dev.slipway.vsphere.VmState;
import dev.slipway.vsphere.VmSummary;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.ConfigurationServiceOverrider;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Everything real together for one test class: a control plane of its own (so cluster-scoped
 * objects of one class never meet another's), a vcsim with the demo's content library and image, a
 * vCenter connection, and Slipway's loops in-process.
 */
public final class SlipwayEnv implements AutoCloseable {
  public static final String LIBRARY = "slipway-demo";
  public static final String ITEM = "ubuntu-2404-kube-v1.37.2";
  public static final String DATASTORE = "/DC0/datastore/LocalDS_0";

  public final Path root = TestBed.repositoryRoot();
  public final ControlPlane controlPlane;
  public final Vcsim vcsim;
  public final KubernetesClient client;
  public final Placement placement = Placement.vcsimDefaults();

  /**
   * Control-plane endpoints on loopback: the guest simulator serves each workload cluster's API on
   * its VIP, port 6443, so Slipway reaches it exactly as it would reach kube-vip's address. {@code
   * SLIPWAY_TEST_VIPS} moves them, so two test runs on one machine do not collide ({@link
   * TestBed#vips}: parallel test JVMs get ranges of their own).
   */
  public static final dev.slipway.operator.config.VipPool VIPS =
      dev.slipway.operator.config.VipPool.parse(TestBed.vips());

  private final Function<SlipwayEnv, BootstrapData> bootstrap;
  private final Function<SlipwayEnv, NodeObserver> nodes;
  private final UnaryOperator<Slipway.Wiring> customize;
  private final Consumer<ConfigurationServiceOverrider> overrides;
  private VSphereProvider vsphere;
  private Slipway slipway;

  private SlipwayEnv(
      Function<SlipwayEnv, BootstrapData> bootstrap,
      Function<SlipwayEnv, NodeObserver> nodes,
      UnaryOperator<Slipway.Wiring> customize,
      Consumer<ConfigurationServiceOverrider> overrides) {
    this.bootstrap = bootstrap;
    this.nodes = nodes;
    this.customize = customize;
    this.overrides = overrides;
    this.controlPlane = ControlPlane.start();
    this.vcsim = Vcsim.start();
    this.client = controlPlane.client();
    Manifests.installCrds(client, root);
    Manifests.installAdmissionPolicies(client, root);
    installAddonManifests();
    this.vsphere = connect();
    uploadImage();
  }

  private static io.fabric8.kubernetes.api.model.Namespace namespace(String name) {
    return new io.fabric8.kubernetes.api.model.NamespaceBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .build();
  }

  /**
   * The operator's namespace (as deploy/00-namespace.yaml makes it): the addons' manifests and the
   * VIP claims are there.
   */
  public static final String SYSTEM_NAMESPACE = AddonSettings.DEFAULT_NAMESPACE;

  /**
   * The addon manifests an installation provides (docs/install.md), here small stand-ins for
   * antrea, calico and the vSphere CPI and CSI (src/test/resources/addons/stand-ins.yaml).
   */
  public void installAddonManifests() {
    client.namespaces().resource(namespace(SYSTEM_NAMESPACE)).serverSideApply();
    for (GenericKubernetesResource r :
        Manifests.load(root.resolve("src/test/resources/addons/stand-ins.yaml"))) {
      client.resource(r).forceConflicts().serverSideApply();
    }
  }

  /**
   * For tests without guests (VmOnlyDoubles): there is no workload cluster to apply addons to, so
   * Slipway is told not to manage them, as an installation that brings its own CNI would.
   */
  public static Slipway.Wiring withoutAddons(Slipway.Wiring w) {
    return w.withAddons(w.addons().unmanaged());
  }

  public static SlipwayEnv start(
      Function<SlipwayEnv, BootstrapData> bootstrap, Function<SlipwayEnv, NodeObserver> nodes) {
    return start(bootstrap, nodes, UnaryOperator.identity());
  }

  /** As above, with the operator's wiring changed (e.g. a lagging view of machines). */
  public static SlipwayEnv start(
      Function<SlipwayEnv, BootstrapData> bootstrap,
      Function<SlipwayEnv, NodeObserver> nodes,
      UnaryOperator<Slipway.Wiring> customize) {
    return start(bootstrap, nodes, customize, o -> {});
  }

  /**
   * As above, with JOSDK's configuration changed as the operator process changes it (e.g. a metrics
   * hook that counts reconciles).
   */
  public static SlipwayEnv start(
      Function<SlipwayEnv, BootstrapData> bootstrap,
      Function<SlipwayEnv, NodeObserver> nodes,
      UnaryOperator<Slipway.Wiring> customize,
      Consumer<ConfigurationServiceOverrider> overrides) {
    SlipwayEnv env = new SlipwayEnv(bootstrap, nodes, customize, overrides);
    env.startSlipway();
    return env;
  }

  /**
   * The test bed alone (control plane, vcsim, the demo's image and addon manifests), for callers
   * that run the operator elsewhere, in a JVM of its own (OperatorJvm, the scale benchmark).
   */
  public static SlipwayEnv withoutOperator() {
    return new SlipwayEnv(e -> null, e -> null, UnaryOperator.identity(), o -> {});
  }

  public VSphereProvider connect() {
    try {
      return VSphereProvider.connect(
          VSphereConfig.builder()
              .url(vcsim.sdkUrl())
              .username(vcsim.username())
              .password(vcsim.password())
              .caBundlePem(Files.readString(vcsim.certFile()))
              .build());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The demo's image: the provider's minimal OVF as item {@link #ITEM} of {@link #LIBRARY}. */
  private void uploadImage() {
    uploadImage(ITEM);
  }

  /** The same minimal OVF as another item of {@link #LIBRARY} (a second release's image). */
  public void uploadImage(String item) {
    uploadImage(this.vsphere != null ? this.vsphere : connect(), item);
  }

  /**
   * After vcsim restarted from a saved inventory ({@link Vcsim#startFrom}): the content library
   * again, as a real vCenter keeps it (vcsim's libraries live in memory and are not in the saved
   * inventory), through a connection of the test's own.
   */
  public void restoreLibrary() {
    try (VSphereProvider own = connect()) {
      uploadImage(own, ITEM);
    }
  }

  private void uploadImage(VSphereProvider vsphere, String item) {
    DatastoreRef ds = vsphere.findDatastore(DATASTORE).orElseThrow();
    Library lib = vsphere.ensureLocalLibrary(LIBRARY, ds);
    if (vsphere.findItem(LIBRARY, item).isPresent()) {
      return;
    }
    byte[] ovf;
    try (InputStream in =
        VSphereProvider.class.getResourceAsStream("/dev/slipway/vsphere/minimal-node.ovf")) {
      ovf = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    TaskRef upload = vsphere.uploadOvf(lib.id(), item, Map.of("node.ovf", ovf));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> vsphere.taskState(upload).status() == TaskState.Status.SUCCESS);
  }

  public void startSlipway() {
    if (vsphere == null) {
      vsphere = connect();
    }
    slipway = startReplica(controlPlane.client(), vsphere, null);
  }

  /** Another operator process's worth of loops, on its own client and vCenter connection. */
  public Slipway startReplica(
      KubernetesClient client, VSphereProvider vcenter, Slipway.LeaderElection election) {
    return Slipway.start(
        customize.apply(
            new Slipway.Wiring(
                client,
                vcenter,
                placement,
                VIPS,
                bootstrap.apply(this),
                nodes.apply(this),
                election,
                0)),
        overrides);
  }

  /** Stops the operator and drops its vCenter connection, as a crash would. */
  public void stopSlipway() {
    if (slipway != null) {
      slipway.close();
      slipway = null;
    }
    vsphere.close();
    vsphere = null;
  }

  /** The connection the running operator uses (tests read vCenter through their own). */
  public VSphereProvider vsphere() {
    return vsphere;
  }

  /** Applies one sample file from deploy/samples, unchanged. */
  public void applySample(String file) {
    for (GenericKubernetesResource r : Manifests.load(root.resolve("deploy/samples/" + file))) {
      client.resource(r).forceConflicts().serverSideApply();
    }
  }

  /** The samples a cluster needs first: VM classes, the release, the VSphereNamespace team-a. */
  public void applyNamespaceSamples() {
    applySample("10-vmclasses.yaml");
    applySample("20-tkr.yaml");
    applySample("30-vspherenamespace.yaml");
    awaitNamespaceReady("team-a");
  }

  /** A later build of deploy/samples' release, on an image of its own (an upgrade to try). */
  public static final String NEXT_RELEASE = "v1.37.2---vmware.2-tkg.1";

  /** Uploads {@link #NEXT_RELEASE}'s image and applies the release. */
  public void applyNextRelease() {
    String item = ITEM + "-vmware.2";
    uploadImage(item);
    Map<String, Object> m =
        Manifests.toMap(Manifests.load(root.resolve("deploy/samples/20-tkr.yaml")).get(0));
    Manifests.set(m, "metadata.name", NEXT_RELEASE);
    Manifests.set(m, "spec.version", "v1.37.2+vmware.2-tkg.1");
    Manifests.set(m, "spec.kubernetes.version", "v1.37.2+vmware.2");
    Manifests.set(m, "spec.osImages[0].item", item);
    apply(Manifests.fromMap(m));
  }

  /** deploy/samples' cluster renamed, with one pool of {@code workers} and no volumes. */
  public Map<String, Object> sampleCluster(String name, int workers) {
    Map<String, Object> m =
        Manifests.toMap(Manifests.load(root.resolve("deploy/samples/40-tkc.yaml")).get(0));
    Manifests.set(m, "metadata.name", name);
    Manifests.set(m, "spec.topology.nodePools[1]", null);
    Manifests.set(m, "spec.topology.nodePools[0].replicas", workers);
    Manifests.set(m, "spec.topology.nodePools[0].volumes", null);
    return m;
  }

  /** The Machines of {@code namespace}. */
  public List<dev.slipway.operator.api.cluster.v1alpha1.Machine> machines(String namespace) {
    return client
        .resources(dev.slipway.operator.api.cluster.v1alpha1.Machine.class)
        .inNamespace(namespace)
        .list()
        .getItems();
  }

  /** One key of a Secret in {@code namespace}, decoded. */
  public String secretValue(String namespace, String name, String key) {
    return new String(
        java.util.Base64.getDecoder()
            .decode(
                client.secrets().inNamespace(namespace).withName(name).get().getData().get(key)),
        java.nio.charset.StandardCharsets.UTF_8);
  }

  public void apply(HasMetadata r) {
    client.resource(r).forceConflicts().serverSideApply();
  }

  /**
   * Runs the test bed's govc against vcsim, as a vCenter admin would (an independent client), and
   * returns its output; a non-zero exit fails the test with that output.
   */
  public String govc(String... args) {
    List<String> argv = new java.util.ArrayList<>();
    argv.add(controlPlane.testBed().bin("govc").toString());
    argv.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
    pb.environment().put("GOVC_URL", vcsim.sdkUrl().toString());
    pb.environment().put("GOVC_USERNAME", vcsim.username());
    pb.environment().put("GOVC_PASSWORD", vcsim.password());
    pb.environment().put("GOVC_TLS_CA_CERTS", vcsim.certFile().toString());
    try {
      Process proc = pb.start();
      String out =
          new String(proc.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      if (!proc.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) || proc.exitValue() != 0) {
        proc.destroyForcibly();
        throw new AssertionError("govc " + String.join(" ", args) + " failed: " + out);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The Machine holding the cluster's "kubeadm init" claim (in the operator's namespace). */
  public String initMachine(dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster tkc) {
    var claim =
        client
            .configMaps()
            .inNamespace(SYSTEM_NAMESPACE)
            .withName(dev.slipway.operator.controller.KubeadmBootstrap.initClaimName(tkc))
            .get();
    return claim == null || claim.getData() == null ? null : claim.getData().get("machine");
  }

  /** A cluster's and its machines' status, for a failure message. */
  public String describe(String namespace, String cluster) {
    StringBuilder b = new StringBuilder(cluster);
    TanzuKubernetesCluster t =
        client
            .resources(TanzuKubernetesCluster.class)
            .inNamespace(namespace)
            .withName(cluster)
            .get();
    if (t != null && t.getStatus() != null) {
      b.append(" phase=").append(t.getStatus().phase);
      t.getStatus().conditions.forEach(c -> b.append(' ').append(condition(c)));
    }
    List<io.fabric8.kubernetes.api.model.Event> events =
        client.v1().events().inNamespace(namespace).list().getItems();
    for (Machine m : client.resources(Machine.class).inNamespace(namespace).list().getItems()) {
      if (!cluster.equals(m.getSpec().clusterName)) {
        continue;
      }
      b.append("\n  ").append(m.getMetadata().getName());
      if (m.getMetadata().getDeletionTimestamp() != null) {
        b.append(" (deleting)");
      }
      Machine.Status st = m.getStatus();
      if (st != null) {
        b.append(" phase=").append(st.phase).append(" vm=").append(st.vmRef);
        b.append(" task=").append(st.taskRef).append(" lastTaskError=").append(st.lastTaskError);
        if (st.retry != null) {
          b.append(" retry=").append(st.retry.attempts).append('@').append(st.retry.notBefore);
        }
        st.conditions.forEach(c -> b.append(' ').append(condition(c)));
      }
      for (var e : events) {
        if (m.getMetadata().getUid().equals(e.getInvolvedObject().getUid())) {
          b.append("\n    event ").append(e.getReason()).append(" x").append(e.getCount());
          b.append(": ").append(e.getMessage());
        }
      }
    }
    return b.toString();
  }

  private static String condition(io.fabric8.kubernetes.api.model.Condition c) {
    return c.getType() + "=" + c.getStatus() + "/" + c.getReason() + "(" + c.getMessage() + ")";
  }

  /** The namespace's VMs as vCenter lists them (not as status says). */
  public List<VmState> vms(String namespace) {
    try (VSphereProvider v = connect()) {
      Optional<FolderRef> folder = v.findFolder(placement.parentFolder() + "/" + namespace);
      if (folder.isEmpty()) {
        return List.of();
      }
      List<VmState> out = new java.util.ArrayList<>();
      for (VmSummary s : v.listVms(folder.get())) {
        if (s.template()) {
          continue;
        }
        try {
          out.add(v.vmState(s.ref()));
        } catch (dev.slipway.vsphere.VSphereException e) {
          if (e.kind() != dev.slipway.vsphere.FaultKind.NOT_FOUND) {
            throw e;
          }
          // destroyed between listing and reading: gone
        }
      }
      return out;
    }
  }

  public void awaitNamespaceReady(String name) {
    // A fresh control plane's quota controller discovers the CRDs within 30 s, then counts them.
    await()
        .atMost(Duration.ofSeconds(120))
        .until(
            () -> {
              VSphereNamespace vns = client.resources(VSphereNamespace.class).withName(name).get();
              return vns != null
                  && vns.getStatus() != null
                  && vns.getStatus().conditions.stream()
                      .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
            });
  }

  @Override
  public void close() {
    if (slipway != null) {
      slipway.close();
    }
    if (vsphere != null) {
      vsphere.close();
    }
    vcsim.close();
    client.close();
    controlPlane.close();
  }
}
