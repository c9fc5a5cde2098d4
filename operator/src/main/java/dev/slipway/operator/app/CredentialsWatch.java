package dev.slipway.operator.app;

import dev.slipway.vsphere.VSphereProvider;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the credentials Secret and hands a changed user or password to the vCenter client for its
 * next login (the sessions in use stay until vCenter ends them), so that rotating the password
 * needs no restart. A Secret that changes into something unusable (a key missing) is reported and
 * the credentials in use are kept. Neither the password nor a digest of it is ever logged.
 */
final class CredentialsWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CredentialsWatch.class);

  private final SharedIndexInformer<Secret> informer;
  private final VSphereProvider vsphere;
  private final String where;
  private byte[] seen;

  private CredentialsWatch(
      KubernetesClient client, String namespace, String name, VSphereProvider vsphere) {
    this.vsphere = vsphere;
    this.where = "Secret " + name + " in namespace " + namespace;
    this.informer =
        client
            .secrets()
            .inNamespace(namespace)
            .withName(name)
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Secret s) {
                    changed(s);
                  }

                  @Override
                  public void onUpdate(Secret before, Secret after) {
                    changed(after);
                  }

                  @Override
                  public void onDelete(Secret s, boolean unknownFinalState) {
                    LOG.error(
                        "{} was deleted; the operator keeps the vCenter credentials it has until"
                            + " it restarts",
                        where);
                  }
                });
  }

  /**
   * Starts watching. The Secret's first state is handed over too (it may have changed since it was
   * read at start-up); that is harmless when it did not.
   */
  static CredentialsWatch start(
      KubernetesClient client, String namespace, String name, VSphereProvider vsphere) {
    return new CredentialsWatch(client, namespace, name, vsphere);
  }

  private synchronized void changed(Secret s) {
    byte[] d = digest(s);
    if (seen != null && Arrays.equals(seen, d)) {
      return;
    }
    boolean first = seen == null;
    seen = d;
    VCenterCredentials c;
    try {
      c = VCenterCredentials.from(s, where);
    } catch (ConfigException e) {
      LOG.error(
          "{} changed but cannot be used ({}); the operator keeps the credentials it has",
          where,
          String.join("; ", e.problems()));
      return;
    }
    char[] pw = c.password();
    try {
      vsphere.updateCredentials(c.username(), pw);
    } finally {
      Arrays.fill(pw, '\0');
      c.clear();
    }
    if (!first) {
      LOG.info("{} changed: vCenter logins from now on use it", where);
    }
  }

  /** SHA-256 over the Secret's data, so that a change is noticed without keeping the values. */
  private static byte[] digest(Secret s) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (Map<String, String> m : Arrays.asList(s.getData(), s.getStringData())) {
        for (Map.Entry<String, String> e :
            new TreeMap<>(Objects.requireNonNullElse(m, Map.<String, String>of())).entrySet()) {
          md.update(
              (e.getKey() + "=" + e.getValue() + "\n")
                  .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
      }
      return md.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    informer.close();
  }
}
