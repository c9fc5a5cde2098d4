package dev.slipway.operator.bootstrap;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * The kube-vip static pod that holds the control-plane VIP on one control-plane machine at a time.
 */
final class KubeVip {

  static final String IMAGE = "ghcr.io/kube-vip/kube-vip:v0.8.7";
  static final String ADMIN_CONF = "/etc/kubernetes/admin.conf";

  /**
   * From Kubernetes 1.29 kubeadm's admin.conf only gains its rights once {@code kubeadm init} has
   * created a binding through the API server, which it reaches via the VIP that kube-vip has yet to
   * announce; during init kube-vip must use the break-glass super-admin.conf instead.
   */
  static final String SUPER_ADMIN_CONF = "/etc/kubernetes/super-admin.conf";

  private KubeVip() {}

  static String manifest(ClusterSpec c, String kubeconfigOnHost) {
    boolean ipv6 = c.endpointHost().contains(":");
    List<EnvVar> env = new ArrayList<>();
    env.add(env("vip_arp", "true"));
    env.add(env("port", Integer.toString(c.endpointPort())));
    env.add(
        new EnvVarBuilder()
            .withName("vip_nodename")
            .withNewValueFrom()
            .withNewFieldRef()
            .withFieldPath("spec.nodeName")
            .endFieldRef()
            .endValueFrom()
            .build());
    env.add(env("vip_subnet", ipv6 ? "128" : "32"));
    env.add(env("cp_enable", "true"));
    env.add(env("cp_namespace", "kube-system"));
    env.add(env("svc_enable", "false"));
    env.add(env("vip_leaderelection", "true"));
    env.add(env("vip_leasename", "plndr-cp-lock"));
    env.add(env("vip_leaseduration", "15"));
    env.add(env("vip_renewdeadline", "10"));
    env.add(env("vip_retryperiod", "2"));
    env.add(env("address", c.endpointHost()));
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName("kube-vip")
            .withNamespace("kube-system")
            .endMetadata()
            .withNewSpec()
            .withHostNetwork(true)
            // kube-vip talks to the API server as https://kubernetes:<port>; pointing that name at
            // the local API server keeps it from depending on the VIP it is about to announce.
            .addNewHostAlias()
            .withIp("127.0.0.1")
            .withHostnames("kubernetes")
            .endHostAlias()
            .addNewContainer()
            .withName("kube-vip")
            .withImage(IMAGE)
            .withImagePullPolicy("IfNotPresent")
            .withArgs("manager")
            .withEnv(env)
            .withNewSecurityContext()
            .withNewCapabilities()
            .withAdd("NET_ADMIN", "NET_RAW")
            .endCapabilities()
            .endSecurityContext()
            .addNewVolumeMount()
            .withName("kubeconfig")
            .withMountPath(ADMIN_CONF)
            .endVolumeMount()
            .endContainer()
            .addNewVolume()
            .withName("kubeconfig")
            .withNewHostPath()
            .withPath(kubeconfigOnHost)
            .withType("FileOrCreate")
            .endHostPath()
            .endVolume()
            .endSpec()
            .build();
    return Yaml.dump(pod);
  }

  private static EnvVar env(String name, String value) {
    return new EnvVarBuilder().withName(name).withValue(value).build();
  }
}
