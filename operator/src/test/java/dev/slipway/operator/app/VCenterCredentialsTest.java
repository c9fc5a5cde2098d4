package dev.slipway.operator.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class VCenterCredentialsTest {
  private static final String WHERE = "Secret creds in namespace slipway-system";

  private static Secret secret(String username, String password) {
    SecretBuilder b = new SecretBuilder().withNewMetadata().withName("creds").endMetadata();
    if (username != null) {
      b.addToData("username", b64(username));
    }
    if (password != null) {
      b.addToData("password", b64(password));
    }
    return b.build();
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void readsUserAndPasswordWithoutTheFilesTrailingNewline() {
    VCenterCredentials c =
        VCenterCredentials.from(secret("svc-slipway@vsphere.local\n", "p@ss wörd\n"), WHERE);

    assertThat(c.username()).isEqualTo("svc-slipway@vsphere.local");
    assertThat(new String(c.password())).isEqualTo("p@ss wörd");
  }

  @Test
  void stringDataCountsToo() {
    Secret s =
        new SecretBuilder()
            .withNewMetadata()
            .withName("creds")
            .endMetadata()
            .addToStringData("username", "u")
            .addToStringData("password", "p")
            .build();

    assertThat(new String(VCenterCredentials.from(s, WHERE).password())).isEqualTo("p");
  }

  @Test
  void missingAndEmptyKeysAreNamedTogether() {
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class, () -> VCenterCredentials.from(secret(null, "\n"), WHERE));

    assertThat(e.problems())
        .containsExactly(
            "vcenter.credentialsSecret: Secret creds in namespace slipway-system has no key"
                + " username",
            "vcenter.credentialsSecret: Secret creds in namespace slipway-system has an empty"
                + " password");
  }

  @Test
  void thePasswordNeverShowsInToString() {
    VCenterCredentials c = VCenterCredentials.from(secret("admin", "Sup3r-S3cret"), WHERE);

    assertThat(c.toString()).isEqualTo("VCenterCredentials[user=admin, password=****]");
    assertThat(c.toString()).doesNotContain("Sup3r-S3cret");
  }

  @Test
  void clearForgetsThePassword() {
    VCenterCredentials c = VCenterCredentials.from(secret("admin", "Sup3r-S3cret"), WHERE);

    c.clear();

    assertThat(c.password()).containsOnly('\0');
  }
}
