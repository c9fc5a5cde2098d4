/**
 * Which Machines a TanzuKubernetesCluster should create and delete in one reconcile, decided by a
 * pure function ({@link dev.slipway.operator.plan.MachinePlanner#plan}) over plain records, so the
 * rules of bring-up and scaling can be tested without Kubernetes or vSphere.
 */
package dev.slipway.operator.plan;
