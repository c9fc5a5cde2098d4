package dev.slipway.vsphere;

import java.util.Objects;
import java.util.Optional;

/**
 * What a task is doing. {@code result} is the moref value (or id) of what the task produced, e.g.
 * the new VM of a clone or deploy; {@code error} is set exactly when the status is {@code ERROR}.
 */
public record TaskState(
    Status status, Optional<String> result, Optional<VSphereFault> error, int progress) {

  public enum Status {
    QUEUED,
    RUNNING,
    SUCCESS,
    ERROR
  }

  public TaskState {
    Objects.requireNonNull(status, "status");
    result = result == null ? Optional.empty() : result;
    error = error == null ? Optional.empty() : error;
  }

  public boolean isDone() {
    return status == Status.SUCCESS || status == Status.ERROR;
  }

  public static TaskState running(int progress) {
    return new TaskState(Status.RUNNING, Optional.empty(), Optional.empty(), progress);
  }

  public static TaskState success(String result) {
    return new TaskState(Status.SUCCESS, Optional.ofNullable(result), Optional.empty(), 100);
  }

  public static TaskState failed(VSphereFault fault) {
    return new TaskState(Status.ERROR, Optional.empty(), Optional.of(fault), 100);
  }
}
