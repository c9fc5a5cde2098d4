package dev.slipway.operator.controller.etcd;

import java.util.List;

/**
 * One member of a workload cluster's etcd, as etcd lists it. Under kubeadm its name is the Node's
 * name; name and client URLs are empty until the member has started.
 */
public record EtcdMember(
    long id, String name, List<String> peerUrls, List<String> clientUrls, boolean learner) {
  public EtcdMember {
    peerUrls = List.copyOf(peerUrls);
    clientUrls = List.copyOf(clientUrls);
  }

  /** etcd's own spelling of an ID (hex), as etcdctl prints it. */
  public String hexId() {
    return Long.toHexString(id);
  }
}
