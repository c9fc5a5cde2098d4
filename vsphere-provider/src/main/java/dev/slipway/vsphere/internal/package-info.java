/**
 * Implementation of {@link dev.slipway.vsphere.VSphereProvider}; public only because Java needs it
 * across packages. Not API: code against {@code dev.slipway.vsphere} only.
 */
package dev.slipway.vsphere.internal;
