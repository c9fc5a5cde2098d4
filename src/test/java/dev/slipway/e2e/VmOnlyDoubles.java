package dev.slipway.e2e;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.controller.BootstrapData;
import dev.slipway.operator.controller.NodeObserver;
import dev.slipway.operator.status.Conditions;
import java.util.Map;

/**
 * For the controller E2Es that check vCenter, not the guest: a bootstrap Secret holding a
 * hostname-only cloud-config, and a node observer that calls a powered-on VM ready (there is no
 * guest to register a Node). The bootstrap E2Es use the real bootstrap and the guest simulator.
 */
final class VmOnlyDoubles {
  private VmOnlyDoubles() {}

  static BootstrapData hostnameOnlyBootstrap() {
    return (client, tkc, machine, tkr) ->
        client
            .secrets()
            .inNamespace(machine.getMetadata().getNamespace())
            .resource(
                BootstrapData.secret(
                    machine,
                    "#cloud-config\nhostname: " + machine.getMetadata().getName() + "\n",
                    Map.of()))
            .create();
  }

  static NodeObserver poweredOnIsReady() {
    return (Machine m, Conditions cond) -> {
      cond.setTrue("NodeHealthy", "VMOnly", "no guest in this test: a powered-on VM counts");
      cond.setTrue("Ready", "VMOnly", "VM is on");
      return 0;
    };
  }
}
