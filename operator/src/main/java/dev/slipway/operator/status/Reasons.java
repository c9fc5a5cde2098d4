package dev.slipway.operator.status;

/** Condition reasons: constants a person can search the docs for (docs/troubleshooting.md). */
public final class Reasons {
  private Reasons() {}

  public static final String READY = "Ready";
  public static final String RESOLVED = "Resolved";
  public static final String WAITING_FOR_CONDITIONS = "WaitingForConditions";
  public static final String DELETING = "Deleting";

  // resolution (TanzuKubernetesCluster)
  public static final String TKR_NOT_FOUND = "TanzuKubernetesReleaseNotFound";
  public static final String TKR_NOT_READY = "TanzuKubernetesReleaseNotReady";
  public static final String NO_MATCHING_RELEASE = "NoMatchingRelease";
  public static final String DISTRIBUTION_MISMATCH = "DistributionVersionMismatch";
  public static final String VERSION_DOWNGRADE = "VersionDowngrade";
  public static final String VERSION_SKIP = "VersionSkip";
  public static final String WORKER_VERSION_NEWER = "WorkerVersionNewerThanControlPlane";
  public static final String NAMESPACE_NOT_FOUND = "NamespaceNotFound";
  public static final String NAMESPACE_NOT_READY = "NamespaceNotReady";
  public static final String VM_CLASS_NOT_FOUND = "VirtualMachineClassNotFound";
  public static final String VM_CLASS_NOT_GRANTED = "VirtualMachineClassNotGranted";
  public static final String STORAGE_CLASS_NOT_GRANTED = "StorageClassNotGranted";
  public static final String LIBRARY_NOT_GRANTED = "ContentLibraryNotGranted";
  public static final String LIMIT_EXCEEDED = "NamespaceLimitExceeded";
  public static final String OVER_GUARDRAIL = "OverGuardrail";
  public static final String INVALID_SPEC = "InvalidSpec";
  public static final String VSPHERE_OBJECTS_IN_USE = "VSphereObjectsInUse";
  public static final String NAMESPACE_NOT_OURS = "NamespaceNotOurs";
  public static final String NOT_GRANTED = "NotGranted";
  public static final String WITHIN_LIMITS = "WithinLimits";

  // topology progress
  public static final String WAITING_FOR_CONTROL_PLANE = "WaitingForControlPlane";
  public static final String SCALING = "Scaling";
  public static final String MACHINES_NOT_READY = "MachinesNotReady";
  public static final String MACHINE_FAILED = "MachineFailed";
  public static final String UP_TO_DATE = "UpToDate";
  public static final String UPDATES_AVAILABLE = "UpdatesAvailable";

  // leaving a cluster (scale-in, rollout)
  public static final String DRAINING = "Draining";
  public static final String DRAINED = "Drained";
  public static final String DRAIN_TIMED_OUT = "DrainTimedOut";
  public static final String WORKLOAD_UNREACHABLE = "WorkloadClusterUnreachable";
  public static final String REMOVING_ETCD_MEMBER = "RemovingEtcdMember";
  public static final String ETCD_MEMBER_GONE = "EtcdMemberRemoved";
  public static final String ETCD_QUORUM_AT_RISK = "EtcdQuorumAtRisk";
  public static final String ETCD_UNREACHABLE = "EtcdUnreachable";
  public static final String ETCD_MEMBER_NOT_READY = "EtcdMemberNotReady";
  public static final String ROLLING_OUT = "RollingOut";
  public static final String ROLLOUT_BLOCKED = "RolloutBlocked";

  // addons (TanzuKubernetesCluster)
  public static final String ADDONS_APPLIED = "AddonsApplied";
  public static final String ADDONS_UNMANAGED = "AddonsUnmanaged";
  public static final String ADDON_MANIFEST_NOT_FOUND = "AddonManifestNotFound";
  public static final String ADDON_MANIFEST_AMBIGUOUS = "AddonManifestAmbiguous";
  public static final String INVALID_ADDON_MANIFEST = "InvalidAddonManifest";
  public static final String ADDON_APPLY_FAILED = "AddonApplyFailed";

  // machine lifecycle
  public static final String WAITING_FOR_NAMESPACE = "WaitingForNamespace";
  public static final String WAITING_FOR_BOOTSTRAP_DATA = "WaitingForBootstrapData";
  public static final String BOOTSTRAP_DATA_READY = "BootstrapDataReady";
  public static final String PREPARING_TEMPLATE = "PreparingTemplate";
  public static final String CLONING = "Cloning";
  public static final String POWERING_ON = "PoweringOn";
  public static final String POWERED_ON = "PoweredOn";
  public static final String TASK_FAILED = "TaskFailed";
  public static final String PERMANENT_FAILURE = "PermanentFailure";
  public static final String RETRY_REQUESTED = "RetryRequested";
  public static final String IMAGE_NOT_FOUND = "ImageNotFound";
  public static final String VERSION_TOO_OLD = "VersionTooOld";
  public static final String WAITING_FOR_NODE = "WaitingForNode";
  public static final String NODE_READY = "NodeReady";
  public static final String NODE_NOT_READY = "NodeNotReady";
  public static final String BOOTSTRAP_TOKEN_REVOKED = "BootstrapTokenRevoked";
  public static final String INVALID_CLUSTER_CERTIFICATES = "InvalidClusterCertificates";
  public static final String ENDPOINT_UNAVAILABLE = "ControlPlaneEndpointUnavailable";
  public static final String PROVIDER_ID_MISMATCH = "NodeProviderIDMismatch";

  // machines are cattle: a lost VM is never cloned again, init data never reused
  public static final String VM_MISSING = "VMMissing";
  public static final String STALE_INIT_DATA = "InitDataForInitializedCluster";

  // health checks and remediation (MachinesHealthy on a TanzuKubernetesCluster)
  public static final String REMEDIATING = "Remediating";
  public static final String TOO_MANY_UNHEALTHY = "TooManyUnhealthy";
  public static final String REMEDIATION_STOPPED = "RemediationStopped";
  public static final String REMEDIATION_WAITING = "RemediationWaiting";
  public static final String INVALID_HEALTH_CHECK = "InvalidHealthCheck";

  /**
   * Reasons of VMProvisioned that make a Machine Failed for good: no vCenter call until its spec
   * changes or a person asks for a retry (and a retry of a missing VM finds it missing again).
   */
  public static final java.util.Set<String> MACHINE_FAULTS =
      java.util.Set.of(PERMANENT_FAILURE, VM_MISSING, STALE_INIT_DATA);

  // namespace
  public static final String CLUSTERS_EXIST = "ClustersExist";
  public static final String VSPHERE_ERROR = "VSphereError";
  public static final String CREATED = "Created";
  public static final String WAITING_FOR_QUOTA = "WaitingForQuota";

  /** NamespaceReady: the operator's RoleBinding for Secrets is not in effect yet (SecretScope). */
  public static final String WAITING_FOR_SECRET_ACCESS = "WaitingForSecretAccess";

  /**
   * Reasons of a False Ready that no amount of waiting fixes: a Failed machine (replaced only when
   * someone deletes it), a cluster with one, and references or limits that only a change to the
   * manifest, the release or the VSphereNamespace can satisfy. Ready False with any of these makes
   * the object {@link Types#STALLED}. Retried problems (a failed task, a vSphere error, anything
   * "waiting") are not here.
   */
  public static final java.util.Set<String> STALLED =
      java.util.Set.of(
          PERMANENT_FAILURE,
          VM_MISSING,
          STALE_INIT_DATA,
          REMEDIATION_STOPPED,
          INVALID_HEALTH_CHECK,
          IMAGE_NOT_FOUND,
          MACHINE_FAILED,
          BOOTSTRAP_TOKEN_REVOKED,
          INVALID_CLUSTER_CERTIFICATES,
          TKR_NOT_FOUND,
          INVALID_SPEC,
          NO_MATCHING_RELEASE,
          DISTRIBUTION_MISMATCH,
          VERSION_DOWNGRADE,
          VERSION_SKIP,
          WORKER_VERSION_NEWER,
          ROLLOUT_BLOCKED,
          NAMESPACE_NOT_FOUND,
          VM_CLASS_NOT_FOUND,
          VM_CLASS_NOT_GRANTED,
          STORAGE_CLASS_NOT_GRANTED,
          LIBRARY_NOT_GRANTED,
          LIMIT_EXCEEDED,
          ADDON_MANIFEST_NOT_FOUND,
          ADDON_MANIFEST_AMBIGUOUS,
          INVALID_ADDON_MANIFEST);
}
