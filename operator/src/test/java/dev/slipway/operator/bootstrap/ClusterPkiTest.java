package dev.slipway.operator.bootstrap;

import static dev.slipway.operator.bootstrap.Specs.PKI;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ClusterPkiTest {

  @Test
  void secretDataRoundTripsToAnEqualPki() {
    Map<String, Map<String, String>> data = PKI.secretData();

    assertThat(data.keySet()).containsExactly("ca", "etcd", "proxy", "sa");
    assertThat(ClusterPki.SECRET_SUFFIXES).containsExactlyElementsOf(data.keySet());
    data.values().forEach(d -> assertThat(d).containsOnlyKeys("tls.crt", "tls.key"));
    assertThat(data.get("ca").get("tls.crt")).isEqualTo(PKI.ca().certPem());
    assertThat(data.get("sa").get("tls.key")).isEqualTo(PKI.serviceAccount().keyPem());

    ClusterPki back = ClusterPki.fromSecretData("demo", data);
    assertThat(back).isEqualTo(PKI).hasSameHashCodeAs(PKI);
    assertThat(back.ca()).isEqualTo(PKI.ca());
    assertThat(back.serviceAccount()).isEqualTo(PKI.serviceAccount());
    assertThat(ClusterPki.fromSecretData("other", data)).isNotEqualTo(PKI);
  }

  static Stream<Arguments> cas() {
    return Stream.of(
        Arguments.of("ca", PKI.ca(), "kubernetes"),
        Arguments.of("etcd", PKI.etcd(), "etcd-ca"),
        Arguments.of("proxy", PKI.frontProxy(), "front-proxy-ca"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cas")
  void eachCaIsASelfSignedTenYearRsa2048Ca(String suffix, CertKey ck, String commonName)
      throws Exception {
    X509Certificate cert = ck.cert();

    assertThat(cn(cert)).isEqualTo(commonName);
    assertThat(cert.getBasicConstraints()).as("basicConstraints CA").isGreaterThanOrEqualTo(0);
    assertThat(cert.getKeyUsage()[5]).as("keyCertSign").isTrue();
    assertThat(cert.getSubjectX500Principal()).isEqualTo(cert.getIssuerX500Principal());
    cert.verify(cert.getPublicKey());
    assertThat(((RSAPublicKey) cert.getPublicKey()).getModulus().bitLength()).isEqualTo(2048);
    long days = Duration.between(Instant.now(), cert.getNotAfter().toInstant()).toDays();
    assertThat(days).isBetween(3648L, 3650L);
    assertThat(cert.getNotBefore().toInstant()).isBefore(Instant.now());
    assertThat(ck.keyPem()).startsWith("-----BEGIN RSA PRIVATE KEY-----");
    assertSignsFor(ck.key(), cert.getPublicKey());
  }

  @Test
  void allFourKeyPairsAreDistinct() {
    assertThat(
            Stream.of(PKI.ca(), PKI.etcd(), PKI.frontProxy(), PKI.serviceAccount())
                .map(ck -> ck.publicKey())
                .distinct())
        .hasSize(4);
  }

  @Test
  void serviceAccountIsABarePublicKeyAndItsPrivateKey() throws Exception {
    CertKey sa = PKI.serviceAccount();

    assertThat(sa.certPem()).startsWith("-----BEGIN PUBLIC KEY-----");
    assertThat(sa.keyPem()).startsWith("-----BEGIN RSA PRIVATE KEY-----");
    assertThat(((RSAPublicKey) sa.publicKey()).getModulus().bitLength()).isEqualTo(2048);
    assertSignsFor(sa.key(), sa.publicKey());
    assertThat(Certificates.matches(sa.key(), PKI.ca().publicKey())).isFalse();
  }

  @Test
  void loadingTheSamePkiAgainMakesNoSignatures() {
    Map<String, Map<String, String>> data = PKI.secretData();
    ClusterPki.fromSecretData("demo", data);
    long before = Certificates.signatureChecks();

    ClusterPki again = ClusterPki.fromSecretData("demo", data);

    assertThat(Certificates.signatureChecks()).isEqualTo(before);
    assertThat(again.ca().certPem()).isEqualTo(PKI.ca().certPem());
  }

  @Test
  void aPairThatDoesNotMatchIsCheckedEveryTimeAndNeverRemembered() {
    CertKey sa = PKI.serviceAccount();
    long before = Certificates.signatureChecks();
    assertThat(Certificates.matches(sa.key(), PKI.ca().publicKey())).isFalse();
    assertThat(Certificates.matches(sa.key(), PKI.ca().publicKey())).isFalse();
    assertThat(Certificates.signatureChecks()).isEqualTo(before + 2);
    assertThat(Certificates.matches(sa.key(), sa.publicKey())).isTrue();
  }

  static Stream<Arguments> corruptions() {
    return Stream.of(
        corrupt(
            "garbage instead of PEM",
            d -> d.get("ca").put("tls.crt", "this is not a certificate"),
            "Secret demo-ca: tls.crt is not a PEM certificate"),
        corrupt(
            "PEM armour around bad base64",
            d ->
                d.get("ca")
                    .put(
                        "tls.crt",
                        "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n"),
            "Secret demo-ca: tls.crt is not a PEM certificate"),
        corrupt(
            "a key where the certificate belongs",
            d -> d.get("etcd").put("tls.crt", PKI.etcd().keyPem()),
            "Secret demo-etcd: tls.crt is not a PEM certificate"),
        corrupt(
            "garbage private key",
            d -> d.get("proxy").put("tls.key", "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n"),
            "Secret demo-proxy: tls.key is not a PEM private key"),
        corrupt(
            "another CA's private key",
            d -> d.get("ca").put("tls.key", PKI.etcd().keyPem()),
            "Secret demo-ca: tls.key is not the private key of the certificate in tls.crt"),
        corrupt(
            "a leaf certificate instead of a CA",
            d -> {
              KeyPair kp = Certificates.rsa2048();
              X509Certificate leaf =
                  Certificates.signClient(
                      "leaf", null, kp.getPublic(), PKI.ca(), Instant.now(), Duration.ofDays(30));
              d.get("proxy").put("tls.crt", Pem.certificate(leaf));
              d.get("proxy").put("tls.key", Pem.privateKey(kp.getPrivate()));
            },
            "Secret demo-proxy: tls.crt is not a CA certificate"),
        corrupt(
            "an expired CA",
            d -> {
              KeyPair kp = Certificates.rsa2048();
              Instant elevenYearsAgo = Instant.now().minus(Duration.ofDays(11 * 365));
              X509Certificate old = Certificates.selfSignedCa("kubernetes", kp, elevenYearsAgo);
              d.get("ca").put("tls.crt", Pem.certificate(old));
              d.get("ca").put("tls.key", Pem.privateKey(kp.getPrivate()));
            },
            "Secret demo-ca: tls.crt expired at "),
        corrupt(
            "missing tls.key",
            d -> d.get("etcd").remove("tls.key"),
            "Secret demo-etcd: tls.key is missing"),
        corrupt(
            "empty tls.crt",
            d -> d.get("etcd").put("tls.crt", ""),
            "Secret demo-etcd: tls.crt is missing"),
        corrupt(
            "missing Secret",
            d -> d.remove("sa"),
            "Secret demo-sa: not found (it must hold tls.crt and tls.key)"),
        corrupt(
            "a certificate where the SA public key belongs",
            d -> d.get("sa").put("tls.crt", PKI.ca().certPem()),
            "Secret demo-sa: tls.crt is not a PEM public key"),
        corrupt(
            "an SA private key that is not the public key's",
            d -> d.get("sa").put("tls.key", PKI.ca().keyPem()),
            "Secret demo-sa: tls.key is not the private key of the public key in tls.crt"));
  }

  private static Arguments corrupt(
      String name, Consumer<Map<String, Map<String, String>>> damage, String message) {
    return Arguments.of(name, damage, message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corruptions")
  void corruptedSecretsAreRejectedNamingTheSecretAndTheProblem(
      String name, Consumer<Map<String, Map<String, String>>> damage, String message) {
    Map<String, Map<String, String>> data = mutableCopy(PKI.secretData());
    damage.accept(data);

    assertThatThrownBy(() -> ClusterPki.fromSecretData("demo", data))
        .isInstanceOf(InvalidPkiException.class)
        .hasMessageStartingWith(message)
        .satisfies(
            e -> {
              InvalidPkiException ipe = (InvalidPkiException) e;
              assertThat(ipe.getMessage())
                  .isEqualTo("Secret " + ipe.secretName() + ": " + ipe.problem());
              assertThat(ipe.getMessage()).doesNotContain("MII");
            });
  }

  @Test
  void noSecretsAtAllNamesTheCaSecret() {
    assertThatThrownBy(() -> ClusterPki.fromSecretData("demo", Map.of()))
        .isInstanceOf(InvalidPkiException.class)
        .hasMessageStartingWith("Secret demo-ca: not found");
  }

  @Test
  void pkcs8KeysFromOtherToolsAreAccepted() throws Exception {
    Map<String, Map<String, String>> data = mutableCopy(PKI.secretData());
    String pkcs8 = Pem.encode("PRIVATE KEY", PKI.ca().key().getEncoded());
    data.get("ca").put("tls.key", pkcs8);

    ClusterPki back = ClusterPki.fromSecretData("demo", data);

    assertThat(back.ca().keyPem()).isEqualTo(pkcs8);
    assertSignsFor(back.ca().key(), back.ca().cert().getPublicKey());
  }

  @Test
  void caCertHashIsSha256OfTheSubjectPublicKeyInfo() throws Exception {
    String hash = ClusterPki.caCertHash(PKI.ca().certPem());

    assertThat(hash).matches("sha256:[0-9a-f]{64}");
    // For RSA, the JDK's encoding of the public key is the certificate's SubjectPublicKeyInfo.
    byte[] spki = PKI.ca().cert().getPublicKey().getEncoded();
    String expected =
        "sha256:"
            + java.util.HexFormat.of()
                .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(spki));
    assertThat(hash).isEqualTo(expected);
    assertThat(ClusterPki.caCertHash(PKI.etcd().certPem())).isNotEqualTo(hash);
    assertThatThrownBy(() -> ClusterPki.caCertHash("nope"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a PEM certificate");
  }

  @Test
  void generateIsFreshEachTime() {
    ClusterPki other = ClusterPki.generate("demo");
    assertThat(other).isNotEqualTo(PKI);
    assertThat(other.ca().publicKey()).isNotEqualTo(PKI.ca().publicKey());
    assertThat(other.clusterName()).isEqualTo("demo");
  }

  @Test
  void noPrivateKeyInToString() {
    assertThat(PKI.toString()).contains("demo").doesNotContain("PRIVATE").doesNotContain("MII");
    assertThat(PKI.ca().toString()).doesNotContain("PRIVATE").doesNotContain("MII");
  }

  @Test
  void caNotBeforeIsBackdatedForClockSkew() {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    X509Certificate cert = Certificates.selfSignedCa("x", Certificates.rsa2048(), now);
    assertThat(cert.getNotBefore().toInstant()).isEqualTo(now.minus(Duration.ofMinutes(5)));
    assertThat(cert.getNotAfter().toInstant())
        .isCloseTo(now.plus(Duration.ofDays(3650)), within(1, ChronoUnit.SECONDS));
  }

  static void assertSignsFor(PrivateKey key, PublicKey pub) throws Exception {
    byte[] msg = "slipway".getBytes();
    Signature s = Signature.getInstance("SHA256withRSA");
    s.initSign(key);
    s.update(msg);
    byte[] sig = s.sign();
    Signature v = Signature.getInstance("SHA256withRSA");
    v.initVerify(pub);
    v.update(msg);
    assertThat(v.verify(sig))
        .as("signature by the private key verifies with the public key")
        .isTrue();
  }

  static String cn(X509Certificate cert) {
    X500Name n = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
    return IETFUtils.valueToString(n.getRDNs(BCStyle.CN)[0].getFirst().getValue());
  }

  static Map<String, Map<String, String>> mutableCopy(Map<String, Map<String, String>> in) {
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    in.forEach((k, v) -> out.put(k, new HashMap<>(v)));
    return out;
  }
}
