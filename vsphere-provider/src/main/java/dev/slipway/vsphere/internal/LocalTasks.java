package dev.slipway.vsphere.internal;

import dev.slipway.vsphere.FaultKind;
import dev.slipway.vsphere.TaskRef;
import dev.slipway.vsphere.TaskState;
import dev.slipway.vsphere.VSphereException;
import dev.slipway.vsphere.VSphereFault;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * Operations the provider runs itself (asynchronous HTTP calls), addressed as {@code local:<uuid>}
 * task refs. Finished entries are kept for {@link #RETENTION} so a caller can read the outcome,
 * then forgotten. Nothing survives a restart of the process.
 */
final class LocalTasks {

  static final Duration RETENTION = Duration.ofHours(1);

  private record Entry(CompletableFuture<String> future, long createdNanos) {}

  private final Map<String, Entry> tasks = new ConcurrentHashMap<>();

  TaskRef start(CompletableFuture<String> future) {
    prune();
    String id = TaskRef.LOCAL_PREFIX + UUID.randomUUID();
    tasks.put(id, new Entry(future, System.nanoTime()));
    return new TaskRef(id);
  }

  TaskState state(TaskRef ref) {
    Entry e = tasks.get(ref.id());
    if (e == null) {
      throw new VSphereException(
          FaultKind.NOT_FOUND,
          "LocalTask",
          "local task "
              + ref.id()
              + " is unknown to this process (finished long ago, or the"
              + " operator restarted)");
    }
    CompletableFuture<String> f = e.future();
    if (!f.isDone()) {
      return TaskState.running(0);
    }
    try {
      return TaskState.success(f.get());
    } catch (ExecutionException | CompletionException ex) {
      return TaskState.failed(toFault(ex.getCause()));
    } catch (CancellationException ex) {
      return TaskState.failed(new VSphereFault(FaultKind.TRANSIENT, "Cancelled", "cancelled"));
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      return TaskState.running(0);
    }
  }

  static VSphereFault toFault(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof VSphereException v) {
      return v.fault();
    }
    return new VSphereFault(
        FaultKind.OTHER, t.getClass().getSimpleName(), String.valueOf(t.getMessage()));
  }

  private void prune() {
    long now = System.nanoTime();
    tasks
        .entrySet()
        .removeIf(
            en ->
                en.getValue().future().isDone()
                    && now - en.getValue().createdNanos() > RETENTION.toNanos());
  }

  void cancelAll() {
    tasks.values().forEach(e -> e.future().cancel(true));
  }
}
