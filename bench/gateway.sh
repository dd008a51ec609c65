#!/usr/bin/env bash
# Gateway figures (DESIGN §10, issue 18), 20 concurrent clients, p50/p95/p99 after warm-up, CPU per request per process:
# the performance report asked as analysts ask it (a question not asked before each request) through the gateway and the
# same questions straight to attribution-service (the overhead ratio); { __typename }; 50 accounts across the three
# subgraphs (calls per request); one question repeated (CACHED); CUSTOM weights; on the 1,000,000-touch
# Dataset.Size.BENCHMARK data loaded through ingestion's public APIs and carried to attribution by the real feed consumers.
# Options: --mix N (issue 20: seeded distinct questions; --cache true) --data-driven N (issue 20: Markov/Shapley quarters, 5 clients; --ingest true: again while ingesting a page a second) --index-megabytes N --accounts N (default 25000 = 1,000,000 touches) --clients N --requests N --warmup N --custom-requests N --custom-warmup N
#          --work DIR (keep the loaded system; a second run skips the load) --load-only true --max-catch-up SECONDS
#          --attribution-heap SIZE (default 3g) --cache-entries N (attribution's report cache; default 0 = every answer computed) --profile DIR (JFR of gateway and attribution) --reconcile false
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -DskipTests package -pl launcher,plumbing,ingestion-service,identity-service,attribution-service,reporting-gateway -am
./mvnw -B -q -pl reporting-gateway -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
java -Xmx1g -cp "reporting-gateway/target/test-classes:reporting-gateway/target/classes:$(cat reporting-gateway/target/bench.classpath)" \
  io.closedloop.gateway.bench.GatewayBenchmark --root . "$@"
