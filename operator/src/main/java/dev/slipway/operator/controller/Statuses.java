package dev.slipway.operator.controller;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Objects;

/** Status snapshots, so a reconcile patches status only when something changed. */
final class Statuses {
  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private Statuses() {}

  static <T> T copy(T status, Class<T> type) {
    return status == null ? null : JSON.unmarshal(JSON.asJson(status), type);
  }

  static boolean changed(Object before, Object after) {
    return !Objects.equals(
        before == null ? null : JSON.asJson(before), after == null ? null : JSON.asJson(after));
  }
}
