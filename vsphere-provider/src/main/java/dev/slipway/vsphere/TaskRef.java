package dev.slipway.vsphere;

import java.util.Objects;

/**
 * A started operation. {@code task-123} is a vim25 Task (survives a restart of the operator, not of
 * vCenter). Ids starting with {@value #LOCAL_PREFIX} are operations the provider runs itself (a
 * REST call that vCenter only offers synchronously, such as an OVF deploy); they are lost when the
 * process restarts, so callers must re-find the VM by inventory path or instance UUID.
 */
public record TaskRef(String id) {

  public static final String LOCAL_PREFIX = "local:";

  public TaskRef {
    Objects.requireNonNull(id, "id");
  }

  /** Whether this is a provider-local operation rather than a vim25 Task. */
  public boolean isLocal() {
    return id.startsWith(LOCAL_PREFIX);
  }
}
