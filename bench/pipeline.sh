#!/usr/bin/env bash
# The data path (issue 19): the benchmark dataset (1,000,000 touches, 25k accounts, ~100k contacts, ~50k opportunities,
# 1.2 M Segment messages) loaded through the public APIs exactly as DemoLoader loads it into a fresh system, every service
# at -Xmx512m, timed stage by stage (ingestion acknowledged, identity caught up, attribution caught up, rollups ready,
# every report ready) with each process's CPU per stage and its peak heap; then, in the same run, COPY of the rows
# ingestion stored into ingestion's tables in a fresh database (the baseline), the ratios, the reconciliation of the 13
# models through the gateway and the rollups checked against the journeys on demand for sampled weeks.
# Options: --accounts N (default 25000) --transport postgresql|kafka (default postgresql) --partitions N (default 1)
#          --heap SIZE (default 512m) --profile DIR (a JFR recording of each service there)
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -DskipTests -DskipITs install -pl :closedloop-parent,kafka-broker,launcher,plumbing,ingestion-service,identity-service,attribution-service,reporting-gateway
./mvnw -B -q -pl end-to-end test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
java -Xmx1g -cp "end-to-end/target/test-classes:$(cat end-to-end/target/bench.classpath)" \
  io.closedloop.endtoend.bench.PipelineBenchmark --root . "$@"
