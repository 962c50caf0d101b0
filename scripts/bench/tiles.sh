#!/usr/bin/env bash
# Vector tile benchmarks, as recorded in docs/performance.md ("Vector tiles").
#
#   scripts/bench/tiles.sh [cold|warm|all]     (default: all)
#
# cold  Cold tiles, no cache: BenchmarkTileCold renders the police and
#       community grid layers of every tile over the county at z8, z12 and
#       z15 in process, and the same tiles from PostGIS with the
#       ST_AsMVT(ST_AsMVTGeom(...)) query Martin and pg_tileserv run, in the
#       same `go test` run, on a throwaway PostGIS started by
#       scripts/testdb/with-testdb.sh (or the database named by
#       JINGGE_TEST_DATABASE_URL). Prints tiles/s and bytes per tile, and
#       the ratios jingge / PostGIS.
# warm  Warm tiles over loopback: builds jingge, serves the bundled dataset
#       on 127.0.0.1 (a free port), fills the cache with one pass of wrk
#       over every tile at z12..z14, then measures the combined tiles with
#       wrk, and /healthz with the same settings as the baseline of the
#       same run (the floor of the server and its middleware). Needs wrk
#       (installed with apt-get when missing and running as root).
#
# Environment: BENCHTIME (go test -benchtime, default 3s), WRK_DURATION
# (default 10s), WRK_THREADS (default 2), WRK_CONNECTIONS (default 64),
# ZOOMS (warm tile zooms "MIN MAX", default "12 14").
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

BENCHTIME="${BENCHTIME:-3s}"
WRK_DURATION="${WRK_DURATION:-10s}"
WRK_THREADS="${WRK_THREADS:-2}"
WRK_CONNECTIONS="${WRK_CONNECTIONS:-64}"
ZOOMS="${ZOOMS:-12 14}"

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

need_wrk() {
	command -v wrk >/dev/null 2>&1 && return 0
	if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
		say "installing wrk"
		apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
	fi
	command -v wrk >/dev/null 2>&1 || { echo "wrk not found: apt-get install -y wrk" >&2; exit 1; }
}

# requests_per_sec runs wrk with the given arguments and prints its
# Requests/sec; it fails if any answer was not 2xx or 3xx.
requests_per_sec() {
	local out
	out="$(wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" "$@")"
	printf '%s\n' "$out" >&2
	if grep -q 'Non-2xx' <<<"$out"; then
		echo "wrk saw error responses" >&2
		return 1
	fi
	awk '/^Requests\/sec:/ { print $2 }' <<<"$out"
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
	need_wrk
	local dir url bounds
	dir="$(mktemp -d)"
	SERVER_DIR="$dir"
	say "building jingge"
	go build -o "$dir/jingge" ./cmd/jingge
	"$dir/jingge" serve --addr 127.0.0.1:0 --log-format json >"$dir/stdout" 2>/dev/null &
	SERVER_PID=$!
	for _ in $(seq 1 100); do
		url="$(sed -n 's/^jingge: serving on \(http:[^ ]*\).*/\1/p' "$dir/stdout")"
		[ -n "$url" ] && break
		sleep 0.1
	done
	[ -n "$url" ] || { echo "jingge did not start" >&2; exit 1; }
	bounds="$(curl -fsS "$url/tiles.json" | sed -n 's/.*"bounds":\[\([^]]*\)\].*/\1/p' | tr ',' ' ')"
	[ -n "$bounds" ] || { echo "no bounds in $url/tiles.json" >&2; exit 1; }
	# shellcheck disable=SC2086 # bounds and ZOOMS are lists of words
	set -- $bounds $ZOOMS
	say "filling the cache: every tile over the county at zooms $ZOOMS ($url)"
	requests_per_sec -d3s -s scripts/bench/tiles.lua "$url" -- "$@" >/dev/null
	say "warm tiles: wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d$WRK_DURATION -s scripts/bench/tiles.lua $url -- $*"
	local tiles health
	tiles="$(requests_per_sec -d"$WRK_DURATION" -s scripts/bench/tiles.lua "$url" -- "$@")"
	say "baseline: wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d$WRK_DURATION $url/healthz"
	health="$(requests_per_sec -d"$WRK_DURATION" "$url/healthz")"
	awk -v t="$tiles" -v h="$health" -v cores="$(nproc)" 'BEGIN {
		printf "\nwarm tiles %.0f/s, /healthz %.0f/s on %d cores: tiles at %.2fx the server floor\n", t, h, cores, t / h
	}'
}

case "${1:-all}" in
cold) cold ;;
warm) warm ;;
all)
	cold
	warm
	;;
*)
	sed -n '2,/^set -euo/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" | sed '$d' >&2
	exit 2
	;;
esac
