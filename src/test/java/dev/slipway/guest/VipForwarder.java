package dev.slipway.guest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kube-vip's part for one control-plane endpoint: the VIP is held by one control-plane guest (the
 * "leader") and connections to VIP:port reach that guest's own kube-apiserver. Here the VIP is a
 * loopback address, so a TCP forwarder listens on it and pipes each connection to the leader's API
 * server. When the leader's API server stops answering (TCP connect) or its guest stops, the VIP
 * moves to another live API server, as kube-vip's leader election would move it. With no API server
 * left the forwarder stops listening: nothing answers on the VIP.
 */
final class VipForwarder implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(VipForwarder.class);

  private final String host;
  private final int port;
  private final Map<String, InetSocketAddress> backends = new LinkedHashMap<>();
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile String leader;
  private ServerSocket server;
  private Thread health;
  private volatile boolean running = true;
  private volatile boolean dropped;

  VipForwarder(String host, int port) {
    this.host = host;
    this.port = port;
  }

  /** A control-plane guest offers its API server; the first one takes the VIP. */
  synchronized void add(String guest, InetSocketAddress apiServer) throws IOException {
    backends.put(guest, apiServer);
    if (server == null) {
      server = new ServerSocket();
      server.setReuseAddress(true);
      server.bind(new InetSocketAddress(InetAddress.getByName(host), port), 128);
      ServerSocket s = server;
      Thread accept = new Thread(() -> accept(s), "vip-" + host);
      accept.setDaemon(true);
      accept.start();
      health = new Thread(this::watch, "vip-health-" + host);
      health.setDaemon(true);
      health.start();
      LOG.info("VIP {}:{} is up", host, port);
    }
    if (leader == null) {
      moveTo(guest);
    }
  }

  /** The guest stopped; returns true when no API server is left (the forwarder closed). */
  synchronized boolean remove(String guest) {
    if (backends.remove(guest) == null) {
      return backends.isEmpty();
    }
    if (guest.equals(leader)) {
      elect(guest);
    }
    if (backends.isEmpty()) {
      close();
      return true;
    }
    return false;
  }

  /**
   * The VIP stops answering, as when kube-vip loses it (or the network to it fails): the listener
   * closes and open connections die; the guests and their API servers run on. Until {@link
   * #restore}.
   */
  synchronized void drop() throws IOException {
    if (dropped || server == null) {
      return;
    }
    dropped = true;
    server.close();
    open.forEach(VipForwarder::quietClose);
    open.clear();
    LOG.info("VIP {}:{} dropped", host, port);
  }

  /** The VIP answers again, held by the same leader. */
  synchronized void restore() throws IOException {
    if (!dropped || !running) {
      return;
    }
    dropped = false;
    server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(new InetSocketAddress(InetAddress.getByName(host), port), 128);
    ServerSocket s = server;
    Thread accept = new Thread(() -> accept(s), "vip-" + host);
    accept.setDaemon(true);
    accept.start();
    LOG.info("VIP {}:{} restored", host, port);
  }

  /** The guest that holds the VIP now. */
  Optional<String> leader() {
    return Optional.ofNullable(leader);
  }

  private void watch() {
    while (running) {
      try {
        Thread.sleep(500);
        String current = leader;
        InetSocketAddress a;
        synchronized (this) {
          a = current == null ? null : backends.get(current);
        }
        if (a != null && !connectable(a)) {
          synchronized (this) {
            if (current.equals(leader)) {
              elect(current);
            }
          }
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** A new leader among the other API servers that accept connections, if any. */
  private void elect(String leaving) {
    for (Map.Entry<String, InetSocketAddress> b : backends.entrySet()) {
      if (!b.getKey().equals(leaving) && connectable(b.getValue())) {
        moveTo(b.getKey());
        return;
      }
    }
    LOG.info("VIP {}:{}: no live API server to move to from {}", host, port, leaving);
    if (!backends.containsKey(leaving)) {
      leader = null;
    }
  }

  private void moveTo(String guest) {
    String from = leader;
    leader = guest;
    LOG.info("VIP {}:{} moves from {} to {} ({})", host, port, from, guest, backends.get(guest));
    // Connections through the old holder die with it, as they do when kube-vip moves the VIP.
    if (from != null) {
      open.forEach(VipForwarder::quietClose);
      open.clear();
    }
  }

  private static boolean connectable(InetSocketAddress a) {
    try (Socket s = new Socket()) {
      s.connect(a, 300);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private void accept(ServerSocket server) {
    while (running) {
      Socket in;
      try {
        in = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      InetSocketAddress target;
      synchronized (this) {
        target = leader == null ? null : backends.get(leader);
      }
      if (target == null) {
        quietClose(in);
        continue;
      }
      Socket out = new Socket();
      try {
        out.connect(target, 1000);
      } catch (IOException e) {
        quietClose(in);
        quietClose(out);
        continue;
      }
      open.add(in);
      open.add(out);
      pipe(in, out);
      pipe(out, in);
    }
  }

  private void pipe(Socket from, Socket to) {
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[16384];
              try (InputStream i = from.getInputStream();
                  OutputStream o = to.getOutputStream()) {
                int n;
                while ((n = i.read(buf)) >= 0) {
                  o.write(buf, 0, n);
                  o.flush();
                }
              } catch (IOException e) {
                // either side closed
              } finally {
                quietClose(from);
                quietClose(to);
                open.remove(from);
                open.remove(to);
              }
            },
            "vip-pipe-" + host);
    t.setDaemon(true);
    t.start();
  }

  private static void quietClose(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public synchronized void close() {
    running = false;
    leader = null;
    if (health != null) {
      health.interrupt();
    }
    if (server != null) {
      try {
        server.close();
      } catch (IOException e) {
        // already closed
      }
    }
    open.forEach(VipForwarder::quietClose);
    open.clear();
    LOG.info("VIP {}:{} is down", host, port);
  }
}
