/**
 * History checkers for Tier 5 workloads. {@link io.graft.it.check.LinearizabilityChecker} decides
 * linearizability of read / write / compare-and-set register histories (Wing &amp; Gong search
 * with Lowe's memoization, per key, time-bounded; a timeout is a failure).
 */
package io.graft.it.check;
