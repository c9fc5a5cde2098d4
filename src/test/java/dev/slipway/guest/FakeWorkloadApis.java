package dev.slipway.guest;

import dev.slipway.operator.bootstrap.CertKey;
import dev.slipway.operator.bootstrap.ServingCertificates;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workload API servers and etcd members of every cluster in the light guest mode ({@link
 * GuestSimulator.Mode#MUX}), multiplexed in this process: one {@link FakeKube} and one {@link
 * FakeEtcd} per control-plane endpoint, each served over HTTPS where Slipway looks for it — the API
 * on the endpoint (the VIP) while a control-plane guest of the cluster runs, each member's gateway
 * on port 2379 of its guest's address. The TLS is the cluster's own: server certificates signed by
 * the cluster CA (API) and the etcd CA (members) from the bootstrap data, and only client
 * certificates those CAs signed are let in. All listeners share one small Vert.x event loop, so a
 * thousand clusters cost a thousand sockets, not a thousand processes.
 */
final class FakeWorkloadApis implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FakeWorkloadApis.class);
  private static final Duration CERT_VALIDITY = Duration.ofDays(7);

  /**
   * One RSA 2048 key pair for every fake server's certificate. Each certificate is what kubeadm
   * makes for its server (an RSA 2048 key, signed by the cluster's CA, for the names and address it
   * serves), but the key is made once: a guest makes its keys on its own CPU, not on the management
   * cluster's, and making a key per fake server (two per cluster, about 130 ms of CPU each) in the
   * benchmark's JVM, on the same cores as the operator, held the guests' boots for minutes at 1 000
   * clusters (docs/performance.md, run 13).
   */
  private static final KeyPair SERVING_KEYS =
      ServingCertificates.newKey(ServingCertificates.Key.RSA_2048);

  /** One workload cluster: its objects, its etcd, and who serves them. */
  static final class Cluster {
    final String endpoint;
    final CertKey ca;
    final CertKey etcdCa;
    final FakeKube kube = new FakeKube();
    final FakeEtcd etcd = new FakeEtcd();
    private final Set<String> holders = new HashSet<>();
    private HttpServer api;
    private final Map<String, HttpServer> members = new LinkedHashMap<>();

    Cluster(String endpoint, CertKey ca, CertKey etcdCa) {
      this.endpoint = endpoint;
      this.ca = ca;
      this.etcdCa = etcdCa;
    }

    /** Whether the API answers on the endpoint now. */
    synchronized boolean serving() {
      return api != null;
    }
  }

  private final Vertx vertx =
      Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(2));
  private final Map<String, Cluster> clusters = new ConcurrentHashMap<>();

  /**
   * A new cluster at {@code endpoint} (host:port), made by its init machine; one that was there
   * before (a cluster deleted and made again on the same VIP) is closed and forgotten.
   */
  Cluster init(String endpoint, CertKey ca, CertKey etcdCa) {
    Cluster fresh = new Cluster(endpoint, ca, etcdCa);
    Cluster old = clusters.put(endpoint, fresh);
    if (old != null) {
      close(old);
    }
    return fresh;
  }

  Optional<Cluster> find(String endpoint) {
    return Optional.ofNullable(clusters.get(endpoint));
  }

  List<Cluster> clusters() {
    return List.copyOf(clusters.values());
  }

  /** Requests any fake could not serve, for the benchmark's report. */
  Set<String> unserved() {
    Set<String> out = new TreeSet<>();
    clusters.values().forEach(c -> out.addAll(c.kube.unserved()));
    return out;
  }

  /** Guest {@code holder} (a control-plane machine) serves the cluster's API on its endpoint. */
  void holdEndpoint(Cluster c, String holder) throws Exception {
    synchronized (c) {
      c.holders.add(holder);
      if (c.api != null) {
        return;
      }
      String host = c.endpoint.substring(0, c.endpoint.lastIndexOf(':'));
      int port = Integer.parseInt(c.endpoint.substring(c.endpoint.lastIndexOf(':') + 1));
      c.api =
          listen(
              host,
              port,
              ServingCertificates.issueServer(
                  SERVING_KEYS,
                  c.ca,
                  "kube-apiserver",
                  List.of("kubernetes", "kubernetes.default", "kubernetes.default.svc"),
                  List.of(host),
                  Instant.now(),
                  CERT_VALIDITY),
              c.ca,
              (req, body) ->
                  c.kube.handle(
                      req.method().name(),
                      req.path(),
                      query(req.params()),
                      req.getHeader("Content-Type"),
                      body));
    }
  }

  /** Guest {@code holder} stops serving the endpoint; the last one out takes the API down. */
  void releaseEndpoint(Cluster c, String holder) {
    HttpServer down = null;
    synchronized (c) {
      if (c.holders.remove(holder) && c.holders.isEmpty()) {
        down = c.api;
        c.api = null;
      }
    }
    if (down != null) {
      await(down.close());
    }
  }

  /** The etcd member on {@code ip} answers its gateway on port 2379. */
  void serveMember(Cluster c, String ip) throws Exception {
    synchronized (c) {
      if (c.members.containsKey(ip)) {
        return;
      }
      String url = "https://" + ip + ":2379";
      c.members.put(
          ip,
          listen(
              ip,
              2379,
              ServingCertificates.issueServer(
                  SERVING_KEYS,
                  c.etcdCa,
                  ip,
                  List.of("localhost"),
                  List.of(ip),
                  Instant.now(),
                  CERT_VALIDITY),
              c.etcdCa,
              (req, body) -> c.etcd.handle(url, req.method().name(), req.path(), body)));
    }
  }

  /** The member on {@code ip} stops answering (its machine is off or gone). */
  void stopMember(Cluster c, String ip) {
    HttpServer s;
    synchronized (c) {
      s = c.members.remove(ip);
    }
    if (s != null) {
      await(s.close());
    }
  }

  private HttpServer listen(
      String host,
      int port,
      CertKey serving,
      CertKey trusted,
      BiFunction<HttpServerRequest, String, FakeKube.Answer> handler)
      throws Exception {
    HttpServerOptions options =
        new HttpServerOptions()
            .setHost(host)
            .setPort(port)
            .setSsl(true)
            .setKeyCertOptions(
                new PemKeyCertOptions()
                    .addCertValue(Buffer.buffer(serving.certPem()))
                    .addKeyValue(Buffer.buffer(serving.keyPem())))
            .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(trusted.certPem())))
            .setClientAuth(ClientAuth.REQUIRED);
    HttpServer server =
        vertx
            .createHttpServer(options)
            .requestHandler(
                req ->
                    req.body()
                        .onComplete(
                            ar -> {
                              FakeKube.Answer a;
                              try {
                                a =
                                    handler.apply(
                                        req, ar.succeeded() ? ar.result().toString() : "");
                              } catch (RuntimeException e) {
                                LOG.warn(
                                    "fake workload API: {} {}: {}", req.method(), req.uri(), e);
                                a = FakeKube.failure(500, "InternalError", e.toString());
                              }
                              req.response()
                                  .setStatusCode(a.status())
                                  .putHeader("Content-Type", "application/json")
                                  .end(a.body());
                            }));
    return server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static Map<String, String> query(MultiMap params) {
    Map<String, String> out = new LinkedHashMap<>();
    params.forEach(e -> out.putIfAbsent(e.getKey(), e.getValue()));
    return out;
  }

  private static void await(io.vertx.core.Future<?> f) {
    try {
      f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.debug("fake workload API: close: {}", e.toString());
    }
  }

  private void close(Cluster c) {
    List<HttpServer> servers;
    synchronized (c) {
      servers = new java.util.ArrayList<>(c.members.values());
      if (c.api != null) {
        servers.add(c.api);
      }
      c.api = null;
      c.members.clear();
      c.holders.clear();
    }
    servers.forEach(s -> await(s.close()));
  }

  @Override
  public void close() {
    clusters.values().forEach(this::close);
    clusters.clear();
    await(vertx.close());
  }
}
