#!/usr/bin/env bash
# graft vs Apache Ratis 3.2.1: 3 members each on loopback, fsync on, one run (a command, not a test).
# Usage: benchmarks/run-raft-vs-ratis.sh [--seconds 10] [--warmup 3] [--sizes 16,1024,65536]
#        [--proposers 1,16,64] [--systems graft,ratis] [--out benchmarks/target/raft-vs-ratis.md]
# Progress lines go to stdout; the Markdown table is printed at the end and written to --out.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "[build] mvn -B -o -q -pl benchmarks -am package -DskipTests"
mvn -B -o -q -pl benchmarks -am package -DskipTests
CP="benchmarks/target/benchmarks-0.1.0-SNAPSHOT.jar:$(cat benchmarks/target/classpath.txt)"
echo "[run] io.graft.bench.RaftVsRatis $*"
exec java -Xms1g -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -Dorg.slf4j.simpleLogger.log.org.apache.ratis=error \
  -cp "$CP" io.graft.bench.RaftVsRatis "$@"
