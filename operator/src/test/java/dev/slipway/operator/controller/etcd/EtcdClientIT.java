package dev.slipway.operator.controller.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.slipway.operator.bootstrap.CertKey;
import dev.slipway.operator.bootstrap.ClientCertificates;
import dev.slipway.operator.bootstrap.ClusterPki;
import dev.slipway.testenv.ManagedProcess;
import dev.slipway.testenv.TestBed;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link EtcdClient} against a real three-member etcd (the test bed's binary) set up as kubeadm
 * sets up stacked etcd: TLS on client and peer ports, client certificates required, the cluster's
 * etcd CA as the only trusted CA. Slipway's client certificate comes from the same CA.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EtcdClientIT {
  /** Loopback addresses of their own, so no other test's ports are in the way. */
  static final List<String> HOSTS = List.of("127.8.0.11", "127.8.0.12", "127.8.0.13");

  static final ClusterPki PKI = ClusterPki.generate("etcd-it");
  static final List<ManagedProcess> MEMBERS = new ArrayList<>();
  static EtcdClient client;

  @TempDir static Path dir;

  @BeforeAll
  static void startEtcd() throws Exception {
    TestBed bed = TestBed.get();
    Path ca = write(dir.resolve("ca.crt"), PKI.etcd().certPem());
    String cluster =
        HOSTS.stream()
            .map(h -> name(h) + "=https://" + h + ":2380")
            .collect(Collectors.joining(","));
    for (String h : HOSTS) {
      CertKey server = serverCert(h);
      Path crt = write(dir.resolve(h + ".crt"), server.certPem());
      Path key = write(dir.resolve(h + ".key"), server.keyPem());
      MEMBERS.add(
          ManagedProcess.start(
              "etcd-" + h,
              List.of(
                  bed.bin("etcd").toString(),
                  "--name=" + name(h),
                  "--data-dir=" + dir.resolve("data-" + h),
                  "--listen-client-urls=https://" + h + ":2379",
                  "--advertise-client-urls=https://" + h + ":2379",
                  "--listen-peer-urls=https://" + h + ":2380",
                  "--initial-advertise-peer-urls=https://" + h + ":2380",
                  "--initial-cluster=" + cluster,
                  "--initial-cluster-state=new",
                  "--client-cert-auth=true",
                  "--trusted-ca-file=" + ca,
                  "--cert-file=" + crt,
                  "--key-file=" + key,
                  "--peer-client-cert-auth=true",
                  "--peer-trusted-ca-file=" + ca,
                  "--peer-cert-file=" + crt,
                  "--peer-key-file=" + key,
                  "--listen-metrics-urls=http://" + h + ":2381"),
              bed.logDir().resolve("etcd-it-" + h + ".log")));
    }
    CertKey me =
        ClientCertificates.issue(ClientCertificates.ETCD_CLIENT, PKI.etcd(), Instant.now());
    client =
        new EtcdClient(
            ClientCertificates.sslContext(me, PKI.etcd()), endpoints(), Duration.ofSeconds(5));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> endpoints().stream().allMatch(client::healthy));
  }

  @AfterAll
  static void stop() {
    MEMBERS.forEach(ManagedProcess::close);
  }

  @Test
  @Order(1)
  void listsTheMembersByNameWithTheirUrls() {
    List<EtcdMember> members = client.members();
    assertThat(members).extracting(EtcdMember::name).containsExactlyInAnyOrder("m11", "m12", "m13");
    assertThat(members)
        .allSatisfy(
            m -> {
              assertThat(m.clientUrls()).singleElement().asString().startsWith("https://127.8.0.");
              assertThat(m.learner()).isFalse();
            });
  }

  @Test
  @Order(2)
  void aClientWithoutACertificateFromTheEtcdCaIsRefused() throws Exception {
    ClusterPki other = ClusterPki.generate("other");
    CertKey stranger = ClientCertificates.issue("stranger", other.etcd(), Instant.now());
    SSLContext tls = ClientCertificates.sslContext(stranger, PKI.etcd());
    EtcdClient strangerClient = new EtcdClient(tls, endpoints(), Duration.ofSeconds(5));
    assertThatThrownBy(strangerClient::members).isInstanceOf(EtcdException.class);
    assertThat(strangerClient.healthy(endpoints().get(0))).isFalse();
  }

  @Test
  @Order(3)
  void leadershipMovesOffALeavingMemberBeforeItIsRemoved() {
    long leader = client.status(endpoints().get(0)).leaderId();
    EtcdMember leaving =
        client.members().stream().filter(m -> m.id() == leader).findFirst().orElseThrow();
    EtcdMember target =
        client.members().stream().filter(m -> m.id() != leader).findFirst().orElseThrow();
    assertThat(client.moveLeaderOff(target.id(), leaving.id()))
        .as("the target is not the leader: nothing to move")
        .isFalse();

    assertThat(client.moveLeaderOff(leaving.id(), target.id())).isTrue();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> client.status(endpoints().get(1)).leaderId() == target.id());
  }

  @Test
  @Order(4)
  void aGuardThatRefusesStopsChangesBeforeTheyAreSentButNotReads() {
    List<String> asked = new ArrayList<>();
    EtcdClient fenced =
        client.guardedBy(
            change -> {
              asked.add(change);
              throw new IllegalStateException("fenced");
            });
    List<EtcdMember> members = fenced.members();
    long leader = fenced.status(endpoints().get(0)).leaderId();
    long other = members.stream().filter(m -> m.id() != leader).findFirst().orElseThrow().id();
    assertThatThrownBy(() -> fenced.remove(other)).hasMessage("fenced");
    assertThatThrownBy(() -> fenced.moveLeaderOff(leader, other)).hasMessage("fenced");
    assertThat(asked)
        .containsExactly(
            "etcd member remove " + Long.toHexString(other),
            "etcd leadership transfer to " + Long.toHexString(other));
    assertThat(client.members()).extracting(EtcdMember::id).contains(other);
    assertThat(client.status(endpoints().get(0)).leaderId()).isEqualTo(leader);
  }

  @Test
  @Order(4)
  void removalIsRefusedWhenItWouldLeaveNoHealthyMajority() {
    List<EtcdMember> members = client.members();
    long a = members.get(0).id();
    long b = members.get(1).id();
    long c = members.get(2).id();
    assertThat(EtcdClient.removalUnsafe(members, Set.of(a, b, c), c)).isEmpty();
    assertThat(EtcdClient.removalUnsafe(members, Set.of(a, c), c))
        .hasValueSatisfying(why -> assertThat(why).contains("only 1 of the 2"));
    List<EtcdMember> withLearner = new ArrayList<>(members);
    withLearner.add(new EtcdMember(42, "joining", List.of(), List.of(), true));
    assertThat(EtcdClient.removalUnsafe(withLearner, Set.of(a, b, c, 42L), c))
        .hasValueSatisfying(why -> assertThat(why).contains("joining (learner)"));
    List<EtcdMember> one = List.of(members.get(0));
    assertThat(EtcdClient.removalUnsafe(one, Set.of(a), a)).contains("it is the last etcd member");
  }

  @Test
  @Order(5)
  void aRemovedMemberIsGoneAndRemovingItAgainIsFine() {
    // The member asked last (the client's last endpoint) leaves, and is not the leader.
    EtcdMember leaving =
        client.members().stream()
            .filter(m -> m.name().equals(name(HOSTS.get(2))))
            .findFirst()
            .orElseThrow();
    EtcdMember stays =
        client.members().stream()
            .filter(m -> m.name().equals(name(HOSTS.get(0))))
            .findFirst()
            .orElseThrow();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                client.moveLeaderOff(leaving.id(), stays.id())
                    || client.status(endpoints().get(0)).leaderId() != leaving.id());

    // Just after a leader change etcd refuses reconfiguration ("unhealthy cluster") until the new
    // leader has heard from every member for a while; the controller tries again next pass.
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptionsMatching(e -> e.getMessage().contains("unhealthy cluster"))
        .untilAsserted(() -> client.remove(leaving.id()));

    assertThat(client.members()).extracting(EtcdMember::id).doesNotContain(leaving.id());
    assertThat(client.members()).hasSize(2);
    // The removed member stops itself; removing it again then still hears "not found" from the
    // others rather than giving up on the one that no longer answers.
    URI gone = URI.create(leaving.clientUrls().get(0));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              try {
                client.status(gone);
                return false;
              } catch (EtcdException e) {
                return e.unreachable();
              }
            });
    client.remove(leaving.id());
    assertThat(client.members()).hasSize(2);
  }

  private static List<URI> endpoints() {
    return HOSTS.stream().map(h -> URI.create("https://" + h + ":2379")).toList();
  }

  private static String name(String host) {
    return "m" + host.substring(host.lastIndexOf('.') + 1);
  }

  private static Path write(Path p, String content) throws IOException {
    return Files.writeString(p, content);
  }

  /** A server and peer certificate for {@code host}, signed by the cluster's etcd CA. */
  private static CertKey serverCert(String host) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    KeyPair keys = g.generateKeyPair();
    CertKey ca = PKI.etcd();
    Instant now = Instant.now();
    var b =
        new JcaX509v3CertificateBuilder(
                ca.cert(),
                BigInteger.valueOf(now.toEpochMilli()).add(BigInteger.valueOf(host.hashCode())),
                Date.from(now.minusSeconds(300)),
                Date.from(now.plus(Duration.ofDays(1))),
                new X500Name("CN=" + host),
                keys.getPublic())
            .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
            .addExtension(
                Extension.extendedKeyUsage,
                false,
                new ExtendedKeyUsage(
                    new KeyPurposeId[] {
                      KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth
                    }))
            .addExtension(
                Extension.subjectAlternativeName,
                false,
                // Peers dial from 127.0.0.1 and etcd checks a peer's certificate against the
                // address it comes from; kubeadm's peer certificates name localhost too.
                new GeneralNames(
                    new GeneralName[] {
                      new GeneralName(
                          GeneralName.iPAddress, InetAddress.getByName(host).getHostAddress()),
                      new GeneralName(GeneralName.iPAddress, "127.0.0.1")
                    }));
    var cert =
        new JcaX509CertificateConverter()
            .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withRSA").build(ca.key())));
    return new CertKey(pem(cert), pem(keys.getPrivate()));
  }

  private static String pem(Object o) throws IOException {
    var out = new java.io.StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(o);
    }
    return out.toString();
  }
}
