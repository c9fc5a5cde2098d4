package dev.slipway.operator.bootstrap;

import static dev.slipway.operator.bootstrap.Specs.PKI;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.fabric8.kubernetes.api.model.Config;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.junit.jupiter.api.Test;

class KubeconfigsTest {

  @Test
  void fabric8ReadsItAsAKubeconfigForTheEndpoint() {
    String yaml = Kubeconfigs.admin("demo", Specs.VIP, 6443, PKI.ca());

    io.fabric8.kubernetes.client.Config client =
        io.fabric8.kubernetes.client.Config.fromKubeconfig(yaml);

    assertThat(client.getMasterUrl()).isEqualTo("https://10.20.30.40:6443/");
    assertThat(client.getCurrentContext().getName()).isEqualTo("demo-admin@demo");
    assertThat(decode(client.getCaCertData())).isEqualTo(PKI.ca().certPem());
    assertThat(client.getClientCertData()).isNotBlank();
    assertThat(client.getClientKeyData()).isNotBlank();
  }

  @Test
  void namesFollowClusterApi() {
    Config cfg =
        new KubernetesSerialization()
            .unmarshal(Kubeconfigs.admin("demo", Specs.VIP, 6443, PKI.ca()), Config.class);

    assertThat(cfg.getKind()).isEqualTo("Config");
    assertThat(cfg.getApiVersion()).isEqualTo("v1");
    assertThat(cfg.getClusters())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.getName()).isEqualTo("demo");
              assertThat(c.getCluster().getServer()).isEqualTo("https://10.20.30.40:6443");
            });
    assertThat(cfg.getUsers())
        .singleElement()
        .satisfies(u -> assertThat(u.getName()).isEqualTo("demo-admin"));
    assertThat(cfg.getContexts())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.getName()).isEqualTo("demo-admin@demo");
              assertThat(c.getContext().getCluster()).isEqualTo("demo");
              assertThat(c.getContext().getUser()).isEqualTo("demo-admin");
            });
    assertThat(cfg.getCurrentContext()).isEqualTo("demo-admin@demo");
  }

  @Test
  void clientCertificateIsAnAdminSignedByTheClusterCa() throws Exception {
    Config cfg =
        new KubernetesSerialization()
            .unmarshal(Kubeconfigs.admin("demo", Specs.VIP, 6443, PKI.ca()), Config.class);
    String certPem = decode(cfg.getUsers().get(0).getUser().getClientCertificateData());
    String keyPem = decode(cfg.getUsers().get(0).getUser().getClientKeyData());
    X509Certificate cert = Pem.parseCertificate(certPem);

    cert.verify(PKI.ca().cert().getPublicKey());
    assertThat(cert.getIssuerX500Principal()).isEqualTo(PKI.ca().cert().getSubjectX500Principal());
    X500Name subject = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
    assertThat(rdn(subject, BCStyle.CN)).isEqualTo("kubernetes-admin");
    assertThat(rdn(subject, BCStyle.O)).isEqualTo("system:masters");
    assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
    assertThat(cert.getBasicConstraints()).isEqualTo(-1);
    assertThat(cert.getNotAfter().toInstant())
        .isCloseTo(Instant.now().plus(Duration.ofDays(365)), within(1, ChronoUnit.HOURS));
    assertThat(Certificates.matches(Pem.parsePrivateKey(keyPem), cert.getPublicKey())).isTrue();
    assertThat(Certificates.matches(Pem.parsePrivateKey(keyPem), PKI.ca().publicKey())).isFalse();
  }

  @Test
  void ipv6EndpointIsBracketed() {
    String yaml = Kubeconfigs.admin("demo", "fd00::40", 443, PKI.ca());
    Config cfg = new KubernetesSerialization().unmarshal(yaml, Config.class);
    assertThat(cfg.getClusters().get(0).getCluster().getServer())
        .isEqualTo("https://[fd00::40]:443");
  }

  @Test
  void clientCertificateNeverOutlivesTheCa() {
    String yaml =
        Kubeconfigs.admin(
            "demo", Specs.VIP, 6443, PKI.ca(), Instant.now(), Duration.ofDays(20 * 365));
    Config cfg = new KubernetesSerialization().unmarshal(yaml, Config.class);
    X509Certificate cert =
        Pem.parseCertificate(decode(cfg.getUsers().get(0).getUser().getClientCertificateData()));
    assertThat(cert.getNotAfter()).isEqualTo(PKI.ca().cert().getNotAfter());
  }

  @Test
  void eachCallIssuesANewKey() {
    Config a =
        new KubernetesSerialization()
            .unmarshal(Kubeconfigs.admin("demo", Specs.VIP, 6443, PKI.ca()), Config.class);
    Config b =
        new KubernetesSerialization()
            .unmarshal(Kubeconfigs.admin("demo", Specs.VIP, 6443, PKI.ca()), Config.class);
    assertThat(a.getUsers().get(0).getUser().getClientKeyData())
        .isNotEqualTo(b.getUsers().get(0).getUser().getClientKeyData());
  }

  private static String rdn(X500Name name, org.bouncycastle.asn1.ASN1ObjectIdentifier type) {
    return IETFUtils.valueToString(name.getRDNs(type)[0].getFirst().getValue());
  }

  private static String decode(String b64) {
    return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
  }
}
