package dev.slipway.guest;

import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kube-controller-manager's part in kubelet TLS bootstrap, on the init machine: approves CSRs that
 * bootstrap-token users make for their own node client certificate, and signs them with the cluster
 * CA. Anything else is left alone.
 */
final class CsrSigner implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CsrSigner.class);
  static final String KUBELET_CLIENT_SIGNER = "kubernetes.io/kube-apiserver-client-kubelet";

  private final KubernetesClient admin;
  private final String caCert;
  private final String caKey;
  private final Thread thread;
  private volatile boolean running = true;

  CsrSigner(KubernetesClient admin, String caCert, String caKey) {
    this.admin = admin;
    this.caCert = caCert;
    this.caKey = caKey;
    this.thread = new Thread(this::loop, "csr-signer");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  private void loop() {
    while (running) {
      try {
        for (CertificateSigningRequest csr :
            admin.certificates().v1().certificateSigningRequests().list().getItems()) {
          handle(csr);
        }
        Thread.sleep(300);
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        if (running) {
          LOG.debug("csr signer: {}", e.getMessage());
        }
      }
    }
  }

  private void handle(CertificateSigningRequest csr) throws Exception {
    if (!KUBELET_CLIENT_SIGNER.equals(csr.getSpec().getSignerName())
        || (csr.getStatus() != null && csr.getStatus().getCertificate() != null)) {
      return;
    }
    String user = csr.getSpec().getUsername();
    List<String> groups = csr.getSpec().getGroups();
    String request =
        new String(Base64.getDecoder().decode(csr.getSpec().getRequest()), StandardCharsets.UTF_8);
    String subject = Pki.subject(request);
    boolean bootstrapper =
        user != null && user.startsWith("system:bootstrap:")
            || groups != null && groups.contains("system:bootstrappers");
    if (!bootstrapper
        || !subject.contains("CN=system:node:")
        || !subject.contains("O=system:nodes")) {
      return;
    }
    String name = csr.getMetadata().getName();
    admin
        .certificates()
        .v1()
        .certificateSigningRequests()
        .withName(name)
        .approve(
            new CertificateSigningRequestConditionBuilder()
                .withType("Approved")
                .withStatus("True")
                .withReason("AutoApproved")
                .withMessage("guest simulator approved a node client certificate for " + user)
                .build());
    String cert = Pki.signClient(request, caCert, caKey, Duration.ofDays(365));
    admin
        .certificates()
        .v1()
        .certificateSigningRequests()
        .withName(name)
        .editStatus(
            c -> {
              c.getStatus()
                  .setCertificate(
                      Base64.getEncoder().encodeToString(cert.getBytes(StandardCharsets.UTF_8)));
              return c;
            });
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    admin.close();
  }
}
