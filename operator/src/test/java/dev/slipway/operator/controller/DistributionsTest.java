package dev.slipway.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.operator.api.run.v1alpha3.Distribution;
import dev.slipway.operator.api.run.v1alpha3.DistributionStatus;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesRelease;
import dev.slipway.operator.controller.ClusterResolver.Unresolved;
import dev.slipway.operator.status.Reasons;
import java.util.List;
import org.junit.jupiter.api.Test;

class DistributionsTest {
  static final TanzuKubernetesRelease V36 = rel("v1.36.4+vmware.1-tkg.1", true);
  static final TanzuKubernetesRelease V37_1 = rel("v1.37.1+vmware.1-tkg.1", true);
  static final TanzuKubernetesRelease V37_2 = rel("v1.37.2+vmware.1-tkg.1", true);
  static final TanzuKubernetesRelease V37_3_NOT_READY = rel("v1.37.3+vmware.1-tkg.1", false);

  static TanzuKubernetesRelease rel(String version, boolean ready) {
    return TestObjects.release(version.replace("+", "---"), version, ready);
  }

  static Distribution hint(String version, String fullVersion) {
    Distribution d = new Distribution();
    d.version = version;
    d.fullVersion = fullVersion;
    return d;
  }

  @Test
  void aHintPicksTheNewestReadyCompatibleMatch() {
    Object c =
        Distributions.choose(
            hint("v1.37", null), null, List.of(V36, V37_2, V37_1, V37_3_NOT_READY));
    assertThat(c).isInstanceOf(DistributionStatus.class);
    DistributionStatus s = (DistributionStatus) c;
    assertThat(s.release).isEqualTo("v1.37.2---vmware.1-tkg.1");
    assertThat(s.fullVersion).isEqualTo("v1.37.2+vmware.1-tkg.1");
    assertThat(s.version).isEqualTo("v1.37");
  }

  @Test
  void aHintIsAWholeVersionPrefix() {
    Object c = Distributions.choose(hint("v1.3", null), null, List.of(V36, V37_2));
    assertThat(c).isInstanceOf(Unresolved.class);
    assertThat(((Unresolved) c).reason()).isEqualTo(Reasons.NO_MATCHING_RELEASE);
    assertThat(((Unresolved) c).message()).contains("v1.3");
  }

  @Test
  void theChoiceSticksWhenANewerReleaseAppears() {
    DistributionStatus first =
        (DistributionStatus) Distributions.choose(hint("v1.37", null), null, List.of(V37_1));
    assertThat(first.release).isEqualTo("v1.37.1---vmware.1-tkg.1");

    Object later = Distributions.choose(hint("v1.37", null), first, List.of(V37_1, V37_2));

    assertThat(((DistributionStatus) later).release).isEqualTo("v1.37.1---vmware.1-tkg.1");
  }

  @Test
  void aChangedHintResolvesAgain() {
    DistributionStatus first =
        (DistributionStatus) Distributions.choose(hint("v1.36", null), null, List.of(V36));

    Object again = Distributions.choose(hint("v1.37", null), first, List.of(V36, V37_2));

    assertThat(((DistributionStatus) again).release).isEqualTo("v1.37.2---vmware.1-tkg.1");
  }

  @Test
  void aFullVersionNamesTheReleaseExactly() {
    Object c =
        Distributions.choose(hint("v1.37", "v1.37.1+vmware.1-tkg.1"), null, List.of(V37_1, V37_2));
    assertThat(((DistributionStatus) c).release).isEqualTo("v1.37.1---vmware.1-tkg.1");
  }

  @Test
  void aFullVersionThatContradictsTheHintIsRefused() {
    Object c =
        Distributions.choose(hint("v1.36", "v1.37.2+vmware.1-tkg.1"), null, List.of(V36, V37_2));
    assertThat(c).isInstanceOf(Unresolved.class);
    assertThat(((Unresolved) c).reason()).isEqualTo(Reasons.DISTRIBUTION_MISMATCH);
    assertThat(((Unresolved) c).message()).contains("v1.36").contains("v1.37.2+vmware.1-tkg.1");
  }

  @Test
  void noDistributionAndNoReferenceIsNotFound() {
    Object c = Distributions.choose(null, null, List.of(V37_2));
    assertThat(((Unresolved) c).reason()).isEqualTo(Reasons.TKR_NOT_FOUND);
  }
}
