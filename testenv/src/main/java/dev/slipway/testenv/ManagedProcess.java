package dev.slipway.testenv;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A child process that never outlives the JVM. It runs under a small bash watchdog that kills it
 * when the JVM's end of its stdin pipe closes, which happens however the JVM ends (even on
 * SIGKILL); a shutdown hook also stops it on a normal exit. Output goes to a log file.
 */
public final class ManagedProcess implements AutoCloseable {

  private static final Set<ManagedProcess> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> RUNNING.forEach(ManagedProcess::close), "testbed-reaper"));
  }

  // "$@" runs in the background; when stdin reaches EOF (the JVM is gone or close() was called)
  // the watchdog kills it. Background jobs read /dev/null unless told otherwise, hence fd 3.
  // The wrapper exits with the child's status.
  private static final String WATCHDOG =
      "exec 3<&0; \"$@\" </dev/null & child=$!; "
          + "( cat <&3 >/dev/null; kill -TERM $child 2>/dev/null; sleep 5; kill -KILL $child 2>/dev/null ) & "
          + "wait $child";

  private final String name;
  private final Process process;
  private final Path log;

  private ManagedProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /** Starts {@code command}, appending its stdout and stderr to {@code log}. */
  public static ManagedProcess start(String name, List<String> command, Path log) {
    return start(name, command, ProcessBuilder.Redirect.appendTo(log.toFile()), log);
  }

  /**
   * Starts {@code command} with stdout piped to the caller (for readiness lines), stderr to log.
   */
  public static ManagedProcess startPiped(String name, List<String> command, Path log) {
    return start(name, command, ProcessBuilder.Redirect.PIPE, log);
  }

  private static ManagedProcess start(
      String name, List<String> command, ProcessBuilder.Redirect stdout, Path log) {
    List<String> argv = new ArrayList<>(List.of("bash", "-c", WATCHDOG, name));
    argv.addAll(command);
    ProcessBuilder pb =
        new ProcessBuilder(argv)
            .redirectOutput(stdout)
            .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
    try {
      ManagedProcess p = new ManagedProcess(name, pb.start(), log);
      RUNNING.add(p);
      return p;
    } catch (IOException e) {
      throw new TestBedException("cannot start " + name + " (" + command.get(0) + "): " + e, e);
    }
  }

  public Process process() {
    return process;
  }

  public Path log() {
    return log;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Stops the process: closing stdin lets the watchdog send SIGTERM, then SIGKILL after 5 s. */
  @Override
  public void close() {
    RUNNING.remove(this);
    try {
      process.getOutputStream().close();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
    } catch (IOException e) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }

  @Override
  public String toString() {
    return name + " (log: " + log + ")";
  }
}
