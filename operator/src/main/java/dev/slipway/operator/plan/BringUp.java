package dev.slipway.operator.plan;

/**
 * How far the cluster's bring-up has come.
 *
 * @param controlPlaneInitialized the first control-plane machine ran {@code kubeadm init} and its
 *     API server answers; until then nothing else can join the cluster
 */
public record BringUp(boolean controlPlaneInitialized) {}
