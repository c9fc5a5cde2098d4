package dev.slipway.vsphere.rest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.vsphere.FaultKind;
import dev.slipway.vsphere.VSphereException;
import org.junit.jupiter.api.Test;

/** vAPI error bodies of /rest, /api and vcsim, and counter names. */
class RestClientTest {

  @Test
  void restFlavourErrorWithLocalizableMessages() {
    VSphereException e =
        RestClient.error(
            "GET com/vmware/content/library/item/id:x",
            404,
            "{\"type\":\"com.vmware.vapi.std.errors.not_found\",\"value\":{\"messages\":[{\"id\":"
                + "\"com.vmware.vdcs.cls-main.item_not_found\",\"default_message\":\"Item x not"
                + " found.\",\"args\":[\"x\"],\"future\":{\"a\":1}}],\"data\":null}}");
    assertThat(e.kind()).isEqualTo(FaultKind.NOT_FOUND);
    assertThat(e.faultType()).isEqualTo("com.vmware.vapi.std.errors.not_found");
    assertThat(e.vcenterMessage()).contains("Item x not found.");
  }

  @Test
  void vcsimErrorWithStringMessages() {
    VSphereException e =
        RestClient.error(
            "POST com/vmware/cis/tagging/category",
            400,
            "{\"type\":\"com.vmware.vapi.std.errors.already_exists\",\"value\":{\"messages\":"
                + "[\"dup\"]}}");
    assertThat(e.kind()).isEqualTo(FaultKind.ALREADY_EXISTS);
    assertThat(e.vcenterMessage()).endsWith(": dup");
  }

  @Test
  void apiFlavourError() {
    VSphereException e =
        RestClient.error(
            "POST /api/session",
            401,
            "{\"error_type\":\"UNAUTHENTICATED\",\"messages\":[{\"default_message\":\"Authentication"
                + " required.\",\"id\":\"vapi.method.authentication.required\"}]}");
    assertThat(e.kind()).isEqualTo(FaultKind.NOT_AUTHENTICATED);
    assertThat(e.vcenterMessage()).contains("Authentication required.");
  }

  @Test
  void nonJsonErrorsFallBackToTheStatus() {
    assertThat(RestClient.error("GET x", 503, "<html>busy</html>").kind())
        .isEqualTo(FaultKind.TRANSIENT);
    assertThat(RestClient.error("GET x", 404, "").kind()).isEqualTo(FaultKind.NOT_FOUND);
    assertThat(RestClient.error("GET x", 403, null).kind()).isEqualTo(FaultKind.PERMISSION);
  }

  @Test
  void operationNamesHideIds() {
    assertThat(
            RestClient.operationName(
                "/rest/com/vmware/content/library/item/updatesession/file/id:4f2a?~action=add"))
        .isEqualTo("/com/vmware/content/library/item/updatesession/file/{id}?~action=add");
    assertThat(RestClient.operationName("/rest/com/vmware/content/library"))
        .isEqualTo("/com/vmware/content/library");
    assertThat(RestClient.operationName("/rest/com/vmware/cis/data/abc/node.ovf"))
        .isEqualTo("/com/vmware/cis/data/{file}");
  }
}
