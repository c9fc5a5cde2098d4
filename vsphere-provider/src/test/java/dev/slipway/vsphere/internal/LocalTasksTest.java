package dev.slipway.vsphere.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.vsphere.FaultKind;
import dev.slipway.vsphere.TaskRef;
import dev.slipway.vsphere.TaskState;
import dev.slipway.vsphere.VSphereException;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class LocalTasksTest {

  @Test
  void localTaskStatesFollowTheFuture() {
    LocalTasks tasks = new LocalTasks();
    CompletableFuture<String> ok = new CompletableFuture<>();
    CompletableFuture<String> bad = new CompletableFuture<>();
    TaskRef a = tasks.start(ok);
    TaskRef b = tasks.start(bad);
    assertThat(a.isLocal()).isTrue();
    assertThat(a).isNotEqualTo(b);
    assertThat(tasks.state(a).status()).isEqualTo(TaskState.Status.RUNNING);

    ok.complete("vm-5");
    bad.completeExceptionally(new VSphereException(FaultKind.NOT_FOUND, "x", "gone"));
    assertThat(tasks.state(a)).isEqualTo(TaskState.success("vm-5"));
    TaskState failed = tasks.state(b);
    assertThat(failed.status()).isEqualTo(TaskState.Status.ERROR);
    assertThat(failed.error().orElseThrow().kind()).isEqualTo(FaultKind.NOT_FOUND);

    assertThatThrownBy(() -> tasks.state(new TaskRef("local:unknown")))
        .isInstanceOfSatisfying(
            VSphereException.class, e -> assertThat(e.kind()).isEqualTo(FaultKind.NOT_FOUND));
  }

  @Test
  void closingCancelsRunningTasks() {
    LocalTasks tasks = new LocalTasks();
    TaskRef t = tasks.start(new CompletableFuture<>());
    tasks.cancelAll();
    assertThat(tasks.state(t).status()).isEqualTo(TaskState.Status.ERROR);
  }
}
