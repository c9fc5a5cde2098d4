package dev.slipway.operator.webhook;

import dev.slipway.operator.bootstrap.CertKey;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TanzuKubernetesCluster conversion webhook, run by every replica (leader or not; the Service
 * spreads the API server's calls over them): the CA from its Secret, a serving certificate signed
 * by it, the HTTPS server, and the CRD pointed at it with the CA bundle. A check every {@link
 * #checkInterval} renews the serving certificate when a third of its validity is left, and puts the
 * CRD's conversion back if someone re-applied the CRD without it.
 */
public final class ConversionWebhook implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConversionWebhook.class);

  private final WebhookSettings settings;
  private final Clock clock;
  private final WebhookCertificates certificates;
  private final CrdConversionConfig crd;
  private final ConversionServer server;
  private final ScheduledExecutorService scheduler;
  private volatile CertKey ca;
  private volatile X509Certificate serving;

  private ConversionWebhook(KubernetesClient client, WebhookSettings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
    this.certificates = new WebhookCertificates(client, settings);
    this.crd = new CrdConversionConfig(client, settings);
    Instant now = clock.instant();
    ca = certificates.ca(now);
    CertKey pair = certificates.serving(ca, now);
    serving = pair.cert();
    try {
      server = new ConversionServer(settings.host(), settings.port(), pair);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot listen on " + settings.host() + ":" + settings.port() + ": " + e.getMessage(), e);
    }
    try {
      crd.ensure(ca.certPem());
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "conversion-webhook-certificates");
              t.setDaemon(true);
              return t;
            });
    long every = checkInterval(settings.certValidity()).toMillis();
    scheduler.scheduleWithFixedDelay(this::check, every, every, TimeUnit.MILLISECONDS);
  }

  /** Starts serving; fails if the port is taken, the CA Secret is broken or the CRD is missing. */
  public static ConversionWebhook start(KubernetesClient client, WebhookSettings settings) {
    return start(client, settings, Clock.systemUTC());
  }

  static ConversionWebhook start(KubernetesClient client, WebhookSettings settings, Clock clock) {
    ConversionWebhook w = new ConversionWebhook(client, settings, clock);
    LOG.info(
        "conversion webhook serving on {}:{}{} for {}; certificate valid until {}",
        settings.host(),
        w.port(),
        WebhookSettings.PATH,
        settings
            .url()
            .map(Object::toString)
            .orElse("Service " + settings.namespace() + "/" + settings.service()),
        w.serving.getNotAfter().toInstant());
    return w;
  }

  /** A sixth of the validity (so a renewal is never late by much), at most ten minutes. */
  static Duration checkInterval(Duration validity) {
    Duration d = validity.dividedBy(6);
    Duration max = Duration.ofMinutes(10);
    return d.compareTo(max) > 0 ? max : d;
  }

  /**
   * Whether a certificate issued for {@code validity} and expiring at {@code notAfter} is due for
   * renewal: a third of the validity or less is left. (Its notBefore lies a few minutes earlier
   * than its issue, for clock skew, so the validity is the setting's, not notAfter - notBefore.)
   */
  static boolean due(Instant notAfter, Duration validity, Instant now) {
    return !now.isBefore(notAfter.minus(validity.dividedBy(3)));
  }

  private void check() {
    try {
      Instant now = clock.instant();
      CertKey current = certificates.ca(now);
      boolean caChanged = !current.certPem().equals(ca.certPem());
      if (caChanged) {
        LOG.warn(
            "the webhook CA in Secret {} changed: serving under the new one", settings.caSecret());
        ca = current;
      }
      if (caChanged || due(serving.getNotAfter().toInstant(), settings.certValidity(), now)) {
        CertKey pair = certificates.serving(ca, now);
        server.use(pair);
        serving = pair.cert();
        LOG.info(
            "conversion webhook certificate renewed, valid until {}",
            serving.getNotAfter().toInstant());
      }
      if (crd.ensure(ca.certPem())) {
        LOG.info("pointed CRD {}'s conversion at this webhook", CrdConversionConfig.CRD);
      }
    } catch (RuntimeException e) {
      LOG.warn("conversion webhook certificate check failed (retried): {}", e.toString());
    }
  }

  public int port() {
    return server.port();
  }

  /** The connections the server has accepted (each a TLS handshake). */
  long connections() {
    return server.connections();
  }

  /** The serving certificate new connections get. */
  public X509Certificate servingCertificate() {
    return serving;
  }

  /** The CA's PEM certificate (the CRD's bundle). */
  public String caPem() {
    return ca.certPem();
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    server.close();
  }
}
