package dev.slipway.vsphere.soap;

import dev.slipway.vsphere.FaultKind;
import dev.slipway.vsphere.VSphereException;

/** The parts of vim25's ServiceContent the provider uses; everything else is ignored. */
public record ServiceContent(
    Moref rootFolder,
    Moref propertyCollector,
    Moref searchIndex,
    Moref sessionManager,
    Moref customFieldsManager,
    String fullName,
    String apiVersion,
    String instanceUuid) {

  /** Parses {@code <returnval>} of RetrieveServiceContent. */
  public static ServiceContent parse(XmlNode returnval) {
    XmlNode about = returnval.child("about").orElse(null);
    return new ServiceContent(
        ref(returnval, "rootFolder"),
        ref(returnval, "propertyCollector"),
        ref(returnval, "searchIndex"),
        ref(returnval, "sessionManager"),
        returnval.child("customFieldsManager").flatMap(Moref::of).orElse(null),
        about == null ? "" : about.childText("fullName").orElse(""),
        about == null ? "" : about.childText("apiVersion").orElse(""),
        about == null ? "" : about.childText("instanceUuid").orElse(""));
  }

  private static Moref ref(XmlNode sc, String name) {
    return sc.child(name)
        .flatMap(Moref::of)
        .orElseThrow(
            () ->
                new VSphereException(
                    FaultKind.OTHER, "ServiceContent", "ServiceContent has no " + name));
  }
}
