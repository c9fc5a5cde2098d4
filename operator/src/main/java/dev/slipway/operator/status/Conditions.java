package dev.slipway.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Condition bookkeeping for every Slipway status: setting a condition keeps its lastTransitionTime
 * unless its status changes, so a reconcile that finds nothing new writes the same status again and
 * GitOps tools see no flapping.
 */
public final class Conditions {
  public static final String TRUE = "True";
  public static final String FALSE = "False";
  public static final String UNKNOWN = "Unknown";

  private final List<Condition> list;
  private final Long generation;
  private final Clock clock;

  private Conditions(List<Condition> existing, Long generation, Clock clock) {
    this.list = new ArrayList<>(existing == null ? List.of() : existing);
    this.generation = generation;
    this.clock = clock;
  }

  /** Starts from the conditions a status has now; new ones carry {@code generation}. */
  public static Conditions of(List<Condition> existing, Long generation) {
    return new Conditions(existing, generation, Clock.systemUTC());
  }

  public static Conditions of(List<Condition> existing, Long generation, Clock clock) {
    return new Conditions(existing, generation, clock);
  }

  public Conditions setTrue(String type, String reason, String message) {
    return set(type, TRUE, reason, message);
  }

  public Conditions setFalse(String type, String reason, String message) {
    return set(type, FALSE, reason, message);
  }

  public Conditions setUnknown(String type, String reason, String message) {
    return set(type, UNKNOWN, reason, message);
  }

  public Conditions set(String type, String status, String reason, String message) {
    Optional<Condition> old = get(type);
    String since =
        old.filter(c -> status.equals(c.getStatus()))
            .map(Condition::getLastTransitionTime)
            .orElseGet(this::now);
    Condition c =
        new ConditionBuilder()
            .withType(type)
            .withStatus(status)
            .withReason(reason)
            .withMessage(message == null ? "" : message)
            .withObservedGeneration(generation)
            .withLastTransitionTime(since)
            .build();
    list.removeIf(x -> type.equals(x.getType()));
    list.add(c);
    return this;
  }

  public Conditions remove(String type) {
    list.removeIf(x -> type.equals(x.getType()));
    return this;
  }

  public Optional<Condition> get(String type) {
    return list.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  public boolean isTrue(String type) {
    return get(type).map(c -> TRUE.equals(c.getStatus())).orElse(false);
  }

  public boolean isFalse(String type) {
    return get(type).map(c -> FALSE.equals(c.getStatus())).orElse(false);
  }

  /**
   * The conditions sorted by type, Ready first, so that equal states serialize equally; with {@link
   * Types#STALLED} and {@link Types#RECONCILING} brought in line with the others first, so every
   * status written carries them.
   */
  public List<Condition> list() {
    deriveKstatusConditions();
    return sorted(list);
  }

  /**
   * Stalled is True exactly while Ready is False with a reason in {@link Reasons#STALLED};
   * Reconciling is True while the object is neither Ready nor Stalled, with the reason of Ready or,
   * before there is a Ready condition, of the first condition that is not True.
   */
  private void deriveKstatusConditions() {
    Optional<Condition> ready = get(Types.READY);
    if (ready.isPresent()
        && FALSE.equals(ready.get().getStatus())
        && Reasons.STALLED.contains(ready.get().getReason())) {
      setTrue(Types.STALLED, ready.get().getReason(), ready.get().getMessage());
      remove(Types.RECONCILING);
      return;
    }
    remove(Types.STALLED);
    Optional<Condition> cause =
        ready.isPresent()
            ? ready.filter(c -> !TRUE.equals(c.getStatus()))
            : sorted(list).stream()
                .filter(c -> !TRUE.equals(c.getStatus()) && !Types.RECONCILING.equals(c.getType()))
                .findFirst();
    if (cause.isPresent()) {
      setTrue(Types.RECONCILING, cause.get().getReason(), cause.get().getMessage());
    } else {
      remove(Types.RECONCILING);
    }
  }

  private static List<Condition> sorted(List<Condition> in) {
    List<Condition> out = new ArrayList<>(in);
    out.sort(
        Comparator.comparing((Condition c) -> !Types.READY.equals(c.getType()))
            .thenComparing(Condition::getType));
    return out;
  }

  private String now() {
    return DateTimeFormatter.ISO_INSTANT.format(Instant.now(clock).truncatedTo(ChronoUnit.SECONDS));
  }

  /** Whether two condition lists say the same thing (ignoring order). */
  public static boolean same(List<Condition> a, List<Condition> b) {
    return Objects.equals(
        sorted(a == null ? List.of() : a).stream().map(Conditions::key).toList(),
        sorted(b == null ? List.of() : b).stream().map(Conditions::key).toList());
  }

  private static String key(Condition c) {
    return String.join(
        "|",
        c.getType(),
        c.getStatus(),
        String.valueOf(c.getReason()),
        String.valueOf(c.getMessage()),
        String.valueOf(c.getLastTransitionTime()),
        String.valueOf(c.getObservedGeneration()));
  }
}
