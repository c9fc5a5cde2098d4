package dev.slipway.operator.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Secret;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BootstrapTokenTest {

  @Test
  void generatedTokensHaveKubeadmsFormatAndDiffer() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      BootstrapToken t = BootstrapToken.generate();
      assertThat(t.id()).matches("[a-z0-9]{6}");
      assertThat(t.secret()).matches("[a-z0-9]{16}");
      assertThat(t.value()).isEqualTo(t.id() + "." + t.secret());
      seen.add(t.value());
    }
    assertThat(seen).hasSize(200);
  }

  @Test
  void parseIsTheInverseOfValue() {
    BootstrapToken t = BootstrapToken.generate();
    assertThat(BootstrapToken.parse(t.value())).isEqualTo(t);
    assertThatThrownBy(() -> BootstrapToken.parse("abcdef.0123456789ABCDEF"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("0123456789ABCDEF");
    assertThatThrownBy(() -> new BootstrapToken("abc", "0123456789abcdef"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void secretIsWhatKubeadmTokenCreateWrites() {
    BootstrapToken t = new BootstrapToken("abcdef", "0123456789abcdef");
    Instant now = Instant.parse("2030-01-02T03:04:05Z");

    Secret s = t.toSecret(Duration.ofHours(2), now);

    assertThat(s.getMetadata().getName()).isEqualTo("bootstrap-token-abcdef");
    assertThat(s.getMetadata().getNamespace()).isEqualTo("kube-system");
    assertThat(s.getType()).isEqualTo("bootstrap.kubernetes.io/token");
    assertThat(s.getStringData())
        .containsEntry("token-id", "abcdef")
        .containsEntry("token-secret", "0123456789abcdef")
        .containsEntry("expiration", "2030-01-02T05:04:05Z")
        .containsEntry("usage-bootstrap-authentication", "true")
        .containsEntry("usage-bootstrap-signing", "true")
        .containsEntry("auth-extra-groups", "system:bootstrappers:kubeadm:default-node-token")
        .containsKey("description");
    assertThat(Instant.parse(s.getStringData().get("expiration")))
        .isEqualTo(now.plus(Duration.ofHours(2)));
  }

  @Test
  void expirationIsWholeSeconds() {
    Secret s =
        BootstrapToken.generate()
            .toSecret(Duration.ofMinutes(15), Instant.parse("2030-01-02T03:04:05.987Z"));
    assertThat(s.getStringData().get("expiration")).isEqualTo("2030-01-02T03:19:05Z");
  }

  @Test
  void ttlMustBePositiveAndToStringHidesTheSecret() {
    BootstrapToken t = new BootstrapToken("abcdef", "0123456789abcdef");
    assertThatThrownBy(() -> t.toSecret(Duration.ZERO, Instant.now()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(t.toString()).contains("abcdef").doesNotContain("0123456789abcdef");
  }
}
