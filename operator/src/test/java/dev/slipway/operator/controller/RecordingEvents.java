package dev.slipway.operator.controller;

import dev.slipway.operator.status.Events;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.V1APIGroupDSL;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real {@link Events} whose client keeps the Events it is asked to create instead of sending
 * them. {@link Events} is final and takes a {@link KubernetesClient}; this client answers only the
 * one call chain {@code Events.record} makes ({@code v1().events().inNamespace(ns).resource(e)
 * .create()}) and fails the test on any other call, so a step that talks to the API server through
 * it is noticed.
 */
final class RecordingEvents {
  final List<Event> created = new CopyOnWriteArrayList<>();
  final Events events = new Events(proxy(KubernetesClient.class, null));

  /** The reasons of the Events created so far, in order. */
  List<String> reasons() {
    return created.stream().map(Event::getReason).toList();
  }

  /** The messages of the Events of one reason. */
  List<String> messages(String reason) {
    return created.stream()
        .filter(e -> e.getReason().equals(reason))
        .map(Event::getMessage)
        .toList();
  }

  private <T> T proxy(Class<T> type, Event event) {
    return type.cast(
        Proxy.newProxyInstance(
            RecordingEvents.class.getClassLoader(),
            new Class<?>[] {type},
            (self, method, args) ->
                switch (method.getName()) {
                  case "v1" -> proxy(V1APIGroupDSL.class, null);
                  case "events" -> proxy(MixedOperation.class, null);
                  case "inNamespace" -> proxy(NonNamespaceOperation.class, null);
                  case "resource" -> proxy(Resource.class, (Event) args[0]);
                  case "create" -> {
                    created.add(event);
                    yield event;
                  }
                  case "hashCode" -> System.identityHashCode(self);
                  case "equals" -> self == args[0];
                  case "toString" -> "RecordingEvents client";
                  default ->
                      throw new UnsupportedOperationException(
                          "the events-only client got " + method);
                }));
  }
}
