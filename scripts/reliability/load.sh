#!/usr/bin/env bash
# Load test on loopback.
#
#   scripts/reliability/load.sh [DURATION] [RATE]     (default 10m 5000)
#
# Starts a throwaway PostGIS and a jingge server on it, makes 60 officer
# and 40 viewer tokens, and runs loadgen at a fixed RATE for DURATION
# (bounded: at most RATE x seconds requests): 45% lookups, 25% tiles, 15%
# ping batches of 10 and 15% grid queries. Prints throughput, p50/p99
# latency, errors and the server's memory every 10 s, and a summary; the
# CSV is left in load.csv in the current directory.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
duration="${1:-10m}"
rate="${2:-5000}"

rel_build || exit 1
rel_db_start || exit 1
rel_serve || exit 1
rel_credentials 60 40 || exit 1
rel_log "loading $REL_ADDR at $rate req/s for $duration ($(nproc) CPUs)"
"$REL_WORK/loadgen" -url "http://$REL_ADDR" -credentials "$REL_WORK/credentials.txt" -rate "$rate" -duration "$duration" \
	-mix lookup=45,tile=25,ping=15,query=15 -pid "$REL_SERVER_PID" -every 10s -out load.csv | tee "$REL_WORK/load.out"
errors="$(rel_json_field "$REL_WORK/load.out" errors)"
echo "server errors logged: $(grep -c '"level":"ERROR"' "$REL_WORK/server.log")"
[ "$errors" = 0 ] && rel_pass "no errors" || rel_fail "$errors errors"
rel_finish
