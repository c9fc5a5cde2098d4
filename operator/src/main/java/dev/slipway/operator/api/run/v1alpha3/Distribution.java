package dev.slipway.operator.api.run.v1alpha3;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * The vSphere 7 way to name a version: a hint ({@code version}, a version prefix such as v1.37) or
 * a full version. Used where the control plane names no {@code tkr.reference}: the newest Ready,
 * compatible release matching is chosen once and kept in {@code status.distribution}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = Distribution.AGREE_RULE,
    messageExpression =
        "'spec.distribution.fullVersion ' + self.fullVersion + ' does not match"
            + " spec.distribution.version ' + self.version + ': the version must be a prefix of"
            + " the full version (v1.37 or v1.37.2 for v1.37.2+vmware.1-tkg.1)'",
    message = "spec.distribution.fullVersion must match spec.distribution.version")
public class Distribution {
  /**
   * The hint is the full version or a prefix of it that ends where a run of letters and digits ends
   * (v1.37 matches v1.37.2+vmware.1, v1.3 does not); '+' and '---' are the same.
   */
  static final String AGREE_RULE =
      "!has(self.version) || !has(self.fullVersion)"
          + " || self.fullVersion.replace('+', '---') == self.version.replace('+', '---')"
          + " || (self.fullVersion.replace('+', '---').startsWith(self.version.replace('+', '---'))"
          + " && self.version.matches('[0-9A-Za-z]$')"
          + " && !self.fullVersion.replace('+', '---')"
          + ".substring(size(self.version.replace('+', '---')))"
          + ".matches('^[0-9A-Za-z]'))";

  @Size(max = 128)
  @JsonPropertyDescription(
      "DEPRECATED (use tkr.reference): a version hint such as v1.37 or v1.37.2; the newest Ready,"
          + " compatible release whose version starts with it is used.")
  public String version;

  @Size(max = 128)
  @JsonPropertyDescription(
      "DEPRECATED (use tkr.reference): a full version such as v1.37.2+vmware.1-tkg.1; that"
          + " release is used.")
  public String fullVersion;
}
