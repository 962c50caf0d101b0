#!/usr/bin/env bash
# Shared helpers of the fault and load scripts in this directory. Source it.
#
# Everything runs on loopback: a throwaway PostGIS cluster (scripts/testdb),
# one jingge server built from this tree, and scripts/loadgen. Work files go
# to $REL_WORK (a temp directory, kept when REL_KEEP=1) and are removed at
# exit with the cluster and the server.

set -uo pipefail

REL_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=scripts/testdb/testdb.sh
. "$REL_ROOT/scripts/testdb/testdb.sh"

REL_WORK="$(mktemp -d "${TMPDIR:-/tmp}/jingge-rel.XXXXXX")"
REL_SERVER_PID=""
REL_DB_DIR=""
REL_DB_URL=""
REL_ADDR=""
REL_FAILED=0

rel_log() { printf '%s reliability: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
rel_pass() { printf 'PASS  %s\n' "$*"; }
rel_fail() {
	printf 'FAIL  %s\n' "$*"
	REL_FAILED=1
}

rel_cleanup() {
	rel_stop_server
	if [ -n "$REL_DB_DIR" ]; then
		testdb_destroy "$REL_DB_DIR" >/dev/null 2>&1
		REL_DB_DIR=""
	fi
	if [ "${REL_KEEP:-0}" = 1 ]; then
		rel_log "work files kept in $REL_WORK"
	else
		rm -rf "$REL_WORK"
	fi
}
trap rel_cleanup EXIT
trap 'exit 130' INT TERM

# rel_build builds jingge and loadgen into $REL_WORK.
rel_build() {
	rel_log "building jingge and loadgen"
	(cd "$REL_ROOT" && go build -o "$REL_WORK/jingge" ./cmd/jingge && go build -o "$REL_WORK/loadgen" ./scripts/loadgen)
}

# rel_db_start starts a throwaway PostGIS cluster and sets REL_DB_URL.
rel_db_start() {
	local env
	env="$(bash "$REL_ROOT/scripts/testdb/testdb.sh" start)" || return 1
	eval "$env"
	REL_DB_DIR="$JINGGE_TESTDB_DIR"
	REL_DB_URL="$JINGGE_TEST_DATABASE_URL"
	unset JINGGE_TEST_DATABASE_URL JINGGE_TESTDB_DIR
	rel_log "database at $REL_DB_URL; importing the Lantian dataset"
	"$REL_WORK/jingge" import --lantian --db "$REL_DB_URL" >"$REL_WORK/import.out" 2>&1 || {
		cat "$REL_WORK/import.out" >&2
		return 1
	}
}

# rel_db_port prints the cluster's port.
rel_db_port() { sed -E 's#.*:([0-9]+)/.*#\1#' <<<"$REL_DB_URL"; }

# rel_db_stop / rel_db_start_again stop and start the cluster's server
# (fast shutdown: clients are disconnected, committed work is kept).
rel_db_stop() {
	testdb_as_owner "$REL_DB_DIR" "$REL_WORK/pg_ctl.log" "$(cat "$REL_DB_DIR/bindir")/pg_ctl" -D "$REL_DB_DIR/data" -m fast -w -t 60 stop
}
rel_db_start_again() {
	testdb_as_owner "$REL_DB_DIR" "$REL_WORK/pg_ctl.log" "$(cat "$REL_DB_DIR/bindir")/pg_ctl" -D "$REL_DB_DIR/data" \
		-l "$REL_DB_DIR/postgres.log" -w -t 60 -o "-p $(rel_db_port)" start
}

# rel_psql SQL prints the single value SQL selects.
rel_psql() {
	local psql
	psql="$(cat "$REL_DB_DIR/bindir")/psql"
	"$psql" -X -A -t -q -v ON_ERROR_STOP=1 -d "$REL_DB_URL" -c "$1"
}

# rel_serve [ARGS...] starts jingge serve on a free loopback port with the
# database (when started), logging to $REL_WORK/server.log.
rel_serve() {
	local port
	port="$(testdb_pick_port)" || return 1
	REL_ADDR="127.0.0.1:$port"
	local db=()
	[ -n "$REL_DB_URL" ] && db=(--db "$REL_DB_URL")
	"$REL_WORK/jingge" serve --addr "$REL_ADDR" "${db[@]}" --auth-file "$REL_WORK/auth.json" \
		--audit-spool "$REL_WORK/audit-spool.jsonl" --log-format json "$@" \
		>>"$REL_WORK/server.out" 2>>"$REL_WORK/server.log" &
	REL_SERVER_PID=$!
	rel_wait_ready
}

# rel_restart_server [ARGS...] starts the server again on the same port.
rel_restart_server() {
	local db=()
	[ -n "$REL_DB_URL" ] && db=(--db "$REL_DB_URL")
	"$REL_WORK/jingge" serve --addr "$REL_ADDR" "${db[@]}" --auth-file "$REL_WORK/auth.json" \
		--audit-spool "$REL_WORK/audit-spool.jsonl" --log-format json "$@" \
		>>"$REL_WORK/server.out" 2>>"$REL_WORK/server.log" &
	REL_SERVER_PID=$!
	rel_wait_ready
}

rel_wait_ready() {
	local i
	for i in $(seq 1 300); do
		if curl -fsS "http://$REL_ADDR/readyz" >/dev/null 2>&1; then
			return 0
		fi
		if ! kill -0 "$REL_SERVER_PID" 2>/dev/null; then
			rel_log "the server exited; its log:"
			tail -n 20 "$REL_WORK/server.log" >&2
			return 1
		fi
		sleep 0.1
	done
	rel_log "the server did not become ready"
	return 1
}

rel_stop_server() {
	if [ -n "$REL_SERVER_PID" ] && kill -0 "$REL_SERVER_PID" 2>/dev/null; then
		kill -TERM "$REL_SERVER_PID" 2>/dev/null
		wait "$REL_SERVER_PID" 2>/dev/null
	fi
	REL_SERVER_PID=""
}

# rel_credentials N_OFFICERS N_VIEWERS writes $REL_WORK/credentials.txt for
# loadgen: officer users linked to officers of the dataset (each with a
# token), viewer users with tokens, and an admin token in $REL_WORK/admin.token.
rel_credentials() {
	local nofficers="$1" nviewers="$2" store=(--auth-file "$REL_WORK/auth.json")
	[ -n "$REL_DB_URL" ] && store=(--db "$REL_DB_URL")
	local out="$REL_WORK/credentials.txt" ids i tok
	: >"$out"
	"$REL_WORK/jingge" users add rel-admin --role admin "${store[@]}" >/dev/null || return 1
	"$REL_WORK/jingge" tokens create --user rel-admin --label reliability "${store[@]}" | grep '^jgt_' >"$REL_WORK/admin.token" || return 1
	ids="$(rel_psql "select id from members where role in ('community_officer', 'auxiliary_officer') order by id limit $nofficers")"
	if [ -z "$ids" ]; then
		rel_log "could not list the dataset's officers"
		return 1
	fi
	for i in $ids; do
		"$REL_WORK/jingge" users add "rel-$i" --role officer --officer "$i" "${store[@]}" >/dev/null || return 1
		tok="$("$REL_WORK/jingge" tokens create --user "rel-$i" "${store[@]}" | grep '^jgt_')" || return 1
		printf 'officer %s %s\n' "$tok" "$i" >>"$out"
	done
	for i in $(seq 1 "$nviewers"); do
		"$REL_WORK/jingge" users add "rel-viewer-$i" --role viewer "${store[@]}" >/dev/null || return 1
		tok="$("$REL_WORK/jingge" tokens create --user "rel-viewer-$i" "${store[@]}" | grep '^jgt_')" || return 1
		printf 'viewer %s\n' "$tok" >>"$out"
	done
	rel_log "$(grep -c '^officer' "$out") officer and $nviewers viewer credentials"
}

# rel_json_field FILE FIELD prints a number from loadgen's summary.
rel_json_field() { sed -n "s/.*\"$2\": \([0-9.e+-]*\).*/\1/p" "$1" | sed -n 1p; }

rel_finish() {
	if [ "$REL_FAILED" -ne 0 ]; then
		echo "FAILED"
		exit 1
	fi
	echo "PASSED"
}
