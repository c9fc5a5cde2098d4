package dev.slipway.operator.bootstrap;

import io.fabric8.kubernetes.api.model.Config;
import io.fabric8.kubernetes.api.model.ConfigBuilder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/** Kubeconfig files for a workload cluster. */
public final class Kubeconfigs {

  public static final String ADMIN_COMMON_NAME = "kubernetes-admin";
  public static final String ADMIN_ORGANIZATION = "system:masters";
  public static final Duration ADMIN_VALIDITY = Duration.ofDays(365);

  private Kubeconfigs() {}

  /**
   * An admin kubeconfig (YAML) for {@code https://host:port}, trusting the cluster CA and carrying
   * a client certificate it signs (CN=kubernetes-admin, O=system:masters, one year, capped at the
   * CA's expiry). Names follow Cluster API's {@code <cluster>-kubeconfig} Secret: cluster {@code
   * <cluster>}, user {@code <cluster>-admin}, context {@code <cluster>-admin@<cluster>}.
   */
  public static String admin(String clusterName, String host, int port, CertKey clusterCa) {
    return admin(clusterName, host, port, clusterCa, Instant.now(), ADMIN_VALIDITY);
  }

  static String admin(
      String clusterName,
      String host,
      int port,
      CertKey clusterCa,
      Instant now,
      Duration validity) {
    if (clusterName == null || clusterName.isBlank() || host == null || host.isBlank()) {
      throw new IllegalArgumentException("cluster name and host are required");
    }
    KeyPair kp = Certificates.rsa2048();
    X509Certificate cert =
        Certificates.signClient(
            ADMIN_COMMON_NAME, ADMIN_ORGANIZATION, kp.getPublic(), clusterCa, now, validity);
    String user = clusterName + "-admin";
    String context = user + "@" + clusterName;
    Config config =
        new ConfigBuilder()
            .withApiVersion("v1")
            .withKind("Config")
            .addNewCluster()
            .withName(clusterName)
            .withNewCluster()
            .withServer("https://" + ClusterSpec.hostPort(host, port))
            .withCertificateAuthorityData(base64(clusterCa.certPem()))
            .endCluster()
            .endCluster()
            .addNewUser()
            .withName(user)
            .withNewUser()
            .withClientCertificateData(base64(Pem.certificate(cert)))
            .withClientKeyData(base64(Pem.privateKey(kp.getPrivate())))
            .endUser()
            .endUser()
            .addNewContext()
            .withName(context)
            .withNewContext()
            .withCluster(clusterName)
            .withUser(user)
            .endContext()
            .endContext()
            .withCurrentContext(context)
            .build();
    return Yaml.dump(config);
  }

  private static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
