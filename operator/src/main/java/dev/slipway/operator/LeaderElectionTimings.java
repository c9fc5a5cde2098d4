package dev.slipway.operator;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import java.time.Duration;

/**
 * How replicas share the leader Lease: the holder renews it every {@code retryPeriod} and gives
 * leadership up when it could not renew within {@code renewDeadline}; a standby takes a Lease
 * nobody renewed for {@code leaseDuration}.
 */
public record LeaderElectionTimings(
    Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {

  /** Slipway's, the only ones: every process that runs the controllers uses them. */
  public static final LeaderElectionTimings SLIPWAY =
      new LeaderElectionTimings(
          Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2));

  /** JOSDK's leader-election configuration for the Lease {@code leaseName}, with these timings. */
  public LeaderElectionConfigurationBuilder builder(String leaseName) {
    return LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(leaseName)
        .withLeaseDuration(leaseDuration)
        .withRenewDeadline(renewDeadline)
        .withRetryPeriod(retryPeriod);
  }
}
