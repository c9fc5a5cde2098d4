package dev.slipway.operator.controller;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.ControlPlane;
import dev.slipway.operator.api.run.v1alpha3.NodePool;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesClusterSpec;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesRelease;
import dev.slipway.operator.api.run.v1alpha3.TkrReference;
import dev.slipway.operator.api.run.v1alpha3.Topology;
import dev.slipway.operator.api.run.v1alpha3.Volume;
import dev.slipway.operator.api.vmoperator.v1alpha1.VSphereNamespace;
import dev.slipway.operator.api.vmoperator.v1alpha1.VirtualMachineClass;
import dev.slipway.operator.status.Conditions;
import dev.slipway.operator.status.Reasons;
import dev.slipway.operator.status.Types;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The Kubernetes objects the controller tests build: one namespace, class, release, cluster. */
final class TestObjects {
  static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  static final String NS = "ns1";
  static final String CLUSTER = "c1";
  static final String LIB = "tkr-lib";
  static final String ITEM = "ubuntu-2204-v1.30.1";
  static final String TKR = "v1.30.1---vmware.1-tkg.1";
  static final String VERSION = "v1.30.1+vmware.1";
  static final String OLD_VERSION = "v1.29.4+vmware.1";
  static final String CLASS = "best-effort-small";
  static final String STORAGE = "gold";
  static final String DATASTORE = "/DC0/datastore/LocalDS_0";

  private TestObjects() {}

  static Condition condition(String type, String status, String reason, String message) {
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .withLastTransitionTime("2029-12-31T00:00:00Z")
        .build();
  }

  /** A Ready VSphereNamespace granting {@link #CLASS}, {@link #STORAGE} and {@link #LIB}. */
  static VSphereNamespace namespace(String name, String folder, String pool) {
    VSphereNamespace n = new VSphereNamespace();
    n.setMetadata(new ObjectMetaBuilder().withName(name).withUid(uid()).build());
    VSphereNamespace.Spec spec = new VSphereNamespace.Spec();
    spec.vmClasses = new ArrayList<>(List.of(CLASS));
    VSphereNamespace.StorageClass sc = new VSphereNamespace.StorageClass();
    sc.name = STORAGE;
    sc.datastore = DATASTORE;
    spec.storageClasses = new ArrayList<>(List.of(sc));
    spec.contentLibraries = new ArrayList<>(List.of(LIB));
    n.setSpec(spec);
    VSphereNamespace.Status status = new VSphereNamespace.Status();
    status.conditions.add(condition(Types.READY, Conditions.TRUE, Reasons.READY, ""));
    status.folder = folder;
    status.resourcePool = pool;
    n.setStatus(status);
    return n;
  }

  static VirtualMachineClass vmClass(String name, int cpus, String memory) {
    VirtualMachineClass c = new VirtualMachineClass();
    c.setMetadata(new ObjectMetaBuilder().withName(name).build());
    VirtualMachineClass.Spec spec = new VirtualMachineClass.Spec();
    spec.hardware = new VirtualMachineClass.Hardware();
    spec.hardware.cpus = cpus;
    spec.hardware.memory = new Quantity(memory);
    c.setSpec(spec);
    return c;
  }

  /** A release of {@code version} whose image is {@link #LIB}/{@link #ITEM}. */
  static TanzuKubernetesRelease release(String name, String version, boolean ready) {
    TanzuKubernetesRelease r = new TanzuKubernetesRelease();
    r.setMetadata(new ObjectMetaBuilder().withName(name).build());
    TanzuKubernetesRelease.Spec spec = new TanzuKubernetesRelease.Spec();
    spec.version = version;
    spec.kubernetes = new TanzuKubernetesRelease.Kubernetes();
    spec.kubernetes.version = version;
    TanzuKubernetesRelease.OSImage image = new TanzuKubernetesRelease.OSImage();
    image.contentLibrary = LIB;
    image.item = ITEM;
    spec.osImages = List.of(image);
    r.setSpec(spec);
    TanzuKubernetesRelease.Status status = new TanzuKubernetesRelease.Status();
    status.conditions.add(
        ready
            ? condition(Types.READY, Conditions.TRUE, Reasons.READY, "")
            : condition(Types.READY, Conditions.FALSE, Reasons.IMAGE_NOT_FOUND, "no image yet"));
    status.conditions.add(condition(Types.COMPATIBLE, Conditions.TRUE, "Compatible", "ok"));
    r.setStatus(status);
    return r;
  }

  static NodePool pool(String name, Integer replicas) {
    NodePool p = new NodePool();
    p.name = name;
    p.replicas = replicas;
    p.vmClass = CLASS;
    p.storageClass = STORAGE;
    return p;
  }

  /** Cluster {@link #CLUSTER} in {@link #NS} on release {@link #TKR}. */
  static TanzuKubernetesCluster cluster(int controlPlaneReplicas, NodePool... pools) {
    TanzuKubernetesCluster tkc = new TanzuKubernetesCluster();
    tkc.setMetadata(
        new ObjectMetaBuilder()
            .withName(CLUSTER)
            .withNamespace(NS)
            .withUid(uid())
            .withGeneration(1L)
            .build());
    ControlPlane cp = new ControlPlane();
    cp.replicas = controlPlaneReplicas;
    cp.vmClass = CLASS;
    cp.storageClass = STORAGE;
    cp.tkr = new TkrReference();
    cp.tkr.reference = new TkrReference.Reference();
    cp.tkr.reference.name = TKR;
    TanzuKubernetesClusterSpec spec = new TanzuKubernetesClusterSpec();
    spec.topology = new Topology();
    spec.topology.controlPlane = cp;
    spec.topology.nodePools = new ArrayList<>(List.of(pools));
    tkc.setSpec(spec);
    return tkc;
  }

  /** A Machine of {@link #CLUSTER} as the cluster controller makes it, created at {@link #T0}. */
  static Machine machine(String name, Machine.Role role, String pool) {
    Machine m = new Machine();
    m.setMetadata(
        new ObjectMetaBuilder()
            .withName(name)
            .withNamespace(NS)
            .withUid(uid())
            .withGeneration(1L)
            .withCreationTimestamp(T0.toString())
            .build());
    Machine.Spec spec = new Machine.Spec();
    spec.clusterName = CLUSTER;
    spec.role = role;
    spec.pool = pool;
    spec.version = VERSION;
    spec.vmClass = CLASS;
    spec.storageClass = STORAGE;
    spec.image = new Machine.Image();
    spec.image.contentLibrary = LIB;
    spec.image.item = ITEM;
    spec.bootstrap = new Machine.Bootstrap();
    spec.bootstrap.dataSecretName = BootstrapData.secretName(name);
    m.setSpec(spec);
    return m;
  }

  static Volume volume(String name, String size) {
    Volume v = new Volume();
    v.name = name;
    v.mountPath = "/var/lib/" + name;
    v.capacity = new Volume.Capacity();
    v.capacity.storage = new Quantity(size);
    return v;
  }

  /** The machine with a status whose Ready condition is True (its Node is Ready). */
  static Machine ready(Machine m) {
    return withCondition(m, Types.READY, Conditions.TRUE, Reasons.NODE_READY);
  }

  static Machine withCondition(Machine m, String type, String status, String reason) {
    if (m.getStatus() == null) {
      m.setStatus(new Machine.Status());
    }
    m.getStatus().conditions.removeIf(c -> c.getType().equals(type));
    m.getStatus().conditions.add(condition(type, status, reason, ""));
    return m;
  }

  static Machine deleting(Machine m) {
    m.getMetadata().setDeletionTimestamp(T0.plusSeconds(60).toString());
    return m;
  }

  /** The machine's bootstrap Secret with a cloud-config. */
  static Secret bootstrapSecret(Machine m) {
    String cloudConfig = "#cloud-config\nruncmd: [\"kubeadm init\"]\n";
    return new SecretBuilder()
        .withMetadata(
            new ObjectMetaBuilder()
                .withName(m.getSpec().bootstrap.dataSecretName)
                .withNamespace(m.getMetadata().getNamespace())
                .withLabels(Map.of(MachineReconciler.BOOTSTRAP_SECRET_LABEL, "true"))
                .build())
        .withData(
            Map.of(
                "value",
                Base64.getEncoder().encodeToString(cloudConfig.getBytes(StandardCharsets.UTF_8)),
                "format",
                Base64.getEncoder()
                    .encodeToString("cloud-config".getBytes(StandardCharsets.UTF_8))))
        .build();
  }

  static String uid() {
    return UUID.randomUUID().toString();
  }
}
