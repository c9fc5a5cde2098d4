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
}
