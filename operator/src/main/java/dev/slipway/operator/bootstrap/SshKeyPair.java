package dev.slipway.operator.bootstrap;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.crypto.util.OpenSSHPrivateKeyUtil;
import org.bouncycastle.crypto.util.OpenSSHPublicKeyUtil;

/**
 * The SSH key pair for {@code vmware-system-user} on a cluster's nodes.
 *
 * @param authorizedKey the public key as an authorized_keys line: {@code ssh-ed25519 AAAA...
 *     <comment>}
 * @param privateKeyPem the private key in OpenSSH format ({@code BEGIN OPENSSH PRIVATE KEY}),
 *     unencrypted; never printed by {@link #toString()}
 */
public record SshKeyPair(String authorizedKey, String privateKeyPem) {

  /**
   * Keys of the {@code <cluster>-ssh} Secret: {@code ssh-privatekey} is the key a {@code
   * kubernetes.io/ssh-auth} Secret requires; the public key rides along for tooling.
   */
  public static final String SECRET_PRIVATE_KEY = "ssh-privatekey";

  public static final String SECRET_PUBLIC_KEY = "ssh-publickey";

  private static final SecureRandom RANDOM = new SecureRandom();

  /** A new Ed25519 key pair; {@code comment} ends the authorized_keys line. */
  public static SshKeyPair generate(String comment) {
    if (comment == null || comment.isBlank() || comment.chars().anyMatch(c -> c < 0x20)) {
      throw new IllegalArgumentException("SSH key comment must be one non-blank line");
    }
    Ed25519KeyPairGenerator g = new Ed25519KeyPairGenerator();
    g.init(new Ed25519KeyGenerationParameters(RANDOM));
    AsymmetricCipherKeyPair kp = g.generateKeyPair();
    try {
      String pub =
          "ssh-ed25519 "
              + Base64.getEncoder()
                  .encodeToString(OpenSSHPublicKeyUtil.encodePublicKey(kp.getPublic()))
              + " "
              + comment;
      String priv =
          Pem.encode(
              "OPENSSH PRIVATE KEY", OpenSSHPrivateKeyUtil.encodePrivateKey(kp.getPrivate()));
      return new SshKeyPair(pub, priv);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot encode an Ed25519 key in OpenSSH format", e);
    }
  }

  /** Data of the {@code <cluster>-ssh} Secret, plain strings (the caller base64-encodes them). */
  public Map<String, String> secretData() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(SECRET_PRIVATE_KEY, privateKeyPem);
    m.put(SECRET_PUBLIC_KEY, authorizedKey);
    return m;
  }

  @Override
  public String toString() {
    return "SshKeyPair[authorizedKey=" + authorizedKey + ", privateKeyPem=<redacted>]";
  }
}
