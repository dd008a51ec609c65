#!/usr/bin/env bash
# Issue 22: coverage of the bootstrap intervals (BootstrapIntervals) — 90 % intervals of each channel's share of credit
# against the model's expected share under the generator, pooled over channels and simulated datasets.
# Optional: [datasets (default 1000)] [resamples (default 1000)] [deals per dataset (default 300)].
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl attribution-service -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$PWD/attribution-service/target/bench.classpath" >/dev/null
java -Xmx512m -cp "attribution-service/target/classes:attribution-service/target/test-classes:$(cat attribution-service/target/bench.classpath)" \
  io.closedloop.attribution.report.IntervalCoverage "$@"
