#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL + PostGIS database.
#
#   scripts/testdb/with-testdb.sh CMD [ARGS...]
#
# If JINGGE_TEST_DATABASE_URL is already set, CMD just runs (use this to test
# against a database of your own). Otherwise the script installs PostgreSQL and
# PostGIS if they are missing (see testdb.sh), starts a fresh cluster in a temp
# directory, exports
#   JINGGE_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:PORT/jingge_test?sslmode=disable
# runs CMD, and then stops the cluster and deletes its directory, whether CMD
# succeeds, fails or the script is interrupted (SIGINT/SIGTERM: CMD and its
# children get SIGTERM first). Exits with CMD's status (128+N after signal N).
#
# Examples:
#   scripts/testdb/with-testdb.sh go test ./data/...
#   scripts/testdb/with-testdb.sh bash -c 'psql "$JINGGE_TEST_DATABASE_URL"'

set -uo pipefail

if [ "$#" -eq 0 ]; then
	sed -n '2,/^$/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
	exit 2
fi

if [ -n "${JINGGE_TEST_DATABASE_URL:-}" ]; then
	exec "$@"
fi

# shellcheck source=scripts/testdb/testdb.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/testdb.sh"

child=""

cleanup() {
	if [ -n "$TESTDB_DIR" ]; then
		testdb_destroy "$TESTDB_DIR" && testdb_log "cluster stopped and deleted"
		TESTDB_DIR=""
	fi
}

# signal_tree SIG PID sends SIG to PID and all its descendants.
signal_tree() {
	local sig="$1" pid="$2" kids="" k
	if [ -r "/proc/$pid/task" ]; then
		kids="$(cat /proc/"$pid"/task/*/children 2>/dev/null)"
	fi
	kill "-$sig" "$pid" 2>/dev/null
	for k in $kids; do
		signal_tree "$sig" "$k"
	done
}

# child_running PID: PID exists and is not a zombie.
child_running() {
	local s
	if [ -d /proc/self ]; then
		s="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
		s="${s##*) }"
		[ "${s%% *}" != Z ]
	else
		kill -0 "$1" 2>/dev/null
	fi
}

on_signal() {
	local name="$1" num="$2"
	trap '' INT TERM
	testdb_log "got SIG$name, stopping"
	if [ -n "$child" ]; then
		signal_tree TERM "$child"
		# Give CMD 10 s to finish cleanly, then kill it.
		for _ in $(seq 1 50); do
			child_running "$child" || break
			sleep 0.2
		done
		if child_running "$child"; then
			signal_tree KILL "$child"
		fi
		wait "$child" 2>/dev/null
	fi
	cleanup
	trap - EXIT
	exit $((128 + num))
}

trap cleanup EXIT
trap 'on_signal INT 2' INT
trap 'on_signal TERM 15' TERM
trap 'on_signal HUP 1' HUP

if ! testdb_create "$$"; then
	exit 1
fi
export JINGGE_TEST_DATABASE_URL="$TESTDB_URL"

# In the background so the traps run as soon as a signal arrives (bash defers
# traps until a foreground command ends); <&0 keeps stdin for CMD.
"$@" <&0 &
child=$!
wait "$child"
status=$?
child=""
cleanup
exit "$status"
