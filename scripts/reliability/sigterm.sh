#!/usr/bin/env bash
# SIGTERM drains in-flight requests and stops cleanly.
#
#   scripts/reliability/sigterm.sh
#
# Starts four slow uploads of a 10,000-point batch lookup (curl sends at
# 40 kB/s, so each request is in flight for about 4 s), four slow
# downloads of every community grid and a stream of pings, sends SIGTERM
# while they are in flight, and checks that every upload is answered in
# full, every download completes byte for byte, the server refuses new
# connections once draining, and it exits 0.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

rel_build || exit 1
rel_db_start || exit 1
rel_serve --shutdown-timeout 60s || exit 1
rel_credentials 5 1 || exit 1
token="$(cat "$REL_WORK/admin.token")"
url="http://$REL_ADDR/api/v1/grids?level=community"
curl -fsS -H "Authorization: Bearer $token" -o "$REL_WORK/full.json" "$url" || exit 1
size="$(stat -c %s "$REL_WORK/full.json")"
rel_log "a full answer is $size bytes"

python3 -c 'import json; print(json.dumps({"points": [[109.2 + (i % 100) * 0.004, 34.0 + (i // 100) * 0.003] for i in range(10000)]}))' >"$REL_WORK/batch.json"
upids=()
for i in 1 2 3 4; do
	curl -fsS --limit-rate 40k -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
		--data-binary "@$REL_WORK/batch.json" -o "$REL_WORK/batch$i.out" "http://$REL_ADDR/api/v1/lookup" &
	upids+=($!)
done
pids=()
for i in 1 2 3 4; do
	curl -fsS --limit-rate 100k -H "Authorization: Bearer $token" -o "$REL_WORK/slow$i.json" "$url" &
	pids+=($!)
done
"$REL_WORK/loadgen" -url "http://$REL_ADDR" -credentials "$REL_WORK/credentials.txt" -rate 50 -duration 8s \
	-mix ping=100 -every 2s >"$REL_WORK/load.out" 2>&1 &
sleep 2
rel_log "SIGTERM"
start=$(date +%s)
kill -TERM "$REL_SERVER_PID"
sleep 0.5
if curl -fsS -m 2 "http://$REL_ADDR/healthz" >/dev/null 2>&1; then
	rel_fail "a new connection was accepted while draining"
else
	rel_pass "new connections are refused while draining"
fi
wait "$REL_SERVER_PID"
code=$?
took=$(($(date +%s) - start))
REL_SERVER_PID=""
ok=0
for i in "${!upids[@]}"; do
	if wait "${upids[$i]}" && [ "$(grep -o '"count":10000' "$REL_WORK/batch$((i + 1)).out" | wc -l)" = 1 ]; then
		ok=$((ok + 1))
	fi
done
if [ "$ok" = 4 ]; then
	rel_pass "all 4 in-flight uploads (10,000-point lookups, still sending at SIGTERM) were answered in full"
else
	rel_fail "$ok of 4 in-flight uploads were answered in full"
fi
ok=0
for i in "${!pids[@]}"; do
	if wait "${pids[$i]}" && cmp -s "$REL_WORK/full.json" "$REL_WORK/slow$((i + 1)).json"; then
		ok=$((ok + 1))
	fi
done
if [ "$ok" = 4 ]; then
	rel_pass "all 4 in-flight downloads completed byte for byte ($size bytes each)"
else
	rel_fail "$ok of 4 in-flight downloads completed"
fi
if [ "$code" = 0 ] && grep -q '"msg":"stopped"' "$REL_WORK/server.log"; then
	rel_pass "the server drained for ${took}s and exited 0"
else
	rel_fail "the server exited $code after ${took}s"
fi
wait
rel_finish
