/**
 * Tier 5 workloads with checkers (docs/TESTING.md): {@link io.graft.it.workload.BankWorkload},
 * {@link io.graft.it.workload.RegisterWorkload}, {@link io.graft.it.workload.SetWorkload} and
 * {@link io.graft.it.workload.PlatinumBatchWorkload} (the seed's exercise). Each has
 * {@code run(Cluster, Duration, seed)} and returns a {@link io.graft.it.workload.WorkloadResult}
 * whose {@code problems} list is empty iff every check held.
 *
 * <p>To run them on a graft cluster, implement {@link io.graft.it.workload.Cluster} over the
 * cluster fixture: member Bolt URIs, a {@code neo4j://} routing URI, a
 * {@link io.graft.it.workload.Nemesis} whose {@code strike} kills -9 / pauses / partitions (and
 * says what it did) and whose {@code heal} restarts and waits for a leader, and optionally
 * {@code digests()} backed by the plugin's digest procedure. Workloads never sleep: they are
 * bounded by a deadline and an operation budget, and every wait has a timeout.
 */
package io.graft.it.workload;
