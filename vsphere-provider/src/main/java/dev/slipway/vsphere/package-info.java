/**
 * Slipway's only way into vCenter: {@link dev.slipway.vsphere.VSphereProvider} (composed of {@link
 * dev.slipway.vsphere.Inventory}, {@link dev.slipway.vsphere.VirtualMachines}, {@link
 * dev.slipway.vsphere.Tasks}, {@link dev.slipway.vsphere.ContentLibrary} and {@link
 * dev.slipway.vsphere.Tagging}), small immutable value types, and typed {@link
 * dev.slipway.vsphere.VSphereException}s. No SOAP or REST type crosses this package's boundary.
 */
package dev.slipway.vsphere;
