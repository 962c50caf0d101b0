#!/usr/bin/env bash
# Patrol ping ingestion benchmark, as recorded in docs/performance.md
# ("Patrol pings"):
#
#   scripts/bench/pings.sh [FLAGS of scripts/bench/pings]
#
# Starts a throwaway PostGIS with scripts/testdb/with-testdb.sh, turns its
# durability back on (the test cluster runs with fsync, synchronous_commit
# and full_page_writes off for speed; a benchmark of acknowledged writes
# must pay for them), and runs scripts/bench/pings: the HTTP API on
# loopback taking batches into PostGIS for a bounded time, beside a
# row-by-row INSERT store in the same run. With JINGGE_TEST_DATABASE_URL
# set, that database is used as it is, its configuration untouched.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
if [ -n "${JINGGE_TEST_DATABASE_URL:-}" ]; then
	export JINGGE_BENCH_KEEP_CONFIG=1
fi
exec bash scripts/testdb/with-testdb.sh bash -c '
	set -euo pipefail
	if [ -z "${JINGGE_BENCH_KEEP_CONFIG:-}" ]; then
		psql -X -q -v ON_ERROR_STOP=1 -d "$JINGGE_TEST_DATABASE_URL" \
			-c "alter system set fsync = on" \
			-c "alter system set synchronous_commit = on" \
			-c "alter system set full_page_writes = on" \
			-c "select pg_reload_conf()" >/dev/null
		sleep 1
		psql -X -A -t -d "$JINGGE_TEST_DATABASE_URL" -c "select string_agg(name || \$\$=\$\$ || setting, \$\$ \$\$ order by name) from pg_settings where name in (\$\$fsync\$\$, \$\$synchronous_commit\$\$, \$\$full_page_writes\$\$)"
	fi
	go run ./scripts/bench/pings "$@"
' bench "$@"
