#!/usr/bin/env bash
# A 3-member graft cluster (Neo4j Community 5.26 + plugin) vs one plain Neo4j 5.26 server:
# the same driver client, auto-commit CREATE (:Customer {id:$i}), fsync on; then kill -9 failover
# trials on the cluster. One run, a command, not a test. Real server processes, normal JIT.
# Usage: benchmarks/run-neo4j-cluster-vs-single.sh [--seconds 15] [--warmup-min 60] [--clients 1,16,64]
#        [--trials 10] [--systems single,cluster] [--heap 1g] [--page-cache 256m]
#        [--pin true|only] [--strace true] [--server-jvm "-XX:+UseTransparentHugePages"] (every server)
#        [--cluster-settings server.raft.neo4j_log_force=EVERY_APPLY]
#        [--rounds 4] (every system at once, measured interleaved in N rounds: median and range)
#        [--rate 1800] (every cell at that offered load, writes/s in all: CPU per write at equal throughput)
#        [--out benchmarks/target/neo4j-cluster-vs-single.md]
#        [--png benchmarks/target/neo4j-cluster-vs-single.png]
#        [--dir benchmarks/target/neo4j-bench-T]
# Progress lines go to stdout; the Markdown table is printed at the end and written to --out.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "[build] mvn -B -q -pl benchmarks,plugin -am package -DskipTests"
mvn -B -q -pl benchmarks,plugin -am package -DskipTests
CP="benchmarks/target/benchmarks-0.1.0-SNAPSHOT.jar:$(cat benchmarks/target/classpath.txt)"
echo "[run] io.graft.bench.neo.NeoClusterVsSingle $*"
exec java -Xms512m -Xmx512m -Djava.awt.headless=true -cp "$CP" \
  io.graft.bench.neo.NeoClusterVsSingle "$@"
