package dev.slipway.operator.app;

import dev.slipway.operator.config.Placement;
import dev.slipway.vsphere.CallObserver;
import dev.slipway.vsphere.FaultKind;
import dev.slipway.vsphere.VSphereConfig;
import dev.slipway.vsphere.VSphereException;
import dev.slipway.vsphere.VSphereProvider;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Logs in to vCenter at start-up and checks that the configured placement exists there. */
final class VCenter {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(VCenter.class);

  private VCenter() {}

  /**
   * @throws ConfigException for what the configuration or the Secret got wrong (credentials,
   *     certificate trust, missing inventory paths)
   * @throws StartupException when vCenter cannot be reached
   */
  static VSphereProvider connect(
      OperatorConfig config, VCenterCredentials credentials, CallObserver calls) {
    VSphereConfig.Builder b =
        VSphereConfig.builder()
            .url(config.vcenterUrl())
            .username(credentials.username())
            .callObserver(calls);
    char[] password = credentials.password();
    try {
      b.password(password);
    } finally {
      Arrays.fill(password, '\0');
    }
    switch (config.trust()) {
      case CA_BUNDLE -> b.caBundle(config.caBundle());
      case THUMBPRINT -> b.thumbprintSha256(config.thumbprint());
      case INSECURE -> b.insecure(true);
      case SYSTEM -> {}
    }
    if ("http".equals(config.vcenterUrl().getScheme())) {
      LOG.warn(
          "vcenter.url {} is plain http (allowed by vcenter.insecure=true): the vCenter password"
              + " and every call travel unencrypted; use https:// outside a lab",
          config.vcenterUrl());
    }
    VSphereProvider vsphere;
    try {
      vsphere = VSphereProvider.connect(b.build());
    } catch (VSphereException e) {
      throw failure(config, credentials, e);
    }
    try {
      checkPlacement(vsphere, config.placement());
    } catch (RuntimeException e) {
      vsphere.close();
      throw e;
    }
    return vsphere;
  }

  private static RuntimeException failure(
      OperatorConfig config, VCenterCredentials credentials, VSphereException e) {
    String at = "vcenter.url: " + config.vcenterUrl();
    return switch (e.kind()) {
      case NOT_AUTHENTICATED ->
          new ConfigException(
              at
                  + ": vCenter rejected user "
                  + credentials.username()
                  + " (check username and password in Secret "
                  + config.credentialsSecret()
                  + " in namespace "
                  + config.namespace()
                  + ")");
      case UNTRUSTED_CERTIFICATE ->
          new ConfigException(
              at
                  + ": certificate not trusted with "
                  + switch (config.trust()) {
                    case CA_BUNDLE -> "vcenter.caBundle " + config.caBundle();
                    case THUMBPRINT -> "vcenter.thumbprint";
                    default -> "the JVM's trust store (set vcenter.caBundle or vcenter.thumbprint)";
                  }
                  + ": "
                  + e.getMessage());
      case PERMISSION ->
          new ConfigException(
              at + ": user " + credentials.username() + " may not log in: " + e.getMessage());
      case TRANSIENT -> new StartupException(at + ": unreachable: " + e.getMessage(), e);
      default -> new StartupException(at + ": cannot log in: " + e.getMessage(), e);
    };
  }

  /** Every configured inventory path must exist, or the first namespace would fail later. */
  static void checkPlacement(VSphereProvider vsphere, Placement p) {
    List<String> problems = new ArrayList<>();
    try {
      if (vsphere.findDatacenter(p.datacenter()).isEmpty()) {
        problems.add("placement.datacenter: " + p.datacenter() + " not found in vCenter");
      }
      if (vsphere.findResourcePool(p.parentResourcePool()).isEmpty()) {
        problems.add(
            "placement.parentResourcePool: "
                + p.parentResourcePool()
                + " not found in vCenter (a resource pool path, e.g."
                + " /Datacenter/host/Cluster/Resources)");
      }
      if (vsphere.findFolder(p.parentFolder()).isEmpty()) {
        problems.add(
            "placement.parentFolder: "
                + p.parentFolder()
                + " not found in vCenter (a VM folder path, e.g. /Datacenter/vm)");
      }
    } catch (VSphereException e) {
      if (e.kind() == FaultKind.PERMISSION) {
        throw new ConfigException(
            "vcenter: the user may not read the inventory: " + e.getMessage());
      }
      throw new StartupException("vcenter: cannot read the inventory: " + e.getMessage(), e);
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
  }
}
