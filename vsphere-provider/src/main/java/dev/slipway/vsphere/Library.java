package dev.slipway.vsphere;

/** A content library; {@code type} is {@code LOCAL} or {@code SUBSCRIBED}. */
public record Library(String id, String name, String type) {}
