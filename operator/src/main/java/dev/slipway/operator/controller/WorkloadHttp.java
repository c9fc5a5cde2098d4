package dev.slipway.operator.controller;

import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.net.http.HttpClient;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One executor for the HTTP clients of every workload cluster's API server and etcd. Each client
 * had pools of its own (fabric8's and the JDK's), whose threads end after a minute without work:
 * with a cluster's Ready nodes read every 2 minutes, nearly every request started new threads (1
 * 797 thread starts in a minute at 1 000 idle clusters; docs/performance.md, optimisation 29).
 * Shared, the pool's threads stay busy enough to be reused.
 */
final class WorkloadHttp {
  private WorkloadHttp() {}

  private static final AtomicInteger THREADS = new AtomicInteger();

  static final ExecutorService EXECUTOR =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "workload-http-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
          });

  /** fabric8's JDK client factory, its clients on {@link #EXECUTOR}. */
  static final class Factory extends JdkHttpClientFactory {
    @Override
    protected HttpClient.Builder createNewHttpClientBuilder() {
      return HttpClient.newBuilder().executor(EXECUTOR);
    }
  }
}
