#!/usr/bin/env bash
# The HTTP path measured from the outside, as recorded in
# docs/performance.md ("The HTTP path"):
#
#   scripts/bench/http.sh [FLAGS of scripts/bench/http]   e.g. -duration 5s -connections 32 -rounds 3
#
# Builds bin/jingge-bench as `make build` does, starts a throwaway PostGIS
# with scripts/testdb/with-testdb.sh and turns its durability back on (the
# test cluster runs with fsync and synchronous_commit off for speed; audit
# rows a read waits for must pay for them), then runs scripts/bench/http:
# the binary served twice, on the embedded store and on PostGIS, auth and
# audit on as shipped, loads interleaved, each figure printed beside
# /healthz of the same server, the same load without a database and a
# PostGIS ST_Covers lookup behind the same HTTP client. With
# JINGGE_TEST_DATABASE_URL set, that (empty) database is used as it is,
# its configuration untouched. JINGGE_BENCH_NO_DB=1 measures the embedded
# store alone, without PostgreSQL.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
mkdir -p bin
go build -o bin/jingge-bench ./cmd/jingge
uptime
if [ -n "${JINGGE_BENCH_NO_DB:-}" ]; then
	exec go run ./scripts/bench/http -bin bin/jingge-bench "$@"
fi
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
	go run ./scripts/bench/http -bin bin/jingge-bench -db "$JINGGE_TEST_DATABASE_URL" "$@"
	uptime
' bench "$@"
