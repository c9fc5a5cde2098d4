package dev.slipway.vsphere;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.testenv.Vcsim;
import dev.slipway.vsphere.internal.DefaultVSphereProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** SOAP and REST sessions: login, reuse, re-login after loss, logout, counters. */
class SessionIT {

  private static long count(VSphereProvider p, String method) {
    return p.callCounts().getOrDefault(method, 0L);
  }

  @Test
  void soapAndRestSessionsAreCreatedOnceReusedAndLoggedOut() {
    Vcsim vcsim = Vcsim.shared();
    VSphereProvider p = It.connect(vcsim);
    Map<String, Long> atConnect = p.callCounts();
    assertThat(atConnect)
        .containsEntry("GET /sdk/vimServiceVersions.xml", 1L)
        .containsEntry("RetrieveServiceContent", 1L)
        .containsEntry("Login", 1L);
    AboutInfo about = p.about();
    assertThat(about.apiVersion()).matches("\\d+\\.\\d+(\\.\\d+)*");
    assertThat(about.fullName()).contains("vCenter");

    p.listLibraries();
    p.listLibraries();
    // /api/session is tried first; vcsim answers 404, so /rest is used (and remembered).
    assertThat(count(p, "POST /api/session")).isEqualTo(1);
    assertThat(count(p, "POST /rest/com/vmware/cis/session")).isEqualTo(1);
    assertThat(((DefaultVSphereProvider) p).restFlavor()).isEqualTo("rest");
    assertThat(count(p, "GET /com/vmware/content/library")).isEqualTo(2);

    p.findDatacenter("/DC0");
    p.findDatacenter("/DC0");
    assertThat(count(p, "Login")).isEqualTo(1);
    assertThat(count(p, "FindByInventoryPath")).isEqualTo(2);

    p.close();
    assertThat(count(p, "Logout")).isEqualTo(1);
    assertThat(count(p, "DELETE /rest/com/vmware/cis/session")).isEqualTo(1);
    p.close(); // idempotent
    assertThat(count(p, "Logout")).isEqualTo(1);
  }

  @Test
  void wrongPasswordIsNotAuthenticatedAndNeverEchoed() {
    Vcsim vcsim = Vcsim.shared();
    String wrong = "wrong-" + vcsim.password();
    VSphereConfig config = It.config(vcsim).password(wrong.toCharArray()).build();
    assertThat(config.toString()).doesNotContain(wrong);
    assertThatThrownBy(() -> VSphereProvider.connect(config))
        .isInstanceOfSatisfying(
            VSphereException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(FaultKind.NOT_AUTHENTICATED);
              assertThat(e.faultType()).isEqualTo("InvalidLogin");
              assertThat(e.isRetryable()).isFalse();
              assertThat(e.getMessage()).doesNotContain(wrong).doesNotContain(vcsim.password());
            });
  }

  @Test
  void vcenterStoppedAndRestartedMidSessionIsTransientThenReLoggedIn() {
    try (Vcsim own = Vcsim.start();
        VSphereProvider p = It.connect(own)) {
      assertThat(p.findDatacenter("/DC0")).isPresent();
      assertThat(p.listLibraries()).isEmpty();
      assertThat(count(p, "Login")).isEqualTo(1);

      own.stop();
      assertThatThrownBy(() -> p.findDatacenter("/DC0"))
          .isInstanceOfSatisfying(
              VSphereException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(FaultKind.TRANSIENT);
                assertThat(e.isRetryable()).isTrue();
              });

      own.restart(); // same port, new inventory, every session lost
      assertThat(p.findDatacenter("/DC0")).isPresent();
      assertThat(count(p, "Login")).isEqualTo(2);
      assertThat(p.listLibraries()).isEmpty();
      assertThat(count(p, "POST /rest/com/vmware/cis/session")).isEqualTo(2);
      assertThat(p.findDatacenter("/DC0")).isPresent();
      assertThat(count(p, "Login")).isEqualTo(2);
    }
  }

  @Test
  void injectedNotAuthenticatedIsHealedByOneReLogin() {
    Vcsim vcsim = Vcsim.shared();
    try (VSphereProvider p = It.connect(vcsim)) {
      vcsim.addFault("FindByInventoryPath", "NotAuthenticated", "session expired (injected)", 1);
      try {
        assertThat(p.findDatacenter("/DC0")).isPresent();
      } finally {
        vcsim.clearFaults();
      }
      assertThat(count(p, "Login")).isEqualTo(2);
      assertThat(count(p, "FindByInventoryPath")).isEqualTo(2);
    }
  }

  @Test
  void aRotatedPasswordIsUsedAtTheNextLoginAndARejectedOneBrakesLoggingIn() {
    Vcsim vcsim = Vcsim.shared();
    String wrong = "rotated-" + vcsim.password();
    try (VSphereProvider p = It.connect(vcsim)) {
      // The Secret now holds a password vCenter does not know; the session then expires.
      p.updateCredentials(vcsim.username(), wrong.toCharArray());
      vcsim.addFault("FindByInventoryPath", "NotAuthenticated", "session expired (injected)", 1);
      try {
        assertThatThrownBy(() -> p.findDatacenter("/DC0"))
            .isInstanceOfSatisfying(
                VSphereException.class, e -> assertThat(e.faultType()).isEqualTo("InvalidLogin"));
      } finally {
        vcsim.clearFaults();
      }
      assertThat(count(p, "Login")).isEqualTo(2);

      // Every caller meanwhile is told at once, and vCenter sees no more logins.
      for (int i = 0; i < 5; i++) {
        assertThatThrownBy(() -> p.findDatacenter("/DC0"))
            .isInstanceOfSatisfying(
                VSphereException.class,
                e -> {
                  assertThat(e.kind()).isEqualTo(FaultKind.NOT_AUTHENTICATED);
                  assertThat(e.faultType()).isEqualTo("LoginBackedOff");
                  assertThat(e.getMessage())
                      .contains("user " + vcsim.username())
                      .contains("so that the account is not locked")
                      .doesNotContain(wrong);
                });
      }
      assertThat(count(p, "Login")).isEqualTo(2);

      // The right password again (the Secret fixed): the next call logs in at once.
      p.updateCredentials(vcsim.username(), vcsim.password().toCharArray());
      assertThat(p.findDatacenter("/DC0")).isPresent();
      assertThat(count(p, "Login")).isEqualTo(3);
    }
  }

  @Test
  void countersAreThreadSafe() throws Exception {
    Vcsim vcsim = Vcsim.shared();
    try (VSphereProvider p = It.connect(vcsim)) {
      long before = count(p, "FindByInventoryPath");
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<?>> fs = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
          fs.add(pool.submit(() -> assertThat(p.findFolder("/DC0/vm")).isPresent()));
        }
        for (Future<?> f : fs) {
          f.get();
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(count(p, "FindByInventoryPath")).isEqualTo(before + 40);
      assertThat(count(p, "Login")).isEqualTo(1);
    }
  }
}
