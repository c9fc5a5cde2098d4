package dev.slipway.operator.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.util.OpenSSHPrivateKeyUtil;
import org.bouncycastle.util.io.pem.PemReader;
import org.junit.jupiter.api.Test;

class SshKeyPairTest {

  @Test
  void authorizedKeyIsAnEd25519LineWithTheComment() {
    SshKeyPair kp = SshKeyPair.generate("vmware-system-user@demo");

    assertThat(kp.authorizedKey())
        .matches("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5[A-Za-z0-9+/]+=* vmware-system-user@demo");
    ByteBuffer blob = ByteBuffer.wrap(Base64.getDecoder().decode(kp.authorizedKey().split(" ")[1]));
    byte[] type = new byte[blob.getInt()];
    blob.get(type);
    assertThat(new String(type, StandardCharsets.US_ASCII)).isEqualTo("ssh-ed25519");
    assertThat(blob.getInt()).isEqualTo(32);
    assertThat(blob.remaining()).isEqualTo(32);
  }

  @Test
  void privateKeyIsOpenSshAndBelongsToThePublicKey() throws Exception {
    SshKeyPair kp = SshKeyPair.generate("vmware-system-user@demo");

    assertThat(kp.privateKeyPem())
        .startsWith("-----BEGIN OPENSSH PRIVATE KEY-----\n")
        .endsWith("-----END OPENSSH PRIVATE KEY-----\n");
    byte[] der = new PemReader(new StringReader(kp.privateKeyPem())).readPemObject().getContent();
    AsymmetricKeyParameter priv = OpenSSHPrivateKeyUtil.parsePrivateKeyBlob(der);
    Ed25519PublicKeyParameters pub = ((Ed25519PrivateKeyParameters) priv).generatePublicKey();
    byte[] blob = Base64.getDecoder().decode(kp.authorizedKey().split(" ")[1]);
    byte[] raw = java.util.Arrays.copyOfRange(blob, blob.length - 32, blob.length);
    assertThat(pub.getEncoded()).isEqualTo(raw);
  }

  @Test
  void everyPairIsNew() {
    assertThat(SshKeyPair.generate("a@b").authorizedKey())
        .isNotEqualTo(SshKeyPair.generate("a@b").authorizedKey());
  }

  @Test
  void secretDataHoldsBothHalves() {
    SshKeyPair kp = SshKeyPair.generate("vmware-system-user@demo");
    assertThat(kp.secretData())
        .containsEntry("ssh-privatekey", kp.privateKeyPem())
        .containsEntry("ssh-publickey", kp.authorizedKey())
        .hasSize(2);
  }

  @Test
  void commentMustBeOneLineAndToStringHidesThePrivateKey() {
    assertThatThrownBy(() -> SshKeyPair.generate("a\nssh-rsa evil"))
        .isInstanceOf(IllegalArgumentException.class);
    SshKeyPair kp = SshKeyPair.generate("vmware-system-user@demo");
    assertThat(kp.toString()).contains(kp.authorizedKey()).doesNotContain("PRIVATE KEY-----");
  }
}
