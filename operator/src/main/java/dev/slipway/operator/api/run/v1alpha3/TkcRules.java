package dev.slipway.operator.api.run.v1alpha3;

/** Root-level validation rules that every served TanzuKubernetesCluster version carries. */
public final class TkcRules {
  private TkcRules() {}

  public static final String GROUP = "run.tanzu.vmware.com";

  public static final String NAME_RULE =
      "self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')"
          + " && size(self.metadata.name) <= 41";
  public static final String NAME_MESSAGE =
      "metadata.name must start with a lower-case letter, contain only lower-case letters,"
          + " digits and '-', end with a letter or digit, and be at most 41 characters"
          + " (machine names <cluster>-control-plane-xxxxx must fit a 63-character host name)";
  public static final String POOL_NAME_RULE =
      "!has(self.spec.topology.nodePools) || self.spec.topology.nodePools.all(p,"
          + " size(self.metadata.name) + size(p.name) <= 56)";
  public static final String POOL_NAME_MESSAGE =
      "metadata.name plus spec.topology.nodePools[].name must be at most 56 characters together"
          + " (machine names <cluster>-<pool>-xxxxx must fit a 63-character host name)";

  // Version rules by release name. TanzuKubernetesRelease names are their version with '+'
  // written '---' (enforced on the TKR, TKR_NAME_RULE), so a name tells the version even before
  // the release exists. Names of another shape are left to the controller, which reads the
  // releases' spec.kubernetes.version and the cluster's status.version.
  private static final String CP_TKR = "spec.topology.controlPlane.tkr";
  private static final String NEW = "self." + CP_TKR + ".reference.name";
  private static final String OLD = "oldSelf." + CP_TKR + ".reference.name";
  private static final String NEW_CORE = "(" + NEW + ").split('+')[0].split('-')[0]";
  private static final String OLD_CORE = "(" + OLD + ").split('+')[0].split('-')[0]";
  private static final String VERSION_SHAPE =
      ".matches('^v[0-9]{1,4}\\\\.[0-9]{1,4}\\\\.[0-9]{1,4}$')";
  private static final String NEW_MAJOR = "int(" + NEW_CORE + ".substring(1).split('.')[0])";
  private static final String OLD_MAJOR = "int(" + OLD_CORE + ".substring(1).split('.')[0])";
  private static final String NEW_MINOR = "int(" + NEW_CORE + ".split('.')[1])";
  private static final String OLD_MINOR = "int(" + OLD_CORE + ".split('.')[1])";
  private static final String NEW_PATCH = "int(" + NEW_CORE + ".split('.')[2])";
  private static final String OLD_PATCH = "int(" + OLD_CORE + ".split('.')[2])";
  private static final String DOWNGRADE =
      "(" + NEW_MINOR + " < " + OLD_MINOR + " || (" + NEW_MINOR + " == " + OLD_MINOR + " && "
          + NEW_PATCH + " < " + OLD_PATCH + "))";

  /** The control plane's release moves forward by at most one minor version per edit. */
  public static final String TKR_STEP_RULE =
      "!has(oldSelf."
          + CP_TKR
          + ") || !has(self."
          + CP_TKR
          + ") || "
          + NEW
          + " == "
          + OLD
          + " || !"
          + NEW_CORE
          + VERSION_SHAPE
          + " || !"
          + OLD_CORE
          + VERSION_SHAPE
          + " || ("
          + NEW_MAJOR
          + " == "
          + OLD_MAJOR
          + " && !"
          + DOWNGRADE
          + " && "
          + NEW_MINOR
          + " <= "
          + OLD_MINOR
          + " + 1)";

  // Messages only join names: a messageExpression that parses versions again is estimated far
  // over the API server's cost budget.
  public static final String TKR_STEP_MESSAGE =
      "'"
          + CP_TKR
          + ".reference.name cannot change from ' + "
          + OLD
          + " + ' to ' + "
          + NEW
          + " + ': the Kubernetes version may only stay or grow by one minor version (no"
          + " downgrade, no skipped minor, no other major)'";

  public static final String TKR_STEP_FALLBACK =
      "spec.topology.controlPlane.tkr.reference.name may move forward one minor version at a"
          + " time, never back";

  private static final String POOL_CORE = "p.tkr.reference.name.split('+')[0].split('-')[0]";
  private static final String POOL_MINOR = "int(" + POOL_CORE + ".split('.')[1])";
  private static final String POOL_MAJOR = "int(" + POOL_CORE + ".substring(1).split('.')[0])";
  private static final String POOL_PATCH = "int(" + POOL_CORE + ".split('.')[2])";
  private static final String POOL_NEWER =
      "has(p.tkr) && "
          + POOL_CORE
          + VERSION_SHAPE
          + " && ("
          + POOL_MAJOR
          + " > "
          + NEW_MAJOR
          + " || ("
          + POOL_MAJOR
          + " == "
          + NEW_MAJOR
          + " && ("
          + POOL_MINOR
          + " > "
          + NEW_MINOR
          + " || ("
          + POOL_MINOR
          + " == "
          + NEW_MINOR
          + " && "
          + POOL_PATCH
          + " > "
          + NEW_PATCH
          + "))))";

  /** No pool names a release newer than the control plane's. */
  public static final String POOL_TKR_RULE =
      "!has(self.spec.topology.nodePools) || !has(self."
          + CP_TKR
          + ") || !"
          + NEW_CORE
          + VERSION_SHAPE
          + " || !self.spec.topology.nodePools.exists(p, "
          + POOL_NEWER
          + ")";

  public static final String POOL_TKR_MESSAGE =
      "'spec.topology.nodePools[].tkr.reference.name: a pool names a release newer than the"
          + " control plane\\'s ' + "
          + NEW
          + " + ': workers may not run a newer Kubernetes than the control plane'";

  public static final String POOL_TKR_FALLBACK =
      "spec.topology.nodePools[].tkr.reference.name may not name a release newer than the control"
          + " plane's";
}
