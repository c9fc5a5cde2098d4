package dev.slipway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.testenv.ControlPlane;
import dev.slipway.testenv.TestBed;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code kubectl apply -k deploy/} against a real API server (RBAC on): the objects exist, a second
 * apply changes nothing, and the operator's ServiceAccount can do exactly what the controllers do.
 * No operator pod runs (the test bed has no nodes); the E2E suite runs the operator with this
 * ServiceAccount's token.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeployManifestsIT {
  static final String SA = "system:serviceaccount:slipway-system:slipway-operator";
  static final String TEAM = "team-a";
  static final String NS_OPERATOR = "slipway-system";
  static final List<String> CRDS =
      List.of(
          "machines.cluster.slipway.dev",
          "tanzukubernetesclusters.run.tanzu.vmware.com",
          "tanzukubernetesreleases.run.tanzu.vmware.com",
          "virtualmachineclasses.vmoperator.slipway.dev",
          "vspherenamespaces.vmoperator.slipway.dev");
  static final String TKC = "tanzukubernetesclusters.run.tanzu.vmware.com";
  static final String TKR = "tanzukubernetesreleases.run.tanzu.vmware.com";
  static final String VNS = "vspherenamespaces.vmoperator.slipway.dev";
  static final String VMCLASS = "virtualmachineclasses.vmoperator.slipway.dev";
  static final String MACHINE = "machines.cluster.slipway.dev";

  private final Path deploy = TestBed.repositoryRoot().resolve("deploy");
  private ControlPlane cp;
  private KubernetesClient admin;
  private Kubectl kubectl;
  private Kubectl.Result firstApply;
  private final Map<String, KubernetesClient> impersonating = new java.util.HashMap<>();
  private int cells;
  private int tried;

  @BeforeAll
  void applyDeploy() {
    cp = ControlPlane.start();
    admin = cp.client();
    kubectl = new Kubectl(cp);
    firstApply = kubectl.run("apply", "-k", deploy.toString());
    assertThat(firstApply.exitCode()).as(firstApply.toString()).isZero();
    for (String crd : CRDS) {
      Kubectl.Result wait =
          kubectl.run("wait", "--for=condition=Established", "--timeout=60s", "crd/" + crd);
      assertThat(wait.exitCode()).as(wait.toString()).isZero();
    }
    // Discovery now knows the new resources.
    kubectl = kubectl.fresh();
  }

  @AfterAll
  void stop() {
    impersonating.values().forEach(KubernetesClient::close);
    System.out.printf(
        "DeployManifestsIT: %d can-i cells, %d also made as real requests%n", cells, tried);
    if (admin != null) {
      admin.close();
    }
    if (cp != null) {
      cp.close();
    }
  }

  @Test
  @Order(1)
  void firstApplyCreatesEveryObject() {
    assertThat(firstApply.out())
        .contains("namespace/slipway-system created")
        .contains("serviceaccount/slipway-operator created")
        .contains("clusterrole.rbac.authorization.k8s.io/slipway-operator created")
        .contains("clusterrolebinding.rbac.authorization.k8s.io/slipway-operator created")
        .contains("role.rbac.authorization.k8s.io/slipway-leader-election created")
        .contains("rolebinding.rbac.authorization.k8s.io/slipway-leader-election created")
        .contains("clusterrole.rbac.authorization.k8s.io/slipway-namespace-owner created")
        .contains("clusterrole.rbac.authorization.k8s.io/slipway-namespace-edit created")
        .contains("clusterrole.rbac.authorization.k8s.io/slipway-namespace-view created")
        .contains("configmap/slipway-config created")
        .contains("deployment.apps/slipway-operator created")
        .contains("poddisruptionbudget.policy/slipway-operator created")
        .contains("service/slipway-operator-metrics created")
        .contains(
            "validatingadmissionpolicy.admissionregistration.k8s.io/"
                + "slipway-tanzukubernetescluster-label-keys created");
    for (String role :
        List.of(
            "slipway-operator",
            "slipway-namespace-owner",
            "slipway-namespace-edit",
            "slipway-namespace-view")) {
      assertThat(admin.rbac().clusterRoles().withName(role).get()).as(role).isNotNull();
    }
    assertThat(admin.rbac().clusterRoleBindings().withName("slipway-operator").get().getSubjects())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.getKind()).isEqualTo("ServiceAccount");
              assertThat(s.getNamespace()).isEqualTo("slipway-system");
              assertThat(s.getName()).isEqualTo("slipway-operator");
            });
    assertThat(
            admin
                .serviceAccounts()
                .inNamespace("slipway-system")
                .withName("slipway-operator")
                .get())
        .isNotNull();
    for (String crd : CRDS) {
      assertThat(firstApply.out())
          .contains("customresourcedefinition.apiextensions.k8s.io/" + crd + " created");
      var established = admin.apiextensions().v1().customResourceDefinitions().withName(crd).get();
      assertThat(established.getStatus().getConditions())
          .anyMatch(c -> c.getType().equals("Established") && c.getStatus().equals("True"));
    }
  }

  @Test
  @Order(2)
  void deploymentIsTwoHardenedReplicasWithProbesAndConfig() {
    Deployment d =
        admin.apps().deployments().inNamespace("slipway-system").withName("slipway-operator").get();
    assertThat(d.getSpec().getReplicas()).isEqualTo(2);
    assertThat(d.getSpec().getTemplate().getSpec().getServiceAccountName())
        .isEqualTo("slipway-operator");
    assertThat(d.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
    Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(c.getImage()).isEqualTo("ghcr.io/slipway-dev/slipway-operator:0.1.0-SNAPSHOT");
    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(c.getPorts()).anyMatch(p -> p.getContainerPort() == 8080);
    assertThat(c.getEnv())
        .extracting(EnvVar::getName)
        .contains("POD_NAMESPACE", "POD_NAME", "SLIPWAY_CONFIG");
    assertThat(c.getEnv().stream().filter(e -> e.getName().equals("POD_NAMESPACE")).findFirst())
        .hasValueSatisfying(
            e ->
                assertThat(e.getValueFrom().getFieldRef().getFieldPath())
                    .isEqualTo("metadata.namespace"));
    assertThat(c.getVolumeMounts())
        .anyMatch(m -> m.getMountPath().equals("/etc/slipway") && m.getReadOnly());

    var pdb =
        admin
            .policy()
            .v1()
            .podDisruptionBudget()
            .inNamespace("slipway-system")
            .withName("slipway-operator")
            .get();
    assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
    var svc =
        admin.services().inNamespace("slipway-system").withName("slipway-operator-metrics").get();
    assertThat(svc.getSpec().getPorts()).anyMatch(p -> p.getPort() == 8080);
    assertThat(svc.getSpec().getSelector()).isEqualTo(d.getSpec().getSelector().getMatchLabels());
    assertThat(admin.namespaces().withName("slipway-system").get().getMetadata().getLabels())
        .containsEntry("pod-security.kubernetes.io/enforce", "restricted");
  }

  @Test
  @Order(3)
  void configMapHoldsEveryDocumentedKey() {
    ConfigMap cm =
        admin.configMaps().inNamespace("slipway-system").withName("slipway-config").get();
    String properties = cm.getData().get("slipway.properties");
    for (String key :
        List.of(
            "vcenter.url=",
            "vcenter.credentialsSecret=",
            "vcenter.caBundle=",
            "vcenter.thumbprint=",
            "vcenter.insecure=",
            "placement.datacenter=",
            "placement.parentResourcePool=",
            "placement.parentFolder=",
            "placement.templatesFolder=",
            "placement.mhzPerVcpu=",
            "vip.pool=",
            "operator.reconcileThreads=",
            "log.format=")) {
      assertThat(properties).as(key).contains(key);
    }
    assertThat(cm.getData()).containsKey("vcenter-ca.pem");
  }

  /**
   * A second apply writes nothing: every object keeps its resourceVersion, and kubectl says
   * "unchanged" for every object but two kinds where client-side apply always sends a patch that
   * the API server then finds to change nothing: a PodDisruptionBudget (its selector's patch
   * strategy is "replace", so kubectl always includes it) and a CRD whose generated YAML says
   * {@code priority: 0} for printer columns (the server drops the zero, so kubectl resends the
   * column list). The resourceVersion check proves both no-ops.
   */
  @Test
  @Order(4)
  void secondApplyChangesNothing() {
    Map<String, String> before = resourceVersions();
    Kubectl.Result again = kubectl.run("apply", "-k", deploy.toString());
    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(resourceVersions()).isEqualTo(before);

    List<String> lines = again.out().lines().filter(l -> !l.isBlank()).toList();
    assertThat(lines).hasSameSizeAs(firstApply.out().lines().filter(l -> !l.isBlank()).toList());
    for (String line : lines) {
      if (kubectlAlwaysPatches(line)) {
        assertThat(line).as("a no-op kubectl reports as a change").endsWith(" configured");
      } else {
        assertThat(line).endsWith(" unchanged");
      }
    }
    Kubectl.Result diff = kubectl.run("diff", "-k", deploy.toString());
    assertThat(diff.exitCode()).as(diff.toString()).isZero();
    assertThat(diff.out()).isEmpty();
  }

  private static boolean kubectlAlwaysPatches(String applyLine) {
    if (applyLine.startsWith("poddisruptionbudget.policy/")) {
      return true;
    }
    String prefix = "customresourcedefinition.apiextensions.k8s.io/";
    if (!applyLine.startsWith(prefix)) {
      return false;
    }
    String crd = applyLine.substring(prefix.length(), applyLine.indexOf(' '));
    try {
      return java.nio.file.Files.readString(
              TestBed.repositoryRoot().resolve("crds").resolve(crd + "-v1.yml"))
          .contains("priority: 0");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** kind/namespace/name to resourceVersion of every object deploy/ holds, as the server has it. */
  private Map<String, String> resourceVersions() {
    Kubectl.Result r =
        kubectl.run(
            "get",
            "-k",
            deploy.toString(),
            "-o",
            "jsonpath={range .items[*]}{.kind}/{.metadata.namespace}/{.metadata.name}"
                + "={.metadata.resourceVersion}{\"\\n\"}{end}");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    Map<String, String> out = new java.util.TreeMap<>();
    r.out()
        .lines()
        .filter(l -> l.contains("="))
        .forEach(l -> out.put(l.split("=")[0], l.split("=")[1]));
    assertThat(out).hasSizeGreaterThanOrEqualTo(20);
    return out;
  }

  @Test
  @Order(5)
  void operatorMayDoWhatTheControllersDo() {
    List<String> missing = new ArrayList<>();
    for (String[] check :
        new String[][] {
          // primaries: informers (cluster-wide), finalizers and status by patch
          {"list", TKC, "-A"},
          {"watch", TKC, "-A"},
          {"get", TKC, "-n", TEAM},
          {"patch", TKC, "-n", TEAM},
          {"patch", TKC, "--subresource=status", "-n", TEAM},
          {"update", TKC, "--subresource=finalizers", "-n", TEAM},
          {"list", TKR},
          {"watch", TKR},
          {"get", TKR},
          {"patch", TKR, "--subresource=status"},
          // the release sync publishes releases by server-side apply
          {"create", TKR},
          {"patch", TKR},
          {"list", VNS},
          {"watch", VNS},
          {"get", VNS},
          {"patch", VNS},
          {"patch", VNS, "--subresource=status"},
          {"get", VMCLASS},
          {"list", VMCLASS},
          {"watch", VMCLASS},
          {"list", MACHINE, "-A"},
          {"watch", MACHINE, "-A"},
          {"create", MACHINE, "-n", TEAM},
          {"patch", MACHINE, "-n", TEAM},
          {"delete", MACHINE, "-n", TEAM},
          {"patch", MACHINE, "--subresource=status", "-n", TEAM},
          // Secrets in its own namespace (credentials, watched for rotation); in a Slipway
          // namespace only once it bound itself slipway-operator-secrets there (test 7)
          {"get", "secrets/slipway-vcenter-credentials", "-n", "slipway-system"},
          {"list", "secrets", "-n", "slipway-system"},
          {"watch", "secrets", "-n", "slipway-system"},
          {"bind", "clusterroles/slipway-operator-secrets"},
          // VSphereNamespace: namespace, role bindings, quota (server-side apply = create+patch)
          {"get", "namespaces"},
          {"create", "namespaces"},
          {"patch", "namespaces"},
          {"delete", "namespaces"},
          {"create", "rolebindings", "-n", TEAM},
          {"patch", "rolebindings", "-n", TEAM},
          {"delete", "rolebindings", "-n", TEAM},
          {"bind", "clusterroles/slipway-namespace-owner"},
          {"bind", "clusterroles/slipway-namespace-edit"},
          {"bind", "clusterroles/slipway-namespace-view"},
          {"create", "resourcequotas", "-n", TEAM},
          {"patch", "resourcequotas", "-n", TEAM},
          {"delete", "resourcequotas", "-n", TEAM},
          {"create", "events", "-n", TEAM},
          {"create", "events", "-n", "default"},
          // the addons' manifests, in its own namespace only
          {"get", "configmaps", "-n", "slipway-system"},
          {"list", "configmaps", "-n", "slipway-system"},
          {"watch", "configmaps", "-n", "slipway-system"},
          // its claims (VIPs, kubeadm init), in its own namespace only
          {"create", "configmaps", "-n", "slipway-system"},
          {"update", "configmaps", "-n", "slipway-system"},
          {"delete", "configmaps", "-n", "slipway-system"},
          // conversion webhook: its CA Secret, and the TanzuKubernetesCluster CRD's conversion
          {"create", "secrets", "-n", "slipway-system"},
          {"get", "secrets/slipway-webhook-ca", "-n", "slipway-system"},
          {"get", "customresourcedefinitions.apiextensions.k8s.io/" + TKC_CRD},
          {"patch", "customresourcedefinitions.apiextensions.k8s.io/" + TKC_CRD},
          // leader election
          {"get", "leases.coordination.k8s.io", "-n", "slipway-system"},
          {"create", "leases.coordination.k8s.io", "-n", "slipway-system"},
          {"update", "leases.coordination.k8s.io", "-n", "slipway-system"},
          {"patch", "leases.coordination.k8s.io", "-n", "slipway-system"},
        }) {
      if (!may(SA, check)) {
        missing.add(String.join(" ", check));
      }
    }
    assertThat(missing).as("the operator may not").isEmpty();
  }

  static final String TKC_CRD = "tanzukubernetesclusters.run.tanzu.vmware.com";

  @Test
  @Order(6)
  void operatorMayDoNothingElse() {
    List<String> granted = new ArrayList<>();
    for (String[] check :
        new String[][] {
          // workloads and nodes
          {"create", "pods", "-n", TEAM},
          {"list", "pods", "-A"},
          {"create", "pods", "--subresource=exec", "-n", TEAM},
          {"get", "nodes"},
          {"delete", "nodes"},
          {"create", "deployments.apps", "-n", "slipway-system"},
          {"patch", "configmaps", "-n", "slipway-system"},
          {"list", "configmaps", "-n", "default"},
          {"create", "configmaps", "-n", TEAM},
          // users' objects: never deleted, created or replaced by the operator (releases it may
          // create and patch, see above, but never delete)
          {"create", TKC, "-n", TEAM},
          {"delete", TKC, "-n", TEAM},
          {"delete", TKR},
          {"create", VNS},
          {"delete", VNS},
          {"create", VMCLASS},
          {"patch", VMCLASS},
          {"delete", VMCLASS},
          // no Secret outside its own namespace until it bound itself access there (test 7)
          {"list", "secrets", "-A"},
          {"watch", "secrets", "-A"},
          {"get", "secrets", "-n", TEAM},
          {"create", "secrets", "-n", TEAM},
          {"get", "secrets", "-n", "kube-system"},
          {"delete", "secrets", "-n", TEAM},
          {"update", MACHINE, "-n", TEAM},
          {"update", TKC, "-n", TEAM},
          {"update", "secrets", "-n", TEAM},
          {"patch", "secrets", "-n", TEAM},
          {"list", "namespaces"},
          {"list", "rolebindings", "-A"},
          // RBAC: no escalation, no other role, no cluster-wide bindings
          {"update", "clusterroles"},
          {"patch", "clusterroles/slipway-operator"},
          {"escalate", "clusterroles"},
          {"bind", "clusterroles/cluster-admin"},
          {"bind", "clusterroles/admin"},
          {"bind", "clusterroles/edit"},
          {"create", "clusterrolebindings"},
          {"create", "roles", "-n", TEAM},
          {"impersonate", "users"},
          {"create", "serviceaccounts", "--subresource=token", "-n", "slipway-system"},
          // cluster configuration
          {"create", "customresourcedefinitions.apiextensions.k8s.io"},
          {"delete", "customresourcedefinitions.apiextensions.k8s.io"},
          {"list", "customresourcedefinitions.apiextensions.k8s.io"},
          {"update", "customresourcedefinitions.apiextensions.k8s.io/" + TKC_CRD},
          {"delete", "customresourcedefinitions.apiextensions.k8s.io/" + TKC_CRD},
          {"patch", "customresourcedefinitions.apiextensions.k8s.io/machines.cluster.slipway.dev"},
          {"get", "customresourcedefinitions.apiextensions.k8s.io/machines.cluster.slipway.dev"},
          {"create", "validatingadmissionpolicies.admissionregistration.k8s.io"},
          // leases outside its namespace, and deleting its own
          {"create", "leases.coordination.k8s.io", "-n", "default"},
          {"delete", "leases.coordination.k8s.io", "-n", "slipway-system"},
          {"list", "events", "-A"},
        }) {
      if (may(SA, check)) {
        granted.add(String.join(" ", check));
      }
    }
    assertThat(granted).as("the operator may, but must not").isEmpty();
  }

  /** What `can-i` answers, done for real: the calls the VSphereNamespace controller makes. */
  @Test
  @Order(7)
  void operatorAppliesNamespacesAndBindsOnlyTheNamespaceRoles() {
    try (KubernetesClient operator = as(SA)) {
      operator
          .namespaces()
          .resource(slipwayNamespace(TEAM))
          .fieldManager("slipway")
          .forceConflicts()
          .serverSideApply();
      operator
          .rbac()
          .roleBindings()
          .inNamespace(TEAM)
          .resource(operatorSecretsBinding(TEAM))
          .fieldManager("slipway")
          .forceConflicts()
          .serverSideApply();
      for (var grant : Map.of("owner", "alice", "edit", "bob", "view", "carol").entrySet()) {
        operator
            .rbac()
            .roleBindings()
            .inNamespace(TEAM)
            .resource(
                binding(
                    "slipway-" + grant.getKey(),
                    "slipway-namespace-" + grant.getKey(),
                    grant.getValue()))
            .fieldManager("slipway")
            .forceConflicts()
            .serverSideApply();
      }
      assertThatThrownBy(
              () ->
                  operator
                      .rbac()
                      .roleBindings()
                      .inNamespace(TEAM)
                      .resource(binding("sneaky", "cluster-admin", "mallory"))
                      .fieldManager("slipway")
                      .serverSideApply())
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
      operator.leases().inNamespace("slipway-system").resource(leaderLease("pod-1")).create();
      assertThatThrownBy(
              () ->
                  operator
                      .leases()
                      .inNamespace("default")
                      .resource(
                          new LeaseBuilder().withNewMetadata().withName("x").endMetadata().build())
                      .create())
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
    }
    assertThat(admin.rbac().roleBindings().inNamespace(TEAM).list().getItems())
        .extracting(rb -> rb.getMetadata().getName())
        .containsExactlyInAnyOrder(
            "slipway-owner", "slipway-edit", "slipway-view", "slipway-operator-secrets");
    // With its binding, the operator reaches the Secrets of that namespace, and only there.
    List<String> missing = new ArrayList<>();
    for (String verb : List.of("get", "list", "watch", "create")) {
      if (!may(SA, verb, "secrets", "-n", TEAM)) {
        missing.add(verb);
      }
    }
    assertThat(missing).as("the operator may not, in %s", TEAM).isEmpty();
    assertThat(may(SA, "list", "secrets", "-A")).isFalse();
    assertThat(may(SA, "delete", "secrets", "-n", TEAM)).isFalse();
  }

  /**
   * Done for real as the operator: RBAC lets it write RoleBindings and delete Namespaces anywhere,
   * the admission policy slipway-operator-reach only Slipway's. Each attempt is refused with a
   * message saying why.
   */
  @Test
  @Order(12)
  void operatorReachStopsAtWhatSlipwayMade() {
    admin
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName("legacy-apps").endMetadata().build())
        .serverSideApply();
    admin
        .rbac()
        .roleBindings()
        .inNamespace(TEAM)
        .resource(unlabelled(binding("team-own", "view", "erin")))
        .serverSideApply();
    try (KubernetesClient operator = as(SA)) {
      var rbs = operator.rbac().roleBindings();
      Map<String, Runnable> attempts = new java.util.LinkedHashMap<>();
      attempts.put(
          "bind itself Secret access in kube-system",
          () ->
              rbs.inNamespace("kube-system")
                  .resource(operatorSecretsBinding("kube-system"))
                  .fieldManager("slipway")
                  .serverSideApply());
      attempts.put(
          "bind itself Secret access in a namespace Slipway did not make",
          () ->
              rbs.inNamespace("legacy-apps")
                  .resource(operatorSecretsBinding("legacy-apps"))
                  .fieldManager("slipway")
                  .serverSideApply());
      attempts.put(
          "write an unlabelled RoleBinding in a Slipway namespace",
          () ->
              rbs.inNamespace(TEAM)
                  .resource(unlabelled(binding("plain", "slipway-namespace-view", "x")))
                  .fieldManager("slipway")
                  .serverSideApply());
      attempts.put(
          "delete a team's own RoleBinding",
          () -> rbs.inNamespace(TEAM).withName("team-own").delete());
      attempts.put(
          "delete a namespace it did not make",
          () -> operator.namespaces().withName("legacy-apps").delete());
      attempts.put(
          "take a namespace over by labelling it",
          () ->
              operator
                  .namespaces()
                  .resource(slipwayNamespace("legacy-apps"))
                  .fieldManager("slipway")
                  .forceConflicts()
                  .serverSideApply());
      attempts.put(
          "delete its own namespace", () -> operator.namespaces().withName(NS_OPERATOR).delete());
      List<String> allowed = new ArrayList<>();
      for (var attempt : attempts.entrySet()) {
        try {
          attempt.getValue().run();
          allowed.add(attempt.getKey());
        } catch (KubernetesClientException e) {
          assertThat(e.getCode()).as(attempt.getKey()).isEqualTo(403);
          assertThat(e.getMessage())
              .as(attempt.getKey())
              .contains("slipway-operator-reach")
              .containsAnyOf(
                  "was not made by Slipway", "RoleBindings labelled slipway.dev/managed");
        }
      }
      assertThat(allowed).as("the operator could").isEmpty();
      // What it may do, it still can: its own binding in its own namespace, deleting it again.
      rbs.inNamespace(TEAM).withName("slipway-view").delete();
    }
    assertThat(admin.namespaces().withName("legacy-apps").get().getMetadata().getLabels())
        .doesNotContainKey("slipway.dev/vsphere-namespace");
    assertThat(admin.namespaces().withName(NS_OPERATOR).get().getMetadata().getDeletionTimestamp())
        .isNull();
    assertThat(admin.rbac().roleBindings().inNamespace(TEAM).withName("team-own").get())
        .isNotNull();
    assertThat(admin.rbac().roleBindings().inNamespace("kube-system").list().getItems())
        .noneMatch(rb -> rb.getMetadata().getName().equals("slipway-operator-secrets"));
    assertThat(admin.rbac().roleBindings().inNamespace(TEAM).withName("slipway-view").get())
        .isNull();
  }

  /**
   * The leader fence (slipway-leader-fence): a replica's pod-bound token names its pod, and only
   * the replica the Lease names may write; the other is refused at the API server with a message
   * saying who leads. Its Lease writes still pass (the election), and so does everything once the
   * Lease is gone. Dry runs: admission checks them as it checks the real request.
   */
  @Test
  @Order(13)
  void onlyTheReplicaHoldingTheLeaseWrites() {
    var leases = admin.leases().inNamespace(NS_OPERATOR);
    leases.resource(leaderLease("slipway-operator-5d8f-a")).forceConflicts().serverSideApply();
    try (KubernetesClient leader = asReplica("slipway-operator-5d8f-a");
        KubernetesClient other = asReplica("slipway-operator-5d8f-b")) {
      RoleBinding probe = binding("fence-probe", "slipway-namespace-view", "x");
      // the policy reads the Lease from an informer: wait until it has this holder
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThatThrownBy(() -> applyDryRun(other, probe))
                      .isInstanceOfSatisfying(
                          KubernetesClientException.class,
                          e -> {
                            assertThat(e.getCode()).isEqualTo(403);
                            assertThat(e.getMessage())
                                .contains("slipway-leader-fence")
                                .contains(
                                    "fenced: operator replica slipway-operator-5d8f-b does not"
                                        + " hold the leader Lease slipway-system/slipway-operator"
                                        + " (slipway-operator-5d8f-a does)");
                          }));
      assertThatThrownBy(
              () -> other.rbac().roleBindings().inNamespace(TEAM).withName("slipway-edit").delete())
          .as("a delete by the other replica")
          .isInstanceOfSatisfying(
              KubernetesClientException.class,
              e -> assertThat(e.getMessage()).contains("slipway-leader-fence"));
      assertThatThrownBy(
              () ->
                  other
                      .namespaces()
                      .resource(slipwayNamespace(TEAM))
                      .dryRun()
                      .fieldManager("slipway")
                      .forceConflicts()
                      .serverSideApply())
          .as("a cluster-scoped write by the other replica")
          .isInstanceOfSatisfying(
              KubernetesClientException.class,
              e -> assertThat(e.getMessage()).contains("fenced: operator replica"));
      applyDryRun(leader, probe); // the leader writes
      leader
          .namespaces()
          .resource(slipwayNamespace(TEAM))
          .dryRun()
          .fieldManager("slipway")
          .forceConflicts()
          .serverSideApply();
      // the election is not fenced: the other replica may take an expired Lease
      other
          .leases()
          .inNamespace(NS_OPERATOR)
          .withName("slipway-operator")
          .edit(l -> new LeaseBuilder(l).editSpec().withLeaseTransitions(1).endSpec().build());

      leases.withName("slipway-operator").delete();
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(30))
          .untilAsserted(() -> applyDryRun(other, probe));
    }
    assertThat(admin.rbac().roleBindings().inNamespace(TEAM).withName("slipway-edit").get())
        .isNotNull();
    assertThat(admin.rbac().roleBindings().inNamespace(TEAM).withName("fence-probe").get())
        .isNull();
  }

  private static void applyDryRun(KubernetesClient client, RoleBinding rb) {
    client
        .rbac()
        .roleBindings()
        .inNamespace(TEAM)
        .resource(rb)
        .dryRun()
        .fieldManager("slipway")
        .serverSideApply();
  }

  /**
   * The operator's ServiceAccount as one replica: what a pod-bound token adds to the user (the
   * pod's name), made here by impersonation.
   */
  private KubernetesClient asReplica(String pod) {
    // an Impersonate-Extra-<key> header: the '/' of the key escaped, as the API server expects
    return as(SA, Map.of("authentication.kubernetes.io%2Fpod-name", List.of(pod)));
  }

  /** The operator's leader Lease, held by {@code holder}. */
  private static io.fabric8.kubernetes.api.model.coordination.v1.Lease leaderLease(String holder) {
    return new LeaseBuilder()
        .withNewMetadata()
        .withName("slipway-operator")
        .endMetadata()
        .withNewSpec()
        .withHolderIdentity(holder)
        .endSpec()
        .build();
  }

  private static RoleBinding unlabelled(RoleBinding rb) {
    rb.getMetadata().setLabels(null);
    return rb;
  }

  /** A Namespace as the VSphereNamespace controller applies it. */
  private static io.fabric8.kubernetes.api.model.Namespace slipwayNamespace(String name) {
    return new NamespaceBuilder()
        .withNewMetadata()
        .withName(name)
        .addToLabels("slipway.dev/managed", "true")
        .addToLabels("slipway.dev/vsphere-namespace", name)
        .endMetadata()
        .build();
  }

  /**
   * The operator's own Secret access in a namespace, as the VSphereNamespace controller binds it.
   */
  private static RoleBinding operatorSecretsBinding(String namespace) {
    return new RoleBindingBuilder()
        .withNewMetadata()
        .withName("slipway-operator-secrets")
        .withNamespace(namespace)
        .addToLabels("slipway.dev/managed", "true")
        .endMetadata()
        .withNewRoleRef()
        .withApiGroup("rbac.authorization.k8s.io")
        .withKind("ClusterRole")
        .withName("slipway-operator-secrets")
        .endRoleRef()
        .addNewSubject()
        .withKind("ServiceAccount")
        .withNamespace("slipway-system")
        .withName("slipway-operator")
        .endSubject()
        .build();
  }

  @Test
  @Order(8)
  void viewReadsClustersAndMachinesButNoSecrets() {
    String carol = "carol";
    assertThat(may(carol, "get", TKC, "-n", TEAM)).isTrue();
    assertThat(may(carol, "list", TKC, "-n", TEAM)).isTrue();
    assertThat(may(carol, "watch", TKC, "-n", TEAM)).isTrue();
    assertThat(may(carol, "get", MACHINE, "-n", TEAM)).isTrue();
    assertThat(may(carol, "list", MACHINE, "-n", TEAM)).isTrue();
    assertThat(may(carol, "list", "events", "-n", TEAM)).isTrue();
    assertThat(may(carol, "get", "secrets", "-n", TEAM)).isFalse();
    assertThat(may(carol, "get", "secrets/demo-kubeconfig", "-n", TEAM)).isFalse();
    assertThat(may(carol, "create", TKC, "-n", TEAM)).isFalse();
    assertThat(may(carol, "patch", MACHINE, "-n", TEAM)).isFalse();
    assertThat(may(carol, "create", "rolebindings", "-n", TEAM)).isFalse();
    assertThat(may(carol, "get", TKC, "-n", "default")).isFalse();
  }

  @Test
  @Order(9)
  void editManagesClustersAndReadsTheirKubeconfig() {
    String bob = "bob";
    for (String verb : List.of("get", "list", "watch", "create", "update", "patch", "delete")) {
      assertThat(may(bob, verb, TKC, "-n", TEAM)).as(verb).isTrue();
    }
    assertThat(may(bob, "get", "secrets/demo-kubeconfig", "-n", TEAM)).isTrue();
    assertThat(may(bob, "list", MACHINE, "-n", TEAM)).isTrue();
    assertThat(may(bob, "list", "secrets", "-n", TEAM)).isFalse();
    assertThat(may(bob, "create", "secrets", "-n", TEAM)).isFalse();
    assertThat(may(bob, "patch", MACHINE, "-n", TEAM)).isFalse();
    assertThat(may(bob, "delete", MACHINE, "-n", TEAM)).isFalse();
    assertThat(may(bob, "create", "rolebindings", "-n", TEAM)).isFalse();
    assertThat(may(bob, "create", TKC, "-n", "default")).isFalse();
  }

  @Test
  @Order(10)
  void ownerAlsoManagesBindingsAndMachineDeletionOrder() {
    String alice = "alice";
    assertThat(may(alice, "create", TKC, "-n", TEAM)).isTrue();
    assertThat(may(alice, "get", "secrets/demo-kubeconfig", "-n", TEAM)).isTrue();
    assertThat(may(alice, "patch", MACHINE, "-n", TEAM)).isTrue();
    assertThat(may(alice, "create", "rolebindings", "-n", TEAM)).isTrue();
    assertThat(may(alice, "delete", "rolebindings", "-n", TEAM)).isTrue();
    assertThat(may(alice, "bind", "clusterroles/slipway-namespace-view", "-n", TEAM)).isTrue();
    assertThat(may(alice, "bind", "clusterroles/admin", "-n", TEAM)).isFalse();
    assertThat(may(alice, "delete", MACHINE, "-n", TEAM)).isFalse();
    assertThat(may(alice, "create", "secrets", "-n", TEAM)).isFalse();
    assertThat(may(alice, "create", "rolebindings", "-n", "default")).isFalse();

    try (KubernetesClient asAlice = as(alice)) {
      asAlice
          .rbac()
          .roleBindings()
          .inNamespace(TEAM)
          .resource(binding("dave-views", "slipway-namespace-view", "dave"))
          .create();
      assertThatThrownBy(
              () ->
                  asAlice
                      .rbac()
                      .roleBindings()
                      .inNamespace(TEAM)
                      .resource(binding("dave-admin", "cluster-admin", "dave"))
                      .create())
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
    }
    assertThat(may("dave", "get", TKC, "-n", TEAM)).isTrue();
    assertThat(may("dave", "get", "secrets", "-n", TEAM)).isFalse();
  }

  @Test
  @Order(11)
  void noTenantRoleWritesOperatorStateOrReachesAnotherTeam() {
    admin
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName("team-b").endMetadata().build())
        .serverSideApply();
    List<String> granted = new ArrayList<>();
    for (String user : List.of("alice", "bob", "carol")) {
      for (String[] check :
          new String[][] {
            // status is written by the operator alone (conditions, VIPs, phases)
            {"patch", TKC, "--subresource=status", "-n", TEAM},
            {"update", TKC, "--subresource=status", "-n", TEAM},
            {"patch", MACHINE, "--subresource=status", "-n", TEAM},
            {"update", MACHINE, "--subresource=status", "-n", TEAM},
            {"create", MACHINE, "-n", TEAM},
            {"delete", MACHINE, "-n", TEAM},
            // the operator's claims and configuration
            {"get", "configmaps", "-n", "slipway-system"},
            {"create", "configmaps", "-n", "slipway-system"},
            {"get", "secrets", "-n", "slipway-system"},
            {"patch", VNS},
            // another team's namespace: nothing at all
            {"get", TKC, "-n", "team-b"},
            {"list", MACHINE, "-n", "team-b"},
            {"get", "secrets", "-n", "team-b"},
            {"list", "events", "-n", "team-b"},
            {"create", "rolebindings", "-n", "team-b"},
          }) {
        String[] args = new String[check.length];
        System.arraycopy(check, 0, args, 0, check.length);
        if (may(user, args)) {
          granted.add(user + ": " + String.join(" ", check));
        }
      }
    }
    assertThat(granted).as("tenants may not").isEmpty();
  }

  /** A RoleBinding in TEAM as the VSphereNamespace controller applies it (labelled Slipway's). */
  private static RoleBinding binding(String name, String clusterRole, String user) {
    return new RoleBindingBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(TEAM)
        .addToLabels("slipway.dev/managed", "true")
        .endMetadata()
        .withNewRoleRef()
        .withApiGroup("rbac.authorization.k8s.io")
        .withKind("ClusterRole")
        .withName(clusterRole)
        .endRoleRef()
        .addNewSubject()
        .withKind("User")
        .withApiGroup("rbac.authorization.k8s.io")
        .withName(user)
        .endSubject()
        .build();
  }

  /**
   * {@code kubectl auth can-i}, and the same request made for real as that user (RealRequest): the
   * two must agree, so every cell of these matrices is also a request the API server answered.
   */
  private boolean may(String user, String... args) {
    boolean answer = kubectl.canI(user, args);
    cells++;
    RealRequest.allowed(impersonating.computeIfAbsent(user, this::as), args)
        .ifPresent(
            real -> {
              tried++;
              assertThat(real)
                  .as("a real request for 'can-i %s' as %s", String.join(" ", args), user)
                  .isEqualTo(answer);
            });
    return answer;
  }

  /** A client of the control plane's admin that impersonates {@code user}. */
  private KubernetesClient as(String user) {
    return as(user, Map.of());
  }

  /** As {@link #as(String)}, with extra user attributes (a pod-bound token's, say). */
  private KubernetesClient as(String user, Map<String, List<String>> extras) {
    Config config = cp.config();
    config.setImpersonateUsername(user);
    config.setImpersonateExtras(extras);
    config.setRequestRetryBackoffLimit(0);
    return new KubernetesClientBuilder().withConfig(config).build();
  }
}
