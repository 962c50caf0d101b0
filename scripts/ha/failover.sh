#!/usr/bin/env bash
# Failover under load: jingge on a three-node Patroni cluster loses its
# primary to kill -9 while two jingge replicas take pings, lookups and tiles;
# then a planned switchover; then the old primary rejoins.
#
#   scripts/ha/failover.sh            (make test-ha)
#
# Checks, each printed with its figure:
#   - acknowledged == stored for the pings sent through both replicas (each
#     batch resent with its Idempotency-Key while unanswered or 503), and no
#     ping stored twice;
#   - lookups and tiles, served from memory, fail not once;
#   - writes resume after the kill (the time is reported, not asserted);
#   - a grid edit made after the failover on one replica reaches the other
#     (time reported);
#   - a planned switchover (patronictl switchover) with clients that follow
#     Retry-After: zero failed requests;
#   - the old primary rejoins (pg_rewind) and the cluster has three members
#     streaming again.
# Everything it starts is stopped and removed at exit (scripts/ha/cluster.sh
# down). Ports: JINGGE_HA_PORT (default 27000) and the 50 after it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HA="$ROOT/scripts/ha/cluster.sh"
DIR=$(mktemp -d "${TMPDIR:-/tmp}/jingge-ha.XXXXXX")
failures=0

log() { printf 'ha-test: %s\n' "$*" >&2; }
pass() { printf 'PASS %s\n' "$*"; }
fail() {
	printf 'FAIL %s\n' "$*"
	failures=$((failures + 1))
}

cleanup() {
	local rc=$?
	if [ "$failures" -gt 0 ] || [ "$rc" -ne 0 ]; then
		for f in "$DIR"/jingge-*.log "$DIR"/n*/patroni.log; do
			[ -f "$f" ] && { echo "--- tail of $f"; tail -n 20 "$f"; }
		done
	fi
	bash "$HA" down "$DIR" || true
}
trap cleanup EXIT

bash "$HA" up "$DIR"
eval "$(bash "$HA" env "$DIR")"
as_db=()
[ "$(id -u)" -eq 0 ] && as_db=(runuser -u postgres --)
read -r J0 J1 <<<"$HA_JINGGE"
read -r -a REST <<<"$HA_PATRONI_REST"

psql_w() { PGCONNECT_TIMEOUT=3 psql -X -qAt "${HA_DB_URL%%\?*}" -c "$1"; }

# Retry a read through HAProxy until the new primary answers.
psql_retry() {
	local deadline=$((SECONDS + 60)) out
	until out=$(psql_w "$1" 2>/dev/null); do
		[ "$SECONDS" -ge "$deadline" ] && return 1
		sleep 0.5
	done
	printf '%s\n' "$out"
}

(cd "$ROOT" && go build -o "$DIR/loadgen" ./scripts/loadgen)

# Officers for each replica's load, so each ping batch has one sender.
credentials() { # credentials FILE OFFSET COUNT
	local out=$1 ids i tok
	: >"$out"
	ids=$(psql_w "select id from members where role in ('community_officer', 'auxiliary_officer') order by id offset $2 limit $3")
	for i in $ids; do
		DATABASE_URL=$HA_DB_URL "$DIR/jingge" users add "ha-$i" --role officer --officer "$i" >/dev/null
		tok=$(DATABASE_URL=$HA_DB_URL "$DIR/jingge" tokens create --user "ha-$i" | grep '^jgt_')
		printf 'officer %s %s\n' "$tok" "$i" >>"$out"
	done
	printf 'viewer %s\n' "$HA_TOKEN" >>"$out"
}
credentials "$DIR/cred-0.txt" 0 15
credentials "$DIR/cred-1.txt" 15 15

primary_index() {
	local i
	for i in 0 1 2; do
		curl -fsS -o /dev/null --max-time 2 -X OPTIONS "http://127.0.0.1:${REST[$i]}/primary" 2>/dev/null && { echo "$i"; return 0; }
	done
	return 1
}

# load NAME URL CREDENTIALS SEED DURATION: lookups, tiles and pings.
load() {
	"$DIR/loadgen" -url "$2" -credentials "$3" -seed "$4" -duration "$5" -rate 80 -workers 512 \
		-mix lookup=40,tile=30,ping=30 -ping-retry 120s -every 5s -timeout 10s >"$DIR/load-$1.out" 2>&1
}

field() { # field FILE NAME: a number from loadgen's summary
	sed -n '/^summary /,$p' "$1" | sed 's/^summary //' | python3 -c "import json,sys; d=json.load(sys.stdin); print($2)"
}

# check_load NAME: pings acknowledged, reads without failure.
check_reads() {
	local name=$1 out="$DIR/load-$1.out" lk tl
	lk=$(field "$out" "d['by_kind_n_errors'].get('lookup',[0,0])[1]")
	tl=$(field "$out" "d['by_kind_n_errors'].get('tile',[0,0])[1]")
	if [ "$lk" = 0 ] && [ "$tl" = 0 ]; then
		pass "$name: lookups and tiles never failed ($(field "$out" "d['by_kind_n_errors'].get('lookup',[0,0])[0]") lookups, $(field "$out" "d['by_kind_n_errors'].get('tile',[0,0])[0]") tiles)"
	else
		fail "$name: $lk lookups and $tl tiles failed"
	fi
}

# --- 1. kill -9 of the primary under load --------------------------------
log "load through both replicas; the primary dies in 15 s"
load a "$J0" "$DIR/cred-0.txt" 1 50s &
la=$!
load b "$J1" "$DIR/cred-1.txt" 2 50s &
lb=$!
# Wait until both loads have sent pings that were stored, then kill.
deadline=$((SECONDS + 60))
until [ "$(psql_w 'select count(*) from patrol_pings' 2>/dev/null || echo 0)" -gt 500 ]; do
	[ "$SECONDS" -ge "$deadline" ] && break
	sleep 0.5
done
old=$(primary_index)
node="n$((old + 1))"
# Patroni runs under runuser when we are root: kill both, and the
# postmaster, so nothing of the node is left to restart it.
patroni_pids=$(pgrep -f "patroni $DIR/$node/patroni.yml" | tr '\n' ' ')
postmaster_pid=$(sed -n 1p "$DIR/$node/data/postmaster.pid")
log "kill -9 $node: Patroni $patroni_pids, postmaster $postmaster_pid"
kill_at=$(date +%s.%N)
# shellcheck disable=SC2086
kill -KILL $patroni_pids "$postmaster_pid"

# Writes resume: one ping batch, resent with its key, until stored.
tok=$(awk '$1 == "officer" {print $2; exit}' "$DIR/cred-0.txt")
officer=$(awk '$1 == "officer" {print $3; exit}' "$DIR/cred-0.txt")
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
body="{\"pings\":[{\"officer\":\"$officer\",\"at\":\"$now\",\"lon\":109.317,\"lat\":34.152}]}"
resumed=""
deadline=$((SECONDS + 120))
while [ "$SECONDS" -lt "$deadline" ]; do
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X POST -H "Authorization: Bearer $tok" \
		-H 'Content-Type: application/json' -H 'Idempotency-Key: ha-resume-1' -d "$body" "$J0/api/v1/patrols/pings" || true)
	if [ "$code" = 200 ]; then
		resumed=$(python3 -c "print(f'{$(date +%s.%N) - $kill_at:.1f}')")
		break
	fi
	sleep 0.2
done
if [ -n "$resumed" ]; then
	pass "writes resumed ${resumed} s after the primary died"
else
	fail "writes did not resume within 120 s"
fi
wait "$la" "$lb" || true
new=$(primary_index) || new=""
[ -n "$new" ] && [ "$new" != "$old" ] && pass "n$((new + 1)) took over from $node" || fail "no new primary (old $node)"

acked=$(($(field "$DIR/load-a.out" "d['acked_pings']") + $(field "$DIR/load-b.out" "d['acked_pings']") + 1))
unacked=$(($(field "$DIR/load-a.out" "d['unacknowledged_pings']") + $(field "$DIR/load-b.out" "d['unacknowledged_pings']")))
stored=$(psql_retry 'select count(*) from patrol_pings')
dupes=$(psql_retry 'select count(*) from (select officer_id, at, st_asbinary(location) from patrol_pings group by 1, 2, 3 having count(*) > 1) d')
echo "pings acknowledged: $acked, stored: $stored, never acknowledged: $unacked, stored twice: $dupes"
if [ "$acked" = "$stored" ] && [ "$unacked" = 0 ] && [ "$dupes" = 0 ]; then
	pass "failover: nothing acknowledged lost, nothing stored twice ($stored pings)"
else
	fail "failover: stored $stored, acknowledged $acked, unacknowledged $unacked, duplicates $dupes"
fi
check_reads a
check_reads b

# --- 2. a grid edit after the failover reaches both replicas ------------
grid=61012200100701
pop=$((4000 + RANDOM % 1000))
edit_at=$(date +%s.%N)
code=$(curl -s -o "$DIR/edit.json" -w '%{http_code}' --max-time 30 -X PUT -H "Authorization: Bearer $HA_TOKEN" \
	-H 'Content-Type: application/json' -d "{\"type\":\"Feature\",\"properties\":{\"population\":$pop},\"reason\":\"failover test\"}" "$J0/api/v1/grids/$grid")
if [ "$code" != 200 ]; then
	fail "grid edit after failover: $code $(head -c 300 "$DIR/edit.json")"
else
	seen=""
	deadline=$((SECONDS + 30))
	while [ "$SECONDS" -lt "$deadline" ]; do
		if curl -fsS --max-time 2 -H "Authorization: Bearer $HA_TOKEN" "$J1/api/v1/grids/$grid" | grep -q "\"population\":$pop"; then
			seen=$(python3 -c "print(f'{$(date +%s.%N) - $edit_at:.2f}')")
			break
		fi
		sleep 0.05
	done
	[ -n "$seen" ] && pass "a grid edit after the failover reached the other replica in $seen s" || fail "the other replica never showed the edit"
fi

# --- 3. the old primary rejoins -----------------------------------------
bash "$HA" up "$DIR" >/dev/null
members=$("${as_db[@]}" patronictl -c "$DIR/n1/patroni.yml" list -f json)
streaming=$(python3 -c "import json,sys; m=json.loads(sys.argv[1]); print(sum(1 for x in m if x['State'] in ('running','streaming')))" "$members")
[ "$streaming" = 3 ] && pass "$node rejoined: three members running" || fail "after rejoin: $members"

# --- 4. planned switchover under load: nothing fails --------------------
: >"$DIR/cred-sw.txt"
cat "$DIR/cred-0.txt" >"$DIR/cred-sw.txt"
load sw "$J1" "$DIR/cred-sw.txt" 3 30s &
lsw=$!
sleep 5 # let the load run before the switch
cur=$(primary_index)
# In synchronous mode only the synchronous standby may take over.
target=""
for i in 0 1 2; do
	curl -fsS -o /dev/null --max-time 2 -X OPTIONS "http://127.0.0.1:${REST[$i]}/sync" 2>/dev/null && target=$i
done
"${as_db[@]}" patronictl -c "$DIR/n1/patroni.yml" switchover --leader "n$((cur + 1))" --candidate "n$((target + 1))" --force >"$DIR/switchover.out" 2>&1 || true
wait "$lsw" || true
sw_errors=$(field "$DIR/load-sw.out" "d['errors']")
sw_unacked=$(field "$DIR/load-sw.out" "d['unacknowledged_pings']")
after=$(primary_index || echo "")
if [ "$sw_errors" = 0 ] && [ "$sw_unacked" = 0 ] && [ "$after" = "$target" ]; then
	pass "switchover n$((cur + 1)) → n$((target + 1)): zero failed requests"
else
	fail "switchover: $sw_errors failed requests, $sw_unacked pings unanswered, primary now ${after:-none} (wanted $target); $(tail -n 3 "$DIR/switchover.out")"
fi

# The audit entries spooled while no primary took them reach audit_log.
deadline=$((SECONDS + 60))
until [ ! -s "$DIR/audit-spool-0" ] && [ ! -s "$DIR/audit-spool-1" ]; do
	[ "$SECONDS" -ge "$deadline" ] && break
	sleep 0.5
done
if [ ! -s "$DIR/audit-spool-0" ] && [ ! -s "$DIR/audit-spool-1" ]; then
	pass "the audit spools drained ($(psql_retry 'select count(*) from audit_log') audit rows)"
else
	fail "the audit spools still hold $(cat "$DIR"/audit-spool-* | wc -l) entries"
fi

if [ "$failures" -gt 0 ]; then
	echo "ha: $failures check(s) failed"
	exit 1
fi
echo "ha: all checks passed"
