package dev.slipway.operator.controller;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.Volume;
import dev.slipway.operator.api.vmoperator.v1alpha1.VSphereNamespace;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Whether new machines fit a namespace's limits, checked before any is created so that a cluster
 * over the limit gets a condition naming the limit and no partial set of machines.
 */
final class NamespaceLimits {
  private NamespaceLimits() {}

  /** The first limit the namespace would exceed with {@code adding}, described for a person. */
  static Optional<String> exceeded(
      VSphereNamespace vns,
      Collection<Machine> existing,
      List<Machine> adding,
      VmClasses classes,
      int machineCeiling) {
    Usage now = Usage.of(existing, classes);
    Usage extra = Usage.of(adding, classes);
    String ns = vns.getMetadata().getName();
    VSphereNamespace.ObjectLimits ol = vns.getSpec().objectLimits;
    if (now.machines() + extra.machines() > machineCeiling
        && (ol == null || ol.machines == null || ol.machines >= machineCeiling)) {
      return Optional.of(
          String.format(
              "namespace %s may have at most %d machines (guardrails.maxMachinesPerNamespace);"
                  + " %d exist and %d more are needed",
              ns, machineCeiling, now.machines(), extra.machines()));
    }
    if (ol != null && ol.machines != null && now.machines() + extra.machines() > ol.machines) {
      return Optional.of(
          String.format(
              "namespace %s allows %d machines (objectLimits.machines); %d exist and %d more are"
                  + " needed",
              ns, ol.machines, now.machines(), extra.machines()));
    }
    VSphereNamespace.Limits l = vns.getSpec().limits;
    return l == null
        ? Optional.empty()
        : cpu(ns, l, now, extra)
            .or(() -> memory(ns, l, now, extra))
            .or(() -> storage(ns, l, existing, adding));
  }

  private static Optional<String> cpu(
      String ns, VSphereNamespace.Limits l, Usage now, Usage extra) {
    long after = now.cpus() + extra.cpus();
    if (l.cpu == null
        || BigDecimal.valueOf(after).compareTo(Quantity.getAmountInBytes(l.cpu)) <= 0) {
      return Optional.empty();
    }
    return Optional.of(
        String.format(
            "namespace %s allows %s vCPUs (limits.cpu); its machines use %d and %d more are"
                + " needed",
            ns, l.cpu, now.cpus(), extra.cpus()));
  }

  private static Optional<String> memory(
      String ns, VSphereNamespace.Limits l, Usage now, Usage extra) {
    long afterBytes = (now.memoryMiB() + extra.memoryMiB()) * 1024L * 1024L;
    if (l.memory == null
        || BigDecimal.valueOf(afterBytes).compareTo(Quantity.getAmountInBytes(l.memory)) <= 0) {
      return Optional.empty();
    }
    return Optional.of(
        String.format(
            "namespace %s allows %s of memory (limits.memory); its machines use %dMi and %dMi"
                + " more are needed",
            ns, l.memory, now.memoryMiB(), extra.memoryMiB()));
  }

  private static Optional<String> storage(
      String ns, VSphereNamespace.Limits l, Collection<Machine> existing, List<Machine> adding) {
    if (l.storage == null) {
      return Optional.empty();
    }
    BigDecimal used = storage(existing);
    BigDecimal more = storage(adding);
    if (used.add(more).compareTo(Quantity.getAmountInBytes(l.storage)) <= 0) {
      return Optional.empty();
    }
    return Optional.of(
        String.format(
            "namespace %s allows %s of volume storage (limits.storage); its machines use %dGi"
                + " and %dGi more are needed",
            ns, l.storage, gib(used), gib(more)));
  }

  private static BigDecimal storage(Collection<Machine> machines) {
    BigDecimal sum = BigDecimal.ZERO;
    for (Machine m : machines) {
      for (Volume v : Optional.ofNullable(m.getSpec().volumes).orElse(List.of())) {
        sum = sum.add(Quantity.getAmountInBytes(v.capacity.storage));
      }
    }
    return sum;
  }

  private static long gib(BigDecimal bytes) {
    return bytes.divide(BigDecimal.valueOf(1L << 30), java.math.RoundingMode.CEILING).longValue();
  }
}
