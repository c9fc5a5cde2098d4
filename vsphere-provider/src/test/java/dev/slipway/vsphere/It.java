package dev.slipway.vsphere;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.testenv.TestBed;
import dev.slipway.testenv.Vcsim;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** Shared helpers of the integration tests (real vcsim, no mocks). */
final class It {

  private It() {}

  /** A configuration for {@code vcsim} that trusts exactly its certificate. */
  static VSphereConfig.Builder config(Vcsim vcsim) {
    return VSphereConfig.builder()
        .url(vcsim.baseUrl())
        .username(vcsim.username())
        .password(vcsim.password())
        .caBundle(vcsim.certFile());
  }

  static VSphereProvider connect(Vcsim vcsim) {
    return VSphereProvider.connect(config(vcsim).build());
  }

  static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Polls {@code taskState} (test code only) until the task is done; returns the final state. */
  static TaskState awaitDone(VSphereProvider p, TaskRef task) {
    TaskState[] last = new TaskState[1];
    await()
        .atMost(60, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              last[0] = p.taskState(task);
              return last[0].isDone();
            });
    return last[0];
  }

  /** Waits for the task and asserts it succeeded; returns its result. */
  static String awaitSuccess(VSphereProvider p, TaskRef task) {
    TaskState s = awaitDone(p, task);
    assertThat(s.status())
        .as("task %s: %s", task.id(), s.error().map(VSphereFault::toString).orElse(""))
        .isEqualTo(TaskState.Status.SUCCESS);
    return s.result().orElse(null);
  }

  static VSphereFault awaitFailure(VSphereProvider p, TaskRef task) {
    TaskState s = awaitDone(p, task);
    assertThat(s.status()).as("task %s", task.id()).isEqualTo(TaskState.Status.ERROR);
    return s.error().orElseThrow();
  }

  static byte[] minimalOvf() {
    try (InputStream in =
        VSphereProvider.class.getResourceAsStream("/dev/slipway/vsphere/minimal-node.ovf")) {
      assertThat(in).as("minimal-node.ovf on the classpath").isNotNull();
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs the test bed's govc against {@code vcsim} (an independent client, for setup only). */
  static String govc(Vcsim vcsim, String... args) {
    List<String> argv = new ArrayList<>();
    argv.add(TestBed.get().bin("govc").toString());
    argv.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
    pb.environment().put("GOVC_URL", vcsim.sdkUrl().toString());
    pb.environment().put("GOVC_USERNAME", vcsim.username());
    pb.environment().put("GOVC_PASSWORD", vcsim.password());
    pb.environment().put("GOVC_TLS_CA_CERTS", vcsim.certFile().toString());
    try {
      Process proc = pb.start();
      String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(proc.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(proc.exitValue()).as("govc %s: %s", String.join(" ", args), out).isZero();
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
