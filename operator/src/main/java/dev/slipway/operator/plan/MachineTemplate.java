package dev.slipway.operator.plan;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * What a machine is built from; two machines of one template are interchangeable. Its {@link
 * #hash()} is stamped on every new Machine ({@code spec.templateHash}) and compared with the hash
 * of the machine's group in the spec: a machine whose hash differs is outdated and is rolled out.
 *
 * <p>The hash covers exactly these inputs, in this order: the release (TanzuKubernetesRelease name
 * and Kubernetes version), the image (content library and item), the VM class (name, CPUs, memory
 * in bytes), the storage class, and the volumes in spec order (name, mount path, capacity in bytes,
 * storage class with the machine's storage class filled in for a volume without one). So a VM class
 * edited to more memory rolls the machines that use it, and "8Gi" and "8192Mi" are one template;
 * reordering volumes rolls (disks attach in that order). Labels, taints, the failure domain and the
 * drain timeout are not inputs: they do not change what is deployed. The encoding is versioned
 * ({@value #ENCODING}); changing what goes in means a new encoding, and every machine rolls once.
 *
 * @param releaseName the TanzuKubernetesRelease's name, e.g. v1.37.2---vmware.1-tkg.1
 * @param kubernetesVersion its {@code spec.kubernetes.version}, e.g. v1.37.2+vmware.1
 * @param contentLibrary the library of the release's OS image
 * @param item the library item of the release's OS image
 * @param vmClass the VirtualMachineClass's name
 * @param cpus its {@code spec.hardware.cpus}
 * @param memoryBytes its {@code spec.hardware.memory} in bytes
 * @param storageClass the storage class of the machine's disks
 * @param volumes the group's extra disks, in spec order
 */
public record MachineTemplate(
    String releaseName,
    String kubernetesVersion,
    String contentLibrary,
    String item,
    String vmClass,
    int cpus,
    long memoryBytes,
    String storageClass,
    List<Volume> volumes) {

  /** Names the hash's encoding; part of what is hashed. */
  public static final String ENCODING = "slipway.dev/machine-template/v1";

  /** Length of {@link #hash()} in hexadecimal digits (64 bits). */
  public static final int HASH_LENGTH = 16;

  public MachineTemplate {
    Objects.requireNonNull(releaseName, "releaseName");
    Objects.requireNonNull(kubernetesVersion, "kubernetesVersion");
    Objects.requireNonNull(contentLibrary, "contentLibrary");
    Objects.requireNonNull(item, "item");
    Objects.requireNonNull(vmClass, "vmClass");
    Objects.requireNonNull(storageClass, "storageClass");
    Objects.requireNonNull(volumes, "volumes");
    if (cpus < 1) {
      throw new IllegalArgumentException("VM class " + vmClass + " has " + cpus + " CPUs");
    }
    if (memoryBytes < 1) {
      throw new IllegalArgumentException(
          "VM class " + vmClass + " has " + memoryBytes + " bytes of memory");
    }
    volumes = volumes.stream().map(v -> v.withDefaultStorageClass(storageClass)).toList();
  }

  /**
   * One extra disk.
   *
   * @param name the volume's name
   * @param mountPath where the guest mounts it
   * @param capacityBytes its size in bytes
   * @param storageClass its storage class; null means the machine's
   */
  public record Volume(String name, String mountPath, long capacityBytes, String storageClass) {
    public Volume {
      Objects.requireNonNull(name, "volume name");
      Objects.requireNonNull(mountPath, "mount path of volume " + name);
      if (capacityBytes < 1) {
        throw new IllegalArgumentException("volume " + name + " has " + capacityBytes + " bytes");
      }
    }

    Volume withDefaultStorageClass(String machineStorageClass) {
      return storageClass != null
          ? this
          : new Volume(name, mountPath, capacityBytes, machineStorageClass);
    }
  }

  /** {@value #HASH_LENGTH} hexadecimal digits of the SHA-256 of the inputs' encoding. */
  public String hash() {
    byte[] digest = sha256(encoding().getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(digest).substring(0, HASH_LENGTH);
  }

  /**
   * The hashed text: one {@code key=<length>:<value>} line per input, so no value can pose as
   * another (a name containing '=' or a newline is still just that name).
   */
  String encoding() {
    StringBuilder out = new StringBuilder(ENCODING).append('\n');
    field(out, "release", releaseName);
    field(out, "kubernetesVersion", kubernetesVersion);
    field(out, "contentLibrary", contentLibrary);
    field(out, "item", item);
    field(out, "vmClass", vmClass);
    field(out, "cpus", Integer.toString(cpus));
    field(out, "memoryBytes", Long.toString(memoryBytes));
    field(out, "storageClass", storageClass);
    field(out, "volumes", Integer.toString(volumes.size()));
    for (Volume v : volumes) {
      field(out, "volume.name", v.name());
      field(out, "volume.mountPath", v.mountPath());
      field(out, "volume.capacityBytes", Long.toString(v.capacityBytes()));
      field(out, "volume.storageClass", v.storageClass());
    }
    return out.toString();
  }

  private static void field(StringBuilder out, String key, String value) {
    out.append(key).append('=').append(value.length()).append(':').append(value).append('\n');
  }

  private static byte[] sha256(byte[] input) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(input);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
