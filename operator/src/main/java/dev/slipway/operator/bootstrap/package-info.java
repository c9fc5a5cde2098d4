/**
 * What a workload cluster's machines boot with: the cluster PKI ({@link
 * dev.slipway.operator.bootstrap.ClusterPki}), access credentials ({@link
 * dev.slipway.operator.bootstrap.Kubeconfigs}, {@link dev.slipway.operator.bootstrap.SshKeyPair},
 * {@link dev.slipway.operator.bootstrap.BootstrapToken}), and the cloud-config with kubeadm's
 * configuration for each role ({@link dev.slipway.operator.bootstrap.CloudInit}), delivered through
 * guestinfo ({@link dev.slipway.operator.bootstrap.GuestInfo}). Pure functions of their inputs plus
 * fresh randomness; nothing here talks to Kubernetes or vSphere.
 */
package dev.slipway.operator.bootstrap;
