#!/usr/bin/env bash
# Markov chain (orders 1-4) and Shapley over 1,000,000 generated journeys (12 channels), model time
# from journeys in memory; generation and loading times are printed beside it (DESIGN §10).
# Heap capped at 512 MB (issue 6); each model runs 3 times and the results are compared bit for bit.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl attribution-service -am test-compile
java -Xmx512m -cp attribution-service/target/classes:attribution-service/target/test-classes \
  io.closedloop.attribution.model.MarkovBenchmark "$@"
