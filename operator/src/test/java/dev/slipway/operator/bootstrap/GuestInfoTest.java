package dev.slipway.operator.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class GuestInfoTest {

  @Test
  void extraConfigCarriesBase64UserdataAndMetadata() {
    String userdata =
        CloudInit.joinWorker(
            Specs.minimal(),
            Specs.workerNode("demo-w-1"),
            Specs.PKI.ca().certPem(),
            BootstrapToken.generate());

    Map<String, String> ec = GuestInfo.extraConfig(userdata, "demo-w-1-uid", "demo-w-1");

    assertThat(ec)
        .containsOnlyKeys(
            "guestinfo.userdata",
            "guestinfo.userdata.encoding",
            "guestinfo.metadata",
            "guestinfo.metadata.encoding")
        .containsEntry("guestinfo.userdata.encoding", "base64")
        .containsEntry("guestinfo.metadata.encoding", "base64");
    assertThat(
            new String(
                Base64.getDecoder().decode(ec.get("guestinfo.userdata")), StandardCharsets.UTF_8))
        .isEqualTo(userdata);
    GuestInfo.Decoded d = GuestInfo.decode(ec);
    assertThat(d.userdata()).isEqualTo(userdata);
    assertThat(d.metadata())
        .containsEntry("instance-id", "demo-w-1-uid")
        .containsEntry("local-hostname", "demo-w-1");
  }

  @Test
  void decodeAcceptsGzipAndRejectsUnknownEncodings() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
      gz.write("#cloud-config\n{}\n".getBytes(StandardCharsets.UTF_8));
    }
    Map<String, String> ec = new HashMap<>(GuestInfo.extraConfig("x", "i", "h"));
    ec.put("guestinfo.userdata", Base64.getEncoder().encodeToString(bytes.toByteArray()));
    ec.put("guestinfo.userdata.encoding", "gzip+base64");
    assertThat(GuestInfo.decode(ec).userdata()).isEqualTo("#cloud-config\n{}\n");

    ec.put("guestinfo.userdata.encoding", "rot13");
    assertThatThrownBy(() -> GuestInfo.decode(ec)).hasMessageContaining("rot13");
    ec.remove("guestinfo.metadata");
    ec.put("guestinfo.userdata.encoding", "base64");
    assertThatThrownBy(() -> GuestInfo.decode(ec))
        .hasMessageContaining("guestinfo.metadata is missing");
  }

  @Test
  void theMetadataTellsCloudInitToClearTheUserDataOnceRead() {
    GuestInfo.Decoded d = GuestInfo.decode(GuestInfo.extraConfig("#cloud-config\n", "i", "h"));
    // cloud-init's VMware datasource: "cleanup-guestinfo" (newer ones also read "redact")
    assertThat(d.metadata()).containsEntry("cleanup-guestinfo", List.of("userdata"));
  }

  @Test
  void userDataIsHeldUntilItIsAbsentEmptyOrClearedByTheGuest() {
    Map<String, String> ec = new HashMap<>(GuestInfo.extraConfig("#cloud-config\n", "i", "h"));
    assertThat(GuestInfo.holdsUserdata(ec)).isTrue();
    ec.put("guestinfo.userdata", "---");
    assertThat(GuestInfo.holdsUserdata(ec)).as("what vmware-rpctool info-set writes").isFalse();
    ec.put("guestinfo.userdata", "--- \n");
    assertThat(GuestInfo.holdsUserdata(ec)).isFalse();
    ec.put("guestinfo.userdata", "");
    assertThat(GuestInfo.holdsUserdata(ec)).isFalse();
    ec.remove("guestinfo.userdata");
    assertThat(GuestInfo.holdsUserdata(ec)).isFalse();
    ec.put("guestinfo.userdata", "LS0t"); // "---" in base64 is still data, not a cleared key
    assertThat(GuestInfo.holdsUserdata(ec)).isTrue();
  }

  @Test
  void theScrubDeletesTheUserDataAndItsEncodingButNotTheMetadata() {
    assertThat(GuestInfo.scrub())
        .containsOnly(
            Map.entry("guestinfo.userdata", ""), Map.entry("guestinfo.userdata.encoding", ""));
  }

  @Test
  void hostnameMustBeADnsName() {
    assertThatThrownBy(() -> GuestInfo.metadata("id", "Bad Name"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
