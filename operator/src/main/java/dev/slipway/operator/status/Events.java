package dev.slipway.operator.status;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes core/v1 Events that {@code kubectl describe} and {@code kubectl get events} show. The same
 * reason and message twice in a row for one object is written once: reconciles repeat, Events
 * should not.
 */
public final class Events {
  private static final Logger LOG = LoggerFactory.getLogger(Events.class);
  private static final String COMPONENT = "slipway";

  private final KubernetesClient client;
  private final Map<String, String> last = new ConcurrentHashMap<>();

  public Events(KubernetesClient client) {
    this.client = client;
  }

  public void record(HasMetadata about, EventReason reason, String message) {
    String uid = about.getMetadata().getUid();
    String key = reason + "|" + message;
    if (uid != null && key.equals(last.put(uid, key))) {
      return;
    }
    String now =
        DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    String ns =
        about.getMetadata().getNamespace() == null ? "default" : about.getMetadata().getNamespace();
    try {
      client
          .v1()
          .events()
          .inNamespace(ns)
          .resource(
              new EventBuilder()
                  .withNewMetadata()
                  .withName(
                      about.getMetadata().getName()
                          + "."
                          + UUID.randomUUID().toString().substring(0, 8))
                  .withNamespace(ns)
                  .endMetadata()
                  .withInvolvedObject(
                      new ObjectReferenceBuilder()
                          .withApiVersion(about.getApiVersion())
                          .withKind(about.getKind())
                          .withName(about.getMetadata().getName())
                          .withNamespace(about.getMetadata().getNamespace())
                          .withUid(uid)
                          .withResourceVersion(about.getMetadata().getResourceVersion())
                          .build())
                  .withReason(reason.name())
                  .withMessage(message)
                  .withType(reason.type())
                  .withFirstTimestamp(now)
                  .withLastTimestamp(now)
                  .withCount(1)
                  .withNewSource()
                  .withComponent(COMPONENT)
                  .endSource()
                  .withReportingComponent(COMPONENT)
                  .build())
          .create();
    } catch (KubernetesClientException e) {
      // An Event is worth less than the reconcile that wanted to write it.
      LOG.warn(
          "could not record event {} on {}: {}",
          reason,
          about.getMetadata().getName(),
          e.getMessage());
    }
  }

  /** Forgets an object's last event (it was deleted). */
  public void forget(HasMetadata about) {
    last.remove(about.getMetadata().getUid());
  }
}
