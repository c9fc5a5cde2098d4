package dev.slipway.e2e;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.controller.BootstrapData;
import dev.slipway.operator.controller.MachineReconciler;
import dev.slipway.operator.controller.NodeObserver;
import dev.slipway.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

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
                new SecretBuilder()
                    .withNewMetadata()
                    .withName(BootstrapData.secretName(machine.getMetadata().getName()))
                    .addToLabels(MachineReconciler.BOOTSTRAP_SECRET_LABEL, "true")
                    .addToOwnerReferences(
                        new OwnerReferenceBuilder()
                            .withApiVersion(machine.getApiVersion())
                            .withKind(machine.getKind())
                            .withName(machine.getMetadata().getName())
                            .withUid(machine.getMetadata().getUid())
                            .withController(true)
                            .build())
                    .endMetadata()
                    .addToData(
                        "value",
                        Base64.getEncoder()
                            .encodeToString(
                                ("#cloud-config\nhostname: "
                                        + machine.getMetadata().getName()
                                        + "\n")
                                    .getBytes(StandardCharsets.UTF_8)))
                    .addToData(
                        "format",
                        Base64.getEncoder()
                            .encodeToString("cloud-config".getBytes(StandardCharsets.UTF_8)))
                    .build())
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
