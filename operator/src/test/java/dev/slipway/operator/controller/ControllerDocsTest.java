package dev.slipway.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/controllers.md lists each pipeline's steps in the code's words and order. */
class ControllerDocsTest {
  private static final Pattern STEP = Pattern.compile("^\\s*\\d+\\. \\*\\*`([a-z-]+)`\\*\\*");

  @Test
  void machinePipelineIsDocumentedStepByStep() throws IOException {
    MachineSteps steps =
        new MachineSteps(
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            new MachineFaults(null, null),
            p -> java.util.Optional.empty(),
            null);
    assertThat(documentedSteps("## Machine")).isEqualTo(steps.pipeline().names());
  }

  @Test
  void clusterPipelineIsDocumentedStepByStep() throws IOException {
    ClusterSteps steps = new ClusterSteps(null, null, null, null, null, null, null);
    assertThat(documentedSteps("## TanzuKubernetesCluster")).isEqualTo(steps.pipeline().names());
  }

  /** The numbered `**`step`**` items of one section of docs/controllers.md, in order. */
  private static List<String> documentedSteps(String heading) throws IOException {
    List<String> lines = Files.readAllLines(Path.of("..", "docs", "controllers.md"));
    int start = lines.indexOf(heading);
    assertThat(start).as("section %s in docs/controllers.md", heading).isNotNegative();
    List<String> out = new ArrayList<>();
    for (String line : lines.subList(start + 1, lines.size())) {
      if (line.startsWith("## ")) {
        break;
      }
      Matcher m = STEP.matcher(line);
      if (m.find()) {
        out.add(m.group(1));
      }
    }
    return out;
  }
}
