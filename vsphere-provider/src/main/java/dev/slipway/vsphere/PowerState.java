package dev.slipway.vsphere;

/** A VM's {@code runtime.powerState}. */
public enum PowerState {
  ON,
  OFF,
  SUSPENDED
}
