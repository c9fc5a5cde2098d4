package dev.slipway.operator.controller;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import java.util.Collection;

/** What a set of machines asks of a namespace: count, vCPUs and memory, from their classes. */
record Usage(int machines, int cpus, long memoryMiB) {

  static Usage of(Collection<Machine> machines, VmClasses classes) {
    int cpus = 0;
    long mem = 0;
    for (Machine m : machines) {
      var c = classes.get(m.getSpec().vmClass);
      if (c.isPresent()) {
        cpus += VmClasses.cpus(c.get());
        mem += VmClasses.memoryMiB(c.get());
      }
    }
    return new Usage(machines.size(), cpus, mem);
  }
}
