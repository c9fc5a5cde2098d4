package dev.slipway.operator.controller;

import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.config.VipPool;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Control-plane endpoints, held where only the operator writes: ConfigMaps in the operator's
 * namespace, two per cluster, so that the API server itself keeps them unique across replicas and
 * leader changes. {@code slipway-vip-<address>} (one per address: a second cluster cannot create
 * it) names the cluster's UID; {@code slipway-vip-for-<uid>} (one per cluster: of two replicas
 * racing for one cluster, the first create wins and the loser gives its address back) names the
 * address. Nothing a tenant can edit is trusted: the old annotation {@value
 * ClusterAccess#ENDPOINT_ANNOTATION} is read once, to move a cluster made before these claims, and
 * only if that address is in the pool and claimed by nobody else. Released when the cluster's
 * machines are gone.
 */
final class VipClaims {
  private static final Logger LOG = LoggerFactory.getLogger(VipClaims.class);
  static final String LABEL = "slipway.dev/vip";
  static final String UID_LABEL = "slipway.dev/cluster-uid";
  private static final int ATTEMPTS = 20;

  /** After a lost race, the next try picks at random among this many free addresses. */
  private static final int SPREAD = 32;

  private final VipPool pool;
  private final String namespace;

  /** Claims this process saw whole (both objects): cluster UID → address. */
  private final Map<String, String> known = new java.util.concurrent.ConcurrentHashMap<>();

  VipClaims(VipPool pool, String namespace) {
    this.pool = pool;
    this.namespace = namespace;
  }

  static String addressName(String address) {
    return "slipway-vip-" + address.replace('.', '-').replace(':', '-');
  }

  static String clusterName(String uid) {
    return "slipway-vip-for-" + uid;
  }

  /** The cluster's address, claimed now if it has none; empty when the pool is exhausted. */
  Optional<String> claim(KubernetesClient client, TanzuKubernetesCluster tkc) {
    String uid = tkc.getMetadata().getUid();
    String cached = known.get(uid);
    if (cached != null) {
      return Optional.of(cached);
    }
    Optional<String> held = held(client, uid);
    if (held.isPresent()) {
      return held;
    }
    String legacy = ClusterAccess.annotation(tkc);
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      List<ConfigMap> byAddress = addressClaims(client);
      Optional<String> half = attempt == 0 ? halfClaimed(byAddress, uid) : Optional.empty();
      if (half.isPresent()) {
        // A process stopped between the two creates: the address is this cluster's already.
        return finish(client, tkc, half.get());
      }
      Set<String> taken = taken(byAddress);
      Optional<String> pick =
          attempt == 0 && legacy != null && pool.contains(legacy) && !taken.contains(legacy)
              ? Optional.of(legacy)
              : pick(pool.firstFree(taken, attempt == 0 ? 1 : SPREAD));
      if (pick.isEmpty()) {
        return Optional.empty();
      }
      if (!create(client, claimObject(addressName(pick.get()), pick.get(), tkc))) {
        continue; // another cluster took it meanwhile: look again
      }
      return finish(client, tkc, pick.get());
    }
    throw new IllegalStateException(
        "could not claim a control-plane address after " + ATTEMPTS + " attempts");
  }

  /**
   * With the address's claim made, the cluster's: the address is the cluster's. If another replica
   * made the cluster's claim first, that claim's address is used, and this one is given back unless
   * it is that one (a replica that found this address half claimed finished the claim with it).
   */
  private Optional<String> finish(KubernetesClient client, TanzuKubernetesCluster tkc, String a) {
    String uid = tkc.getMetadata().getUid();
    if (create(client, claimObject(clusterName(uid), a, tkc))) {
      known.put(uid, a);
      LOG.info(
          "control-plane endpoint {} claimed for {}/{}",
          a,
          tkc.getMetadata().getNamespace(),
          tkc.getMetadata().getName());
      return Optional.of(a);
    }
    ConfigMap theirs = client.configMaps().inNamespace(namespace).withName(clusterName(uid)).get();
    if (theirs == null || theirs.getData() == null || !a.equals(theirs.getData().get("address"))) {
      client.configMaps().inNamespace(namespace).withName(addressName(a)).delete();
    }
    return held(client, uid);
  }

  /** The address whose claim names this cluster, though the cluster's own claim is missing. */
  private static Optional<String> halfClaimed(List<ConfigMap> byAddress, String uid) {
    return byAddress.stream()
        .filter(c -> uid.equals(labels(c).get(UID_LABEL)))
        .map(c -> c.getData() == null ? null : c.getData().get("address"))
        .filter(java.util.Objects::nonNull)
        .findFirst();
  }

  /** The address the cluster holds: its claim, cross-checked with the address's own claim. */
  Optional<String> held(KubernetesClient client, String uid) {
    ConfigMap mine = client.configMaps().inNamespace(namespace).withName(clusterName(uid)).get();
    if (mine == null || mine.getData() == null || mine.getData().get("address") == null) {
      return Optional.empty();
    }
    String address = mine.getData().get("address");
    ConfigMap byAddress =
        client.configMaps().inNamespace(namespace).withName(addressName(address)).get();
    if (byAddress == null || !uid.equals(labels(byAddress).get(UID_LABEL))) {
      // Never hand out an address another cluster's claim holds.
      throw new IllegalStateException(
          "the claim of address " + address + " is missing or names another cluster");
    }
    known.put(uid, address);
    return Optional.of(address);
  }

  /** Frees the cluster's address (its VMs are gone). */
  void release(KubernetesClient client, TanzuKubernetesCluster tkc) {
    String uid = tkc.getMetadata().getUid();
    known.remove(uid);
    client
        .configMaps()
        .inNamespace(namespace)
        .withLabel(UID_LABEL, uid)
        .list()
        .getItems()
        .forEach(c -> client.resource(c).delete());
  }

  /**
   * The first free address, or after a lost race (several reconciles or replicas claiming at once
   * all see the same first one) one of the first few at random.
   */
  private static Optional<String> pick(java.util.List<String> free) {
    return free.isEmpty()
        ? Optional.empty()
        : Optional.of(
            free.get(java.util.concurrent.ThreadLocalRandom.current().nextInt(free.size())));
  }

  private List<ConfigMap> addressClaims(KubernetesClient client) {
    return client.configMaps().inNamespace(namespace).withLabel(LABEL, "address").list().getItems();
  }

  private static Set<String> taken(List<ConfigMap> byAddress) {
    Set<String> out = new HashSet<>();
    for (ConfigMap c : byAddress) {
      if (c.getData() != null && c.getData().get("address") != null) {
        out.add(c.getData().get("address"));
      }
    }
    return out;
  }

  private boolean create(KubernetesClient client, ConfigMap c) {
    try {
      client.configMaps().inNamespace(namespace).resource(c).create();
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        return false;
      }
      throw e;
    }
  }

  private ConfigMap claimObject(String name, String address, TanzuKubernetesCluster tkc) {
    boolean byAddress = name.equals(addressName(address));
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .addToLabels(LABEL, byAddress ? "address" : "cluster")
        .addToLabels(UID_LABEL, tkc.getMetadata().getUid())
        .endMetadata()
        .withData(
            Map.of(
                "address",
                address,
                "cluster",
                tkc.getMetadata().getNamespace() + "/" + tkc.getMetadata().getName()))
        .build();
  }

  private static Map<String, String> labels(ConfigMap c) {
    return c.getMetadata().getLabels() == null ? Map.of() : c.getMetadata().getLabels();
  }
}
