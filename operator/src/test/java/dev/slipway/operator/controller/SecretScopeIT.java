package dev.slipway.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.testenv.ControlPlane;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.api.config.BaseConfigurationService;
import io.javaoperatorsdk.operator.api.config.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator's Secret reach against a real API server with RBAC: a namespace joins the scope (and
 * so its informers) only once the operator's own credentials may list its Secrets.
 */
class SecretScopeIT {
  static ControlPlane cp;
  static KubernetesClient admin;

  @BeforeAll
  static void start() {
    cp = ControlPlane.shared();
    admin = cp.client();
  }

  @AfterAll
  static void close() {
    admin.close();
  }

  @Test
  void aNamespaceJoinsOnlyOnceTheOperatorMayListItsSecrets() {
    String operatorNs = cp.createNamespace("operator");
    String team = cp.createNamespace("team");
    String role = "secret-scope-it-" + team;
    admin
        .rbac()
        .clusterRoles()
        .resource(
            new ClusterRoleBuilder()
                .withNewMetadata()
                .withName(role)
                .endMetadata()
                .addNewRule()
                .withApiGroups("")
                .withResources("secrets")
                .withVerbs("get", "list", "watch", "create")
                .endRule()
                .build())
        .create();
    Config config = cp.config();
    config.setImpersonateUsername(
        "system:serviceaccount:" + operatorNs + ":" + SecretScope.SERVICE_ACCOUNT);
    config.setRequestRetryBackoffLimit(0);
    try (KubernetesClient operator = new KubernetesClientBuilder().withConfig(config).build()) {
      SecretScope scope = new SecretScope(operatorNs);
      List<Set<String>> seen = new ArrayList<>();
      scope.follow(seen::add);

      assertThat(scope.grant(operator, team)).as("no RoleBinding yet").isFalse();
      assertThat(scope.namespaces()).containsExactly(operatorNs);

      admin
          .rbac()
          .roleBindings()
          .inNamespace(team)
          .resource(
              new RoleBindingBuilder()
                  .withNewMetadata()
                  .withName(SecretScope.BINDING)
                  .endMetadata()
                  .withNewRoleRef()
                  .withApiGroup("rbac.authorization.k8s.io")
                  .withKind("ClusterRole")
                  .withName(role)
                  .endRoleRef()
                  .addNewSubject()
                  .withKind("ServiceAccount")
                  .withNamespace(operatorNs)
                  .withName(SecretScope.SERVICE_ACCOUNT)
                  .endSubject()
                  .build())
          .create();
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(10))
          .until(() -> scope.grant(operator, team));
      assertThat(scope.namespaces()).containsExactlyInAnyOrder(operatorNs, team);

      scope.revoke(team);
      assertThat(scope.namespaces()).containsExactly(operatorNs);
      assertThat(seen)
          .containsExactly(Set.of(operatorNs), Set.of(operatorNs, team), Set.of(operatorNs));
    }
  }

  @Test
  void aFollowerThatFailsLeavesTheNamespaceOut() {
    String operatorNs = cp.createNamespace("operator");
    String team = cp.createNamespace("team");
    SecretScope scope = new SecretScope(operatorNs);
    List<Set<String>> seen = new ArrayList<>();
    scope.follow(
        namespaces -> {
          seen.add(namespaces);
          if (namespaces.contains(team)) {
            throw new IllegalStateException("informer for " + team + " did not start");
          }
        });
    // The admin may list; the follower (an informer) fails to start: the namespace is taken out
    // again, so the next pass tries anew instead of keeping a dead informer.
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> scope.grant(admin, team))
        .hasMessageContaining("did not start");
    assertThat(scope.namespaces()).containsExactly(operatorNs);
    assertThat(seen.get(seen.size() - 1)).containsExactly(operatorNs);
  }

  @Test
  void aNamespaceThatJoinsLeavesTheOtherNamespacesSecretsInTheCache() {
    String operatorNs = cp.createNamespace("operator");
    String team = cp.createNamespace("team");
    ResourceID first = bootstrapSecret(operatorNs, "first-bootstrap");
    ResourceID second = bootstrapSecret(team, "second-bootstrap");
    SecretScope scope = new SecretScope(operatorNs);
    ControllerConfiguration<Secret> controller =
        new BaseConfigurationService().getConfigurationFor(new NoReconciler());
    InformerEventSource<Secret, Secret> source =
        scope.informer(
            namespaces ->
                InformerEventSourceConfiguration.from(Secret.class, Secret.class)
                    .withNamespaces(namespaces)
                    .withLabelSelector(MachineReconciler.BOOTSTRAP_SECRET_LABEL)
                    .withSecondaryToPrimaryMapper(s -> Set.of())
                    .build(),
            new EventSourceContext<>(null, controller, admin, Secret.class));
    source.setControllerConfiguration(controller);
    source.setEventHandler(event -> {});
    source.start();
    try {
      await().atMost(Duration.ofSeconds(10)).until(() -> source.get(first).isPresent());

      // The team's informer starts and lists the team's Secrets: the operator namespace's stay.
      assertThat(scope.grant(admin, team)).isTrue();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  source.informerHealthIndicators().get(team) != null
                      && source.informerHealthIndicators().get(team).hasSynced());
      assertThat(source.get(second)).as("the team's Secret").isPresent();
      assertThat(source.get(first)).as("the operator namespace's Secret").isPresent();
      assertThat(source.get(second).get().getData()).as("bootstrap data, not cached").isNull();
    } finally {
      source.stop();
    }
  }

  static ResourceID bootstrapSecret(String namespace, String name) {
    admin
        .secrets()
        .inNamespace(namespace)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .addToLabels(MachineReconciler.BOOTSTRAP_SECRET_LABEL, "true")
                .endMetadata()
                .addToStringData("value", "#cloud-config")
                .build())
        .create();
    return new ResourceID(name, namespace);
  }

  /** A controller's configuration is what an event source needs of it. */
  static final class NoReconciler implements Reconciler<Secret> {
    @Override
    public UpdateControl<Secret> reconcile(Secret resource, Context<Secret> context) {
      return UpdateControl.noUpdate();
    }
  }
}
