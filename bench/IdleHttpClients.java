// CPU of N idle JDK HTTP clients (no request made): each has a selector thread that wakes every
// jdk.internal.httpclient.selectorTimeout ms (3 000 by default) to see whether its client is still
// referenced. The operator holds two clients per cluster (its API server, its etcd); Main sets 60
// 000 (docs/performance.md, optimisation 49). Prints the process's CPU over a minute, after 10 s to
// settle. Run, N = 2000:
//   java bench/IdleHttpClients.java 2000
//   java -Djdk.internal.httpclient.selectorTimeout=60000 bench/IdleHttpClients.java 2000
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

public class IdleHttpClients {
  /** utime + stime of this process, in seconds (clock ticks of 1/100 s). */
  static double cpuSeconds() throws Exception {
    String stat = Files.readString(Path.of("/proc/self/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
  }

  public static void main(String[] args) throws Exception {
    int n = Integer.parseInt(args[0]);
    List<HttpClient> clients = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      clients.add(HttpClient.newHttpClient());
    }
    Thread.sleep(10_000);
    double before = cpuSeconds();
    long start = System.nanoTime();
    Thread.sleep(60_000);
    double cpu = cpuSeconds() - before;
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf(
        "%d idle clients, selectorTimeout %s: %.2f CPU-s in %.0f s, %.2f %% of a core%n",
        clients.size(),
        System.getProperty("jdk.internal.httpclient.selectorTimeout", "default (3000)"),
        cpu,
        seconds,
        100 * cpu / seconds);
  }
}
