package dev.slipway.vsphere;

import java.time.Instant;
import java.util.Map;

/**
 * One VM in a folder listing (for orphan scans): enough to decide whether Slipway owns it, and
 * whether it runs, from one property read for the whole folder. {@code bootTime} is vCenter's
 * {@code summary.runtime.bootTime}, the last power-on; null while the VM is off or when vCenter
 * does not say. A running VM whose boot time changed was powered off and on again, even if no
 * listing saw it off.
 */
public record VmSummary(
    VmRef ref,
    String name,
    String instanceUuid,
    String annotation,
    boolean template,
    Map<String, String> customAttributes,
    PowerState powerState,
    Instant bootTime) {

  public VmSummary {
    annotation = annotation == null ? "" : annotation;
    customAttributes = Map.copyOf(customAttributes);
  }
}
