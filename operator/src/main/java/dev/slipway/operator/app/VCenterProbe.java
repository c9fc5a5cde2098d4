package dev.slipway.operator.app;

import dev.slipway.vsphere.VSphereException;
import dev.slipway.vsphere.VSphereProvider;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the vCenter session is usable: one cheap call (find the configured datacenter) at most
 * every {@link #INTERVAL}, on the scheduler, never on a probe's request. The provider logs in again
 * by itself when a session expired, so a failure here means vCenter is down or refuses us.
 */
final class VCenterProbe implements Runnable {
  static final Duration INTERVAL = Duration.ofSeconds(30);
  private static final Logger LOG = LoggerFactory.getLogger(VCenterProbe.class);

  private final VSphereProvider vsphere;
  private final String datacenter;
  private final Clock clock;
  private volatile String problem = "not checked yet";
  private volatile Instant checkedAt;

  VCenterProbe(VSphereProvider vsphere, String datacenter, Clock clock) {
    this.vsphere = vsphere;
    this.datacenter = datacenter;
    this.clock = clock;
  }

  @Override
  public void run() {
    String before = problem;
    try {
      problem =
          vsphere.findDatacenter(datacenter).isPresent()
              ? null
              : "datacenter " + datacenter + " not found";
    } catch (VSphereException e) {
      problem = e.kind() + ": " + e.getMessage();
    } catch (RuntimeException e) {
      problem = e.toString();
    }
    checkedAt = clock.instant();
    if (problem != null && !problem.equals(before)) {
      LOG.warn("vCenter session not usable: {}", problem);
    } else if (problem == null && before != null && !before.equals("not checked yet")) {
      LOG.info("vCenter session usable again");
    }
  }

  /** Null when the last check succeeded, else what went wrong. */
  String problem() {
    return problem;
  }

  boolean ok() {
    return problem == null;
  }

  Instant checkedAt() {
    return checkedAt;
  }
}
