package dev.slipway.operator.status;

/** Condition types. Ready is always the summary a person or a GitOps health check reads. */
public final class Types {
  private Types() {}

  public static final String READY = "Ready";

  /**
   * True while Ready is False for a reason that waits for a person rather than for time ({@link
   * Reasons#STALLED}); derived from Ready by {@link Conditions#list()}. kstatus (Flux's and kpt's
   * health checks) reads it as Failed; without it a False Ready only means InProgress.
   */
  public static final String STALLED = "Stalled";

  /**
   * True while the object is not Ready and not {@link #STALLED}: work is going on (also while a
   * Machine waits for bootstrap data and has no Ready condition yet); derived by {@link
   * Conditions#list()}. kstatus reads it as InProgress, whatever else the conditions say.
   */
  public static final String RECONCILING = "Reconciling";

  // TanzuKubernetesCluster
  public static final String RESOURCES_RESOLVED = "ResourcesResolved";
  public static final String WITHIN_NAMESPACE_LIMITS = "WithinNamespaceLimits";
  public static final String CONTROL_PLANE_READY = "ControlPlaneReady";
  public static final String NODE_POOLS_READY = "NodePoolsReady";
  public static final String MACHINES_UP_TO_DATE = "MachinesUpToDate";
  public static final String ADDONS_READY = "AddonsReady";
  public static final String NODE_DRAINED = "NodeDrained";
  public static final String ETCD_MEMBER_REMOVED = "EtcdMemberRemoved";
  public static final String ETCD_MEMBER_HEALTHY = "EtcdMemberHealthy";
  public static final String TKR_COMPATIBLE = "TanzuKubernetesReleaseCompatible";
  public static final String UPDATES_AVAILABLE = "UpdatesAvailable";

  /**
   * True from the first time a control-plane machine is Ready, and never False again: a cluster
   * that ran kubeadm init never gets init data again (a second init would start an empty cluster on
   * the endpoint beside the surviving members).
   */
  public static final String CONTROL_PLANE_INITIALIZED = "ControlPlaneInitialized";

  /** Health checks and remediation: why machines are being replaced, or why not. */
  public static final String MACHINES_HEALTHY = "MachinesHealthy";

  // Machine
  public static final String VM_PROVISIONED = "VMProvisioned";
  public static final String BOOTSTRAP_READY = "BootstrapReady";
  public static final String NODE_HEALTHY = "NodeHealthy";

  // VSphereNamespace
  public static final String NAMESPACE_READY = "NamespaceReady";
  public static final String VSPHERE_RESOURCES_READY = "VSphereResourcesReady";
  public static final String DELETION_BLOCKED = "DeletionBlocked";

  // TanzuKubernetesRelease
  public static final String COMPATIBLE = "Compatible";
}
