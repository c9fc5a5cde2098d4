package dev.slipway.operator.controller;

import dev.slipway.operator.addons.AddonException;
import dev.slipway.operator.addons.AddonManifest;
import dev.slipway.operator.addons.AddonRendering;
import dev.slipway.operator.addons.AddonSelection;
import dev.slipway.operator.addons.StorageClasses;
import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.common.ApiEndpoint;
import dev.slipway.operator.api.run.v1alpha3.Network;
import dev.slipway.operator.api.run.v1alpha3.Storage;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesRelease;
import dev.slipway.operator.config.AddonSettings;
import dev.slipway.operator.status.Reasons;
import dev.slipway.operator.status.Types;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cluster's addons (AddonsReady): once its control plane answers, the release's manifests (the
 * cluster's CNI first, then the cloud provider, CSI and whatever else the release carries) and the
 * StorageClasses of {@code spec.settings.storage}, server-side applied to the workload cluster —
 * never anywhere else — and applied again every {@link AddonSettings#resync()} (spread by ±10 % so
 * that clusters made together do not resync together), so that an object changed or deleted there
 * comes back.
 */
final class ClusterAddons {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterAddons.class);
  static final String FIELD_MANAGER = "slipway";

  private final WorkloadClusters workloads;
  private final AddonSettings settings;

  ClusterAddons(WorkloadClusters workloads, AddonSettings settings) {
    this.workloads = workloads;
    this.settings = settings;
  }

  /** One object to apply and what it belongs to (for messages). */
  private record Desired(String from, HasMetadata object) {}

  void apply(ClusterPass p) {
    if (!settings.managed()) {
      p.cond.setTrue(
          Types.ADDONS_READY,
          Reasons.ADDONS_UNMANAGED,
          "Slipway applies no addons (addons.managed=false): the CNI, cloud provider, CSI and"
              + " StorageClasses are installed by someone else");
      return;
    }
    if (!p.accessOk || p.status.apiEndpoints == null || p.status.apiEndpoints.isEmpty()) {
      waiting(p, "the cluster has no endpoint and kubeconfig yet");
      return;
    }
    if (!initialized(p.machines)) {
      waiting(p, "no control-plane node has registered with the workload API yet");
      return;
    }
    List<Desired> desired;
    String summary;
    try {
      List<AddonManifest> manifests = select(p);
      desired = new ArrayList<>();
      List<String> names = new ArrayList<>();
      var vars = variables(p.tkc, p.status.apiEndpoints.get(0));
      for (AddonManifest m : manifests) {
        String from = m.addon() + " (ConfigMap " + m.configMap() + ")";
        AddonRendering.render(m, vars).forEach(o -> desired.add(new Desired(from, o)));
        names.add(from);
      }
      List<String> classes = storageClasses(p);
      String defaultClass = defaultClass(p.tkc);
      StorageClasses.desired(classes, defaultClass)
          .forEach(
              sc -> desired.add(new Desired("storage class " + sc.getMetadata().getName(), sc)));
      summary =
          String.join(", ", names)
              + "; storage classes: "
              + (classes.isEmpty()
                  ? "none"
                  : String.join(
                      ", ",
                      classes.stream()
                          .map(c -> c.equals(defaultClass) ? c + " (default)" : c)
                          .toList()));
    } catch (AddonException e) {
      p.cond.setFalse(Types.ADDONS_READY, e.reason(), e.getMessage());
      p.lookAgain(Requeue.USER_FIX);
      return;
    }
    ApiEndpoint ep = p.status.apiEndpoints.get(0);
    Optional<KubernetesClient> workload;
    try {
      workload =
          workloads.client(
              p.client, p.tkc.getMetadata().getNamespace(), p.tkc.getMetadata().getName());
    } catch (RuntimeException e) {
      p.cond.setFalse(
          Types.ADDONS_READY,
          Reasons.ADDON_APPLY_FAILED,
          "cannot read the cluster's kubeconfig: " + e.getMessage());
      p.lookAgain(Requeue.DEPENDENCY);
      return;
    }
    if (workload.isEmpty()) {
      waiting(p, "the cluster's kubeconfig Secret does not exist yet");
      return;
    }
    String server = workload.get().getConfiguration().getMasterUrl();
    if (!targets(server, ep.host, ep.port)) {
      p.cond.setFalse(
          Types.ADDONS_READY,
          Reasons.ADDON_APPLY_FAILED,
          "the kubeconfig Secret "
              + p.tkc.getMetadata().getName()
              + "-kubeconfig points at "
              + server
              + ", not at the cluster's endpoint "
              + ep.host
              + ":"
              + ep.port
              + ": nothing is applied");
      p.lookAgain(Requeue.USER_FIX);
      return;
    }
    for (Desired d : desired) {
      try {
        workload
            .get()
            .resource(d.object())
            .fieldManager(FIELD_MANAGER)
            .forceConflicts()
            .serverSideApply();
      } catch (KubernetesClientException e) {
        if (unreachable(e)) {
          LOG.info("addons of {}: the workload API does not answer: {}", p.key(), e.getMessage());
          if (!p.cond.isTrue(Types.ADDONS_READY)) {
            p.cond.setFalse(
                Types.ADDONS_READY,
                Reasons.WORKLOAD_UNREACHABLE,
                "the workload API at "
                    + ep.host
                    + ":"
                    + ep.port
                    + " does not answer: "
                    + e.getMessage());
          }
          p.lookAgain(Requeue.GUEST_POLL);
          return;
        }
        p.cond.setFalse(
            Types.ADDONS_READY,
            Reasons.ADDON_APPLY_FAILED,
            d.from() + ": " + describe(d.object()) + " was refused: " + apiMessage(e));
        p.lookAgain(Requeue.USER_FIX);
        return;
      }
    }
    p.cond.setTrue(Types.ADDONS_READY, Reasons.ADDONS_APPLIED, summary);
    p.lookAgain(Requeue.spread(settings.resync(), 0.1));
  }

  private static void waiting(ClusterPass p, String why) {
    p.cond.setFalse(
        Types.ADDONS_READY,
        Reasons.WAITING_FOR_CONTROL_PLANE,
        "the addons are applied once the control plane's API server answers: " + why);
  }

  /** The control plane answered once: a control-plane machine's Node registered. */
  static boolean initialized(List<Machine> machines) {
    return machines.stream()
        .anyMatch(
            m ->
                m.getSpec().role == Machine.Role.controlPlane
                    && m.getStatus() != null
                    && m.getStatus().nodeRef != null);
  }

  private List<AddonManifest> select(ClusterPass p) throws AddonException {
    var cp = ClusterMachines.controlPlane(p.tkc);
    TanzuKubernetesRelease tkr = p.resolved.release(cp, cp);
    List<String> packages =
        tkr.getSpec().bootstrapPackages == null
            ? List.of()
            : tkr.getSpec().bootstrapPackages.stream().map(b -> b.name).toList();
    return AddonSelection.select(
        cni(p.tkc),
        tkr.getMetadata().getName(),
        packages,
        p.lookups.addonManifests(),
        settings.namespace());
  }

  String cni(TanzuKubernetesCluster tkc) {
    Network n = network(tkc);
    return n.cni == null || n.cni.name == null ? settings.defaultCni() : n.cni.name.name();
  }

  private static Network network(TanzuKubernetesCluster tkc) {
    return tkc.getSpec().settings == null || tkc.getSpec().settings.network == null
        ? new Network()
        : tkc.getSpec().settings.network;
  }

  private static java.util.Map<String, String> variables(
      TanzuKubernetesCluster tkc, ApiEndpoint ep) {
    var spec = KubeadmBootstrap.networks(tkc);
    return AddonRendering.variables(
        tkc.getMetadata().getName(),
        tkc.getMetadata().getNamespace(),
        spec.pods(),
        spec.services(),
        spec.serviceDomain(),
        ep.host + ":" + ep.port);
  }

  /** The spec's classes, or every class the namespace grants when the spec lists none. */
  private static List<String> storageClasses(ClusterPass p) {
    Storage s = p.tkc.getSpec().settings == null ? null : p.tkc.getSpec().settings.storage;
    if (s != null && s.classes != null) {
      return s.classes;
    }
    var granted = p.resolved.namespace().getSpec().storageClasses;
    return granted == null ? List.of() : granted.stream().map(c -> c.name).toList();
  }

  private static String defaultClass(TanzuKubernetesCluster tkc) {
    Storage s = tkc.getSpec().settings == null ? null : tkc.getSpec().settings.storage;
    return s == null ? null : s.defaultClass;
  }

  /** Whether a kubeconfig's server is the cluster's endpoint: nothing is applied anywhere else. */
  static boolean targets(String server, String host, int port) {
    try {
      URI u = URI.create(server);
      int p = u.getPort() == -1 ? 443 : u.getPort();
      return "https".equals(u.getScheme()) && host.equals(u.getHost()) && p == port;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static boolean unreachable(KubernetesClientException e) {
    if (e.getCode() >= 500) {
      return true;
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IOException) {
        return true;
      }
    }
    return false;
  }

  private static String apiMessage(KubernetesClientException e) {
    return e.getStatus() != null && e.getStatus().getMessage() != null
        ? e.getStatus().getMessage()
        : e.getMessage();
  }

  private static String describe(HasMetadata o) {
    String ns = o.getMetadata().getNamespace();
    return o.getKind() + " " + (ns == null ? "" : ns + "/") + o.getMetadata().getName();
  }
}
