package dev.slipway.operator.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceConversion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.WebhookClientConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.List;
import java.util.Objects;

/**
 * Points the TanzuKubernetesCluster CRD's conversion at this webhook: strategy Webhook, the Service
 * (or the URL), and the CA bundle. Only that one CRD is read and patched (deploy/'s RBAC names it);
 * a CRD that already says so is left alone, so replicas checking it do not write.
 */
final class CrdConversionConfig {
  public static final String CRD = "tanzukubernetesclusters." + TkcConversion.GROUP;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final KubernetesClient client;
  private final WebhookSettings settings;

  CrdConversionConfig(KubernetesClient client, WebhookSettings settings) {
    this.client = client;
    this.settings = settings;
  }

  /** Whether the CRD had to be patched. */
  boolean ensure(String caPem) {
    var crds = client.apiextensions().v1().customResourceDefinitions().withName(CRD);
    CustomResourceDefinition crd = crds.get();
    if (crd == null) {
      throw new IllegalStateException(
          "CustomResourceDefinition " + CRD + " is not installed (crds/ of the release)");
    }
    String bundle = WebhookCertificates.b64(caPem);
    if (isCurrent(crd.getSpec().getConversion(), bundle)) {
      return false;
    }
    ObjectNode patch = JSON.createObjectNode();
    ObjectNode conversion = patch.putObject("spec").putObject("conversion");
    conversion.put("strategy", "Webhook");
    ObjectNode webhook = conversion.putObject("webhook");
    webhook.putArray("conversionReviewVersions").add("v1");
    ObjectNode cc = webhook.putObject("clientConfig");
    cc.put("caBundle", bundle);
    if (settings.url().isPresent()) {
      cc.put("url", settings.url().get().toString());
      cc.putNull("service");
    } else {
      cc.putNull("url");
      ObjectNode svc = cc.putObject("service");
      svc.put("namespace", settings.namespace());
      svc.put("name", settings.service());
      svc.put("path", WebhookSettings.PATH);
      svc.put("port", 443);
    }
    crds.patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
    return true;
  }

  private boolean isCurrent(CustomResourceConversion c, String bundle) {
    if (c == null
        || !"Webhook".equals(c.getStrategy())
        || c.getWebhook() == null
        || c.getWebhook().getClientConfig() == null
        || !Objects.equals(c.getWebhook().getConversionReviewVersions(), List.of("v1"))) {
      return false;
    }
    WebhookClientConfig cc = c.getWebhook().getClientConfig();
    if (!bundle.equals(cc.getCaBundle())) {
      return false;
    }
    if (settings.url().isPresent()) {
      return cc.getService() == null && settings.url().get().toString().equals(cc.getUrl());
    }
    return cc.getUrl() == null
        && cc.getService() != null
        && settings.namespace().equals(cc.getService().getNamespace())
        && settings.service().equals(cc.getService().getName())
        && WebhookSettings.PATH.equals(cc.getService().getPath())
        && Integer.valueOf(443).equals(cc.getService().getPort());
  }
}
