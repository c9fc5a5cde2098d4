package dev.slipway.operator.controller;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a content-library item's name tells about the Kubernetes node image it carries. TKG node
 * images are named like {@code ob-24321-photon-5-amd64-v1.37.2---vmware.1-tkg.1} or {@code
 * ob-18186591-ubuntu-2004-kube-v1.20.7---vmware.1-tkg.1.7fb9067}: an optional build id, the OS name
 * and version, an optional architecture and {@code kube}/{@code k8s} marker, then the release
 * version with its {@code +} written as {@code ---}. Names of any other shape are not node images.
 *
 * <p>The name is the source because it is what every vCenter (and vcsim) shows: vcsim's OVF {@code
 * filter} answers only the item name, not the OVF product properties.
 */
public final class NodeImages {
  private NodeImages() {}

  /** A node image: the release it makes and the OS it runs. */
  public record NodeImage(
      String version, String kubernetesVersion, String osName, String osVersion, String osArch) {

    /** The release's name: its version with {@code +} written {@code ---}. */
    public String releaseName() {
      return label(version);
    }
  }

  private static final Pattern NAME =
      Pattern.compile(
          "^(?:ob-\\d+-)?(?:tkgs-ova-)?(?<os>photon|ubuntu|rhel|centos|windows)-(?<osver>\\d+(?:\\.\\d+)?)"
              + "(?:-(?<arch>amd64|arm64))?(?:-(?:kube|k8s))?"
              + "-(?<version>v\\d{1,4}\\.\\d{1,4}\\.\\d{1,4})---(?<build>[0-9A-Za-z]+(?:[.-][0-9A-Za-z]+)*)$");

  /** The node image an item name describes, or empty if the name is not a node image's. */
  public static Optional<NodeImage> parse(String itemName) {
    Matcher m = NAME.matcher(itemName == null ? "" : itemName.toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      return Optional.empty();
    }
    String build = m.group("build");
    String version = m.group("version") + "+" + build;
    // The Kubernetes version keeps the first build component (v1.37.2+vmware.1), as TKG's do.
    int tkg = build.indexOf('-');
    String kubernetes = m.group("version") + "+" + (tkg < 0 ? build : build.substring(0, tkg));
    String os = m.group("os");
    return Optional.of(
        new NodeImage(
            version,
            kubernetes,
            os,
            osVersion(os, m.group("osver")),
            m.group("arch") == null ? "amd64" : m.group("arch")));
  }

  /** Ubuntu writes its version 2204 in image names and 22.04 everywhere else. */
  private static String osVersion(String os, String v) {
    if (os.equals("ubuntu") && v.matches("\\d{4}")) {
      return v.substring(0, 2) + "." + v.substring(2);
    }
    return v;
  }

  /** A version in label form: {@code +} written {@code ---}. */
  public static String label(String version) {
    return version.replace("+", "---");
  }

  /**
   * Every version prefix of a version, in label form, as TKG labels releases: {@code
   * v1.37.2+vmware.1-tkg.1} gives {@code v1.37.2---vmware.1-tkg.1}, {@code v1.37.2---vmware.1-tkg},
   * {@code v1.37.2---vmware.1}, {@code v1.37.2---vmware}, {@code v1.37.2}, {@code v1.37}, {@code
   * v1}. A prefix ends where a run of letters and digits ends.
   */
  public static Set<String> prefixes(String version) {
    Set<String> out = new LinkedHashSet<>();
    String v = label(version);
    while (!v.isEmpty()) {
      out.add(v);
      int end = v.length();
      while (end > 0 && Character.isLetterOrDigit(v.charAt(end - 1))) {
        end--;
      }
      while (end > 0 && !Character.isLetterOrDigit(v.charAt(end - 1))) {
        end--;
      }
      v = v.substring(0, end);
    }
    return out;
  }

  /**
   * Whether {@code hint} (e.g. {@code v1.37} or {@code v1.37.2}) is a version prefix of {@code
   * version}: {@code v1.37} matches {@code v1.37.2+vmware.1-tkg.1}, {@code v1.3} does not.
   */
  public static boolean matches(String hint, String version) {
    return hint != null && version != null && prefixes(version).contains(label(hint));
  }
}
