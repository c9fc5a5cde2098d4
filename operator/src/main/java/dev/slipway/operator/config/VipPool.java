package dev.slipway.operator.config;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Addresses Slipway may hand out as control-plane endpoints (VIPs served by kube-vip on the
 * control-plane machines). Written as comma-separated ranges or CIDRs: {@code
 * 10.0.0.10-10.0.0.50,10.0.1.0/28}. For a CIDR, the network and broadcast addresses are skipped.
 */
public final class VipPool {
  private final List<BigInteger[]> ranges;
  private final int bytes;

  private VipPool(List<BigInteger[]> ranges, int bytes) {
    this.ranges = ranges;
    this.bytes = bytes;
  }

  public static VipPool parse(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("vip.pool is empty: give ranges like 10.0.0.10-10.0.0.50");
    }
    List<BigInteger[]> ranges = new ArrayList<>();
    int bytes = 0;
    for (String part : spec.split(",")) {
      String p = part.trim();
      BigInteger first;
      BigInteger last;
      int len;
      if (p.contains("/")) {
        String[] cidr = p.split("/", 2);
        byte[] addr = address(cidr[0], p);
        len = addr.length;
        int prefix = Integer.parseInt(cidr[1]);
        int hostBits = len * 8 - prefix;
        if (prefix < 0 || hostBits < 0) {
          throw new IllegalArgumentException("bad prefix in " + p);
        }
        BigInteger net = new BigInteger(1, addr).shiftRight(hostBits).shiftLeft(hostBits);
        first = net;
        last = net.add(BigInteger.ONE.shiftLeft(hostBits)).subtract(BigInteger.ONE);
        if (hostBits >= 2) {
          first = first.add(BigInteger.ONE);
          last = last.subtract(BigInteger.ONE);
        }
      } else if (p.contains("-")) {
        String[] r = p.split("-", 2);
        byte[] a = address(r[0].trim(), p);
        byte[] b = address(r[1].trim(), p);
        if (a.length != b.length) {
          throw new IllegalArgumentException("range " + p + " mixes IPv4 and IPv6");
        }
        len = a.length;
        first = new BigInteger(1, a);
        last = new BigInteger(1, b);
      } else {
        byte[] a = address(p, p);
        len = a.length;
        first = last = new BigInteger(1, a);
      }
      if (first.compareTo(last) > 0) {
        throw new IllegalArgumentException("range " + p + " ends before it starts");
      }
      if (bytes != 0 && bytes != len) {
        throw new IllegalArgumentException("vip.pool mixes IPv4 and IPv6: " + spec);
      }
      bytes = len;
      ranges.add(new BigInteger[] {first, last});
    }
    return new VipPool(List.copyOf(ranges), bytes);
  }

  private static byte[] address(String s, String context) {
    if (!s.matches("[0-9a-fA-F:.]+")) {
      throw new IllegalArgumentException("not an IP address: '" + s + "' in " + context);
    }
    try {
      return InetAddress.getByName(s).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address: '" + s + "' in " + context, e);
    }
  }

  /** The first address of the pool not in {@code used}, in the order the pool was written. */
  public Optional<String> firstFree(Set<String> used) {
    return firstFree(used, 1).stream().findFirst();
  }

  /** The first {@code n} addresses of the pool not in {@code used}, in the pool's order. */
  public java.util.List<String> firstFree(Set<String> used, int n) {
    java.util.List<String> out = new java.util.ArrayList<>();
    for (BigInteger[] r : ranges) {
      for (BigInteger a = r[0];
          a.compareTo(r[1]) <= 0 && out.size() < n;
          a = a.add(BigInteger.ONE)) {
        String s = format(a);
        if (!used.contains(s)) {
          out.add(s);
        }
      }
    }
    return out;
  }

  public boolean contains(String address) {
    BigInteger a;
    try {
      a = new BigInteger(1, InetAddress.getByName(address).getAddress());
    } catch (UnknownHostException e) {
      return false;
    }
    return ranges.stream().anyMatch(r -> a.compareTo(r[0]) >= 0 && a.compareTo(r[1]) <= 0);
  }

  private String format(BigInteger a) {
    byte[] raw = a.toByteArray();
    byte[] out = new byte[bytes];
    int n = Math.min(raw.length, bytes);
    System.arraycopy(raw, raw.length - n, out, bytes - n, n);
    try {
      return InetAddress.getByAddress(out).getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
