package dev.slipway.operator.app;

import dev.slipway.operator.config.AddonSettings;
import dev.slipway.operator.config.Guardrails;
import dev.slipway.operator.config.Placement;
import dev.slipway.operator.config.VipPool;
import dev.slipway.operator.controller.ReleaseSync;
import dev.slipway.operator.webhook.WebhookSettings;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;

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

  /**
   * A key of the file, declared once: its default ({@code null}: none), whether it is required,
   * what it means (docs/operator.md's table is checked against it) and its parser, which returns
   * the value as the operator uses it or throws {@link IllegalArgumentException} with the rest of
   * the line after "{@code name: }". Its environment variable is {@link #envName}.
   */
  record Key<T>(
      String name,
      String defaultValue,
      boolean required,
      String description,
      Function<String, T> parser) {}

  private static final List<Key<?>> DECLARED = new ArrayList<>();

  private static final Key<URI> VCENTER_URL =
      required(
          "vcenter.url",
          OperatorConfig::url,
          "`https://host[:port]` of vCenter; `/sdk` and the REST API are found from it. No"
              + " credentials in it");
  private static final Key<String> CREDENTIALS_SECRET =
      required(
          "vcenter.credentialsSecret",
          valid(
              OperatorConfig::isDnsSubdomain,
              "is not a valid Secret name (lower-case letters, digits, '-' and '.')"),
          "Secret in `POD_NAMESPACE` with keys `username` and `password`");
  private static final Key<Path> CA_BUNDLE =
      optional(
          "vcenter.caBundle",
          null,
          OperatorConfig::pemFile,
          "PEM file of the CA(s) of vCenter's certificate; the host name is still verified");
  private static final Key<String> THUMBPRINT =
      optional(
          "vcenter.thumbprint",
          null,
          OperatorConfig::sha256,
          "SHA-256 thumbprint of vCenter's certificate (64 hex digits, colons allowed)");
  private static final Key<Boolean> INSECURE =
      optional(
          "vcenter.insecure",
          "false",
          OperatorConfig::bool,
          "`true` trusts any certificate and allows an `http://` URL (labs only; logged as a"
              + " warning at every start). At most one of `caBundle`, `thumbprint`, `insecure`;"
              + " none: the JVM's trust store");
  private static final Key<String> DATACENTER =
      required(
          "placement.datacenter",
          OperatorConfig::inventoryPath,
          "inventory path, e.g. `/Datacenter`");
  private static final Key<String> PARENT_RESOURCE_POOL =
      required(
          "placement.parentResourcePool",
          OperatorConfig::inventoryPath,
          "e.g. `/Datacenter/host/Cluster/Resources`");
  private static final Key<String> PARENT_FOLDER =
      required("placement.parentFolder", OperatorConfig::inventoryPath, "e.g. `/Datacenter/vm`");
  private static final Key<String> TEMPLATES_FOLDER =
      optional(
          "placement.templatesFolder",
          "slipway-templates",
          valid(
              s -> !s.contains("/"),
              "must be a folder name under placement.parentFolder, without '/'"),
          "folder name under `parentFolder` for deployed templates");
  private static final Key<Integer> MHZ_PER_VCPU =
      optional(
          "placement.mhzPerVcpu",
          "2000",
          wholeNumber(1, 1_000_000),
          "MHz per vCPU of a namespace's CPU limit");
  private static final Key<VipPool> VIP_POOL =
      required(
          "vip.pool",
          VipPool::parse,
          "control-plane endpoint addresses: `first-last` ranges, CIDRs, single addresses,"
              + " comma-separated");
  private static final Key<String> DEFAULT_CNI =
      optional(
          "addons.defaultCni",
          "antrea",
          valid(AddonSettings.CNIS::contains, "must be antrea or calico"),
          "the CNI of clusters whose `spec.settings.network.cni` names none (`antrea` or"
              + " `calico`); the addons' manifests are ConfigMaps in `POD_NAMESPACE`"
              + " (docs/install.md)");
  private static final Key<Boolean> ADDONS_MANAGED =
      optional(
          "addons.managed",
          "true",
          OperatorConfig::bool,
          "`false`: Slipway applies no addons and no StorageClasses to workload clusters (you"
              + " install the CNI yourself; nodes are NotReady until you do)");
  private static final Key<Integer> ADDONS_RESYNC =
      optional(
          "addons.resyncSeconds",
          "600",
          wholeNumber(5, 86400),
          "how often each cluster's addons are applied again when nothing changed, in seconds"
              + " (5..86400), so that an addon object changed or deleted in the workload cluster"
              + " comes back (600 is kapp-controller's default sync period for a package; it was"
              + " 300 before docs/performance.md's optimisation 47); a change of the cluster, its release or the addon manifests applies"
              + " at once");
  private static final Key<List<String>> RELEASE_LIBRARIES =
      optional(
          "releases.contentLibraries",
          null,
          OperatorConfig::libraryNames,
          "content libraries (names, comma-separated) whose Kubernetes node images become"
              + " TanzuKubernetesReleases, read before the libraries granted to VSphereNamespaces"
              + " (which are always read)");
  private static final Key<Integer> RELEASE_SYNC_INTERVAL =
      optional(
          "releases.syncIntervalSeconds",
          "60",
          wholeNumber(5, 86400),
          "how often the libraries are read for new node images, in seconds (5..86400); a"
              + " VSphereNamespace change or its `slipway.dev/sync` annotation syncs at once");
  private static final Key<Integer> RECONCILE_THREADS =
      optional(
          "operator.reconcileThreads",
          "10",
          wholeNumber(1, 1000),
          "reconciles running at once (1..1000)");
  private static final Key<Integer> RETRY_BACKOFF_CAP =
      optional(
          "operator.retryBackoffCapSeconds",
          "300",
          wholeNumber(5, 86400),
          "longest wait between retries of a machine after vCenter faults, in seconds (5..86400);"
              + " the wait doubles from 5 s up to it");
  private static final Key<Integer> MAX_WORKERS_PER_POOL =
      optional(
          "guardrails.maxWorkersPerPool",
          String.valueOf(Guardrails.DEFAULT_WORKERS_PER_POOL),
          wholeNumber(1, Guardrails.STATIC_WORKERS_PER_POOL),
          "most workers one node pool may ask for (1..1000); the admission policy"
              + " `slipway-guardrails` holds the same number (the Helm chart sets both)");
  private static final Key<Integer> MAX_MACHINES_PER_CLUSTER =
      optional(
          "guardrails.maxMachinesPerCluster",
          String.valueOf(Guardrails.DEFAULT_MACHINES_PER_CLUSTER),
          wholeNumber(1, 100_000),
          "most machines (control plane and workers) one cluster may ask for; the admission policy"
              + " `slipway-guardrails` holds the same number (the Helm chart sets both)");
  private static final Key<Integer> MAX_MACHINES_PER_NAMESPACE =
      optional(
          "guardrails.maxMachinesPerNamespace",
          String.valueOf(Guardrails.DEFAULT_MACHINES_PER_NAMESPACE),
          wholeNumber(1, 1_000_000),
          "most machines in one vSphere Namespace, whatever its `objectLimits` say (its"
              + " ResourceQuota and the cluster controller hold it)");
  private static final Key<Integer> MAX_IN_FLIGHT_PER_CLUSTER =
      optional(
          "guardrails.maxMachinesInFlightPerCluster",
          String.valueOf(Guardrails.DEFAULT_IN_FLIGHT_PER_CLUSTER),
          wholeNumber(1, 10_000),
          "most machines of one cluster being provisioned at once; more wait for these to finish");
  private static final Key<Boolean> LEADER_ELECTION =
      optional(
          "operator.leaderElection",
          "true",
          OperatorConfig::bool,
          "`false` for a single replica outside a Deployment (development)");
  private static final Key<String> LEASE_NAME =
      optional(
          "operator.leaseName",
          "slipway-operator",
          valid(OperatorConfig::isDnsSubdomain, "is not a valid Lease name"),
          "the Lease in `POD_NAMESPACE`");
  private static final Key<String> LOG_FORMAT =
      optional(
          "log.format",
          "text",
          valid(s -> s.equals("text") || s.equals("json"), "must be text or json"),
          "`text` or `json`");
  private static final Key<Integer> HTTP_PORT =
      optional(
          "http.port",
          "8080",
          wholeNumber(0, 65535),
          "port of `/healthz`, `/readyz`, `/metrics` (0: any free port)");
  private static final Key<Boolean> WEBHOOK_ENABLED =
      optional(
          "webhook.enabled",
          "true",
          OperatorConfig::bool,
          "`false`: this replica serves no conversion webhook (then v1alpha1 requests fail unless"
              + " another replica, or your own setup, serves it; see docs/install.md)");
  private static final Key<String> WEBHOOK_HOST =
      optional(
          "webhook.host",
          "0.0.0.0",
          valid(s -> !s.isBlank() && !s.contains("/"), "must be an address such as 0.0.0.0"),
          "address the conversion webhook (HTTPS, path `/convert`) listens on");
  private static final Key<Integer> WEBHOOK_PORT =
      optional(
          "webhook.port",
          String.valueOf(WebhookSettings.DEFAULT_PORT),
          wholeNumber(0, 65535),
          "port of the conversion webhook; the Service `slipway-webhook` sends port 443 to it");
  private static final Key<String> WEBHOOK_SERVICE =
      optional(
          "webhook.service",
          WebhookSettings.DEFAULT_SERVICE,
          valid(OperatorConfig::isDnsLabel, "is not a valid Service name"),
          "the Service in `POD_NAMESPACE` the CRD's conversion names, and the serving"
              + " certificate's host names");
  private static final Key<URI> WEBHOOK_URL =
      optional(
          "webhook.url",
          null,
          OperatorConfig::webhookUrl,
          "`https://host:port/convert` the API server calls instead of the Service (an API server"
              + " without a route to Services, e.g. a test bed); the host goes into the"
              + " certificate");
  private static final Key<String> WEBHOOK_CA_SECRET =
      optional(
          "webhook.caSecret",
          WebhookSettings.DEFAULT_CA_SECRET,
          valid(OperatorConfig::isDnsSubdomain, "is not a valid Secret name"),
          "Secret in `POD_NAMESPACE` holding the webhook's CA (created when missing; delete it"
              + " to get a new CA)");
  private static final Key<Integer> WEBHOOK_CERT_VALIDITY =
      optional(
          "webhook.certValidityHours",
          "720",
          wholeNumber(1, 8760),
          "validity of the webhook's serving certificate in hours (1..8760); it is renewed when"
              + " a third is left");

  /** Every key, in the order of the documentation. */
  static final List<Key<?>> KEYS = Collections.unmodifiableList(DECLARED);

  private static <T> Key<T> required(String name, Function<String, T> parser, String meaning) {
    return declare(new Key<>(name, null, true, meaning, parser));
  }

  private static <T> Key<T> optional(
      String name, String defaultValue, Function<String, T> parser, String meaning) {
    return declare(new Key<>(name, defaultValue, false, meaning, parser));
  }

  private static <T> Key<T> declare(Key<T> key) {
    DECLARED.add(key);
    return key;
  }

  private final Map<Key<?>, Object> values;
  private final String vipPoolSpec;
  private final Placement placement;
  private final String namespace;
  private final String identity;
  private final String source;

  private OperatorConfig(
      Map<Key<?>, Object> values,
      String vipPoolSpec,
      String namespace,
      String identity,
      String source) {
    this.values = values;
    this.vipPoolSpec = vipPoolSpec;
    this.placement =
        new Placement(
            get(DATACENTER),
            get(PARENT_RESOURCE_POOL),
            get(PARENT_FOLDER),
            get(TEMPLATES_FOLDER),
            get(MHZ_PER_VCPU));
    this.namespace = namespace;
    this.identity = identity;
    this.source = source;
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
    Map<String, String> given = new TreeMap<>();
    String source;
    if (Files.isRegularFile(file)) {
      source = file.toString();
      readFile(file, given, problems);
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
    for (Key<?> key : KEYS) {
      String v = blankToNull(env.get(envName(key.name())));
      if (v != null) {
        given.put(key.name(), v);
      }
    }
    return check(given, env, source, problems);
  }

  private static void readFile(Path file, Map<String, String> given, List<String> problems) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (IOException | IllegalArgumentException e) {
      problems.add(file + ": cannot read: " + e.getMessage());
      return;
    }
    Set<String> unknown = new TreeSet<>();
    for (String name : p.stringPropertyNames()) {
      if (KEYS.stream().anyMatch(k -> k.name().equals(name))) {
        String v = blankToNull(p.getProperty(name));
        if (v != null) {
          given.put(name, v);
        }
      } else {
        unknown.add(name);
      }
    }
    for (String name : unknown) {
      problems.add(name + ": unknown key in " + file + suggestion(name));
    }
  }

  private static String suggestion(String name) {
    return KEYS.stream()
        .filter(k -> k.name().equalsIgnoreCase(name))
        .map(k -> " (did you mean " + k.name() + "?)")
        .findFirst()
        .orElse("");
  }

  private static OperatorConfig check(
      Map<String, String> given, Map<String, String> env, String source, List<String> problems) {
    Map<Key<?>, Object> values = new HashMap<>();
    for (Key<?> key : KEYS) {
      String s = given.getOrDefault(key.name(), key.defaultValue());
      if (s == null) {
        if (key.required()) {
          problems.add(key.name() + ": required (in the file or as " + envName(key.name()) + ")");
        }
        continue;
      }
      try {
        values.put(key, key.parser().apply(s));
      } catch (IllegalArgumentException e) {
        problems.add(key.name() + ": " + e.getMessage());
      }
    }
    int trusts =
        (given.containsKey(CA_BUNDLE.name()) ? 1 : 0)
            + (given.containsKey(THUMBPRINT.name()) ? 1 : 0)
            + (Boolean.TRUE.equals(values.get(INSECURE)) ? 1 : 0);
    if (trusts > 1) {
      problems.add(
          "vcenter.caBundle, vcenter.thumbprint, vcenter.insecure: give at most one of them");
    }
    if (values.get(VCENTER_URL) instanceof URI u
        && "http".equals(u.getScheme())
        && !Boolean.TRUE.equals(values.get(INSECURE))) {
      problems.add(
          "vcenter.url: "
              + u
              + " is plain http, which would send the vCenter password unencrypted; use"
              + " https:// (only in a lab: vcenter.insecure=true allows it)");
    }

    String namespace = blankToNull(env.get("POD_NAMESPACE"));
    if (namespace == null) {
      problems.add(
          "POD_NAMESPACE: not set (the operator's namespace: credentials Secret and leader"
              + " Lease; the Deployment sets it from metadata.namespace)");
    } else if (!namespace.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?")) {
      problems.add("POD_NAMESPACE: \"" + namespace + "\" is not a namespace name");
    }
    String identity =
        Optional.ofNullable(blankToNull(env.get("POD_NAME")))
            .or(() -> Optional.ofNullable(blankToNull(env.get("HOSTNAME"))))
            .orElse(null);

    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new OperatorConfig(values, given.get(VIP_POOL.name()), namespace, identity, source);
  }

  /** A parser that returns the value itself when {@code test} accepts it. */
  private static Function<String, String> valid(Predicate<String> test, String complaint) {
    return s -> {
      if (!test.test(s)) {
        throw new IllegalArgumentException("\"" + s + "\" " + complaint);
      }
      return s;
    };
  }

  private static boolean isDnsLabel(String s) {
    return s.length() <= 63 && s.matches("[a-z]([-a-z0-9]*[a-z0-9])?");
  }

  private static URI webhookUrl(String s) {
    URI u;
    try {
      u = new URI(s.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("is not a URL: " + e.getMessage());
    }
    if (!"https".equals(u.getScheme()) || u.getHost() == null) {
      throw new IllegalArgumentException(
          "must be https://host[:port]/path (the API server calls it)");
    }
    if (u.getUserInfo() != null || u.getQuery() != null || u.getFragment() != null) {
      throw new IllegalArgumentException("must have no user, query or fragment");
    }
    return u;
  }

  private static boolean isDnsSubdomain(String s) {
    return s.length() <= 253
        && s.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  }

  private static URI url(String s) {
    URI u;
    try {
      u = new URI(s);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("\"" + s + "\" is not a URL: " + e.getReason());
    }
    if (!"https".equals(u.getScheme()) && !"http".equals(u.getScheme())) {
      throw new IllegalArgumentException("\"" + s + "\" must start with https://");
    }
    if (u.getHost() == null) {
      throw new IllegalArgumentException("\"" + s + "\" has no host name");
    }
    if (u.getRawUserInfo() != null) {
      // Never echo it: the user part may carry a password.
      throw new IllegalArgumentException(
          "must not contain credentials; put them in the Secret named by"
              + " vcenter.credentialsSecret");
    }
    return u;
  }

  private static Path pemFile(String s) {
    Path p = Path.of(s);
    if (!Files.isRegularFile(p)) {
      throw new IllegalArgumentException(s + ": no such file");
    }
    String pem;
    try {
      pem = Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException(s + ": cannot read: " + e.getMessage());
    }
    if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
      throw new IllegalArgumentException(s + ": no PEM certificate in it");
    }
    return p;
  }

  /** Upper-case hex without separators. */
  private static String sha256(String s) {
    String hex = s.replaceAll("[:\\s-]", "").toUpperCase(Locale.ROOT);
    if (!hex.matches("[0-9A-F]{64}")) {
      throw new IllegalArgumentException(
          "must be the SHA-256 thumbprint of vCenter's certificate (64 hex digits, colons"
              + " allowed)");
    }
    return hex;
  }

  private static String inventoryPath(String s) {
    if (!s.startsWith("/") || s.endsWith("/") || s.contains("//")) {
      throw new IllegalArgumentException(
          "\"" + s + "\" must be an inventory path like /Datacenter/vm (leading '/')");
    }
    return s;
  }

  private static Function<String, Integer> wholeNumber(long min, long max) {
    return s -> {
      long n;
      try {
        n = Long.parseLong(s.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("\"" + s + "\" is not a whole number");
      }
      if (n < min || n > max) {
        throw new IllegalArgumentException(s + " is out of range " + min + ".." + max);
      }
      return (int) n;
    };
  }

  private static List<String> libraryNames(String value) {
    List<String> names = new ArrayList<>();
    for (String n : value.split(",")) {
      if (!n.isBlank()) {
        names.add(n.trim());
      }
    }
    return List.copyOf(names);
  }

  private static Boolean bool(String value) {
    String s = value.trim().toLowerCase(Locale.ROOT);
    if (!s.equals("true") && !s.equals("false")) {
      throw new IllegalArgumentException("\"" + s + "\" must be true or false");
    }
    return s.equals("true");
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  @SuppressWarnings("unchecked") // values maps each key to what its parser returned
  private <T> T get(Key<T> key) {
    return (T) values.get(key);
  }

  public URI vcenterUrl() {
    return get(VCENTER_URL);
  }

  public String credentialsSecret() {
    return get(CREDENTIALS_SECRET);
  }

  public Trust trust() {
    if (get(INSECURE)) {
      return Trust.INSECURE;
    }
    if (thumbprint() != null) {
      return Trust.THUMBPRINT;
    }
    return caBundle() != null ? Trust.CA_BUNDLE : Trust.SYSTEM;
  }

  /** The CA bundle file, when {@link #trust()} is CA_BUNDLE. */
  public Path caBundle() {
    return get(CA_BUNDLE);
  }

  /** Upper-case hex without separators, when {@link #trust()} is THUMBPRINT. */
  public String thumbprint() {
    return get(THUMBPRINT);
  }

  public Placement placement() {
    return placement;
  }

  public VipPool vips() {
    return get(VIP_POOL);
  }

  /** The addons' ConfigMaps live in the operator's namespace. */
  public AddonSettings addons() {
    return new AddonSettings(
        namespace,
        get(DEFAULT_CNI),
        get(ADDONS_MANAGED),
        java.time.Duration.ofSeconds(get(ADDONS_RESYNC)));
  }

  /** The release sync's own libraries (besides the namespaces') and interval. */
  public ReleaseSync.Settings releaseSync() {
    List<String> libraries = get(RELEASE_LIBRARIES);
    return new ReleaseSync.Settings(
        libraries == null ? List.of() : libraries,
        java.time.Duration.ofSeconds(get(RELEASE_SYNC_INTERVAL)));
  }

  public int reconcileThreads() {
    return get(RECONCILE_THREADS);
  }

  public java.time.Duration retryBackoffCap() {
    return java.time.Duration.ofSeconds(get(RETRY_BACKOFF_CAP));
  }

  public Guardrails guardrails() {
    return new Guardrails(
        get(MAX_WORKERS_PER_POOL),
        get(MAX_MACHINES_PER_CLUSTER),
        get(MAX_MACHINES_PER_NAMESPACE),
        get(MAX_IN_FLIGHT_PER_CLUSTER));
  }

  public boolean leaderElection() {
    return get(LEADER_ELECTION);
  }

  public String leaseName() {
    return get(LEASE_NAME);
  }

  public String logFormat() {
    return get(LOG_FORMAT);
  }

  public int httpPort() {
    return get(HTTP_PORT);
  }

  public boolean webhookEnabled() {
    return get(WEBHOOK_ENABLED);
  }

  /** Where the conversion webhook listens, how the API server reaches it, its certificates. */
  public WebhookSettings webhook() {
    return new WebhookSettings(
        namespace,
        get(WEBHOOK_HOST),
        get(WEBHOOK_PORT),
        get(WEBHOOK_SERVICE),
        Optional.ofNullable(get(WEBHOOK_URL)),
        get(WEBHOOK_CA_SECRET),
        java.time.Duration.ofHours(get(WEBHOOK_CERT_VALIDITY)));
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
        + vcenterUrl()
        + ", credentialsSecret="
        + namespace
        + "/"
        + credentialsSecret()
        + ", trust="
        + trust()
        + ", placement="
        + placement
        + ", vip.pool="
        + vipPoolSpec
        + ", addons.defaultCni="
        + get(DEFAULT_CNI)
        + ", reconcileThreads="
        + reconcileThreads()
        + ", leaderElection="
        + (leaderElection() ? leaseName() : "off")
        + ", log.format="
        + logFormat()
        + ", http.port="
        + httpPort()
        + ", webhook="
        + (webhookEnabled()
            ? get(WEBHOOK_HOST)
                + ":"
                + get(WEBHOOK_PORT)
                + " for "
                + (get(WEBHOOK_URL) != null ? get(WEBHOOK_URL) : "Service " + get(WEBHOOK_SERVICE))
            : "off")
        + "]";
  }
}
