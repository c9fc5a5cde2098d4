package dev.slipway.vsphere;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class VSphereConfigTest {

  private static VSphereConfig.Builder base() {
    return VSphereConfig.builder()
        .url("https://vc.example.com/sdk")
        .username("administrator@vsphere.local")
        .password("s3cr3t-Pa55");
  }

  @Test
  void urlsAreDerivedFromTheBase() {
    VSphereConfig c = base().build();
    assertThat(c.baseUrl()).hasToString("https://vc.example.com/");
    assertThat(c.sdkUrl()).hasToString("https://vc.example.com/sdk");
    assertThat(
            VSphereConfig.builder()
                .url("https://10.0.0.5:8989")
                .username("u")
                .password("p")
                .build()
                .sdkUrl())
        .hasToString("https://10.0.0.5:8989/sdk");
  }

  @Test
  void passwordIsNeverInToString() {
    VSphereConfig c = base().build();
    assertThat(c.toString()).doesNotContain("s3cr3t").contains("administrator@vsphere.local");
    assertThat(new String(c.password())).isEqualTo("s3cr3t-Pa55");
  }

  @Test
  void thumbprintIsNormalised() {
    String colon =
        "4c:3d:58:c2:80:ea:08:a0:67:53:79:a8:d5:3b:7c:77:6a:8a:40:ee:d1:80:4e:17:26:39:5b:d7:07"
            + ":23:d4:d8";
    assertThat(base().thumbprintSha256(colon).build().thumbprintSha256())
        .contains("4C3D58C280EA08A0675379A8D53B7C776A8A40EED1804E1726395BD70723D4D8");
    assertThatThrownBy(() -> base().thumbprintSha256("AB:CD").build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void invalidConfigurationsAreRejected() {
    assertThatThrownBy(() -> base().insecure(true).caBundlePem("x").build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> base().url("vc.example.com").build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> base().url("https://u:p@vc.example.com").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("u:p");
  }

  @Test
  void valueTypesValidate() {
    assertThatThrownBy(() -> new PoolLimits(-2, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThat(PoolLimits.unlimited()).isEqualTo(new PoolLimits(-1, -1));
    assertThat(new TaskRef("local:x").isLocal()).isTrue();
    assertThat(new TaskRef("task-1").isLocal()).isFalse();
    assertThat(VmConfigSpec.builder().build().isEmpty()).isTrue();
    assertThatThrownBy(() -> VmConfigSpec.builder().addDiskMiB(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(FaultKind.TRANSIENT.isRetryable()).isTrue();
    assertThat(FaultKind.NOT_AUTHENTICATED.isRetryable()).isFalse();
  }
}
