package dev.slipway.operator.api.run.v1alpha3;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The v1alpha1-era version hint, accepted so that old manifests still apply. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Distribution {
  @JsonPropertyDescription("DEPRECATED: a version hint such as v1.30.")
  public String version;

  @JsonPropertyDescription("DEPRECATED: a full version such as v1.30.1+vmware.1-tkg.5.")
  public String fullVersion;
}
