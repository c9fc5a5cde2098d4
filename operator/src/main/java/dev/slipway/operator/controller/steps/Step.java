package dev.slipway.operator.controller.steps;

/** One named step of a reconcile: looks at the pass's state, may act, says whether to go on. */
@FunctionalInterface
public interface Step<P> {
  Next run(P pass);
}
