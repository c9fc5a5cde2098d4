package dev.slipway.operator.app;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The vCenter user and password from the Secret that {@code vcenter.credentialsSecret} names, read
 * through the Kubernetes API (never mounted, so RBAC decides who may read it). {@link #toString()}
 * never shows the password.
 */
public final class VCenterCredentials {
  private final String username;
  private final char[] password;

  VCenterCredentials(String username, char[] password) {
    this.username = username;
    this.password = password.clone();
  }

  /**
   * Reads {@code namespace/name}.
   *
   * @throws ConfigException naming the Secret and namespace when it is missing, unreadable or lacks
   *     a key
   * @throws KubernetesClientException when the API server cannot be asked at all
   */
  public static VCenterCredentials read(KubernetesClient client, String namespace, String name) {
    String where = "Secret " + name + " in namespace " + namespace;
    Secret secret;
    try {
      secret = client.secrets().inNamespace(namespace).withName(name).get();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 403) {
        throw new ConfigException(
            "vcenter.credentialsSecret: may not read "
                + where
                + " (forbidden: the operator's ServiceAccount needs get on secrets there)");
      }
      throw e;
    }
    if (secret == null) {
      throw new ConfigException(
          "vcenter.credentialsSecret: "
              + where
              + " not found; create it with keys username and password: kubectl -n "
              + namespace
              + " create secret generic "
              + name
              + " --from-literal=username=USER --from-file=password=FILE");
    }
    return from(secret, where);
  }

  /** The credentials in {@code secret}; {@code where} names it in problems. */
  static VCenterCredentials from(Secret secret, String where) {
    List<String> problems = new ArrayList<>();
    String user = text(secret, "username", where, problems);
    char[] password = chars(secret, "password", where, problems);
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    VCenterCredentials c = new VCenterCredentials(user.strip(), password);
    Arrays.fill(password, '\0');
    return c;
  }

  private static String text(Secret s, String key, String where, List<String> problems) {
    char[] c = chars(s, key, where, problems);
    return c == null ? null : new String(c);
  }

  private static char[] chars(Secret s, String key, String where, List<String> problems) {
    byte[] raw = raw(s, key);
    if (raw == null) {
      problems.add("vcenter.credentialsSecret: " + where + " has no key " + key);
      return null;
    }
    try {
      CharBuffer cb = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(raw));
      char[] out = new char[cb.remaining()];
      cb.get(out);
      Arrays.fill(raw, (byte) 0);
      // A password file written by an editor ends with a newline that is not part of it.
      int end = out.length;
      while (end > 0 && (out[end - 1] == '\n' || out[end - 1] == '\r')) {
        end--;
      }
      if (end == 0) {
        problems.add("vcenter.credentialsSecret: " + where + " has an empty " + key);
        return null;
      }
      char[] trimmed = Arrays.copyOf(out, end);
      Arrays.fill(out, '\0');
      return trimmed;
    } catch (CharacterCodingException e) {
      problems.add("vcenter.credentialsSecret: " + where + ": key " + key + " is not UTF-8 text");
      return null;
    }
  }

  private static byte[] raw(Secret s, String key) {
    Map<String, String> data = s.getData();
    if (data != null && data.get(key) != null) {
      return Base64.getDecoder().decode(data.get(key));
    }
    Map<String, String> plain = s.getStringData();
    if (plain != null && plain.get(key) != null) {
      return plain.get(key).getBytes(StandardCharsets.UTF_8);
    }
    return null;
  }

  public String username() {
    return username;
  }

  /** A copy; the caller clears it after use. */
  public char[] password() {
    return password.clone();
  }

  /** Forgets the password. */
  public void clear() {
    Arrays.fill(password, '\0');
  }

  @Override
  public String toString() {
    return "VCenterCredentials[user=" + username + ", password=****]";
  }
}
