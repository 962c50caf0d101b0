#!/usr/bin/env bash
# Throwaway PostgreSQL + PostGIS clusters for jingge's tests.
#
#   scripts/testdb/testdb.sh start        start a cluster; prints on stdout
#                                        export JINGGE_TEST_DATABASE_URL='postgres://...'
#                                        export JINGGE_TESTDB_DIR='...'
#                                        so use it as: eval "$(scripts/testdb/testdb.sh start)"
#   scripts/testdb/testdb.sh stop [DIR]  stop and delete the cluster in DIR
#                                        (default: $JINGGE_TESTDB_DIR)
#   scripts/testdb/testdb.sh stop --all  stop and delete every cluster this
#                                        script started under the temp dir
#   scripts/testdb/testdb.sh install     only make sure PostgreSQL + PostGIS
#                                        are installed
#
# Most of the time you want scripts/testdb/with-testdb.sh CMD ARGS..., which
# starts a cluster, runs CMD with JINGGE_TEST_DATABASE_URL set and always
# deletes the cluster afterwards.
#
# A cluster lives in ${TMPDIR:-/tmp}/jingge-testdb.XXXXXX: initdb'd with trust
# auth, fsync/synchronous_commit/full_page_writes off, listening on 127.0.0.1
# on a free port, unix socket in the same directory. It holds one database,
# jingge_test, with the postgis extension created. The URL is
#   postgres://postgres@127.0.0.1:PORT/jingge_test?sslmode=disable
#
# PostgreSQL and PostGIS are installed when missing (root, Debian/Ubuntu:
# postgresql-15-postgis-3); otherwise the script says what to install. As
# root the server runs as the `postgres` user (created if missing), because
# initdb refuses to run as root. Progress goes to stderr.
#
# The file can be sourced to get the testdb_* functions.

TESTDB_SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/ci/install-deps.sh
. "$TESTDB_SCRIPT_DIR/../ci/install-deps.sh"

TESTDB_DIR=""        # the cluster directory, set as soon as it exists
TESTDB_URL=""        # the database URL, set once the database is ready
TESTDB_DBNAME="jingge_test"
TESTDB_PREFIX="jingge-testdb."

testdb_log() { printf 'testdb: %s\n' "$*" >&2; }

# testdb_base prints the directory clusters are created in.
testdb_base() {
	local base="${TMPDIR:-/tmp}"
	base="${base%/}"
	# The socket path ($dir/.s.PGSQL.PORT) must fit in 107 bytes.
	if [ "${#base}" -gt 60 ] || [ ! -d "$base" ] || [ ! -w "$base" ]; then
		base=/tmp
	fi
	printf '%s\n' "$base"
}

# testdb_as_owner DIR OUT CMD... runs CMD, as DIR's owner when we are root
# and someone else owns DIR, with DIR as working directory and stdout+stderr
# to the file OUT. (The redirection is on the subshell, not on the function
# call, so a signal trap of the caller still writes to the caller's stderr.)
testdb_as_owner() {
	local dir="$1" out="$2"
	shift 2
	local owner
	owner="$(stat -c %U "$dir" 2>/dev/null || stat -f %Su "$dir")"
	if deps_is_root && [ "$owner" != "$(id -un)" ]; then
		(cd "$dir" && exec runuser -u "$owner" -- "$@") >"$out" 2>&1
	else
		(cd "$dir" && exec "$@") >"$out" 2>&1
	fi
}

testdb_ensure_postgres_user() {
	deps_is_root || return 0
	id postgres >/dev/null 2>&1 && return 0
	testdb_log "creating system user postgres (initdb refuses to run as root)"
	useradd --system --user-group --no-create-home --home-dir /nonexistent \
		--shell /usr/sbin/nologin postgres
}

# testdb_pick_port prints a TCP port nothing listens on at 127.0.0.1.
testdb_pick_port() {
	local p
	for _ in $(seq 1 100); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			printf '%s\n' "$p"
			return 0
		fi
	done
	testdb_log "could not find a free port"
	return 1
}

# testdb_pid_alive PID
testdb_pid_alive() {
	if [ -d /proc/self ]; then
		[ -d "/proc/$1" ]
	else
		kill -0 "$1" 2>/dev/null
	fi
}

# testdb_reap_stale deletes clusters whose with-testdb.sh process is gone
# (killed with SIGKILL, machine crashed under it, ...).
testdb_reap_stale() {
	local d pid
	for d in "$(testdb_base)/$TESTDB_PREFIX"*; do
		[ -f "$d/owner" ] || continue
		pid="$(cat "$d/owner" 2>/dev/null)"
		case "$pid" in '' | *[!0-9]*) continue ;; esac
		testdb_pid_alive "$pid" && continue
		testdb_log "removing leftover cluster $d (its process $pid is gone)"
		testdb_destroy "$d" || true
	done
}

# testdb_mkdir BASE OWNER creates the cluster directory in BASE and sets
# TESTDB_DIR. As root it belongs to postgres, who runs the server.
testdb_mkdir() {
	TESTDB_DIR="$(mktemp -d "$1/${TESTDB_PREFIX}XXXXXX")" || return 1
	printf '%s\n' "$2" >"$TESTDB_DIR/owner"
	printf '%s\n' "$PG_BINDIR" >"$TESTDB_DIR/bindir"
	if deps_is_root; then
		chown postgres: "$TESTDB_DIR"
	fi
}

# testdb_create OWNER starts a cluster and sets TESTDB_DIR and TESTDB_URL.
# OWNER is the pid whose death makes the cluster garbage, or "manual".
testdb_create() {
	local owner="$1"
	deps_postgis || return 1
	testdb_ensure_postgres_user || return 1
	testdb_reap_stale

	testdb_mkdir "$(testdb_base)" "$owner" || return 1
	if deps_is_root && ! runuser -u postgres -- test -w "$TESTDB_DIR/." 2>/dev/null; then
		# e.g. TMPDIR under /root, which postgres cannot enter: use /tmp.
		rm -rf "$TESTDB_DIR"
		TESTDB_DIR=""
		testdb_mkdir /tmp "$owner" || return 1
		if ! runuser -u postgres -- test -w "$TESTDB_DIR/." 2>/dev/null; then
			testdb_log "ERROR: user postgres cannot write $TESTDB_DIR"
			return 1
		fi
	fi
	local dir="$TESTDB_DIR" data="$TESTDB_DIR/data"

	testdb_log "PostgreSQL $PG_MAJOR ($PG_BINDIR), cluster in $dir"
	if ! testdb_as_owner "$dir" "$dir/initdb.log" "$PG_BINDIR/initdb" -D "$data" \
		-U postgres -A trust -E UTF8 --locale=C --no-sync; then
		testdb_log "ERROR: initdb failed:"
		sed 's/^/    /' "$dir/initdb.log" >&2
		return 1
	fi
	cat >>"$data/postgresql.conf" <<EOF

# throwaway test cluster: speed over durability
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
wal_level = minimal
max_wal_senders = 0
max_connections = 200
timezone = 'UTC'
log_timezone = 'UTC'
EOF

	local port="" attempt log="$dir/postgres.log"
	for attempt in 1 2 3 4 5; do
		port="$(testdb_pick_port)" || return 1
		rm -f "$log"
		if testdb_as_owner "$dir" /dev/null "$PG_BINDIR/pg_ctl" -D "$data" -l "$log" \
			-w -t 60 -o "-p $port" start; then
			break
		fi
		if grep -q -e 'could not bind' -e 'already in use' "$log" 2>/dev/null && [ "$attempt" -lt 5 ]; then
			testdb_log "port $port taken, retrying"
			continue
		fi
		testdb_log "ERROR: PostgreSQL did not start; its log:"
		sed 's/^/    /' "$log" >&2 2>/dev/null
		return 1
	done

	local psql="$PG_BINDIR/psql"
	[ -x "$psql" ] || psql=psql
	local admin="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
	local url="postgres://postgres@127.0.0.1:$port/$TESTDB_DBNAME?sslmode=disable"
	if ! "$psql" -X -q -v ON_ERROR_STOP=1 -d "$admin" -c "CREATE DATABASE $TESTDB_DBNAME" >&2 ||
		! "$psql" -X -q -v ON_ERROR_STOP=1 -d "$url" -c "CREATE EXTENSION postgis" >&2; then
		testdb_log "ERROR: could not create database $TESTDB_DBNAME with PostGIS"
		return 1
	fi
	printf '%s\n' "$url" >"$dir/url"
	TESTDB_URL="$url"
	testdb_log "ready: $url"
}

# testdb_destroy DIR stops the cluster in DIR and deletes DIR.
testdb_destroy() {
	local dir="${1%/}"
	[ -n "$dir" ] && [ -d "$dir" ] || return 0
	case "$(basename "$dir")" in
	"$TESTDB_PREFIX"*) ;;
	*)
		testdb_log "refusing to delete $dir: not a test cluster directory"
		return 1
		;;
	esac
	if [ ! -f "$dir/owner" ]; then
		testdb_log "refusing to delete $dir: not a test cluster directory"
		return 1
	fi
	local pidfile="$dir/data/postmaster.pid"
	if [ -f "$pidfile" ]; then
		local bindir pid
		bindir="$(cat "$dir/bindir" 2>/dev/null)"
		pid="$(head -n 1 "$pidfile" 2>/dev/null)"
		if ! testdb_as_owner "$dir" /dev/null "$bindir/pg_ctl" -D "$dir/data" \
			-m immediate -w -t 30 stop; then
			case "$pid" in
			'' | *[!0-9]*) ;;
			*) kill -KILL "$pid" 2>/dev/null || true ;;
			esac
		fi
	fi
	rm -rf "$dir"
	if [ -e "$dir" ]; then
		testdb_log "WARNING: could not delete $dir"
		return 1
	fi
}

testdb_main() {
	case "${1:-}" in
	start)
		trap 'testdb_destroy "$TESTDB_DIR"; exit 130' INT TERM
		if ! testdb_create manual; then
			[ -n "$TESTDB_DIR" ] && testdb_destroy "$TESTDB_DIR"
			return 1
		fi
		trap - INT TERM
		printf "export JINGGE_TEST_DATABASE_URL='%s'\n" "$TESTDB_URL"
		printf "export JINGGE_TESTDB_DIR='%s'\n" "$TESTDB_DIR"
		testdb_log "stop it with: $0 stop $TESTDB_DIR"
		;;
	stop)
		if [ "${2:-}" = "--all" ]; then
			local d rc=0
			for d in "$(testdb_base)/$TESTDB_PREFIX"*; do
				[ -d "$d" ] || continue
				testdb_log "stopping $d"
				testdb_destroy "$d" || rc=1
			done
			return "$rc"
		fi
		local dir="${2:-${JINGGE_TESTDB_DIR:-}}"
		if [ -z "$dir" ]; then
			testdb_log "usage: $0 stop DIR (or set JINGGE_TESTDB_DIR, or use stop --all)"
			return 2
		fi
		testdb_destroy "$dir" && testdb_log "stopped and deleted $dir"
		;;
	install)
		deps_postgis && testdb_log "PostgreSQL $PG_MAJOR ($PG_BINDIR) with PostGIS: ok"
		;;
	-h | --help | help)
		sed -n '2,/^$/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
		;;
	*)
		sed -n '2,/^$/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
		return 2
		;;
	esac
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -uo pipefail
	testdb_main "$@"
	exit $?
fi
