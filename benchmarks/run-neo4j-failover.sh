#!/usr/bin/env bash
# Failover of a 3-member graft cluster (Neo4j Community 5.26 + plugin), on its own: kill -9 of the
# leader to the first acknowledged write, over --trials trials; then, with --stability-minutes M,
# M minutes of writes from --clients threads with no fault, counting every election (term change).
# One run, a command, not a test. Real server processes, normal JIT.
# Usage: benchmarks/run-neo4j-failover.sh [--trials 20] [--stability-minutes 10] [--clients 64]
#        [--settings server.raft.election_timeout=1s,server.raft.heartbeat_interval=100ms]
#        [--heap 1g] [--page-cache 256m] [--dir benchmarks/target/neo4j-failover-T]
#        [--out benchmarks/target/neo4j-failover.md]
# Progress lines go to stdout; the Markdown report is printed at the end and written to --out.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "[build] mvn -B -q -pl benchmarks,plugin -am package -DskipTests"
mvn -B -q -pl benchmarks,plugin -am package -DskipTests
CP="benchmarks/target/benchmarks-0.1.0-SNAPSHOT.jar:$(cat benchmarks/target/classpath.txt)"
echo "[run] io.graft.bench.neo.NeoFailoverMain $*"
exec java -Xms512m -Xmx512m -Djava.awt.headless=true -cp "$CP" \
  io.graft.bench.neo.NeoFailoverMain "$@"
