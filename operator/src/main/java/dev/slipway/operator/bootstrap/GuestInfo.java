package dev.slipway.operator.bootstrap;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * The VM extraConfig keys through which cloud-init's VMware datasource receives a machine's
 * bootstrap data: {@code guestinfo.userdata} (the cloud-config) and {@code guestinfo.metadata}
 * (instance-id, hostname and the keys to clear once read), each base64 with its {@code .encoding}
 * key.
 *
 * <p>The user data holds secrets (a bootstrap token; on control-plane machines the cluster's CA
 * keys), and anyone who may read the VM's settings in vCenter can read it. So it is cleared twice:
 * by the guest, which the metadata's {@value #CLEANUP} list tells to overwrite {@code
 * guestinfo.userdata} with {@value #CLEARED} right after reading it, and by Slipway once the
 * machine's Node has joined ({@link #scrub()}), for guests whose cloud-init did not.
 */
public final class GuestInfo {

  public static final String USERDATA = "guestinfo.userdata";
  public static final String USERDATA_ENCODING = "guestinfo.userdata.encoding";
  public static final String METADATA = "guestinfo.metadata";
  public static final String METADATA_ENCODING = "guestinfo.metadata.encoding";

  /**
   * The metadata key that makes cloud-init's VMware datasource clear the listed guestinfo keys as
   * soon as it has read them (newer cloud-init calls it {@code redact} and still accepts this name;
   * the older stand-alone datasource knows only this one).
   */
  public static final String CLEANUP = "cleanup-guestinfo";

  /** What the datasource writes over a key it clears ({@code vmware-rpctool "info-set k ---"}). */
  public static final String CLEARED = "---";

  private GuestInfo() {}

  /** The four extraConfig entries for one VM. */
  public static Map<String, String> extraConfig(
      String cloudConfig, String instanceId, String hostname) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(METADATA, base64(metadata(instanceId, hostname)));
    m.put(METADATA_ENCODING, "base64");
    m.put(USERDATA, base64(cloudConfig));
    m.put(USERDATA_ENCODING, "base64");
    return m;
  }

  /**
   * The datasource's metadata document. cloud-init sets the hostname from {@code local-hostname}; a
   * new {@code instance-id} makes it run again, so it must be unique per machine.
   */
  public static String metadata(String instanceId, String hostname) {
    if (!Labels.isDnsSubdomain(hostname)) {
      throw new IllegalArgumentException(
          "hostname " + Labels.quote(hostname) + " is not a lowercase DNS name");
    }
    if (instanceId == null || instanceId.isBlank()) {
      throw new IllegalArgumentException("instance-id is blank");
    }
    Map<String, Object> md = new LinkedHashMap<>();
    md.put("instance-id", instanceId);
    md.put("local-hostname", hostname);
    md.put(CLEANUP, List.of("userdata"));
    return Yaml.dump(md);
  }

  /**
   * Whether the VM's extraConfig still holds user data: {@code guestinfo.userdata} present and
   * neither empty nor {@value #CLEARED}.
   */
  public static boolean holdsUserdata(Map<String, String> extraConfig) {
    String v = extraConfig.get(USERDATA);
    return v != null && !v.isBlank() && !CLEARED.equals(v.strip());
  }

  /** The extraConfig change that removes the user data and its encoding (empty deletes a key). */
  public static Map<String, String> scrub() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(USERDATA, "");
    m.put(USERDATA_ENCODING, "");
    return m;
  }

  /** Decoded userdata and metadata of one VM, as the guest sees them. */
  public record Decoded(String userdata, Map<String, Object> metadata) {}

  /**
   * Reads what {@link #extraConfig} wrote (also {@code gzip+base64}, which cloud-init accepts).
   *
   * @throws IllegalArgumentException when a key is missing or an encoding is unknown or broken
   */
  public static Decoded decode(Map<String, String> extraConfig) {
    String userdata = value(extraConfig, USERDATA, USERDATA_ENCODING);
    String metadata = value(extraConfig, METADATA, METADATA_ENCODING);
    Map<String, Object> md;
    try {
      md = Yaml.load(metadata);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(METADATA + " " + e.getMessage(), e);
    }
    return new Decoded(userdata, md);
  }

  private static String value(Map<String, String> ec, String key, String encodingKey) {
    String raw = ec.get(key);
    if (raw == null) {
      throw new IllegalArgumentException(key + " is missing");
    }
    String encoding = ec.getOrDefault(encodingKey, "");
    try {
      return switch (encoding) {
        case "" -> raw;
        case "base64", "b64" ->
            new String(Base64.getMimeDecoder().decode(raw), StandardCharsets.UTF_8);
        case "gzip+base64", "gz+b64" -> gunzip(Base64.getMimeDecoder().decode(raw));
        default -> throw new IllegalArgumentException(encodingKey + " " + encoding + " is unknown");
      };
    } catch (IllegalArgumentException e) {
      if (e.getMessage() != null && e.getMessage().startsWith(encodingKey)) {
        throw e;
      }
      throw new IllegalArgumentException(key + " is not valid " + encoding);
    }
  }

  private static String gunzip(byte[] b) {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(b))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("not gzip", e);
    }
  }

  private static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
