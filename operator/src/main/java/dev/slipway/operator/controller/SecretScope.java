package dev.slipway.operator.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.javaoperatorsdk.operator.api.config.informer.InformerConfiguration;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.GroupVersionKind;
import io.javaoperatorsdk.operator.processing.event.source.PrimaryToSecondaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.net.HttpURLConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The namespaces whose Secrets the operator reads and writes: its own, and each Slipway namespace
 * once the VSphereNamespace controller has bound the ClusterRole {@value #ROLE} to the operator
 * there (RoleBinding {@value #BINDING}). The operator holds no cluster-wide Secret access, so every
 * Secret informer watches exactly these namespaces and follows the set as it changes.
 *
 * <p>A namespace joins only after a list of its Secrets succeeded with the operator's own
 * credentials: an informer started before the API server's authorizer saw the RoleBinding would
 * fail its first list, and JOSDK keeps a failed informer.
 */
public final class SecretScope {
  private static final Logger LOG = LoggerFactory.getLogger(SecretScope.class);

  /** The ClusterRole bound to the operator in each Slipway namespace (deploy/40-operator-rbac). */
  public static final String ROLE = "slipway-operator-secrets";

  /** The RoleBinding of {@link #ROLE} to the operator in each Slipway namespace. */
  public static final String BINDING = "slipway-operator-secrets";

  /** The operator's ServiceAccount (deploy/30-serviceaccount), in the operator's namespace. */
  public static final String SERVICE_ACCOUNT = "slipway-operator";

  private final String operatorNamespace;
  private final TreeSet<String> namespaces = new TreeSet<>();
  private final List<Consumer<Set<String>>> followers = new ArrayList<>();

  public SecretScope(String operatorNamespace) {
    this.operatorNamespace = operatorNamespace;
    namespaces.add(operatorNamespace);
  }

  public String operatorNamespace() {
    return operatorNamespace;
  }

  public synchronized Set<String> namespaces() {
    return Set.copyOf(namespaces);
  }

  /**
   * Adds {@code namespace} once the operator can list its Secrets; false (nothing changed) while
   * the API server still refuses, so the caller looks again soon.
   */
  public synchronized boolean grant(KubernetesClient client, String namespace) {
    if (namespaces.contains(namespace)) {
      return true;
    }
    try {
      client
          .secrets()
          .inNamespace(namespace)
          .withLabel(MachineReconciler.BOOTSTRAP_SECRET_LABEL)
          .list(new ListOptionsBuilder().withLimit(1L).build());
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_FORBIDDEN) {
        LOG.debug("Secrets of {} not readable yet: {}", namespace, e.getMessage());
        return false;
      }
      throw e;
    }
    namespaces.add(namespace);
    try {
      tell();
    } catch (RuntimeException e) {
      // An informer that failed to start is taken out again; the next pass adds it anew.
      namespaces.remove(namespace);
      tell();
      throw e;
    }
    LOG.info("reading Secrets of namespace {}", namespace);
    return true;
  }

  /** Stops watching {@code namespace} (before its RoleBinding and Namespace go). */
  public synchronized void revoke(String namespace) {
    if (namespaces.remove(namespace)) {
      tell();
    }
  }

  /** Calls {@code follower} with the set now and after each change. */
  public synchronized void follow(Consumer<Set<String>> follower) {
    followers.add(follower);
    follower.accept(Set.copyOf(namespaces));
  }

  public synchronized void unfollow(Consumer<Set<String>> follower) {
    followers.remove(follower);
  }

  private void tell() {
    Set<String> now = Set.copyOf(namespaces);
    for (Consumer<Set<String>> f : followers) {
      f.accept(now);
    }
  }

  /**
   * A JOSDK informer of Secrets (what {@code config} selects) over this scope's namespaces, from
   * its start on; JOSDK itself changes an informer's namespaces only with its controller's. Its
   * caches keep Secrets as {@link Caches#secretsWithoutBootstrapData}; {@code config} sets no
   * store.
   */
  public <P extends HasMetadata> InformerEventSource<Secret, P> informer(
      Function<Set<String>, InformerEventSourceConfiguration<Secret>> config,
      EventSourceContext<P> context) {
    return new Scoped<>(new StorePerNamespace(config.apply(namespaces())), context, this);
  }

  /**
   * A Secret informer's configuration with a store of its own ({@link
   * Caches#secretsWithoutBootstrapData}) for the informer of each namespace. JOSDK hands the one
   * ItemStore of a configuration to the informer of every namespace it watches, and a fabric8
   * informer that lists (when it starts, and again when its watch expired, as after an API server
   * restart) keeps of its store only what it listed: each namespace's list dropped the Secrets of
   * the others from the cache, and a machine whose bootstrap Secret was dropped waited for it until
   * it changed (SecretScopeIT, ApiServerRestartE2E).
   */
  private static final class StorePerNamespace implements InformerEventSourceConfiguration<Secret> {
    private final InformerEventSourceConfiguration<Secret> config;
    private final InformerConfiguration<Secret> informer;

    StorePerNamespace(InformerEventSourceConfiguration<Secret> config) {
      InformerConfiguration<Secret> i = config.getInformerConfig();
      if (i.getItemStore() != null) {
        throw new IllegalArgumentException(
            "a Secret informer of the scope gets a store per namespace from the scope, not one"
                + " shared by all");
      }
      this.config = config;
      this.informer =
          new InformerConfiguration<>(
              i.getResourceClass(),
              i.getName(),
              i.getNamespaces(),
              i.getFollowControllerNamespaceChanges(),
              i.getLabelSelector(),
              i.getOnAddFilter(),
              i.getOnUpdateFilter(),
              i.getOnDeleteFilter(),
              i.getGenericFilter(),
              null,
              i.getInformerListLimit(),
              i.getFieldSelector()) {
            @Override
            public ItemStore<Secret> getItemStore() {
              return Caches.secretsWithoutBootstrapData();
            }
          };
    }

    @Override
    public InformerConfiguration<Secret> getInformerConfig() {
      return informer;
    }

    @Override
    public boolean followControllerNamespaceChanges() {
      return config.followControllerNamespaceChanges();
    }

    @Override
    public SecondaryToPrimaryMapper<Secret> getSecondaryToPrimaryMapper() {
      return config.getSecondaryToPrimaryMapper();
    }

    @Override
    public <P extends HasMetadata> PrimaryToSecondaryMapper<P> getPrimaryToSecondaryMapper() {
      return config.getPrimaryToSecondaryMapper();
    }

    @Override
    public Optional<GroupVersionKind> getGroupVersionKind() {
      return config.getGroupVersionKind();
    }

    @Override
    public String name() {
      return config.name();
    }

    @Override
    public Optional<KubernetesClient> getKubernetesClient() {
      return config.getKubernetesClient();
    }
  }

  private static final class Scoped<P extends HasMetadata> extends InformerEventSource<Secret, P> {
    private final SecretScope scope;
    private final Consumer<Set<String>> follower = this::changeNamespaces;

    Scoped(
        InformerEventSourceConfiguration<Secret> config,
        EventSourceContext<P> context,
        SecretScope scope) {
      super(config, context);
      this.scope = scope;
    }

    @Override
    public boolean allowsNamespaceChanges() {
      return true;
    }

    @Override
    public synchronized void start() {
      super.start();
      // Namespaces granted between this source's configuration and its start are added here.
      scope.follow(follower);
    }

    @Override
    public synchronized void stop() {
      scope.unfollow(follower);
      super.stop();
    }
  }
}
