package dev.slipway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AgesTest {

  @Test
  void oneUnitRoundedDownLikeKubectl() {
    assertThat(Ages.shortDuration(Duration.ZERO)).isEqualTo("0s");
    assertThat(Ages.shortDuration(Duration.ofSeconds(59))).isEqualTo("59s");
    assertThat(Ages.shortDuration(Duration.ofSeconds(60))).isEqualTo("1m");
    assertThat(Ages.shortDuration(Duration.ofMinutes(4).plusSeconds(12))).isEqualTo("4m");
    assertThat(Ages.shortDuration(Duration.ofMinutes(59).plusSeconds(59))).isEqualTo("59m");
    assertThat(Ages.shortDuration(Duration.ofHours(3).plusMinutes(59))).isEqualTo("3h");
    assertThat(Ages.shortDuration(Duration.ofHours(49))).isEqualTo("2d");
    assertThat(Ages.shortDuration(Duration.ofDays(364))).isEqualTo("364d");
    assertThat(Ages.shortDuration(Duration.ofDays(800))).isEqualTo("2y");
  }

  @Test
  void aClockSlightlyBehindIsZeroFurtherIsInvalid() {
    assertThat(Ages.shortDuration(Duration.ofMillis(-500))).isEqualTo("0s");
    assertThat(Ages.shortDuration(Duration.ofSeconds(-5))).isEqualTo("<invalid>");
  }

  @Test
  void unknownTimesAreEmpty() {
    Instant now = Instant.parse("2026-03-01T12:00:00Z");
    assertThat(Ages.since(null, now)).isEmpty();
    assertThat(Ages.since(now.minusSeconds(90), now)).isEqualTo("1m");
    assertThat(Ages.parse(null)).isNull();
    assertThat(Ages.parse("")).isNull();
    assertThat(Ages.parse("yesterday")).isNull();
    assertThat(Ages.parse("2026-03-01T12:00:00Z")).isEqualTo(now);
  }

  @Test
  void tablesPadColumnsAndFlattenMultiLineCells() {
    String out =
        new Table("NAME", "READY", "MESSAGE")
            .row("a", "True", "first line\nsecond line")
            .row("a-longer-name", "False", null)
            .render();
    assertThat(out)
        .isEqualTo(
"""
NAME           READY  MESSAGE
a              True   first line second line
a-longer-name  False
""");
    assertThatThrownBy(() -> new Table("A", "B").row("only one"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 cells in a table of 2 columns");
  }
}
