package dev.slipway.cli;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.vmoperator.v1alpha1.VSphereNamespace;
import dev.slipway.vsphere.FaultKind;
import dev.slipway.vsphere.FolderRef;
import dev.slipway.vsphere.VSphereConfig;
import dev.slipway.vsphere.VSphereException;
import dev.slipway.vsphere.VSphereProvider;
import dev.slipway.vsphere.VmState;
import dev.slipway.vsphere.VmSummary;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code slipway vms -n NS}: the VMs in the namespace's vCenter folder, with the Machine and
 * cluster their custom attributes name, and ORPHAN where that Machine does not exist.
 */
@Command(
    name = "vms",
    mixinStandardHelpOptions = true,
    versionProvider = SlipwayCli.Version.class,
    description = {
      "List the VMs of a namespace as vCenter sees them: power state, IP, and the cluster and"
          + " Machine their custom attributes (slipway.dev/cluster, slipway.dev/machine) name.",
      "OWNERSHIP is owned when that Machine exists and the VM is its VM, ORPHAN when it does not"
          + " (Slipway will never delete such a VM: check it and delete it in vCenter), and - for"
          + " VMs Slipway did not make.",
      "The vCenter password comes from --password-file or $SLIPWAY_VCENTER_PASSWORD."
    })
final class VmsCommand implements Callable<Integer> {
  static final String PASSWORD_VARIABLE = "SLIPWAY_VCENTER_PASSWORD";

  @Spec CommandSpec spec;

  @Option(
      names = "--vcenter-url",
      paramLabel = "URL",
      description = "https://vcenter[:port] (env SLIPWAY_VCENTER_URL).")
  String url;

  @Option(
      names = "--username",
      paramLabel = "USER",
      description = "vCenter user (env SLIPWAY_VCENTER_USERNAME).")
  String username;

  @Option(
      names = "--password-file",
      paramLabel = "FILE",
      description = "File holding the vCenter password (env SLIPWAY_VCENTER_PASSWORD_FILE).")
  Path passwordFile;

  @Option(
      names = "--ca-file",
      paramLabel = "PEM",
      description = "CA bundle that signed vCenter's certificate (env SLIPWAY_VCENTER_CA_FILE).")
  Path caFile;

  @Option(
      names = "--thumbprint",
      paramLabel = "SHA256",
      description =
          "SHA-256 thumbprint of vCenter's certificate instead of a CA"
              + " (env SLIPWAY_VCENTER_THUMBPRINT).")
  String thumbprint;

  @Option(
      names = "--insecure",
      description = "Do not verify vCenter's certificate at all (env SLIPWAY_VCENTER_INSECURE).")
  boolean insecure;

  @Option(
      names = "--folder",
      paramLabel = "PATH",
      description =
          "Inventory path of the VM folder (default: PARENT/NS, PARENT being the"
              + " VSphereNamespace's spec.placement.parentFolder, else --parent-folder).")
  String folder;

  @Option(
      names = "--parent-folder",
      paramLabel = "PATH",
      defaultValue = "/DC0/vm",
      description =
          "Parent of the namespace folders when the VSphereNamespace does not name one"
              + " (env SLIPWAY_PARENT_FOLDER; default ${DEFAULT-VALUE}).")
  String parentFolder;

  @Override
  public Integer call() {
    VSphereConfig vcenter = vcenterConfig();
    KubeOptions kube = SlipwayCli.of(spec).kube();
    String ns = kube.namespace();
    try (KubernetesClient client = kube.client()) {
      String path = folderPath(client, ns);
      Map<String, String> machineUids = new HashMap<>();
      for (Machine m : client.resources(Machine.class).inNamespace(ns).list().getItems()) {
        machineUids.put(m.getMetadata().getName(), m.getMetadata().getUid());
      }
      try (VSphereProvider vsphere = connect(vcenter)) {
        FolderRef ref =
            vsphere
                .findFolder(path)
                .orElseThrow(
                    () ->
                        new UserException(
                            "folder "
                                + path
                                + " not found in vCenter "
                                + vcenter.baseUrl()
                                + " (is "
                                + ns
                                + " a VSphereNamespace? else give --folder)"));
        List<VmState> vms = new ArrayList<>();
        for (VmSummary s : vsphere.listVms(ref)) {
          if (!s.template()) {
            stateOf(vsphere, s).ifPresent(vms::add);
          }
        }
        spec.commandLine().getOut().print(VmTable.render(VmTable.rows(vms, machineUids)));
        spec.commandLine().getOut().flush();
      }
    } catch (KubernetesClientException e) {
      throw kube.explain(e);
    }
    return 0;
  }

  private static Optional<VmState> stateOf(VSphereProvider vsphere, VmSummary s) {
    try {
      return Optional.of(vsphere.vmState(s.ref()));
    } catch (VSphereException e) {
      if (e.kind() == FaultKind.NOT_FOUND) {
        return Optional.empty(); // destroyed between the listing and now
      }
      throw e;
    }
  }

  /** --folder; else the folder Slipway made: the VSphereNamespace's parent folder + /NS. */
  private String folderPath(KubernetesClient client, String ns) {
    if (folder != null) {
      return folder;
    }
    String parent = parentFolder;
    try {
      VSphereNamespace vns = client.resources(VSphereNamespace.class).withName(ns).get();
      if (vns != null
          && vns.getSpec() != null
          && vns.getSpec().placement != null
          && vns.getSpec().placement.parentFolder != null) {
        parent = vns.getSpec().placement.parentFolder;
      }
    } catch (KubernetesClientException e) {
      if (e.getCode() != 403) {
        throw e;
      }
      // Namespace users may not read cluster-scoped VSphereNamespaces: use the default.
    }
    return parent + "/" + ns;
  }

  VSphereConfig vcenterConfig() {
    if (url == null) {
      throw new UserException("no vCenter: give --vcenter-url or set SLIPWAY_VCENTER_URL");
    }
    if (username == null) {
      throw new UserException("no vCenter user: give --username or set SLIPWAY_VCENTER_USERNAME");
    }
    int trust = (caFile != null ? 1 : 0) + (thumbprint != null ? 1 : 0) + (insecure ? 1 : 0);
    if (trust > 1) {
      throw new UserException("give at most one of --ca-file, --thumbprint and --insecure");
    }
    try {
      VSphereConfig.Builder b =
          VSphereConfig.builder().url(url).username(username).password(password());
      if (caFile != null) {
        b.caBundlePem(read(caFile, "CA file"));
      } else if (thumbprint != null) {
        b.thumbprintSha256(thumbprint);
      } else if (insecure) {
        spec.commandLine()
            .getErr()
            .println("slipway: warning: not verifying vCenter's certificate (--insecure)");
        b.insecure(true);
      }
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new UserException("vCenter settings: " + e.getMessage(), e);
    }
  }

  private String password() {
    if (passwordFile != null) {
      return read(passwordFile, "password file").strip();
    }
    String fromEnv = SlipwayCli.of(spec).env().get(PASSWORD_VARIABLE);
    if (fromEnv != null) {
      return fromEnv;
    }
    throw new UserException(
        "no vCenter password: give --password-file or set " + PASSWORD_VARIABLE);
  }

  private static String read(Path file, String what) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UserException("cannot read " + what + " " + file + ": " + e.getMessage(), e);
    }
  }

  private static VSphereProvider connect(VSphereConfig config) {
    try {
      return VSphereProvider.connect(config);
    } catch (VSphereException e) {
      throw new UserException(
          "cannot log in to vCenter " + config.baseUrl() + ": " + e.getMessage(), e);
    }
  }
}
