package dev.slipway.operator.controller.steps;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
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
  private static final Logger PASSES = LoggerFactory.getLogger("dev.slipway.operator.passes");

  private final Map<String, Step<P>> steps;

  private Pipeline(Map<String, Step<P>> steps) {
    this.steps = steps;
  }

  public static <P> Builder<P> builder() {
    return new Builder<>();
  }

  /** Runs the steps in order; the first wait ends the pass, else {@link Next#proceed()}. */
  public Outcome run(P pass) {
    for (Map.Entry<String, Step<P>> e : steps.entrySet()) {
      Next next = e.getValue().run(pass);
      if (!next.proceeds()) {
        PASSES.debug(
            "pass ended at {}: {} (again {})",
            e.getKey(),
            next.reason().orElseThrow(),
            next.after().map(d -> "in " + d).orElse("on an event"));
        return new Outcome(e.getKey(), next);
      }
    }
    PASSES.debug("pass went through every step");
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
    return new Pipeline<>(copy);
  }

  /** Where a pass ended: the step that waited (null if none) and what it said. */
  public record Outcome(String step, Next next) {}

  public static final class Builder<P> {
    private final Map<String, Step<P>> steps = new LinkedHashMap<>();

    public Builder<P> step(String name, Step<P> step) {
      if (steps.putIfAbsent(name, step) != null) {
        throw new IllegalArgumentException("step " + name + " twice");
      }
      return this;
    }

    public Pipeline<P> build() {
      return new Pipeline<>(new LinkedHashMap<>(steps));
    }
  }
}
