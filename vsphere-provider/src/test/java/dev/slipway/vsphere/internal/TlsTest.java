package dev.slipway.vsphere.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.vsphere.Recorded;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;

/** The pinning trust manager on vcsim's recorded certificate. */
class TlsTest {

  static final String PIN = "4C3D58C280EA08A0675379A8D53B7C776A8A40EED1804E1726395BD70723D4D8";

  private static X509Certificate cert() throws Exception {
    return (X509Certificate)
        CertificateFactory.getInstance("X.509")
            .generateCertificate(
                new ByteArrayInputStream(
                    Recorded.read("vcsim-cert.pem").getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  void thumbprintIsSha256OfTheDer() throws Exception {
    assertThat(Tls.thumbprint(cert())).isEqualTo(PIN);
  }

  @Test
  void pinAcceptsOnlyThatCertificate() throws Exception {
    X509Certificate[] chain = {cert()};
    new Tls.PinningTrustManager(PIN).checkServerTrusted(chain, "ECDHE_ECDSA");
    String other = "00" + PIN.substring(2);
    assertThatThrownBy(
            () -> new Tls.PinningTrustManager(other).checkServerTrusted(chain, "ECDHE_ECDSA"))
        .isInstanceOf(CertificateException.class)
        .hasMessageContaining(PIN);
    assertThatThrownBy(
            () -> new Tls.PinningTrustManager(PIN).checkClientTrusted(chain, "ECDHE_ECDSA"))
        .isInstanceOf(CertificateException.class);
  }
}
