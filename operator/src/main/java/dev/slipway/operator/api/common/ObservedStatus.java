package dev.slipway.operator.api.common;

import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** A status that records what a reconcile saw: its conditions and the generation it looked at. */
public interface ObservedStatus {
  void observed(List<Condition> conditions, Long generation);
}
