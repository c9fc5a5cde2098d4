// CPU per key pair, RSA 2048 (the cluster CAs, the service-account key, the admin kubeconfig) and
// ECDSA P-256 (the etcd client certificate), made as the operator makes them (JDK
// KeyPairGenerator): docs/performance.md, optimisation 16. Run: java bench/KeyGen.java
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;

public class KeyGen {
  public static void main(String[] args) throws Exception {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    SecureRandom random = new SecureRandom();
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(new ECGenParameterSpec("secp256r1"), random);
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048, random);
    for (int i = 0; i < 50; i++) {
      ec.generateKeyPair(); // warm-up
    }
    for (int i = 0; i < 3; i++) {
      rsa.generateKeyPair();
    }
    time(threads, "EC P-256", 500, ec);
    time(threads, "RSA 2048", 40, rsa);
  }

  private static void time(ThreadMXBean threads, String what, int n, KeyPairGenerator g) {
    long before = threads.getCurrentThreadCpuTime();
    for (int i = 0; i < n; i++) {
      g.generateKeyPair();
    }
    long cpu = threads.getCurrentThreadCpuTime() - before;
    System.out.printf("%s: %d keys, %.2f ms of CPU each%n", what, n, cpu / 1e6 / n);
  }
}
