package dev.slipway.vsphere;

/** An item of a content library; {@code type} is e.g. {@code ovf} or {@code vm-template}. */
public record LibraryItem(String id, String libraryId, String name, String type) {}
