#!/usr/bin/env bash
# Abuse resistance (issue 15): a victim workspace's Segment batches and reports, p95 idle and during each load-shaped
# attack from another workspace at a stated intensity above its limits (unique long UTMs, a backtracking-prone channel
# rule, unknown write keys, aliased on-demand reports, CSV uploads), measured once the attack's bursts are spent, with
# the ratio against the target (within 2x) and what the attacker got.
# Options: --seconds N (per phase, default 15) --attackers N (threads sending the attack, default 8)
#          --only TEXT (run the attacks whose name contains TEXT)
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -DskipTests package -pl launcher,plumbing,ingestion-service,identity-service,attribution-service,reporting-gateway -am
./mvnw -B -q -pl reporting-gateway -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
java -Xmx512m -cp "reporting-gateway/target/test-classes:reporting-gateway/target/classes:$(cat reporting-gateway/target/bench.classpath)" \
  io.closedloop.gateway.bench.AbuseBenchmark --root . "$@"
