#!/usr/bin/env bash
# The restore drill of docs/deployment.md ("Backups and point-in-time
# recovery"), run on loopback:
#
#   scripts/ha/restore-drill.sh            (make test-restore)
#
#  1. a throwaway PostGIS cluster (scripts/testdb) with WAL archiving to a
#     directory (archive_command cp), wal_level replica;
#  2. a base backup of it with pg_basebackup (-X stream -c fast);
#  3. the Lantian dataset imported with `jingge import`, an admin with a
#     token, `jingge serve` on it;
#  4. writes before T through the API (two incidents, one grid edit, each
#     under an Idempotency-Key), T read from the database's clock, then
#     writes after T (two more incidents, the same grid edited again), and a
#     WAL switch waited on until the archive holds every write;
#  5. the original's grids at T exported (`jingge export --as-of T`);
#  6. the base backup copied into a scratch cluster with recovery.signal,
#     restore_command (cp from the archive), recovery_target_time = T and
#     recovery_target_action = promote; started, and waited on until
#     pg_is_in_recovery() is false;
#  7. `jingge serve` on the restored database, and the checks: the incidents
#     and the grid edit before T are there (through the API, with the token
#     made before T), those after T are not, and `jingge export` of the
#     restored grids is byte-identical to the original's at T (and differs
#     from the original's today, so the comparison can fail); the first
#     incident batch sent again under its key is answered as a replay.
#
# Waits are bounded and on real readiness (pg_ctl -w, /readyz, the
# archiver's last archived segment, pg_is_in_recovery()). Everything it
# starts is stopped (each PID checked first) and removed at exit. Ports:
# the clusters take free ones; the two servers JINGGE_DRILL_PORT (default
# 27100) and the next.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=scripts/testdb/testdb.sh
. "$ROOT/scripts/testdb/testdb.sh"

PORT0="${JINGGE_DRILL_PORT:-27100}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/jingge-drill.XXXXXX")"
ORIG_DIR=""
SCRATCH_DIR=""
SERVER_PIDS=()
failures=0

log() { printf '%s restore-drill: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
pass() { printf 'PASS %s\n' "$*"; }
fail() {
	printf 'FAIL %s\n' "$*"
	failures=$((failures + 1))
}
die() {
	log "$*"
	exit 1
}

# ours PID: PID is a jingge server this script started (and still running).
ours() {
	local cmd
	cmd="$(tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline")" || return 1
	case "$cmd" in "$WORK/jingge serve "*) return 0 ;; esac
	return 1
}

stop_server() {
	local pid="$1" i
	ours "$pid" || return 0
	kill -TERM "$pid" 2>/dev/null
	for i in $(seq 1 150); do
		ours "$pid" || break
		sleep 0.1
	done
	ours "$pid" && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

cleanup() {
	local rc=$? pid
	trap '' INT TERM
	for pid in "${SERVER_PIDS[@]}"; do
		stop_server "$pid"
	done
	if [ "$failures" -gt 0 ] || [ "$rc" -ne 0 ]; then
		for f in "$WORK"/serve-*.log "$SCRATCH_DIR/postgres.log"; do
			[ -f "$f" ] && { echo "--- tail of $f"; tail -n 20 "$f"; }
		done
	fi
	[ -n "$SCRATCH_DIR" ] && testdb_destroy "$SCRATCH_DIR"
	[ -n "$ORIG_DIR" ] && testdb_destroy "$ORIG_DIR"
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

psql_at() { # URL SQL: the value SQL selects
	"$PG_BINDIR/psql" -X -qAt -v ON_ERROR_STOP=1 -d "$1" -c "$2"
}

pg_ctl_as() { # DIR ARGS...: pg_ctl on DIR's cluster as its owner
	local dir="$1"
	shift
	testdb_as_owner "$dir" "$dir/pg_ctl.log" "$PG_BINDIR/pg_ctl" -D "$dir/data" "$@"
}

url_port() { sed -E 's#.*:([0-9]+)/.*#\1#' <<<"$1"; }

# serve URL PORT NAME starts jingge serve on the database and waits until
# it is ready; its PID is kept for cleanup.
serve() {
	local url="$1" port="$2" name="$3" pid i
	"$WORK/jingge" serve --addr "127.0.0.1:$port" --db "$url" --prerender-zoom 0 --log-format json \
		>"$WORK/serve-$name.out" 2>"$WORK/serve-$name.log" &
	pid=$!
	SERVER_PIDS+=("$pid")
	for i in $(seq 1 600); do
		curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && return 0
		ours "$pid" || die "jingge serve ($name) exited: $(tail -n 5 "$WORK/serve-$name.log")"
		sleep 0.1
	done
	die "jingge serve ($name) was not ready within 60 s"
}

# api METHOD URL [KEY] [BODY]: prints the status, then the body, as admin.
api() {
	local method="$1" url="$2" key="${3:-}" body="${4:-}" args=()
	[ -n "$key" ] && args+=(-H "Idempotency-Key: $key")
	[ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
	curl -sS -o "$WORK/answer" -w '%{http_code}\n' -X "$method" -H "Authorization: Bearer $TOKEN" "${args[@]}" "$url"
	cat "$WORK/answer"
}

# incident_ids ANSWER: the ids of a POST /api/v1/incidents answer.
incident_ids() { grep -o '"id":"[^"]*"' <<<"$1" | sed 's/"id":"//; s/"$//'; }

log "building jingge"
(cd "$ROOT" && go build -o "$WORK/jingge" ./cmd/jingge) || die "build failed"

# 1. The original cluster, archiving its WAL.
testdb_create "$$" || die "could not start PostgreSQL"
ORIG_DIR="$TESTDB_DIR" ORIG_URL="$TESTDB_URL"
ARCHIVE="$ORIG_DIR/wal-archive"
testdb_as_owner "$ORIG_DIR" /dev/null mkdir "$ARCHIVE" || die "mkdir $ARCHIVE"
cat >>"$ORIG_DIR/data/postgresql.conf" <<EOF

# restore drill: WAL archiving and base backups
wal_level = replica
max_wal_senders = 4
archive_mode = on
archive_command = 'test ! -f $ARCHIVE/%f && cp %p $ARCHIVE/%f'
EOF
pg_ctl_as "$ORIG_DIR" -l "$ORIG_DIR/postgres.log" -m fast -w -t 60 -o "-p $(url_port "$ORIG_URL")" restart ||
	die "PostgreSQL did not restart with archiving: $(tail -n 5 "$ORIG_DIR/postgres.log")"
[ "$(psql_at "$ORIG_URL" "show archive_mode")" = on ] || die "archive_mode is not on"

# 2. The base backup, before any of jingge's data.
log "pg_basebackup"
testdb_as_owner "$ORIG_DIR" "$WORK/basebackup.log" "$PG_BINDIR/pg_basebackup" \
	-d "host=127.0.0.1 port=$(url_port "$ORIG_URL") user=postgres" -D "$ORIG_DIR/base" -X stream -c fast ||
	die "pg_basebackup failed: $(cat "$WORK/basebackup.log")"

# 3. Lantian, an admin, a server.
log "importing Lantian"
"$WORK/jingge" import --lantian --db "$ORIG_URL" >"$WORK/import.out" 2>&1 || die "import: $(tail -n 5 "$WORK/import.out")"
"$WORK/jingge" users add drill-admin --role admin --db "$ORIG_URL" >/dev/null 2>"$WORK/users.err" || die "users add: $(cat "$WORK/users.err")"
TOKEN="$("$WORK/jingge" tokens create --user drill-admin --label drill --db "$ORIG_URL" 2>/dev/null | grep '^jgt_')" || die "tokens create failed"
serve "$ORIG_URL" "$PORT0" original
BASE="http://127.0.0.1:$PORT0/api/v1"

GRID="$(psql_at "$ORIG_URL" "select id from grids where valid_to is null and level = 'community' order by id limit 1")"
POINT="$(psql_at "$ORIG_URL" "select '[' || ST_X(p) || ',' || ST_Y(p) || ']' from (select ST_PointOnSurface(geom) p from grids where id = '$GRID' and valid_to is null) x")"
[ -n "$GRID" ] && [ -n "$POINT" ] || die "no grid to write to"
now() { date -u +%Y-%m-%dT%H:%M:%SZ; }
incidents() { # SUMMARY: a batch of two incidents at POINT
	printf '{"incidents": [{"occurred_at": "%s", "category": "traffic", "location": %s, "summary": "%s 1"}, {"occurred_at": "%s", "category": "dispute", "location": %s, "summary": "%s 2"}]}' \
		"$(now)" "$POINT" "$1" "$(now)" "$POINT" "$1"
}

# 4. Writes before T, T, writes after T.
BEFORE_BODY="$(incidents drill-before)"
out="$(api POST "$BASE/incidents" drill-before-incidents "$BEFORE_BODY")"
[ "$(head -n 1 <<<"$out")" = 201 ] || die "incidents before T: $out"
BEFORE_IDS="$(incident_ids "$out")"
out="$(api PUT "$BASE/grids/$GRID" drill-before-edit '{"type": "Feature", "properties": {"name": "drill-before"}}')"
[ "$(head -n 1 <<<"$out")" = 200 ] || die "grid edit before T: $out"

# T as PostgreSQL's recovery_target_time reads it, and as RFC 3339 for
# jingge export --as-of.
T_SQL="$(psql_at "$ORIG_URL" "select to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'")"
T="${T_SQL% *}T${T_SQL#* }"
T="${T%+00}Z"
log "T = $T"

out="$(api POST "$BASE/incidents" drill-after-incidents "$(incidents drill-after)")"
[ "$(head -n 1 <<<"$out")" = 201 ] || die "incidents after T: $out"
AFTER_IDS="$(incident_ids "$out")"
out="$(api PUT "$BASE/grids/$GRID" drill-after-edit '{"type": "Feature", "properties": {"name": "drill-after"}}')"
[ "$(head -n 1 <<<"$out")" = 200 ] || die "grid edit after T: $out"
[ "$(wc -w <<<"$BEFORE_IDS")" = 2 ] && [ "$(wc -w <<<"$AFTER_IDS")" = 2 ] || die "incident ids: before $BEFORE_IDS, after $AFTER_IDS"

# Every write in the archive: switch to a new segment and wait until the
# archiver has copied the one holding the writes after T.
SEGMENT="$(psql_at "$ORIG_URL" "select pg_walfile_name(pg_switch_wal())")"
deadline=$((SECONDS + 60))
until [ -f "$ARCHIVE/$SEGMENT" ]; do
	[ "$SECONDS" -lt "$deadline" ] || die "segment $SEGMENT not archived within 60 s: $(psql_at "$ORIG_URL" "select * from pg_stat_archiver")"
	sleep 0.1
done
log "archived through $SEGMENT ($(find "$ARCHIVE" -type f | wc -l) files)"

# 5. The original's grids at T, and today's.
"$WORK/jingge" export --as-of "$T" --db "$ORIG_URL" -o "$WORK/original-at-T.geojson" 2>"$WORK/export.err" || die "export at T: $(cat "$WORK/export.err")"
"$WORK/jingge" export --db "$ORIG_URL" -o "$WORK/original-now.geojson" 2>"$WORK/export.err" || die "export: $(cat "$WORK/export.err")"

# 6. The scratch cluster: the base backup, recovered to T.
testdb_mkdir "$(dirname "$ORIG_DIR")" "$$" || die "could not make the scratch cluster's directory"
SCRATCH_DIR="$TESTDB_DIR"
testdb_as_owner "$SCRATCH_DIR" "$WORK/copy.log" cp -a "$ORIG_DIR/base" "$SCRATCH_DIR/data" || die "copying the base backup: $(cat "$WORK/copy.log")"
SCRATCH_PORT="$(testdb_pick_port)" || die "no free port"
cat >>"$SCRATCH_DIR/data/postgresql.conf" <<EOF

# restore drill: the scratch cluster, recovered to T
unix_socket_directories = '$SCRATCH_DIR'
archive_mode = off
restore_command = 'cp $ARCHIVE/%f %p'
recovery_target_time = '$T_SQL'
recovery_target_action = 'promote'
EOF
testdb_as_owner "$SCRATCH_DIR" /dev/null touch "$SCRATCH_DIR/data/recovery.signal" || die "recovery.signal"
log "recovering the base backup to T in $SCRATCH_DIR"
pg_ctl_as "$SCRATCH_DIR" -l "$SCRATCH_DIR/postgres.log" -w -t 120 -o "-p $SCRATCH_PORT" start ||
	die "the scratch cluster did not start: $(tail -n 10 "$SCRATCH_DIR/postgres.log")"
SCRATCH_URL="postgres://postgres@127.0.0.1:$SCRATCH_PORT/$TESTDB_DBNAME?sslmode=disable"
deadline=$((SECONDS + 120))
until [ "$(psql_at "$SCRATCH_URL" "select pg_is_in_recovery()" 2>/dev/null)" = f ]; do
	[ "$SECONDS" -lt "$deadline" ] || die "still recovering after 120 s: $(tail -n 10 "$SCRATCH_DIR/postgres.log")"
	sleep 0.1
done
stop_line="$(grep -m 1 'recovery stopping' "$SCRATCH_DIR/postgres.log")"
if [ -n "$stop_line" ]; then
	pass "recovery stopped at the target: ${stop_line#*LOG:  }"
else
	fail "the log of the scratch cluster does not say recovery stopped at the target time"
fi

# 7. jingge on the restored database, and the comparison.
serve "$SCRATCH_URL" "$((PORT0 + 1))" restored
BASE="http://127.0.0.1:$((PORT0 + 1))/api/v1"
for id in $BEFORE_IDS; do
	code="$(api GET "$BASE/incidents/$id" | head -n 1)"
	if [ "$code" = 200 ]; then pass "incident $id, written before T, is restored"; else fail "incident $id, written before T: $code, want 200"; fi
done
for id in $AFTER_IDS; do
	code="$(api GET "$BASE/incidents/$id" | head -n 1)"
	if [ "$code" = 404 ]; then pass "incident $id, written after T, is not restored"; else fail "incident $id, written after T: $code, want 404"; fi
done
out="$(api GET "$BASE/grids/$GRID")"
if grep -q '"name":"drill-before"' <<<"$out"; then
	pass "grid $GRID has the edit made before T and not the one after"
else
	fail "grid $GRID on the restored database: $(head -c 300 <<<"$out")"
fi
"$WORK/jingge" export --db "$SCRATCH_URL" -o "$WORK/restored.geojson" 2>"$WORK/export.err" || die "export of the restored database: $(cat "$WORK/export.err")"
if cmp -s "$WORK/restored.geojson" "$WORK/original-at-T.geojson"; then
	pass "jingge export of the restored grids equals the original's at T ($(wc -c <"$WORK/restored.geojson") bytes)"
else
	fail "jingge export of the restored grids differs from the original's at T: $(diff <(tr ',' '\n' <"$WORK/original-at-T.geojson") <(tr ',' '\n' <"$WORK/restored.geojson") | head -n 10)"
fi
if cmp -s "$WORK/restored.geojson" "$WORK/original-now.geojson"; then
	fail "the restored export equals the original's today too: the edit after T did not change the export, so the comparison proves nothing"
fi
out="$(api POST "$BASE/incidents" drill-before-incidents "$BEFORE_BODY")"
if [ "$(head -n 1 <<<"$out")" = 200 ] && grep -q '"replayed":true' <<<"$out" && [ "$(incident_ids "$out")" = "$BEFORE_IDS" ]; then
	pass "the batch before T sent again under its key is a replay on the restored database"
else
	fail "the batch before T sent again under its key: $(head -c 300 <<<"$out")"
fi

if [ "$failures" -gt 0 ]; then
	log "$failures checks failed"
	exit 1
fi
log "restore drill passed"
