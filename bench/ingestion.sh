#!/usr/bin/env bash
# Ingestion figures (DESIGN §10): sustained Segment /v1/batch ingestion (batches of 100 page/track messages,
# several concurrent senders, synchronous commit) against COPY of the same rows into tables like the service's,
# measured in the same run on the same embedded PostgreSQL; then a CSV import of 1,000,000 opportunity rows into
# the service running with -Xmx512m. Options: --events N --senders N --csv-rows N --skip-csv
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -DskipTests -DskipITs install -pl :closedloop-parent,launcher,plumbing,ingestion-service
./mvnw -B -q -pl ingestion-service test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
java -Xmx2g -cp "ingestion-service/target/test-classes:ingestion-service/target/classes:$(cat ingestion-service/target/bench.classpath)" \
  io.closedloop.ingestion.bench.IngestionBenchmark --root . "$@"
