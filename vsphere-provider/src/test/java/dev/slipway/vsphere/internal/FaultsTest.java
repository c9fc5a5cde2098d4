package dev.slipway.vsphere.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.vsphere.FaultKind;
import dev.slipway.vsphere.VSphereException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class FaultsTest {

  @Test
  void vimFaultTypes() {
    assertThat(Faults.ofVimType("DuplicateName")).isEqualTo(FaultKind.ALREADY_EXISTS);
    assertThat(Faults.ofVimType("DuplicateNameFault")).isEqualTo(FaultKind.ALREADY_EXISTS);
    assertThat(Faults.ofVimType("InvalidLogin")).isEqualTo(FaultKind.NOT_AUTHENTICATED);
    assertThat(Faults.ofVimType("NotAuthenticated")).isEqualTo(FaultKind.NOT_AUTHENTICATED);
    assertThat(Faults.ofVimType("InvalidPowerState")).isEqualTo(FaultKind.INVALID_POWER_STATE);
    assertThat(Faults.ofVimType("InsufficientResourcesFault"))
        .isEqualTo(FaultKind.INSUFFICIENT_RESOURCES);
    assertThat(Faults.ofVimType("InsufficientMemoryResourcesFault"))
        .isEqualTo(FaultKind.INSUFFICIENT_RESOURCES);
    assertThat(Faults.ofVimType("ManagedObjectNotFound")).isEqualTo(FaultKind.NOT_FOUND);
    assertThat(Faults.ofVimType("NotFound")).isEqualTo(FaultKind.NOT_FOUND);
    assertThat(Faults.ofVimType("NoPermission")).isEqualTo(FaultKind.PERMISSION);
    assertThat(Faults.ofVimType("SystemError")).isEqualTo(FaultKind.TRANSIENT);
    assertThat(Faults.ofVimType("QuantumFlux")).isEqualTo(FaultKind.OTHER);
    assertThat(Faults.ofVimType("")).isEqualTo(FaultKind.OTHER);
  }

  @Test
  void vapiErrorTypesOfBothFlavours() {
    assertThat(Faults.ofVapiType("com.vmware.vapi.std.errors.not_found"))
        .isEqualTo(FaultKind.NOT_FOUND);
    assertThat(Faults.ofVapiType("NOT_FOUND")).isEqualTo(FaultKind.NOT_FOUND);
    assertThat(Faults.ofVapiType("com.vmware.vapi.std.errors.already_exists"))
        .isEqualTo(FaultKind.ALREADY_EXISTS);
    assertThat(Faults.ofVapiType("UNAUTHENTICATED")).isEqualTo(FaultKind.NOT_AUTHENTICATED);
    assertThat(Faults.ofVapiType("com.vmware.vapi.std.errors.service_unavailable"))
        .isEqualTo(FaultKind.TRANSIENT);
    assertThat(Faults.ofVapiType("com.vmware.vapi.std.errors.error")).isEqualTo(FaultKind.OTHER);
  }

  @Test
  void transportErrors() {
    VSphereException tls =
        Faults.transport(
            "Login", new IOException(new SSLHandshakeException("PKIX path building failed")));
    assertThat(tls.kind()).isEqualTo(FaultKind.UNTRUSTED_CERTIFICATE);
    assertThat(tls.isRetryable()).isFalse();
    assertThat(Faults.transport("Login", new ConnectException()).kind())
        .isEqualTo(FaultKind.TRANSIENT);
    VSphereException timeout = Faults.transport("Login", new HttpTimeoutException("x"));
    assertThat(timeout.kind()).isEqualTo(FaultKind.TRANSIENT);
    assertThat(timeout.vcenterMessage()).isEqualTo("Login: timed out");
    assertThat(Faults.ofHttpStatus(503)).isEqualTo(FaultKind.TRANSIENT);
    assertThat(Faults.ofHttpStatus(401)).isEqualTo(FaultKind.NOT_AUTHENTICATED);
  }

  @Test
  void redactsSecrets() {
    assertThat(Redact.secret("bad password hunter2 given", "hunter2"))
        .isEqualTo("bad password *** given");
    assertThat(Redact.secret("nothing", "")).isEqualTo("nothing");
  }

  @Test
  void onlyACallNoConnectionWasMadeForIsUnreachable() {
    assertThat(Faults.transport("Login", new ConnectException("refused")).isUnreachable()).isTrue();
    assertThat(
            Faults.transport(
                    "Login", new java.net.http.HttpConnectTimeoutException("connect timed out"))
                .isUnreachable())
        .isTrue();
    // vCenter took the request and did not answer in time: it may be working on it
    assertThat(
            Faults.transport("CloneVM_Task", new HttpTimeoutException("timed out")).isUnreachable())
        .isFalse();
    assertThat(
            Faults.transport("CloneVM_Task", new IOException("connection reset")).isUnreachable())
        .isFalse();
    assertThat(new VSphereException(FaultKind.TRANSIENT, "SystemError", "busy").isUnreachable())
        .isFalse();
  }
}
