package dev.slipway.operator.api.common;

/** Patterns and messages shared by the CRD validation rules (CEL) of every kind. */
public final class Names {
  private Names() {}

  /** RFC 1123 label: what Kubernetes requires of names that become host names. */
  public static final String DNS1123_LABEL = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

  /** RFC 1123 subdomain: object names such as classes and releases. */
  public static final String DNS1123_SUBDOMAIN =
      "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

  /** Kubernetes label / taint key: optional DNS-subdomain prefix and '/', then a 63-char name. */
  public static final String QUALIFIED_NAME =
      "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
          + "[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$";

  /** Kubernetes label value: empty, or up to 63 alphanumerics with '-', '_' or '.' inside. */
  public static final String LABEL_VALUE = "^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$";
}
