package dev.slipway.operator.bootstrap;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * The VM extraConfig keys through which cloud-init's VMware datasource receives a machine's
 * bootstrap data: {@code guestinfo.userdata} (the cloud-config) and {@code guestinfo.metadata}
 * (instance-id and hostname), each base64 with its {@code .encoding} key.
 */
public final class GuestInfo {

  public static final String USERDATA = "guestinfo.userdata";
  public static final String USERDATA_ENCODING = "guestinfo.userdata.encoding";
  public static final String METADATA = "guestinfo.metadata";
  public static final String METADATA_ENCODING = "guestinfo.metadata.encoding";

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
    return Yaml.dump(md);
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
