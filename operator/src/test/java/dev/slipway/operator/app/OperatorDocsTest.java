package dev.slipway.operator.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.operator.LeaderElectionTimings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** docs/operator.md says what the code says, so neither drifts from the other. */
class OperatorDocsTest {
  /** The operator module's directory is the working directory of its tests. */
  static final Path DOC = Path.of("..", "docs", "operator.md");

  static final String HEADER = "| key | environment | default | meaning |";

  @Test
  void theConfigurationTableIsTheKeysDeclarations() throws IOException {
    String expected =
        Stream.concat(
                Stream.of(HEADER, "|---|---|---|---|"),
                OperatorConfig.KEYS.stream()
                    .map(
                        k ->
                            row(
                                "`" + k.name() + "`",
                                "`" + OperatorConfig.envName(k.name()) + "`",
                                k.required()
                                    ? "required"
                                    : k.defaultValue() == null ? "" : "`" + k.defaultValue() + "`",
                                k.description())))
            .collect(Collectors.joining("\n", "", "\n"));

    String actual = table(Files.readAllLines(DOC, StandardCharsets.UTF_8));

    assertThat(actual)
        .withFailMessage(
            "%s's configuration table does not match OperatorConfig's keys. It should read:%n%n%s"
                + "%nIt reads:%n%n%s",
            DOC, expected, actual)
        .isEqualTo(expected);
  }

  @Test
  void leaderElectionTimingsAreTheOnesInUse() throws IOException {
    LeaderElectionTimings t = LeaderElectionTimings.SLIPWAY;
    String doc = Files.readString(DOC, StandardCharsets.UTF_8).replaceAll("\\s+", " ");

    for (String phrase :
        List.of(
            "("
                + t.leaseDuration().toSeconds()
                + " s lease, renewed every "
                + t.retryPeriod().toSeconds()
                + " s, "
                + t.renewDeadline().toSeconds()
                + " s renew deadline)",
            "rather than after the " + t.leaseDuration().toSeconds() + " s lease")) {
      assertThat(doc.contains(phrase))
          .withFailMessage(
              "%s should say \"%s\", as LeaderElectionTimings.SLIPWAY does", DOC, phrase)
          .isTrue();
    }
  }

  /** A Markdown table row; an empty cell is one space, as people write it. */
  private static String row(String... cells) {
    return Stream.of(cells)
        .map(c -> c.isEmpty() ? " " : " " + c + " ")
        .collect(Collectors.joining("|", "|", "|"));
  }

  /** The lines from {@link #HEADER} to the first line that is not part of the table. */
  private static String table(List<String> lines) {
    int start = lines.indexOf(HEADER);
    assertThat(start).as("a line %s in %s", HEADER, DOC).isNotNegative();
    return lines.subList(start, lines.size()).stream()
        .takeWhile(l -> l.startsWith("|"))
        .collect(Collectors.joining("\n", "", "\n"));
  }
}
