#!/usr/bin/env bash
# Replicas sharing the feeds (issue 21): loads the same Dataset through ingestion's public APIs into a fresh system with
# 1, 2 and 3 attribution replicas (feeds in 4 partitions, leases in attribution's database) and prints, per run, the time
# until every feed is read to its end and the rollups are ready, and per replica the feed items it applied (the audit
# written with its positions) and its CPU seconds. The 1-replica run is the baseline. Options: --accounts N (default
# 2,500: about 100,000 touches), --partitions N (default 4), --transport postgresql|kafka|postgresql,kafka (default both:
# each replica count over the HTTP feeds and over Kafka topics on a KRaft broker of the run's own, started from Maven
# Central's jars).
# The 3-replica run starts two identity replicas too (2 + 3).
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -DskipTests -DskipITs install -pl :closedloop-parent,kafka-broker,launcher,plumbing,ingestion-service,identity-service,attribution-service,reporting-gateway
./mvnw -B -q -pl end-to-end test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
java -Xmx1g -cp "end-to-end/target/test-classes:$(cat end-to-end/target/bench.classpath)" \
  io.closedloop.endtoend.bench.ReplicasBenchmark --root . "$@"
