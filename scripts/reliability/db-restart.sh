#!/usr/bin/env bash
# Database restart under write load.
#
#   scripts/reliability/db-restart.sh [OUTAGE_SECONDS]
#
# Starts a throwaway PostGIS and a jingge server on it, sends a mix of
# lookups, tiles, queries and patrol pings (loadgen, 400 req/s for 60 s;
# ping batches that get a 503 or no answer are resent with their
# Idempotency-Key), stops PostgreSQL 15 s in for OUTAGE_SECONDS (default
# 10), starts it again, and checks that
#   - reads kept being served: no lookup, tile or query failed;
#   - writes got 503 while the database was down;
#   - after recovery the pings stored equal the pings acknowledged, exactly;
#   - the audit entries spooled during the outage reached the audit table.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
outage="${1:-10}"

rel_build || exit 1
rel_db_start || exit 1
rel_serve || exit 1
rel_credentials 40 10 || exit 1

"$REL_WORK/loadgen" -url "http://$REL_ADDR" -credentials "$REL_WORK/credentials.txt" -rate 400 -duration 60s -workers 4096 \
	-mix lookup=40,ping=40,tile=10,query=10 -ping-retry 90s -every 5s -pid "$REL_SERVER_PID" >"$REL_WORK/load.out" 2>&1 &
load=$!
sleep 15
rel_log "stopping PostgreSQL for ${outage}s"
rel_db_stop || rel_fail "could not stop PostgreSQL"
sleep "$outage"
rel_log "starting PostgreSQL again"
rel_db_start_again || rel_fail "could not start PostgreSQL"
wait "$load"
cat "$REL_WORK/load.out"
sleep 3 # the audit spool drains every second

summary="$REL_WORK/load.out"
acked="$(rel_json_field "$summary" acked_pings)"
unacked="$(rel_json_field "$summary" unacknowledged_pings)"
stored="$(rel_psql 'select count(*) from patrol_pings')"
echo "pings acknowledged: $acked, stored: $stored, never acknowledged: $unacked"
if [ -n "$acked" ] && [ "$acked" = "$stored" ] && [ "$unacked" = 0 ]; then
	rel_pass "stored pings = acknowledged pings ($stored)"
else
	rel_fail "stored pings $stored, acknowledged $acked, unacknowledged $unacked"
fi
read_errors="$(tr -d '\n ' <"$summary" | grep -oE '"(lookup|tile|query)":\[[0-9]+,[0-9]+\]' | sed -E 's/.*,([0-9]+)\]/\1/' | paste -sd+ | bc)"
if [ "${read_errors:-1}" = 0 ]; then
	rel_pass "reads kept being served through the outage (0 failed)"
else
	rel_fail "$read_errors reads failed"
fi
write503="$(grep -c '"path":"/api/v1/patrols/pings".*"status":503' "$REL_WORK/server.log")"
if [ "$write503" -gt 0 ]; then
	rel_pass "writes got 503 while the database was down ($write503 answers)"
else
	rel_fail "no write was refused with 503 during the outage"
fi
spooled="$(grep -c 'spooling entries' "$REL_WORK/server.log")"
audited="$(rel_psql "select count(*) from audit_log where action = 'lookupPoint'")"
lookups="$(tr -d '\n ' <"$summary" | grep -oE '"lookup":\[[0-9]+' | grep -oE '[0-9]+$')"
if [ ! -s "$REL_WORK/audit-spool.jsonl" ] && [ "${audited:-0}" -ge "${lookups:-1}" ]; then
	rel_pass "every lookup is in the audit table ($audited entries for $lookups lookups; spooled during the outage: $spooled time(s))"
else
	rel_fail "audit: $audited lookup entries for $lookups lookups; spool file: $(wc -l <"$REL_WORK/audit-spool.jsonl" 2>/dev/null || echo none)"
fi
rel_finish
