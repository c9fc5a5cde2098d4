package dev.slipway.vsphere;

import java.util.Map;

/**
 * One VM in a folder listing (for orphan scans): enough to decide whether Slipway owns it, and
 * whether it runs, from one property read for the whole folder.
 */
public record VmSummary(
    VmRef ref,
    String name,
    String instanceUuid,
    String annotation,
    boolean template,
    Map<String, String> customAttributes,
    PowerState powerState) {

  public VmSummary {
    annotation = annotation == null ? "" : annotation;
    customAttributes = Map.copyOf(customAttributes);
  }
}
