#!/usr/bin/env bash
# Attribution benchmarks (DESIGN §10), side by side in one run, heap capped at 512 MB (issue 6):
#  1. Markov chain (orders 1-4) and Shapley over 1,000,000 generated journeys (bench/models.sh).
#  2. Full recompute of every standard model from the stored tables (Dataset BENCHMARK size, COPYed
#     into attribution's tables) to committed rollups, vs one SQL statement with window functions.
#  3. Freshness (unless --skip-freshness): a deal marked won through ingestion until the rollup includes it.
#  4. Intervals (issue 22, same loaded services): a quarter's channel report with 90 % intervals of 1,000 resamples,
#     --interval-quarters N different quarters (default 8; 0 skips), beside the same report without, and the peak heap.
#  5. explainChange (issue 22, same services; unless --skip-explain): updates with and without their versions kept, and a
#     quarter's change explained after 2,000 restated deals and 20,000 changed touches.
# Optional: --accounts N (default 25000), --skip-markov, --skip-recompute, --skip-freshness, --skip-explain, --trials N (default 50; 0: intervals only),
#           --service-heap SIZE (the freshness run's services, default 512m).
set -euo pipefail
cd "$(dirname "$0")/.."
accounts=25000; trials=50; markov=1; freshness=1; heap=512m; quarters=8; recompute=1; explain=1
while [ $# -gt 0 ]; do
  case "$1" in
    --accounts) accounts="$2"; shift 2 ;;
    --trials) trials="$2"; shift 2 ;;
    --service-heap) heap="$2"; shift 2 ;;
    --skip-markov) markov=0; shift ;;
    --skip-recompute) recompute=0; shift ;;
    --skip-freshness) freshness=0; shift ;;
    --interval-quarters) quarters="$2"; shift 2 ;;
    --skip-explain) explain=0; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
./mvnw -B -q -pl attribution-service -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$PWD/attribution-service/target/bench.classpath" >/dev/null
cp="attribution-service/target/classes:attribution-service/target/test-classes:$(cat attribution-service/target/bench.classpath)"
if [ "$markov" = 1 ]; then
  echo "== Markov and Shapley (models in memory) =="
  java -Xmx512m -cp "$cp" io.closedloop.attribution.model.MarkovBenchmark
fi
if [ "$recompute" = 1 ]; then
  echo "== Full recompute vs SQL baseline =="
  java -Xmx512m -cp "$cp" io.closedloop.attribution.bench.RecomputeBenchmark "$accounts"
fi
if [ "$freshness" = 1 ]; then
  echo "== Freshness =="
  ./mvnw -B -q -DskipTests package -pl ingestion-service,identity-service,attribution-service,reporting-gateway -am >/dev/null
  java -Xmx512m -cp "$cp" io.closedloop.attribution.bench.FreshnessBenchmark "$accounts" "$trials" "$heap" "$quarters" "$explain"
fi
