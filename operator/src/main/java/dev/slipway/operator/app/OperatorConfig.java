package dev.slipway.operator.app;

import dev.slipway.operator.config.Placement;
import dev.slipway.operator.config.VipPool;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The operator process's settings: {@code slipway.properties} (path from {@code SLIPWAY_CONFIG})
 * overlaid with {@code SLIPWAY_*} environment variables, plus {@code POD_NAMESPACE} and {@code
 * POD_NAME}. {@link #load} checks everything it can without the network and reports every problem
 * at once, one line each. Holds no secret: the vCenter password lives in a Secret read at start-up.
 */
public final class OperatorConfig {

  public static final String CONFIG_ENV = "SLIPWAY_CONFIG";
  public static final String DEFAULT_CONFIG_PATH = "/etc/slipway/slipway.properties";

  /** How vCenter's certificate is trusted. */
  public enum Trust {
    CA_BUNDLE,
    THUMBPRINT,
    INSECURE,
    SYSTEM
  }

  /** Every key, with its default ({@code null}: required, or optional without default). */
  static final Map<String, String> KEYS = keys();

  private static Map<String, String> keys() {
    Map<String, String> k = new LinkedHashMap<>();
    k.put("vcenter.url", null);
    k.put("vcenter.credentialsSecret", null);
    k.put("vcenter.caBundle", null);
    k.put("vcenter.thumbprint", null);
    k.put("vcenter.insecure", "false");
    k.put("placement.datacenter", null);
    k.put("placement.parentResourcePool", null);
    k.put("placement.parentFolder", null);
    k.put("placement.templatesFolder", "slipway-templates");
    k.put("placement.mhzPerVcpu", "2000");
    k.put("vip.pool", null);
    k.put("operator.reconcileThreads", "10");
    k.put("operator.leaderElection", "true");
    k.put("operator.leaseName", "slipway-operator");
    k.put("log.format", "text");
    k.put("http.port", "8080");
    return java.util.Collections.unmodifiableMap(k);
  }

  private static final Set<String> REQUIRED =
      Set.of(
          "vcenter.url",
          "vcenter.credentialsSecret",
          "placement.datacenter",
          "placement.parentResourcePool",
          "placement.parentFolder",
          "vip.pool");

  private static final String DNS_SUBDOMAIN =
      "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";

  private final URI vcenterUrl;
  private final String credentialsSecret;
  private final Trust trust;
  private final Path caBundle;
  private final String thumbprint;
  private final Placement placement;
  private final VipPool vips;
  private final String vipPoolSpec;
  private final int reconcileThreads;
  private final boolean leaderElection;
  private final String leaseName;
  private final String logFormat;
  private final int httpPort;
  private final String namespace;
  private final String identity;
  private final String source;

  private OperatorConfig(Builder b) {
    this.vcenterUrl = b.vcenterUrl;
    this.credentialsSecret = b.credentialsSecret;
    this.trust = b.trust;
    this.caBundle = b.caBundle;
    this.thumbprint = b.thumbprint;
    this.placement = b.placement;
    this.vips = b.vips;
    this.vipPoolSpec = b.vipPoolSpec;
    this.reconcileThreads = b.reconcileThreads;
    this.leaderElection = b.leaderElection;
    this.leaseName = b.leaseName;
    this.logFormat = b.logFormat;
    this.httpPort = b.httpPort;
    this.namespace = b.namespace;
    this.identity = b.identity;
    this.source = b.source;
  }

  /**
   * The environment variable for a key: {@code vcenter.caBundle} → {@code
   * SLIPWAY_VCENTER_CABUNDLE}.
   */
  public static String envName(String key) {
    return "SLIPWAY_" + key.replace('.', '_').toUpperCase(Locale.ROOT);
  }

  /**
   * Reads the file named by {@code SLIPWAY_CONFIG} (or {@value #DEFAULT_CONFIG_PATH}, which may be
   * absent when everything comes from the environment), overlays the environment and checks it.
   *
   * @throws ConfigException with one line per problem
   */
  public static OperatorConfig load(Map<String, String> env) {
    List<String> problems = new ArrayList<>();
    String explicit = blankToNull(env.get(CONFIG_ENV));
    Path file = Path.of(explicit != null ? explicit : DEFAULT_CONFIG_PATH);
    Map<String, String> values = new TreeMap<>();
    String source;
    if (Files.isRegularFile(file)) {
      source = file.toString();
      readFile(file, values, problems);
    } else if (explicit != null) {
      source = "environment";
      problems.add(
          CONFIG_ENV
              + "="
              + explicit
              + ": no such file (unset it to configure by environment only)");
    } else {
      source = "environment";
    }
    for (String key : KEYS.keySet()) {
      String v = blankToNull(env.get(envName(key)));
      if (v != null) {
        values.put(key, v);
      }
    }
    return check(values, env, source, problems);
  }

  private static void readFile(Path file, Map<String, String> values, List<String> problems) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (IOException | IllegalArgumentException e) {
      problems.add(file + ": cannot read: " + e.getMessage());
      return;
    }
    Set<String> unknown = new TreeSet<>();
    for (String key : p.stringPropertyNames()) {
      if (KEYS.containsKey(key)) {
        String v = blankToNull(p.getProperty(key));
        if (v != null) {
          values.put(key, v);
        }
      } else {
        unknown.add(key);
      }
    }
    for (String key : unknown) {
      problems.add(key + ": unknown key in " + file + suggestion(key));
    }
  }

  private static String suggestion(String key) {
    for (String k : KEYS.keySet()) {
      if (k.equalsIgnoreCase(key)) {
        return " (did you mean " + k + "?)";
      }
    }
    return "";
  }

  private static OperatorConfig check(
      Map<String, String> v, Map<String, String> env, String source, List<String> problems) {
    for (String key : KEYS.keySet()) {
      if (REQUIRED.contains(key) && !v.containsKey(key)) {
        problems.add(key + ": required (in the file or as " + envName(key) + ")");
      }
    }
    Builder b = new Builder();
    b.source = source;
    b.vcenterUrl = url(v.get("vcenter.url"), problems);
    String secret = v.get("vcenter.credentialsSecret");
    if (secret != null && !(secret.length() <= 253 && secret.matches(DNS_SUBDOMAIN))) {
      problems.add(
          "vcenter.credentialsSecret: \""
              + secret
              + "\" is not a valid Secret name (lower-case letters, digits, '-' and '.')");
    }
    b.credentialsSecret = secret;
    trust(v, b, problems);

    String datacenter = inventoryPath("placement.datacenter", v, problems);
    String pool = inventoryPath("placement.parentResourcePool", v, problems);
    String folder = inventoryPath("placement.parentFolder", v, problems);
    String templates = valueOrDefault("placement.templatesFolder", v);
    if (templates.contains("/")) {
      problems.add(
          "placement.templatesFolder: \""
              + templates
              + "\" must be a folder name under placement.parentFolder, without '/'");
    }
    Long mhz = integer("placement.mhzPerVcpu", v, 1, 1_000_000, problems);
    if (datacenter != null && pool != null && folder != null && mhz != null) {
      b.placement = new Placement(datacenter, pool, folder, templates, mhz);
    }

    b.vipPoolSpec = v.get("vip.pool");
    if (b.vipPoolSpec != null) {
      try {
        b.vips = VipPool.parse(b.vipPoolSpec);
      } catch (IllegalArgumentException e) {
        problems.add("vip.pool: " + e.getMessage());
      }
    }

    Long threads = integer("operator.reconcileThreads", v, 1, 1000, problems);
    b.reconcileThreads = threads == null ? 0 : threads.intValue();
    Boolean election = bool("operator.leaderElection", v, problems);
    b.leaderElection = election == null || election;
    b.leaseName = valueOrDefault("operator.leaseName", v);
    if (!b.leaseName.matches(DNS_SUBDOMAIN)) {
      problems.add("operator.leaseName: \"" + b.leaseName + "\" is not a valid Lease name");
    }
    b.logFormat = valueOrDefault("log.format", v);
    if (!b.logFormat.equals("text") && !b.logFormat.equals("json")) {
      problems.add("log.format: \"" + b.logFormat + "\" must be text or json");
    }
    Long port = integer("http.port", v, 0, 65535, problems);
    b.httpPort = port == null ? 8080 : port.intValue();

    b.namespace = blankToNull(env.get("POD_NAMESPACE"));
    if (b.namespace == null) {
      problems.add(
          "POD_NAMESPACE: not set (the operator's namespace: credentials Secret and leader"
              + " Lease; the Deployment sets it from metadata.namespace)");
    } else if (!b.namespace.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?")) {
      problems.add("POD_NAMESPACE: \"" + b.namespace + "\" is not a namespace name");
    }
    b.identity =
        Optional.ofNullable(blankToNull(env.get("POD_NAME")))
            .or(() -> Optional.ofNullable(blankToNull(env.get("HOSTNAME"))))
            .orElse(null);

    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new OperatorConfig(b);
  }

  private static URI url(String s, List<String> problems) {
    if (s == null) {
      return null;
    }
    try {
      URI u = new URI(s);
      if (!"https".equals(u.getScheme()) && !"http".equals(u.getScheme())) {
        problems.add("vcenter.url: \"" + s + "\" must start with https://");
        return null;
      }
      if (u.getHost() == null) {
        problems.add("vcenter.url: \"" + s + "\" has no host name");
        return null;
      }
      if (u.getRawUserInfo() != null) {
        // Never echo it: the user part may carry a password.
        problems.add(
            "vcenter.url: must not contain credentials; put them in the Secret named by"
                + " vcenter.credentialsSecret");
        return null;
      }
      return u;
    } catch (URISyntaxException e) {
      problems.add("vcenter.url: \"" + s + "\" is not a URL: " + e.getReason());
      return null;
    }
  }

  private static void trust(Map<String, String> v, Builder b, List<String> problems) {
    String ca = v.get("vcenter.caBundle");
    String thumb = v.get("vcenter.thumbprint");
    Boolean insecure = bool("vcenter.insecure", v, problems);
    int given =
        (ca != null ? 1 : 0) + (thumb != null ? 1 : 0) + (Boolean.TRUE.equals(insecure) ? 1 : 0);
    if (given > 1) {
      problems.add(
          "vcenter.caBundle, vcenter.thumbprint, vcenter.insecure: give at most one of them");
    }
    b.trust = Trust.SYSTEM;
    if (ca != null) {
      Path p = Path.of(ca);
      if (!Files.isRegularFile(p)) {
        problems.add("vcenter.caBundle: " + ca + ": no such file");
      } else {
        try {
          if (!Files.readString(p, StandardCharsets.UTF_8)
              .contains("-----BEGIN CERTIFICATE-----")) {
            problems.add("vcenter.caBundle: " + ca + ": no PEM certificate in it");
          }
        } catch (IOException e) {
          problems.add("vcenter.caBundle: " + ca + ": cannot read: " + e.getMessage());
        }
      }
      b.trust = Trust.CA_BUNDLE;
      b.caBundle = p;
    }
    if (thumb != null) {
      String hex = thumb.replaceAll("[:\\s-]", "").toUpperCase(Locale.ROOT);
      if (!hex.matches("[0-9A-F]{64}")) {
        problems.add(
            "vcenter.thumbprint: must be the SHA-256 thumbprint of vCenter's certificate (64 hex"
                + " digits, colons allowed)");
      }
      b.trust = Trust.THUMBPRINT;
      b.thumbprint = hex;
    }
    if (Boolean.TRUE.equals(insecure)) {
      b.trust = Trust.INSECURE;
    }
  }

  private static String inventoryPath(String key, Map<String, String> v, List<String> problems) {
    String s = v.get(key);
    if (s == null) {
      return null;
    }
    if (!s.startsWith("/") || s.endsWith("/") || s.contains("//")) {
      problems.add(
          key + ": \"" + s + "\" must be an inventory path like /Datacenter/vm (leading '/')");
      return null;
    }
    return s;
  }

  private static Long integer(
      String key, Map<String, String> v, long min, long max, List<String> problems) {
    String s = valueOrDefault(key, v);
    try {
      long n = Long.parseLong(s.trim());
      if (n < min || n > max) {
        problems.add(key + ": " + s + " is out of range " + min + ".." + max);
        return null;
      }
      return n;
    } catch (NumberFormatException e) {
      problems.add(key + ": \"" + s + "\" is not a whole number");
      return null;
    }
  }

  private static Boolean bool(String key, Map<String, String> v, List<String> problems) {
    String s = valueOrDefault(key, v).trim().toLowerCase(Locale.ROOT);
    if (s.equals("true")) {
      return true;
    }
    if (s.equals("false")) {
      return false;
    }
    problems.add(key + ": \"" + s + "\" must be true or false");
    return null;
  }

  private static String valueOrDefault(String key, Map<String, String> v) {
    String s = v.get(key);
    return s != null ? s : KEYS.get(key);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  public URI vcenterUrl() {
    return vcenterUrl;
  }

  public String credentialsSecret() {
    return credentialsSecret;
  }

  public Trust trust() {
    return trust;
  }

  /** The CA bundle file, when {@link #trust()} is CA_BUNDLE. */
  public Path caBundle() {
    return caBundle;
  }

  /** Upper-case hex without separators, when {@link #trust()} is THUMBPRINT. */
  public String thumbprint() {
    return thumbprint;
  }

  public Placement placement() {
    return placement;
  }

  public VipPool vips() {
    return vips;
  }

  public int reconcileThreads() {
    return reconcileThreads;
  }

  public boolean leaderElection() {
    return leaderElection;
  }

  public String leaseName() {
    return leaseName;
  }

  public String logFormat() {
    return logFormat;
  }

  public int httpPort() {
    return httpPort;
  }

  /** {@code POD_NAMESPACE}. */
  public String namespace() {
    return namespace;
  }

  /** {@code POD_NAME}, else {@code HOSTNAME}; empty when neither is set. */
  public Optional<String> identity() {
    return Optional.ofNullable(identity);
  }

  /** The file the settings came from, or "environment". */
  public String source() {
    return source;
  }

  @Override
  public String toString() {
    return "OperatorConfig[from "
        + source
        + ", vcenter="
        + vcenterUrl
        + ", credentialsSecret="
        + namespace
        + "/"
        + credentialsSecret
        + ", trust="
        + trust
        + ", placement="
        + placement
        + ", vip.pool="
        + vipPoolSpec
        + ", reconcileThreads="
        + reconcileThreads
        + ", leaderElection="
        + (leaderElection ? leaseName : "off")
        + ", log.format="
        + logFormat
        + ", http.port="
        + httpPort
        + "]";
  }

  private static final class Builder {
    URI vcenterUrl;
    String credentialsSecret;
    Trust trust;
    Path caBundle;
    String thumbprint;
    Placement placement;
    VipPool vips;
    String vipPoolSpec;
    int reconcileThreads;
    boolean leaderElection;
    String leaseName;
    String logFormat;
    int httpPort;
    String namespace;
    String identity;
    String source;
  }
}
