package dev.slipway.operator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class InformerReadinessTest {
  private Instant now = Instant.parse("2026-12-04T12:00:00Z");
  private final InformerReadiness readiness = new InformerReadiness(() -> now);

  private void after(Duration d) {
    now = now.plus(d);
  }

  @Test
  void everyWatchUpIsReady() {
    assertThat(readiness.problem(List.of())).isNull();
  }

  @Test
  void aWatchDownForLessThanTheGraceIsNotAProblem() {
    assertThat(readiness.problem(List.of("machine/bootstrap-secrets"))).isNull();
    after(InformerReadiness.GRACE.minusMillis(1));
    assertThat(readiness.problem(List.of("machine/bootstrap-secrets"))).isNull();
  }

  @Test
  void aWatchDownForTheGraceFailsNamingOnlyTheLongDownOnes() {
    readiness.problem(List.of("machine/bootstrap-secrets"));
    after(Duration.ofSeconds(10));
    readiness.problem(List.of("machine/bootstrap-secrets", "tanzukubernetescluster/x"));
    after(InformerReadiness.GRACE.minusSeconds(10));
    assertThat(readiness.problem(List.of("machine/bootstrap-secrets", "tanzukubernetescluster/x")))
        .isEqualTo("not watching for 15 s or more: [machine/bootstrap-secrets]");
  }

  @Test
  void aWatchThatCameBackStartsItsGraceAnew() {
    readiness.problem(List.of("machine/bootstrap-secrets"));
    after(Duration.ofSeconds(10));
    assertThat(readiness.problem(List.of())).isNull();
    after(Duration.ofSeconds(10));
    assertThat(readiness.problem(List.of("machine/bootstrap-secrets"))).isNull();
    after(InformerReadiness.GRACE);
    assertThat(readiness.problem(List.of("machine/bootstrap-secrets"))).isNotNull();
  }
}
