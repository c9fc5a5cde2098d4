package dev.slipway.operator.status;

/** Every reason an Event from Slipway can carry; Warning ones mean a person should look. */
public enum EventReason {
  NamespaceCreated(false),
  NamespaceRefused(true),
  VSphereResourcesCreated(false),
  DeletionBlocked(true),
  ResolutionFailed(true),
  LimitExceeded(true),
  MachineCreated(false),
  MachineDeleted(false),
  EtcdMemberRemoved(true),
  Scaled(false),
  TemplateDeployed(false),
  VMCreated(false),
  VMPoweredOn(false),
  VMDeleted(false),
  TaskFailed(true),
  MachineFailed(true),
  NodeJoined(false),
  ClusterReady(false),
  BootstrapFailed(true),
  TaggingFailed(true),
  CreationPaced(false),
  MachineRemediated(true),
  RemediationStopped(true);

  private final boolean warning;

  EventReason(boolean warning) {
    this.warning = warning;
  }

  public String type() {
    return warning ? "Warning" : "Normal";
  }
}
