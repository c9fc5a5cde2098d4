package dev.slipway.operator.plan;

/** What a machine is for; control-plane machines also carry the cluster's etcd members. */
public enum MachineRole {
  CONTROL_PLANE,
  WORKER
}
