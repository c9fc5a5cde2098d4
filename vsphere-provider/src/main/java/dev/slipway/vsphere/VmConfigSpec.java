package dev.slipway.vsphere;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A change to a VM's configuration; absent fields are left as they are. In {@code extraConfig} an
 * empty value deletes the key (vSphere semantics), e.g. {@code guestinfo.userdata}, {@code
 * guestinfo.userdata.encoding} ({@code base64}), {@code guestinfo.metadata}. {@code addDisksMiB}
 * adds one new thin disk per entry, of that capacity in MiB.
 */
public record VmConfigSpec(
    Optional<String> instanceUuid,
    OptionalInt cpus,
    OptionalLong memoryMiB,
    Map<String, String> extraConfig,
    Optional<String> annotation,
    List<Long> addDisksMiB) {

  public VmConfigSpec {
    extraConfig = Map.copyOf(extraConfig);
    addDisksMiB = List.copyOf(addDisksMiB);
  }

  public static Builder builder() {
    return new Builder();
  }

  public boolean isEmpty() {
    return instanceUuid.isEmpty()
        && cpus.isEmpty()
        && memoryMiB.isEmpty()
        && extraConfig.isEmpty()
        && annotation.isEmpty()
        && addDisksMiB.isEmpty();
  }

  /** Builds a {@link VmConfigSpec}. */
  public static final class Builder {
    private String instanceUuid;
    private Integer cpus;
    private Long memoryMiB;
    private final Map<String, String> extraConfig = new LinkedHashMap<>();
    private String annotation;
    private final java.util.ArrayList<Long> addDisksMiB = new java.util.ArrayList<>();

    public Builder instanceUuid(String uuid) {
      this.instanceUuid = uuid;
      return this;
    }

    public Builder cpus(int cpus) {
      this.cpus = cpus;
      return this;
    }

    public Builder memoryMiB(long memoryMiB) {
      this.memoryMiB = memoryMiB;
      return this;
    }

    public Builder extraConfig(String key, String value) {
      this.extraConfig.put(key, value == null ? "" : value);
      return this;
    }

    public Builder extraConfig(Map<String, String> values) {
      values.forEach(this::extraConfig);
      return this;
    }

    public Builder annotation(String annotation) {
      this.annotation = annotation;
      return this;
    }

    public Builder addDiskMiB(long capacityMiB) {
      if (capacityMiB <= 0) {
        throw new IllegalArgumentException("disk capacity must be positive: " + capacityMiB);
      }
      this.addDisksMiB.add(capacityMiB);
      return this;
    }

    public VmConfigSpec build() {
      return new VmConfigSpec(
          Optional.ofNullable(instanceUuid),
          cpus == null ? OptionalInt.empty() : OptionalInt.of(cpus),
          memoryMiB == null ? OptionalLong.empty() : OptionalLong.of(memoryMiB),
          extraConfig,
          Optional.ofNullable(annotation),
          addDisksMiB);
    }
  }
}
