package dev.slipway.vsphere;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.testenv.Vcsim;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS is verified by default; CA bundle, pinned thumbprint and explicit insecure all work. */
class TlsIT {

  static Vcsim vcsim;

  @BeforeAll
  static void setUp() {
    vcsim = Vcsim.shared();
  }

  private static VSphereConfig.Builder base() {
    return VSphereConfig.builder()
        .url(vcsim.baseUrl())
        .username(vcsim.username())
        .password(vcsim.password());
  }

  private static void connectsAndWorks(VSphereConfig config) {
    try (VSphereProvider p = VSphereProvider.connect(config)) {
      assertThat(p.findDatacenter("/DC0")).isPresent();
      assertThat(p.listLibraries()).isNotNull(); // the REST session uses the same TLS setup
      assertThat(p.callCounts()).containsKey("Login");
    }
  }

  private static Consumer<VSphereException> untrusted() {
    return e -> {
      assertThat(e.kind()).isEqualTo(FaultKind.UNTRUSTED_CERTIFICATE);
      assertThat(e.isRetryable()).isFalse();
      assertThat(e.getMessage()).doesNotContain(vcsim.password());
    };
  }

  @Test
  void caBundleIsAccepted() throws Exception {
    connectsAndWorks(base().caBundlePem(Files.readString(vcsim.certFile())).build());
    connectsAndWorks(base().caBundle(vcsim.certFile()).build());
  }

  @Test
  void caBundleStillVerifiesTheHostName() {
    // "localhost" reaches the same listener but is not among the certificate's SANs.
    URI byName = URI.create("https://localhost:" + vcsim.baseUrl().getPort());
    assertThatThrownBy(
            () -> VSphereProvider.connect(base().url(byName).caBundle(vcsim.certFile()).build()))
        .isInstanceOfSatisfying(VSphereException.class, untrusted());
  }

  @Test
  void pinnedThumbprintIsAcceptedInAnySpelling() {
    connectsAndWorks(base().thumbprintSha256(vcsim.thumbprint()).build());
    connectsAndWorks(
        base().thumbprintSha256(vcsim.thumbprint().replace(":", "").toLowerCase()).build());
  }

  @Test
  void wrongThumbprintIsRejected() {
    String wrong = vcsim.thumbprint().startsWith("00") ? "11" : "00";
    wrong += vcsim.thumbprint().substring(2);
    VSphereConfig c = base().thumbprintSha256(wrong).build();
    assertThatThrownBy(() -> VSphereProvider.connect(c))
        .isInstanceOfSatisfying(VSphereException.class, untrusted());
  }

  @Test
  void wrongCaIsRejected(@TempDir Path dir) throws Exception {
    String otherCa = selfSignedPem(dir);
    assertThat(otherCa).isNotEqualTo(Files.readString(vcsim.certFile()));
    VSphereConfig c = base().caBundlePem(otherCa).build();
    assertThatThrownBy(() -> VSphereProvider.connect(c))
        .isInstanceOfSatisfying(VSphereException.class, untrusted());
  }

  @Test
  void defaultTrustStoreRejectsTheSelfSignedCertificate() {
    assertThatThrownBy(() -> VSphereProvider.connect(base().build()))
        .isInstanceOfSatisfying(VSphereException.class, untrusted());
  }

  @Test
  void insecureIsAnExplicitOptIn() {
    connectsAndWorks(base().insecure(true).build());
    assertThat(base().insecure(true).build().toString()).contains("insecure");
  }

  @Test
  void tlsOptionsAreExclusive() {
    assertThatThrownBy(() -> base().insecure(true).thumbprintSha256(vcsim.thumbprint()).build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** A fresh self-signed certificate that is not vcsim's, made with the JDK's keytool. */
  static String selfSignedPem(Path dir) throws Exception {
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    Path ks = dir.resolve("other.p12");
    run(
        dir,
        List.of(
            keytool,
            "-genkeypair",
            "-alias",
            "other",
            "-keyalg",
            "EC",
            "-groupname",
            "secp256r1",
            "-dname",
            "CN=127.0.0.1",
            "-ext",
            "san=ip:127.0.0.1",
            "-validity",
            "2",
            "-keystore",
            ks.toString(),
            "-storetype",
            "PKCS12",
            "-storepass",
            "changeit"));
    return run(
        dir,
        List.of(
            keytool,
            "-exportcert",
            "-rfc",
            "-alias",
            "other",
            "-keystore",
            ks.toString(),
            "-storepass",
            "changeit"));
  }

  private static String run(Path dir, List<String> argv) throws Exception {
    Process proc =
        new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(proc.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(proc.exitValue()).as("%s: %s", argv, out).isZero();
    return out;
  }
}
