package dev.slipway.operator.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generated SSH key pair as OpenSSH's own tool reads it. */
class SshKeyPairIT {

  @TempDir Path tmp;

  @Test
  void sshKeygenDerivesTheSamePublicKeyFromThePrivateKey() throws Exception {
    SshKeyPair kp = SshKeyPair.generate("vmware-system-user@demo");
    Path key = tmp.resolve("id");
    Files.writeString(key, kp.privateKeyPem());
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    Files.writeString(tmp.resolve("id.pub"), kp.authorizedKey() + "\n");

    Exec.Result derived = Exec.run(tmp, "ssh-keygen", "-y", "-f", key.toString());
    Exec.Result fingerprint = Exec.run(tmp, "ssh-keygen", "-l", "-f", "id.pub");

    assertThat(derived.exitCode()).as(derived.describe()).isZero();
    String[] ours = kp.authorizedKey().split(" ");
    assertThat(derived.output().trim()).startsWith(ours[0] + " " + ours[1]);
    assertThat(fingerprint.exitCode()).as(fingerprint.describe()).isZero();
    assertThat(fingerprint.output())
        .contains("256 SHA256:")
        .contains("vmware-system-user@demo")
        .contains("(ED25519)");
  }
}
