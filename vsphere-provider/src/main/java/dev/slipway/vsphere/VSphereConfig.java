package dev.slipway.vsphere;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach one vCenter as one user. {@code url} is {@code https://host[:port]} (a trailing
 * {@code /sdk} is accepted): SOAP goes to {@code /sdk}, REST to {@code /api} or {@code /rest}.
 *
 * <p>TLS is verified by default against the JDK trust store with host-name verification. Instead
 * give either a CA bundle (PEM; the host name is still verified), or the SHA-256 thumbprint of the
 * server certificate (pinned: any certificate with that thumbprint is accepted, no other), or opt
 * into {@code insecure} (nothing verified; logs a warning). The password is never part of {@link
 * #toString()}.
 */
public final class VSphereConfig {

  /** Which vSphere REST flavour to use. */
  public enum RestFlavor {
    /** Try {@code POST /api/session}; on 404 use {@code /rest} for everything. */
    AUTO,
    /** Only {@code /api} (vSphere 7.0U2+); not tested here (vcsim has no /api/session). */
    API,
    /** Only the legacy {@code /rest} API (what vcsim serves). */
    REST
  }

  private final URI baseUrl;
  private final String username;
  private final char[] password;
  private final String caBundlePem;
  private final String thumbprintSha256;
  private final boolean insecure;
  private final Duration connectTimeout;
  private final Duration requestTimeout;
  private final Duration deployTimeout;
  private final RestFlavor restFlavor;
  private final CallObserver callObserver;

  private VSphereConfig(Builder b) {
    Objects.requireNonNull(b.url, "url");
    String s = b.url.toString();
    if (!s.startsWith("https://") && !s.startsWith("http://")) {
      throw new IllegalArgumentException("url must be https://host[:port]: " + s);
    }
    URI u = URI.create(s);
    this.baseUrl = URI.create(u.getScheme() + "://" + u.getRawAuthority() + "/");
    if (u.getRawUserInfo() != null) {
      throw new IllegalArgumentException("put credentials in username/password, not in the url");
    }
    this.username = Objects.requireNonNull(b.username, "username");
    this.password = Objects.requireNonNull(b.password, "password").clone();
    int tlsOptions =
        (b.caBundlePem != null ? 1 : 0) + (b.thumbprint != null ? 1 : 0) + (b.insecure ? 1 : 0);
    if (tlsOptions > 1) {
      throw new IllegalArgumentException(
          "give at most one of caBundlePem, thumbprintSha256 and insecure");
    }
    this.caBundlePem = b.caBundlePem;
    this.thumbprintSha256 = b.thumbprint == null ? null : normalizeThumbprint(b.thumbprint);
    this.insecure = b.insecure;
    this.connectTimeout = b.connectTimeout;
    this.requestTimeout = b.requestTimeout;
    this.deployTimeout = b.deployTimeout;
    this.restFlavor = b.restFlavor;
    this.callObserver = b.callObserver;
  }

  /**
   * Upper-case hex without separators; accepts {@code AB:CD:...}, {@code ab cd ...}, {@code abcd}.
   */
  static String normalizeThumbprint(String t) {
    String hex = t.replaceAll("[:\\s-]", "").toUpperCase(java.util.Locale.ROOT);
    if (!hex.matches("[0-9A-F]{64}")) {
      throw new IllegalArgumentException("thumbprintSha256 must be 32 bytes of hex (SHA-256)");
    }
    return hex;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** {@code https://host:port/}. */
  public URI baseUrl() {
    return baseUrl;
  }

  /** {@code https://host:port/sdk}. */
  public URI sdkUrl() {
    return baseUrl.resolve("/sdk");
  }

  public String username() {
    return username;
  }

  /** A copy of the password; callers should clear it after use. */
  public char[] password() {
    return password.clone();
  }

  public Optional<String> caBundlePem() {
    return Optional.ofNullable(caBundlePem);
  }

  /** The pinned thumbprint as upper-case hex without separators. */
  public Optional<String> thumbprintSha256() {
    return Optional.ofNullable(thumbprintSha256);
  }

  public boolean insecure() {
    return insecure;
  }

  public Duration connectTimeout() {
    return connectTimeout;
  }

  public Duration requestTimeout() {
    return requestTimeout;
  }

  /** How long a provider-run OVF deploy may take before it is reported as failed. */
  public Duration deployTimeout() {
    return deployTimeout;
  }

  /** Told about every completed call ({@link CallObserver#NONE} unless set). */
  public CallObserver callObserver() {
    return callObserver;
  }

  public RestFlavor restFlavor() {
    return restFlavor;
  }

  @Override
  public String toString() {
    String tls =
        insecure
            ? "insecure"
            : thumbprintSha256 != null
                ? "thumbprint=" + thumbprintSha256
                : caBundlePem != null ? "caBundle" : "system-trust";
    return "VSphereConfig[" + baseUrl + ", user=" + username + ", tls=" + tls + "]";
  }

  /** Builds a {@link VSphereConfig}. */
  public static final class Builder {
    private URI url;
    private String username;
    private char[] password;
    private String caBundlePem;
    private String thumbprint;
    private boolean insecure;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration requestTimeout = Duration.ofSeconds(120);
    private Duration deployTimeout = Duration.ofMinutes(30);
    private RestFlavor restFlavor = RestFlavor.AUTO;
    private CallObserver callObserver = CallObserver.NONE;

    private Builder() {}

    public Builder url(URI url) {
      this.url = url;
      return this;
    }

    public Builder url(String url) {
      return url(URI.create(url));
    }

    public Builder username(String username) {
      this.username = username;
      return this;
    }

    public Builder password(char[] password) {
      this.password = password.clone();
      return this;
    }

    public Builder password(String password) {
      this.password = password.toCharArray();
      return this;
    }

    /** One or more PEM certificates: the CAs (or the self-signed certificate) to trust. */
    public Builder caBundlePem(String pem) {
      this.caBundlePem = pem;
      return this;
    }

    public Builder caBundle(Path pemFile) {
      try {
        return caBundlePem(Files.readString(pemFile));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read CA bundle " + pemFile, e);
      }
    }

    /** SHA-256 of the server certificate (DER), hex with or without colons. */
    public Builder thumbprintSha256(String thumbprint) {
      this.thumbprint = thumbprint;
      return this;
    }

    /** Accept any certificate and host name. Logs a warning; never use in production. */
    public Builder insecure(boolean insecure) {
      this.insecure = insecure;
      return this;
    }

    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = Objects.requireNonNull(timeout);
      return this;
    }

    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = Objects.requireNonNull(timeout);
      return this;
    }

    public Builder deployTimeout(Duration timeout) {
      this.deployTimeout = Objects.requireNonNull(timeout);
      return this;
    }

    public Builder restFlavor(RestFlavor flavor) {
      this.restFlavor = Objects.requireNonNull(flavor);
      return this;
    }

    public Builder callObserver(CallObserver observer) {
      this.callObserver = Objects.requireNonNull(observer);
      return this;
    }

    public VSphereConfig build() {
      return new VSphereConfig(this);
    }
  }
}
