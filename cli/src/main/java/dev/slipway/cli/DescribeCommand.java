package dev.slipway.cli;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code slipway describe cluster NAME}. */
@Command(
    name = "describe",
    mixinStandardHelpOptions = true,
    versionProvider = SlipwayCli.Version.class,
    description = "Show an object as a tree of what it is made of, with each part's state.",
    subcommands = {DescribeCommand.Cluster.class})
final class DescribeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(),
        "say what to describe: " + spec.root().name() + " describe cluster NAME -n NAMESPACE");
  }

  @Command(
      name = "cluster",
      mixinStandardHelpOptions = true,
      versionProvider = SlipwayCli.Version.class,
      description = {
        "A TanzuKubernetesCluster, its control plane and node pools and their Machines, with"
            + " READY, REASON, SINCE and MESSAGE from their conditions (like clusterctl describe"
            + " cluster). Machines in the same state share one line."
      })
  static final class Cluster implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "The TanzuKubernetesCluster.")
    String name;

    @Override
    public Integer call() {
      KubeOptions kube = SlipwayCli.of(spec).kube();
      String ns = kube.namespace();
      try (KubernetesClient client = kube.client()) {
        TanzuKubernetesCluster tkc =
            client.resources(TanzuKubernetesCluster.class).inNamespace(ns).withName(name).get();
        if (tkc == null) {
          throw new UserException("TanzuKubernetesCluster " + ns + "/" + name + " not found");
        }
        List<Machine> machines = client.resources(Machine.class).inNamespace(ns).list().getItems();
        String tree =
            ClusterTree.render(
                ClusterTree.build(tkc, machines), SlipwayCli.of(spec).clock().instant());
        spec.commandLine().getOut().print(tree);
        spec.commandLine().getOut().flush();
      } catch (KubernetesClientException e) {
        throw kube.explain(e);
      }
      return 0;
    }
  }
}
