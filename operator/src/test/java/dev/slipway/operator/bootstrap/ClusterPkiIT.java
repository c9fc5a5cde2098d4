package dev.slipway.operator.bootstrap;

import static dev.slipway.operator.bootstrap.Specs.PKI;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Config;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The generated PKI as openssl sees it. */
class ClusterPkiIT {

  @TempDir Path tmp;

  static Stream<Arguments> cas() {
    return Stream.of(
        Arguments.of("ca", PKI.ca()),
        Arguments.of("etcd", PKI.etcd()),
        Arguments.of("proxy", PKI.frontProxy()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cas")
  void caCertHashEqualsOpensslsDigestOfThePublicKey(String name, CertKey ck) throws Exception {
    Files.writeString(tmp.resolve("ca.crt"), ck.certPem());

    Exec.Result r =
        Exec.run(
            tmp,
            "bash",
            "-c",
            "set -o pipefail; openssl x509 -pubkey -noout -in ca.crt"
                + " | openssl pkey -pubin -outform der | sha256sum");

    assertThat(r.exitCode()).as(r.describe()).isZero();
    assertThat(ClusterPki.caCertHash(ck.certPem()))
        .isEqualTo("sha256:" + r.output().trim().split("\\s+")[0]);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cas")
  void opensslSeesACaWhoseKeyMatches(String name, CertKey ck) throws Exception {
    Files.writeString(tmp.resolve("ca.crt"), ck.certPem());
    Files.writeString(tmp.resolve("ca.key"), ck.keyPem());

    Exec.Result text = Exec.run(tmp, "openssl", "x509", "-in", "ca.crt", "-noout", "-text");
    Exec.Result certPub = Exec.run(tmp, "openssl", "x509", "-in", "ca.crt", "-noout", "-pubkey");
    Exec.Result keyPub = Exec.run(tmp, "openssl", "pkey", "-in", "ca.key", "-pubout");
    Exec.Result selfVerify = Exec.run(tmp, "openssl", "verify", "-CAfile", "ca.crt", "ca.crt");

    assertThat(text.output()).as(text.describe()).contains("CA:TRUE").contains("Certificate Sign");
    assertThat(keyPub.exitCode()).as(keyPub.describe()).isZero();
    assertThat(keyPub.output()).isEqualTo(certPub.output());
    assertThat(selfVerify.output()).as(selfVerify.describe()).contains("ca.crt: OK");
  }

  @Test
  void opensslVerifiesTheAdminClientCertificateAgainstTheClusterCa() throws Exception {
    Config cfg =
        new KubernetesSerialization()
            .unmarshal(Kubeconfigs.admin("demo", Specs.VIP, 6443, PKI.ca()), Config.class);
    Files.writeString(tmp.resolve("ca.crt"), PKI.ca().certPem());
    Files.write(
        tmp.resolve("admin.crt"),
        Base64.getDecoder().decode(cfg.getUsers().get(0).getUser().getClientCertificateData()));
    Files.writeString(tmp.resolve("other.crt"), PKI.etcd().certPem());

    Exec.Result ok =
        Exec.run(
            tmp, "openssl", "verify", "-purpose", "sslclient", "-CAfile", "ca.crt", "admin.crt");
    Exec.Result wrongCa = Exec.run(tmp, "openssl", "verify", "-CAfile", "other.crt", "admin.crt");
    Exec.Result subject =
        Exec.run(
            tmp,
            "openssl",
            "x509",
            "-in",
            "admin.crt",
            "-noout",
            "-subject",
            "-nameopt",
            "RFC2253");

    assertThat(ok.exitCode()).as(ok.describe()).isZero();
    assertThat(ok.output()).contains("admin.crt: OK");
    assertThat(wrongCa.exitCode()).as(wrongCa.describe()).isNotZero();
    assertThat(subject.output().trim()).isEqualTo("subject=CN=kubernetes-admin,O=system:masters");
  }

  @Test
  void serviceAccountKeysArePairedForOpenssl() throws Exception {
    Files.writeString(tmp.resolve("sa.key"), PKI.serviceAccount().keyPem());
    Exec.Result pub = Exec.run(tmp, "openssl", "pkey", "-in", "sa.key", "-pubout");
    assertThat(pub.exitCode()).as(pub.describe()).isZero();
    assertThat(pub.output()).isEqualTo(PKI.serviceAccount().certPem());
    assertThat(new String(Files.readAllBytes(tmp.resolve("sa.key")), StandardCharsets.UTF_8))
        .startsWith("-----BEGIN RSA PRIVATE KEY-----");
  }
}
