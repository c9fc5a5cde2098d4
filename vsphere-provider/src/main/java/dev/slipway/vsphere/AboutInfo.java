package dev.slipway.vsphere;

/** The endpoint: {@code about.fullName}, the vim25 version used for SOAPAction, its instance. */
public record AboutInfo(String fullName, String apiVersion, String instanceUuid) {}
