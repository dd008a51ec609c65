#!/usr/bin/env bash
# Erasure on the benchmark dataset (issue 14): loads the Dataset (25,000 accounts, 1,000,000 touches) through ingestion's
# public APIs into ingestion, identity and attribution, waits until both consumers have read every feed to its end, then
# erases persons by email one at a time and prints each erasure's duration until every service reported it done (target
# 60 s), the reads that find the same person's rows (baseline), and the longest write transaction any service held
# meanwhile, from pg_stat_activity (target 2 s). Options: --accounts N --persons N (default 5) --work DIR (keeps the
# loaded data: a second run on the same DIR skips the load).
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -DskipTests -DskipITs install -pl :closedloop-parent,launcher,plumbing,ingestion-service,identity-service,attribution-service,reporting-gateway
./mvnw -B -q -pl end-to-end test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
java -Xmx1g -cp "end-to-end/target/test-classes:$(cat end-to-end/target/bench.classpath)" \
  io.closedloop.endtoend.bench.ErasureBenchmark --root . "$@"
