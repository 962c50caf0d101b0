#!/usr/bin/env bash
# kill -9 of the server during ingestion.
#
#   scripts/reliability/kill9.sh
#
# Sends patrol pings (loadgen, 300 batches of 10 per second for 45 s, each
# resent with its Idempotency-Key until answered), kills the server with
# SIGKILL twice while it ingests, restarts it each time on the same
# address, and checks that every acknowledged ping is stored and nothing
# is stored twice (no two rows with the same officer, time and place):
# stored = acknowledged, exactly.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

rel_build || exit 1
rel_db_start || exit 1
rel_serve || exit 1
rel_credentials 40 2 || exit 1

"$REL_WORK/loadgen" -url "http://$REL_ADDR" -credentials "$REL_WORK/credentials.txt" -rate 300 -duration 45s -workers 4096 \
	-mix ping=100 -ping-retry 90s -every 5s >"$REL_WORK/load.out" 2>&1 &
load=$!
for at in 10 25; do
	sleep $((at == 10 ? 10 : 13))
	rel_log "kill -9 $REL_SERVER_PID"
	kill -KILL "$REL_SERVER_PID"
	wait "$REL_SERVER_PID" 2>/dev/null
	sleep 2
	rel_restart_server || rel_fail "the server did not come back"
done
wait "$load"
cat "$REL_WORK/load.out"

acked="$(rel_json_field "$REL_WORK/load.out" acked_pings)"
unacked="$(rel_json_field "$REL_WORK/load.out" unacknowledged_pings)"
stored="$(rel_psql 'select count(*) from patrol_pings')"
dupes="$(rel_psql 'select count(*) from (select officer_id, at, st_asbinary(location) from patrol_pings group by 1, 2, 3 having count(*) > 1) d')"
echo "pings acknowledged: $acked, stored: $stored, never acknowledged: $unacked, stored twice: $dupes"
if [ -n "$acked" ] && [ "$acked" = "$stored" ] && [ "$unacked" = 0 ] && [ "$dupes" = 0 ]; then
	rel_pass "nothing acknowledged was lost and nothing was stored twice ($stored pings)"
else
	rel_fail "stored $stored, acknowledged $acked, unacknowledged $unacked, duplicates $dupes"
fi
rel_finish
