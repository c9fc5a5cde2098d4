package dev.slipway.vsphere;

/** Reading the state of started operations; nothing here blocks until a task is done. */
public interface Tasks {

  /**
   * The task's current state. A vim25 task unknown to vCenter (expired from its task list, or
   * vCenter restarted) and a local task unknown to this process both give NOT_FOUND.
   */
  TaskState taskState(TaskRef task);
}
