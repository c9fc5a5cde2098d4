package dev.slipway.vsphere;

/** A vSphere tag (REST tagging): its id, its category's name and its own name. */
public record Tag(String id, String category, String name) {}
