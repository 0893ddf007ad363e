package io.graft.plugin;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.neo4j.dbms.database.SystemGraphComponent;
import org.neo4j.dbms.database.SystemGraphComponents;
import org.neo4j.dbms.routing.ClientSideRoutingTableProvider;
import org.neo4j.dbms.routing.DefaultRoutingService;
import org.neo4j.dbms.routing.InstanceClusterView;
import org.neo4j.dbms.routing.RoutingService;
import org.neo4j.dbms.database.readonly.DatabaseReadOnlyChecker;
import org.neo4j.kernel.impl.api.KernelTransactions;
import org.neo4j.kernel.impl.api.TransactionCommitProcess;
import org.neo4j.kernel.impl.factory.AccessCapabilityFactory;
import org.neo4j.kernel.database.Database;
import org.neo4j.kernel.internal.Version;

/**
 * The ONLY class that reflects on Neo4j internals (docs/STYLE.md §2, docs/ARCHITECTURE.md decision
 * 8). Neo4j has no supported hook to replace the commit pipeline (docs/NEO4J-INTERNALS.md §2.2), so
 * graft replaces three private final fields of {@link KernelTransactions} before the first kernel
 * transaction exists (§2.3 A). Every field is checked by name and type first; on any mismatch the
 * database refuses to start with a message naming the Neo4j version graft was built and verified
 * against.
 */
public final class InternalsAccess {
  /** The Neo4j release graft was built against (the root pom's {@code neo4j.version}). */
  public static final String EXPECTED_NEO4J_VERSION = BuiltAgainst.neo4jVersion();

  static final FieldSpec COMMIT_PROCESS =
      new FieldSpec(KernelTransactions.class, "transactionCommitProcess", TransactionCommitProcess.class);
  static final FieldSpec READ_ONLY_CHECKER =
      new FieldSpec(KernelTransactions.class, "readOnlyDatabaseChecker", DatabaseReadOnlyChecker.class);
  static final FieldSpec ACCESS_CAPABILITY =
      new FieldSpec(KernelTransactions.class, "accessCapabilityFactory", AccessCapabilityFactory.class);

  // ---- routing (branch 'routing'): Bolt ROUTE -> DefaultRoutingService's provider field, §6 ----
  static final FieldSpec CLIENT_SIDE_ROUTING =
      new FieldSpec(DefaultRoutingService.class, "clientSideRoutingTableProvider",
          ClientSideRoutingTableProvider.class);
  static final FieldSpec INSTANCE_CLUSTER_VIEW =
      new FieldSpec(DefaultRoutingService.class, "instanceClusterView", InstanceClusterView.class);

  /** A graft member is never alone, so Neo4j takes its client-side routing path. */
  private static final InstanceClusterView NOT_ALONE = () -> false;
  // ---- end routing ----

  /** A private instance field graft needs: its owner, name and exact declared type. */
  record FieldSpec(Class<?> owner, String name, Class<?> type) {}

  private InternalsAccess() {}

  /** Checks every field graft touches; throws naming all mismatches and the expected version. */
  public static void verify() {
    verify(List.of(COMMIT_PROCESS, READ_ONLY_CHECKER, ACCESS_CAPABILITY, CLIENT_SIDE_ROUTING,
        INSTANCE_CLUSTER_VIEW));
    verify(BOOTSTRAP_FIELDS);
  }

  static void verify(List<FieldSpec> specs) {
    List<String> problems = new ArrayList<>();
    for (FieldSpec spec : specs) {
      try {
        Field f = spec.owner().getDeclaredField(spec.name());
        if (f.getType() != spec.type()) {
          problems.add(spec.owner().getName() + "." + spec.name() + " has type "
              + f.getType().getName() + ", expected " + spec.type().getName());
        } else if (Modifier.isStatic(f.getModifiers())) {
          problems.add(spec.owner().getName() + "." + spec.name() + " is static");
        }
      } catch (NoSuchFieldException e) {
        problems.add(spec.owner().getName() + "." + spec.name() + " does not exist");
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalStateException(
          "graft requires Neo4j " + EXPECTED_NEO4J_VERSION + " but runs on Neo4j "
              + runningVersion() + ": internal API mismatch: " + String.join("; ", problems)
              + ". Refusing to start the replicated database.");
    }
  }

  public static String runningVersion() {
    try {
      return Version.getNeo4jVersion();
    } catch (RuntimeException | LinkageError e) {
      return "(unknown)";
    }
  }

  /** The commit process currently installed (the original, before graft swaps it). */
  public static TransactionCommitProcess commitProcess(KernelTransactions kernelTransactions) {
    return (TransactionCommitProcess) get(COMMIT_PROCESS, kernelTransactions);
  }

  /**
   * Installs graft's commit process and write guard. Idempotent: a database restart builds a new
   * {@link KernelTransactions}, and calling this again on the same one just overwrites.
   */
  public static void install(
      KernelTransactions kernelTransactions,
      TransactionCommitProcess commitProcess,
      DatabaseReadOnlyChecker readOnlyChecker,
      AccessCapabilityFactory accessCapabilityFactory) {
    set(READ_ONLY_CHECKER, kernelTransactions, readOnlyChecker);
    set(ACCESS_CAPABILITY, kernelTransactions, accessCapabilityFactory);
    set(COMMIT_PROCESS, kernelTransactions, commitProcess);
  }

  // ---- routing (branch 'routing') ----

  /**
   * Replaces the client-side routing table provider of Community's {@link DefaultRoutingService}
   * with {@code wrap(current)}. Bolt's ROUTE message calls {@code RoutingService.route()}, which
   * reads this field on every call (docs/NEO4J-INTERNALS.md §6), so a replacement made while Bolt
   * already runs takes effect for the next routing request. Returns the provider that was
   * installed.
   *
   * <p>Community builds the service with {@code instanceClusterView = () -> true} ("I am alone")
   * and {@code echoRoutingContextAddressWhenAlone = true}, which sends every request down the
   * server-side path, whose provider is not even told the database. So the cluster view is
   * replaced too, with "not alone": requests then take the client-side path (the default
   * {@code dbms.routing.default_router=CLIENT}), where graft answers for the replicated database
   * and Community's own single-address provider for every other one.
   */
  public static ClientSideRoutingTableProvider replaceClientSideRouting(
      RoutingService routingService,
      UnaryOperator<ClientSideRoutingTableProvider> wrap) {
    if (!(routingService instanceof DefaultRoutingService)) {
      throw new IllegalStateException("graft requires Neo4j " + EXPECTED_NEO4J_VERSION
          + " Community's DefaultRoutingService but this server uses "
          + routingService.getClass().getName() + " (Neo4j " + runningVersion()
          + "); neo4j:// routing to the Raft leader cannot be installed");
    }
    synchronized (routingService) {
      ClientSideRoutingTableProvider current =
          (ClientSideRoutingTableProvider) get(CLIENT_SIDE_ROUTING, routingService);
      ClientSideRoutingTableProvider replacement = wrap.apply(current);
      set(CLIENT_SIDE_ROUTING, routingService, replacement);
      set(INSTANCE_CLUSTER_VIEW, routingService, NOT_ALONE);
      return replacement;
    }
  }

  // ---- end routing ----

  private static Object get(FieldSpec spec, Object target) {
    try {
      return field(spec).get(target);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("graft: cannot read " + spec, e);
    }
  }

  private static void set(FieldSpec spec, Object target, Object value) {
    try {
      field(spec).set(target, value);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("graft: cannot replace " + spec, e);
    }
  }

  private static Field field(FieldSpec spec) {
    try {
      Field f = spec.owner().getDeclaredField(spec.name());
      f.setAccessible(true);
      return f;
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException("graft: missing field " + spec, e);
    }
  }

  // ---- Bootstrap and snapshots (neo-snapshot) -------------------------------------------------
  // Two more private fields: the system graph's component map, so graft can give the replicated
  // database a cluster-wide identity when the system graph is first created, and whether the
  // database's store existed before this start, so a brand-new store's own initialisation
  // transaction may commit locally (plugin/README.md "Bootstrap").

  static final FieldSpec SYSTEM_GRAPH_COMPONENTS =
      new FieldSpec(SystemGraphComponents.class, "componentMap", Map.class);
  static final FieldSpec STORAGE_EXISTED =
      new FieldSpec(Database.class, "storageExists", boolean.class);
  static final List<FieldSpec> BOOTSTRAP_FIELDS = List.of(SYSTEM_GRAPH_COMPONENTS, STORAGE_EXISTED);

  /**
   * Appends {@code component} to the system graph components, after Neo4j's own ones, so it runs
   * last when the system graph is initialised. Must be called before the system database starts
   * (a GLOBAL extension's {@code newInstance}/{@code init}). The map is the builder's
   * {@code LinkedHashMap}, shared by reference with the built {@link SystemGraphComponents}.
   */
  @SuppressWarnings("unchecked")
  public static void registerSystemGraphComponent(
      SystemGraphComponents components, SystemGraphComponent component) {
    verify(BOOTSTRAP_FIELDS);
    Map<SystemGraphComponent.Name, SystemGraphComponent> map =
        (Map<SystemGraphComponent.Name, SystemGraphComponent>) get(SYSTEM_GRAPH_COMPONENTS,
            components);
    map.putIfAbsent(component.componentName(), component);
  }

  /** False iff this start created the database's store (Neo4j then runs its store init tx). */
  public static boolean storageExisted(Database database) {
    return (Boolean) get(STORAGE_EXISTED, database);
  }
}
