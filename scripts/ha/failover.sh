#!/usr/bin/env bash
# Failover under load: jingge on a three-node Patroni cluster loses its
# primary to kill -9 while two jingge replicas take pings, lookups and tiles;
# then a planned switchover; then the old primary rejoins.
#
#   scripts/ha/failover.sh            (make test-ha)
#
# Checks, each printed with its figure:
#   - acknowledged == stored for the pings and the incidents sent through
#     both replicas (each batch resent with its Idempotency-Key while
#     unanswered or 503), and nothing stored twice;
#   - the event stream, open on one replica through the failover, carries
#     every stored event once, in order, and a stream resumed with
#     Last-Event-ID misses and repeats nothing;
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

# incidents SECONDS: one incident every 0.3 s through the replicas in
# turn, each resent with its key while unanswered or 503 for up to 120 s;
# prints how many were acknowledged and how many never were.
incidents() {
	local end=$((SECONDS + $1)) i=0 acked=0 lost=0 code deadline at
	while [ "$SECONDS" -lt "$end" ]; do
		i=$((i + 1))
		at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
		local url=$J0
		[ $((i % 2)) = 0 ] && url=$J1
		code=""
		deadline=$((SECONDS + 120))
		while [ "$SECONDS" -lt "$deadline" ]; do
			code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X POST -H "Authorization: Bearer $HA_TOKEN" \
				-H 'Content-Type: application/json' -H "Idempotency-Key: ha-incident-$i" \
				-d "{\"occurred_at\":\"$at\",\"category\":\"dispute\",\"location\":[109.317,34.152],\"summary\":\"ha-failover $i\"}" \
				"$url/api/v1/incidents" || true)
			case $code in 200 | 201) break ;; 503 | 502 | 000) sleep 0.2 ;; *) break ;; esac
		done
		case $code in 200 | 201) acked=$((acked + 1)) ;; *) lost=$((lost + 1)) ;; esac
		sleep 0.3
	done
	echo "$acked $lost"
}

# ids FILE: the event ids an event stream wrote to FILE, in order.
ids() { sed -n 's/^id: //p' "$1" | tr -d '\r'; }

# follow URL FILE AFTER: reads the event stream at URL into FILE as a
# browser's EventSource does: from after AFTER, and whenever the stream
# ends, again with Last-Event-ID set to the last id it saw, until FILE.stop
# exists.
follow() {
	local url=$1 file=$2 last=$3 seen
	: >"$file"
	until [ -e "$file.stop" ]; do
		curl -sN --max-time 30 -H "Authorization: Bearer $HA_TOKEN" -H 'Accept: text/event-stream' \
			-H "Last-Event-ID: $last" "$url/api/v1/events" >>"$file" 2>/dev/null || true
		seen=$(ids "$file" | tail -n 1)
		[ -n "$seen" ] && last=$seen
		sleep 0.2
	done
}

# stop_following FILE PID LAST: waits (60 s at most) until FILE shows
# event LAST, then stops the follower.
stop_following() {
	local deadline=$((SECONDS + 60))
	until [ "$(ids "$1" | tail -n 1)" = "$3" ] || [ "$SECONDS" -ge "$deadline" ]; do sleep 0.2; done
	touch "$1.stop"
	wait "$2" 2>/dev/null || true
}

# --- 1. kill -9 of the primary under load --------------------------------
log "load through both replicas; the primary dies in 15 s"
follow "$J1" "$DIR/stream.txt" 0 &
stream=$!
incidents 45 >"$DIR/incidents.out" &
li=$!
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
wait "$la" "$lb" "$li" || true
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

read -r inc_acked inc_lost <"$DIR/incidents.out"
inc_stored=$(psql_retry "select count(*) from incidents where summary like 'ha-failover %'")
inc_distinct=$(psql_retry "select count(distinct summary) from incidents where summary like 'ha-failover %'")
echo "incidents acknowledged: $inc_acked, stored: $inc_stored, never acknowledged: $inc_lost, distinct: $inc_distinct"
if [ "$inc_acked" -gt 0 ] && [ "$inc_acked" = "$inc_stored" ] && [ "$inc_lost" = 0 ] && [ "$inc_distinct" = "$inc_stored" ]; then
	pass "failover: every acknowledged incident stored once ($inc_stored incidents)"
else
	fail "failover incidents: stored $inc_stored ($inc_distinct distinct), acknowledged $inc_acked, never acknowledged $inc_lost"
fi

# The stream open through the failover carries every stored event once,
# in order; one resumed from the middle misses and repeats nothing.
psql_retry 'select id from patrol_events order by id' >"$DIR/events.db"
last=$(tail -n 1 "$DIR/events.db")
stop_following "$DIR/stream.txt" "$stream" "$last"
ids "$DIR/stream.txt" >"$DIR/events.stream"
if [ -n "$last" ] && cmp -s "$DIR/events.db" "$DIR/events.stream"; then
	pass "the event stream, followed through the failover as EventSource does, carried all $(wc -l <"$DIR/events.db") events once, in order"
else
	fail "the event stream: $(wc -l <"$DIR/events.stream") ids against $(wc -l <"$DIR/events.db") stored; first difference: $(diff "$DIR/events.db" "$DIR/events.stream" | sed -n 2p)"
fi
middle=$(sed -n "$(( $(wc -l <"$DIR/events.db") / 2 ))p" "$DIR/events.db")
follow "$J0" "$DIR/resumed.txt" "$middle" &
resumed=$!
stop_following "$DIR/resumed.txt" "$resumed" "$last"
awk -v m="$middle" '$1 > m' "$DIR/events.db" >"$DIR/events.after"
if ids "$DIR/resumed.txt" | cmp -s "$DIR/events.after" -; then
	pass "a stream resumed on the other replica after event $middle missed and repeated nothing ($(wc -l <"$DIR/events.after") events)"
else
	fail "the stream resumed after $middle differs from the stored events after it"
fi

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
