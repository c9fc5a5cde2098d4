package dev.slipway.vsphere;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.testenv.Vcsim;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** vim25 faults injected by the simulator come back typed, with vCenter's message. */
class FaultsIT {

  static Vcsim vcsim;
  static VSphereProvider p;

  @BeforeAll
  static void setUp() {
    vcsim = Vcsim.shared();
    p = It.connect(vcsim);
  }

  @AfterAll
  static void tearDown() {
    p.close();
  }

  @AfterEach
  void clear() {
    vcsim.clearFaults();
  }

  @ParameterizedTest
  @CsvSource({
    "NoPermission, PERMISSION, false",
    "InsufficientResources, INSUFFICIENT_RESOURCES, true",
    "ManagedObjectNotFound, NOT_FOUND, false",
    "InvalidArgument, INVALID_ARGUMENT, false",
    "InvalidState, INVALID_STATE, true",
    "ResourceInUse, IN_USE, true",
    "NetworkFailure, TRANSIENT, true",
    "Timeout, TRANSIENT, true",
  })
  void injectedFaultIsTyped(String fault, FaultKind kind, boolean retryable) {
    String message = "injected " + fault + " " + It.unique("m");
    vcsim.addFault("CreateFolder", fault, message, 1);
    assertThatThrownBy(() -> p.ensureFolder("/DC0/vm", It.unique("f")))
        .isInstanceOfSatisfying(
            VSphereException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(kind);
              assertThat(e.isRetryable()).isEqualTo(retryable);
              assertThat(e.getMessage()).contains("CreateFolder").contains(message);
            });
    // The rule fired once; the same call now works.
    assertThat(p.ensureFolder("/DC0/vm", It.unique("f"))).isNotNull();
  }

  @Test
  void faultForANamedObjectLeavesOthersAlone() {
    String a = It.unique("a");
    String b = It.unique("b");
    p.ensureFolder("/DC0/vm", a);
    p.ensureFolder("/DC0/vm", b);
    vcsim.addFault("CreateFolder", a, "InvalidState", "only in " + a, 0);

    assertThat(p.ensureFolder("/DC0/vm/" + b, "child")).isNotNull();
    assertThatThrownBy(() -> p.ensureFolder("/DC0/vm/" + a, "child"))
        .isInstanceOfSatisfying(
            VSphereException.class, e -> assertThat(e.getMessage()).contains("only in " + a));
  }

  @Test
  void unreachableEndpointIsTransient() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    VSphereConfig c =
        It.config(vcsim)
            .url("https://127.0.0.1:" + port)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    assertThatThrownBy(() -> VSphereProvider.connect(c))
        .isInstanceOfSatisfying(
            VSphereException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(FaultKind.TRANSIENT);
              assertThat(e.isRetryable()).isTrue();
            });
  }

  @Test
  void slowCallTimesOutAsTransient() {
    VSphereConfig c = It.config(vcsim).requestTimeout(Duration.ofMillis(300)).build();
    try (VSphereProvider slow = VSphereProvider.connect(c)) {
      vcsim.setDelays(java.util.Map.of("FindByInventoryPath", 2000));
      try {
        assertThatThrownBy(() -> slow.findDatacenter("/DC0"))
            .isInstanceOfSatisfying(
                VSphereException.class, e -> assertThat(e.kind()).isEqualTo(FaultKind.TRANSIENT));
      } finally {
        vcsim.setDelays(java.util.Map.of());
      }
    }
  }
}
