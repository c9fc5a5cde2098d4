package dev.slipway.operator.controller.steps;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An ordered list of named steps: a reconcile runs them in order and the first one that waits ends
 * the pass. Adding a behaviour is one step and one line in the list; a test can replace one step by
 * name and run the rest as they are.
 */
public final class Pipeline<P> {
  /**
   * Where each pass ended, at DEBUG: {@code -Dslipway.log.passes=DEBUG} turns on just this (the log
   * line carries the resource's namespace and name).
   */
  private static final Logger PASSES_LOG = LoggerFactory.getLogger("dev.slipway.operator.passes");

  /** Passes of every pipeline of this process, by pipeline and the step each ended at. */
  private static final Map<At, LongAdder> PASSES = new ConcurrentHashMap<>();

  /**
   * The CPU time (nanoseconds) of the reconcile threads in each step of every pipeline of this
   * process: what a pass costs and where ({@code slipway_reconcile_step_cpu_seconds_total}). Work a
   * step hands to other threads (an HTTP client's) is not in it.
   */
  private static final Map<At, LongAdder> STEP_CPU = new ConcurrentHashMap<>();

  private static final java.lang.management.ThreadMXBean THREADS =
      java.lang.management.ManagementFactory.getThreadMXBean();

  private static final boolean CPU_TIMED =
      THREADS.isCurrentThreadCpuTimeSupported() && THREADS.isThreadCpuTimeEnabled();

  /** A step of pipeline {@code pipeline} (for passes: where they ended, or {@link #THROUGH}). */
  public record At(String pipeline, String step) {}

  /** The step of a pass that went through every step. */
  public static final String THROUGH = "through";

  /** After a step's name: the pass ended there with an exception. */
  public static final String THREW = "(threw)";

  private final String name;
  private final Map<String, Step<P>> steps;

  private Pipeline(String name, Map<String, Step<P>> steps) {
    this.name = name;
    this.steps = steps;
  }

  /** A pipeline called {@code name} (the controller's: its passes are counted under it). */
  public static <P> Builder<P> builder(String name) {
    return new Builder<>(name);
  }

  /**
   * How many passes of each pipeline of this process ended at each step, since it started ({@code
   * slipway_reconcile_passes_total}).
   */
  public static Map<At, Long> passes() {
    return sums(PASSES);
  }

  /** How many passes ended there. */
  public static long passes(At where) {
    return sum(PASSES, where);
  }

  /**
   * The CPU time of each step of each pipeline of this process so far, in nanoseconds (empty where
   * the JVM does not measure a thread's CPU).
   */
  public static Map<At, Long> stepCpuNanos() {
    return sums(STEP_CPU);
  }

  /** The CPU time of that step so far, in nanoseconds. */
  public static long stepCpuNanos(At step) {
    return sum(STEP_CPU, step);
  }

  private static Map<At, Long> sums(Map<At, LongAdder> counters) {
    Map<At, Long> out = new java.util.HashMap<>();
    counters.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  private static long sum(Map<At, LongAdder> counters, At key) {
    LongAdder n = counters.get(key);
    return n == null ? 0 : n.sum();
  }

  private void count(String step) {
    PASSES.computeIfAbsent(new At(name, step), k -> new LongAdder()).increment();
  }

  private static long cpuNow() {
    return CPU_TIMED ? THREADS.getCurrentThreadCpuTime() : 0;
  }

  private void spent(String step, long since) {
    if (CPU_TIMED) {
      STEP_CPU
          .computeIfAbsent(new At(name, step), k -> new LongAdder())
          .add(Math.max(0, cpuNow() - since));
    }
  }

  /** Runs the steps in order; the first wait ends the pass, else {@link Next#proceed()}. */
  public Outcome run(P pass) {
    for (Map.Entry<String, Step<P>> e : steps.entrySet()) {
      Next next;
      long cpu = cpuNow();
      try {
        next = e.getValue().run(pass);
      } catch (RuntimeException x) {
        spent(e.getKey(), cpu);
        count(e.getKey() + " " + THREW);
        throw x;
      }
      spent(e.getKey(), cpu);
      if (!next.proceeds()) {
        if (PASSES_LOG.isDebugEnabled()) {
          PASSES_LOG.debug(
              "pass ended at {}: {} (again {})",
              e.getKey(),
              next.reason().orElseThrow(),
              next.after().map(d -> "in " + d).orElse("on an event"));
        }
        count(e.getKey());
        return new Outcome(e.getKey(), next);
      }
    }
    count(THROUGH);
    PASSES_LOG.debug("pass went through every step");
    return new Outcome(null, Next.proceed());
  }

  /** The step names in order (docs/controllers.md shows them). */
  public List<String> names() {
    return new ArrayList<>(steps.keySet());
  }

  /** The same pipeline with one step replaced; the name must exist. */
  public Pipeline<P> replacing(String name, Step<P> step) {
    if (!steps.containsKey(name)) {
      throw new NoSuchElementException("no step " + name + " in " + names());
    }
    Map<String, Step<P>> copy = new LinkedHashMap<>(steps);
    copy.put(name, step);
    return new Pipeline<>(this.name, copy);
  }

  /** Where a pass ended: the step that waited (null if none) and what it said. */
  public record Outcome(String step, Next next) {}

  public static final class Builder<P> {
    private final String name;
    private final Map<String, Step<P>> steps = new LinkedHashMap<>();

    private Builder(String name) {
      this.name = java.util.Objects.requireNonNull(name, "name");
    }

    public Builder<P> step(String name, Step<P> step) {
      if (steps.putIfAbsent(name, step) != null) {
        throw new IllegalArgumentException("step " + name + " twice");
      }
      return this;
    }

    public Pipeline<P> build() {
      return new Pipeline<>(name, new LinkedHashMap<>(steps));
    }
  }
}
