package dev.slipway.vsphere;

/** A VM's {@code guestHeartbeatStatus}: GRAY means VMware Tools is not running or not installed. */
public enum Heartbeat {
  GREEN,
  YELLOW,
  RED,
  GRAY
}
