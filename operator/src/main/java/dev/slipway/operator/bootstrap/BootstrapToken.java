package dev.slipway.operator.bootstrap;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A kubeadm bootstrap token ({@code <id>.<secret>}), with which a joining node finds and trusts the
 * cluster and authenticates its kubelet's first certificate request.
 *
 * @param id six characters of [a-z0-9]; public, it names the token's Secret
 * @param secret sixteen characters of [a-z0-9]; never printed by {@link #toString()}
 */
public record BootstrapToken(String id, String secret) {

  /** Group kubeadm's RBAC lets join and request a kubelet client certificate. */
  public static final String DEFAULT_GROUP = "system:bootstrappers:kubeadm:default-node-token";

  public static final String SECRET_TYPE = "bootstrap.kubernetes.io/token";
  public static final String NAMESPACE = "kube-system";

  private static final Pattern ID = Pattern.compile("[a-z0-9]{6}");
  private static final Pattern SECRET = Pattern.compile("[a-z0-9]{16}");
  private static final Pattern VALUE = Pattern.compile("([a-z0-9]{6})\\.([a-z0-9]{16})");
  private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();

  public BootstrapToken {
    if (id == null || !ID.matcher(id).matches()) {
      throw new IllegalArgumentException("bootstrap token id must be 6 characters of [a-z0-9]");
    }
    if (secret == null || !SECRET.matcher(secret).matches()) {
      throw new IllegalArgumentException(
          "bootstrap token secret must be 16 characters of [a-z0-9]");
    }
  }

  public static BootstrapToken generate() {
    return new BootstrapToken(random(6), random(16));
  }

  /** Parses {@code <id>.<secret>}; the message never repeats the input. */
  public static BootstrapToken parse(String value) {
    var m = value == null ? null : VALUE.matcher(value);
    if (m == null || !m.matches()) {
      throw new IllegalArgumentException("not a bootstrap token ([a-z0-9]{6}.[a-z0-9]{16})");
    }
    return new BootstrapToken(m.group(1), m.group(2));
  }

  private static String random(int n) {
    char[] c = new char[n];
    for (int i = 0; i < n; i++) {
      c[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
    }
    return new String(c);
  }

  /** {@code <id>.<secret>}, the form kubeadm's configuration and command line take. */
  public String value() {
    return id + "." + secret;
  }

  /** {@code bootstrap-token-<id>}, the name the API server looks the token up by. */
  public String secretName() {
    return "bootstrap-token-" + id;
  }

  /**
   * The Secret in the workload cluster's {@code kube-system} that makes this token valid, as {@code
   * kubeadm token create} writes it; it expires (to the second) at {@code now + ttl}, after which
   * the API server's token cleaner deletes it.
   */
  public Secret toSecret(Duration ttl, Instant now) {
    if (ttl == null || ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("bootstrap token TTL must be positive, got " + ttl);
    }
    Instant expiration = now.plus(ttl).truncatedTo(ChronoUnit.SECONDS);
    Map<String, String> data = new LinkedHashMap<>();
    data.put("token-id", id);
    data.put("token-secret", secret);
    data.put("expiration", DateTimeFormatter.ISO_INSTANT.format(expiration));
    data.put("usage-bootstrap-authentication", "true");
    data.put("usage-bootstrap-signing", "true");
    data.put("auth-extra-groups", DEFAULT_GROUP);
    data.put("description", "Bootstrap token created by Slipway for joining nodes");
    return new SecretBuilder()
        .withNewMetadata()
        .withName(secretName())
        .withNamespace(NAMESPACE)
        .endMetadata()
        .withType(SECRET_TYPE)
        .withStringData(data)
        .build();
  }

  @Override
  public String toString() {
    return "BootstrapToken[id=" + id + ", secret=<redacted>]";
  }
}
