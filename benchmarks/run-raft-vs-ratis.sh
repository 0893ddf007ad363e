#!/usr/bin/env bash
# graft vs Apache Ratis 3.2.1 (gRPC, tuned): 3 members each on loopback, fsync on. A command, not a test.
# Each system runs in its own JVM per run; runs alternate between the systems (A B, B A, ...);
# the report gives medians and ranges over the runs.
# Usage: benchmarks/run-raft-vs-ratis.sh [--runs 5] [--seconds 10] [--warmup 5] [--jit-warmup 20]
#        [--sizes 1024] [--proposers 1,16,64] [--rates 2000,5000] [--systems graft,ratis]
#        [--heap 1g] [--out benchmarks/target/raft-vs-ratis.md]
# Systems: graft, graft-ownersync (log fsync on the owner thread, for A/B), ratis.
# Progress lines go to stdout; the Markdown tables are printed at the end and written to --out.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "[build] mvn -B -q -pl benchmarks -am package -DskipTests"
mvn -B -q -pl benchmarks -am package -DskipTests
CP="benchmarks/target/benchmarks-0.1.0-SNAPSHOT.jar:$(cat benchmarks/target/classpath.txt)"
echo "[run] io.graft.bench.RaftVsRatis $*"
exec java -Xms128m -Xmx128m -cp "$CP" io.graft.bench.RaftVsRatis "$@"
