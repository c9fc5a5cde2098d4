package dev.slipway.vsphere.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.vsphere.FaultKind;
import dev.slipway.vsphere.VSphereException;
import org.junit.jupiter.api.Test;

/** OVF deploy results as vcsim and vCenter write them. */
class RestLibraryTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void succeededDeployYieldsTheVmMoref() throws Exception {
    String v =
        "{\"succeeded\":true,\"resource_id\":{\"type\":\"VirtualMachine\",\"id\":\"vm-81\"},"
            + "\"future\":[1,2]}";
    assertThat(RestLibrary.deployResult(JSON.readTree(v))).isEqualTo("vm-81");
  }

  @Test
  void failedDeployIsTyped() throws Exception {
    String v =
        "{\"succeeded\":false,\"error\":{\"errors\":[{\"category\":\"SERVER\",\"error\":"
            + "{\"@class\":\"com.vmware.vapi.std.errors.error\",\"messages\":[{\"default_message\":"
            + "\"ServerFaultCode: The name 'cp-0' already exists.\"}]}}],\"warnings\":[]}}";
    assertThatThrownBy(() -> RestLibrary.deployResult(JSON.readTree(v)))
        .isInstanceOfSatisfying(
            VSphereException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(FaultKind.ALREADY_EXISTS);
              assertThat(e.vcenterMessage()).contains("'cp-0' already exists");
            });
    assertThatThrownBy(() -> RestLibrary.deployResult(JSON.readTree("{\"succeeded\":false}")))
        .isInstanceOfSatisfying(
            VSphereException.class, e -> assertThat(e.kind()).isEqualTo(FaultKind.OTHER));
  }

  @Test
  void aServerErrorThatNamesNoCauseMayPassAnInputErrorDoesNot() throws Exception {
    // what vcsim answers when vCenter failed under the deploy (here an injected SystemError)
    String server =
        "{\"succeeded\":false,\"error\":{\"errors\":[{\"category\":\"SERVER\",\"error\":"
            + "{\"@class\":\"com.vmware.vapi.std.errors.error\",\"messages\":[{\"default_message\":"
            + "\"ServerFaultCode: network failure\"}]}}],\"warnings\":[]}}";
    assertThatThrownBy(() -> RestLibrary.deployResult(JSON.readTree(server)))
        .isInstanceOfSatisfying(
            VSphereException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(FaultKind.TRANSIENT);
              assertThat(e.vcenterMessage()).contains("network failure");
            });
    String input = server.replace("SERVER", "INPUT");
    assertThatThrownBy(() -> RestLibrary.deployResult(JSON.readTree(input)))
        .isInstanceOfSatisfying(
            VSphereException.class, e -> assertThat(e.kind()).isEqualTo(FaultKind.OTHER));
  }
}
