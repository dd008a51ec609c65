#!/usr/bin/env bash
# Identity resolution: 1,000,000 identity facts (identify/alias/group/CRM contact links) over the
# benchmark dataset's 100,000 contacts and 25,000 accounts, applied page by page as the feed
# consumer does, against a plain read of the same feed pages; heap bounded at 512 MB (DESIGN §10).
# Optional arguments: number of accounts (default 25000; 4 contacts and 10 facts per contact each), items per page (default 1000).
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl identity-service -am test-compile dependency:build-classpath -Dmdep.outputFile="$PWD/identity-service/target/bench.classpath"
java -Xmx512m -cp "identity-service/target/classes:identity-service/target/test-classes:$(cat identity-service/target/bench.classpath)" \
  io.closedloop.identity.bench.IdentityBenchmark "$@"
