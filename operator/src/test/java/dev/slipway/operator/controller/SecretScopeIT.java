package dev.slipway.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.testenv.ControlPlane;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
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
}
