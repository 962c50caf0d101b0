#!/usr/bin/env bash
# Vector tile benchmarks, as recorded in docs/performance.md ("Vector tiles").
#
#   scripts/bench/tiles.sh [cold|cold-http|warm|all]     (default: all)
#
# cold  Cold tiles, no cache: BenchmarkTileCold renders the police and
#       community grid layers of every tile over the county at z8, z12 and
#       z15 in process, and the same tiles from PostGIS with the
#       ST_AsMVT(ST_AsMVTGeom(...)) query Martin and pg_tileserv run, in the
#       same `go test` run, on a throwaway PostGIS started by
#       scripts/testdb/with-testdb.sh (or the database named by
#       JINGGE_TEST_DATABASE_URL). Prints tiles/s and bytes per tile, and
#       the ratios jingge / PostGIS.
# cold-http  Cold tiles over HTTP: BenchmarkTileColdHTTP serves the same
#       tiles with no cache through net/http on loopback, from jingge and
#       from PostGIS (ST_AsMVT behind a handler, as pg_tileserv), both
#       asked by the same Go HTTP client with the same connections.
# warm  Warm tiles over loopback: builds jingge, makes a viewer and a token
#       in a temporary auth file, serves the bundled dataset on ADDR with
#       access control on as shipped (rate limits raised out of the way)
#       and runs scripts/bench/tileload: one pass over every tile of every
#       layer at ZOOMS fills the cache, then the combined tile and each
#       layer's tiles in turn, each right after a run of /healthz (its
#       baseline, measured beside it), ROUNDS times; it prints the median of
#       each target's paired ratios to /healthz and their spread, by rate
#       and by the server's CPU time per answer (which other work on the
#       machine does not stretch).
#
# Environment: BENCHTIME (go test -benchtime, default 3s), DURATION (each
# target per round, default 10s), ROUNDS (default 3), CONNECTIONS
# (default 64), ZOOMS (warm tile zooms "MIN-MAX", default "12-14"),
# ADDR (the server's address, default 127.0.0.1:0, a free port), PIN
# (warm: "SERVER_CPUS:CLIENT_CPUS", e.g. "0:1", runs the server and the
# clients on cores of their own with taskset, so the clients' work never
# takes the server's core; default: both share every core).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

BENCHTIME="${BENCHTIME:-3s}"
DURATION="${DURATION:-10s}"
ROUNDS="${ROUNDS:-3}"
CONNECTIONS="${CONNECTIONS:-64}"
ZOOMS="${ZOOMS:-12-14}"
ADDR="${ADDR:-127.0.0.1:0}"
PIN="${PIN:-}"

say() { printf '\n==> %s\n' "$*"; }

cold() {
	say "cold tiles: go test ./tiles -bench '^BenchmarkTileCold\$' -benchtime $BENCHTIME (with PostGIS)"
	local out
	out="$(mktemp)"
	bash scripts/testdb/with-testdb.sh go test ./tiles/ -run '^$' -bench '^BenchmarkTileCold$' -benchtime "$BENCHTIME" -count 1 | tee "$out"
	awk '
		/^BenchmarkTileCold\// {
			split($1, part, "/"); z = part[2]; who = part[3]; sub(/-[0-9]+$/, "", who)
			for (i = 2; i <= NF; i++) {
				if ($i == "tiles/s") rate[z, who] = $(i - 1)
				if ($i == "B/tile") size[z, who] = $(i - 1)
			}
			if (!(z in seen)) { seen[z] = 1; order[++n] = z }
		}
		END {
			printf "\n%-5s %14s %14s %9s %12s %12s %10s\n", "zoom", "jingge tiles/s", "PostGIS tiles/s", "speed", "jingge B", "PostGIS B", "size"
			for (k = 1; k <= n; k++) {
				z = order[k]
				if (rate[z, "postgis"] == "") { printf "%-5s %14s %14s\n", z, rate[z, "jingge"], "(skipped)"; continue }
				printf "%-5s %14.0f %14.0f %8.1fx %12.0f %12.0f %9.2fx\n", z, rate[z, "jingge"], rate[z, "postgis"],
					rate[z, "jingge"] / rate[z, "postgis"], size[z, "jingge"], size[z, "postgis"], size[z, "jingge"] / size[z, "postgis"]
			}
		}' "$out"
	rm -f "$out"
}

cold_http() {
	say "cold tiles over HTTP: go test ./tiles -bench '^BenchmarkTileColdHTTP\$' -benchtime $BENCHTIME (with PostGIS)"
	bash scripts/testdb/with-testdb.sh go test ./tiles/ -run '^$' -bench '^BenchmarkTileColdHTTP$' -benchtime "$BENCHTIME" -count 1
}

# The server and its directory, for the EXIT trap.
SERVER_PID=""
SERVER_DIR=""
cleanup() {
	if [ -n "$SERVER_PID" ]; then
		kill "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
	fi
	if [ -n "$SERVER_DIR" ]; then
		rm -rf "$SERVER_DIR"
	fi
}
trap cleanup EXIT

warm() {
	local dir url token
	dir="$(mktemp -d)"
	SERVER_DIR="$dir"
	say "building jingge"
	go build -o "$dir/jingge" ./cmd/jingge
	"$dir/jingge" users add bench --role viewer --auth-file "$dir/auth.json" >/dev/null
	token="$("$dir/jingge" tokens create --user bench --label tileload --auth-file "$dir/auth.json" | sed -n 2p)"
	[ -n "$token" ] || { echo "no token" >&2; exit 1; }
	local pin_server=() pin_clients=()
	if [ -n "$PIN" ]; then
		pin_server=(taskset -c "${PIN%%:*}")
		pin_clients=(taskset -c "${PIN##*:}")
		go build -o "$dir/tileload" ./scripts/bench/tileload
	fi
	"${pin_server[@]}" "$dir/jingge" serve --addr "$ADDR" --data-dir "$dir/data" --auth-file "$dir/auth.json" \
		--rate 1e9 --burst 1000000000 --log-format json >"$dir/stdout" 2>/dev/null &
	SERVER_PID=$!
	for _ in $(seq 1 300); do
		url="$(sed -n 's/^jingge: serving on \(http:[^ ]*\).*/\1/p' "$dir/stdout")"
		[ -n "$url" ] && break
		sleep 0.1
	done
	[ -n "$url" ] || { echo "jingge did not start" >&2; exit 1; }
	say "warm tiles: tileload -url $url -c $CONNECTIONS -d $DURATION -rounds $ROUNDS -zooms $ZOOMS${PIN:+ (server on CPU ${PIN%%:*}, clients on CPU ${PIN##*:})} (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
	local args=(-url "$url" -token "$token" -pid "$SERVER_PID" -c "$CONNECTIONS" -d "$DURATION" -rounds "$ROUNDS" -zooms "$ZOOMS")
	if [ -n "$PIN" ]; then
		"${pin_clients[@]}" "$dir/tileload" "${args[@]}"
	else
		go run ./scripts/bench/tileload "${args[@]}"
	fi
}

case "${1:-all}" in
cold) cold ;;
cold-http) cold_http ;;
warm) warm ;;
all)
	cold
	cold_http
	warm
	;;
*)
	sed -n '2,/^set -euo/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" | sed '$d' >&2
	exit 2
	;;
esac
