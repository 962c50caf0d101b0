#!/usr/bin/env bash
# A highly available jingge on loopback, for tests and for trying it out:
# one etcd member, three PostgreSQL 15 + PostGIS nodes managed by Patroni
# with synchronous replication, HAProxy routing writes to the primary and
# reads to the replicas (by Patroni's REST health checks), and two
# `jingge serve` replicas on the write route.
#
#   scripts/ha/cluster.sh up DIR       bring it all up in DIR (created), wait until ready
#   scripts/ha/cluster.sh down DIR     stop every daemon started in DIR, then remove DIR
#   scripts/ha/cluster.sh status DIR   Patroni's view of the cluster, HAProxy's routes
#   scripts/ha/cluster.sh env DIR      print the addresses as shell variables
#
# `up` is idempotent (a running cluster in DIR is left as it is) and every
# wait is bounded and waits on real readiness: etcd's /health, Patroni's
# /primary, /replica and /sync, a query through HAProxy, jingge's /readyz.
# `down` stops only processes it started, checking that each PID still runs
# a command naming DIR before it signals it.
#
# Ports: JINGGE_HA_PORT (default 27000) and the 50 after it.
#   +0 etcd client, +1 etcd peer, +10..12 Patroni REST, +20..22 PostgreSQL,
#   +30 HAProxy writes (the primary), +31 HAProxy reads (replicas),
#   +32 HAProxy stats, +40 and +41 the two jingge servers.
# The database trusts loopback connections: this is a test bed, not a
# deployment (docs/deployment.md describes one).
#
# Needs: patroni, etcd-server, etcd-client, haproxy, postgresql-15-postgis-3
# (scripts/ci/install-deps.sh --ha), curl and Go. As root, PostgreSQL runs as
# the postgres user, since initdb refuses root.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BASE="${JINGGE_HA_PORT:-27000}"
ETCD_PORT=$((BASE + 0)) ETCD_PEER=$((BASE + 1))
WRITE_PORT=$((BASE + 30)) READ_PORT=$((BASE + 31)) STATS_PORT=$((BASE + 32))
NODES=(n1 n2 n3)
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"

log() { printf 'ha: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

rest_port() { echo $((BASE + 10 + $1)); }
pg_port() { echo $((BASE + 20 + $1)); }
jingge_port() { echo $((BASE + 40 + $1)); }

# wait_for SECONDS WHAT CMD... runs CMD until it succeeds or SECONDS pass.
wait_for() {
	local limit=$1 what=$2
	shift 2
	local deadline=$((SECONDS + limit))
	until "$@" >/dev/null 2>&1; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			log "gave up after ${limit}s waiting for $what"
			return 1
		fi
		sleep 0.2
	done
}

http_ok() { curl -fsS -o /dev/null --max-time 2 "$@"; }

# AS_DB prefixes a command to run it as the database owner: postgres when
# root, since initdb and postgres refuse to run as root.
AS_DB=()
[ "$(id -u)" -eq 0 ] && AS_DB=(runuser -u postgres --)
run_as_db() { "${AS_DB[@]}" "$@"; }

# start NAME LOG CMD... starts CMD detached, in its own session, and records
# its PID in DIR/pids/NAME.
start() {
	local name=$1 out=$2
	shift 2
	setsid "$@" >>"$out" 2>&1 </dev/null &
	echo $! >"$DIR/pids/$name"
}

# alive NAME reports whether the process recorded as NAME still runs a
# command that names DIR (so a reused PID is never signalled).
alive() {
	local f="$DIR/pids/$1" pid
	[ -s "$f" ] || return 1
	pid=$(cat "$f")
	[ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$DIR"
}

psql_at() { # psql_at PORT SQL
	PGPASSWORD=postgres PGCONNECT_TIMEOUT=3 psql -X -qAt -h 127.0.0.1 -p "$1" -U postgres -d postgres -c "$2"
}

etcd_up() {
	alive etcd && return 0
	mkdir -p "$DIR/etcd"
	start etcd "$DIR/etcd.log" etcd --name e1 --data-dir "$DIR/etcd/data" \
		--listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
		--listen-peer-urls "http://127.0.0.1:$ETCD_PEER" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER" \
		--initial-cluster "e1=http://127.0.0.1:$ETCD_PEER" --initial-cluster-state new
	wait_for 60 "etcd" http_ok "http://127.0.0.1:$ETCD_PORT/health"
}

patroni_config() { # patroni_config I NAME
	local i=$1 name=$2 rest pg
	rest=$(rest_port "$i") pg=$(pg_port "$i")
	cat <<EOF
scope: jingge-ha
namespace: /jingge/
name: $name
log:
  level: WARNING
restapi:
  listen: 127.0.0.1:$rest
  connect_address: 127.0.0.1:$rest
etcd3:
  hosts: 127.0.0.1:$ETCD_PORT
bootstrap:
  dcs:
    ttl: 10
    loop_wait: 1
    retry_timeout: 4
    maximum_lag_on_failover: 1048576
    synchronous_mode: true
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        wal_level: replica
        hot_standby: "on"
        wal_log_hints: "on"
        max_wal_senders: 10
        max_replication_slots: 10
        max_connections: 200
  initdb:
    - encoding: UTF8
    - locale: C
  pg_hba:
    - local all all trust
    - host replication replicator 127.0.0.1/32 trust
    - host all all 127.0.0.1/32 trust
postgresql:
  listen: 127.0.0.1:$pg
  connect_address: 127.0.0.1:$pg
  data_dir: $DIR/$name/data
  bin_dir: $PG_BIN
  pgpass: $DIR/$name/pgpass
  authentication:
    superuser:
      username: postgres
      password: postgres
    replication:
      username: replicator
      password: replicator
    rewind:
      username: postgres
      password: postgres
  parameters:
    unix_socket_directories: $DIR/$name
EOF
}

patroni_up() {
	local i name
	for i in 0 1 2; do
		name=${NODES[$i]}
		alive "patroni-$name" && continue
		mkdir -p "$DIR/$name"
		patroni_config "$i" "$name" >"$DIR/$name/patroni.yml"
		[ "$(id -u)" -eq 0 ] && chown -R postgres: "$DIR/$name"
		start "patroni-$name" "$DIR/$name/patroni.log" "${AS_DB[@]}" patroni "$DIR/$name/patroni.yml"
	done
	wait_for 120 "a Patroni primary" primary_rest_port
	wait_for 120 "two streaming replicas" replicas_ready
	# Writes are synchronous only once a standby is named synchronous.
	wait_for 120 "a synchronous standby (/sync)" sync_ready
}

# primary_rest_port prints the REST port of the node that is primary.
primary_rest_port() {
	local i
	for i in 0 1 2; do
		if http_ok -X OPTIONS "http://127.0.0.1:$(rest_port "$i")/primary"; then
			rest_port "$i"
			return 0
		fi
	done
	return 1
}

replicas_ready() {
	local i n=0
	for i in 0 1 2; do
		http_ok -X OPTIONS "http://127.0.0.1:$(rest_port "$i")/replica" && n=$((n + 1))
	done
	[ "$n" -ge 2 ]
}

sync_ready() {
	local i
	for i in 0 1 2; do
		http_ok -X OPTIONS "http://127.0.0.1:$(rest_port "$i")/sync" && return 0
	done
	return 1
}

haproxy_config() {
	local i
	cat <<EOF
global
  maxconn 2000
defaults
  mode tcp
  timeout connect 2s
  timeout client 30m
  timeout server 30m
  timeout check 2s
  default-server inter 500ms fall 2 rise 1 on-marked-down shutdown-sessions
listen primary
  bind 127.0.0.1:$WRITE_PORT
  option httpchk OPTIONS /primary
  http-check expect status 200
EOF
	for i in 0 1 2; do
		echo "  server ${NODES[$i]} 127.0.0.1:$(pg_port "$i") check port $(rest_port "$i")"
	done
	cat <<EOF
listen replicas
  bind 127.0.0.1:$READ_PORT
  balance roundrobin
  option httpchk OPTIONS /replica
  http-check expect status 200
EOF
	for i in 0 1 2; do
		echo "  server ${NODES[$i]} 127.0.0.1:$(pg_port "$i") check port $(rest_port "$i")"
	done
	cat <<EOF
listen stats
  mode http
  bind 127.0.0.1:$STATS_PORT
  stats enable
  stats uri /
EOF
}

haproxy_up() {
	alive haproxy && return 0
	haproxy_config >"$DIR/haproxy.cfg"
	haproxy -c -q -f "$DIR/haproxy.cfg"
	start haproxy "$DIR/haproxy.log" haproxy -db -f "$DIR/haproxy.cfg"
	wait_for 60 "the primary through HAProxy" sh -c "[ \"\$(PGPASSWORD=postgres PGCONNECT_TIMEOUT=2 psql -X -qAt -h 127.0.0.1 -p $WRITE_PORT -U postgres -d postgres -c 'select pg_is_in_recovery()')\" = f ]"
}

db_url() { echo "postgres://postgres:postgres@127.0.0.1:$WRITE_PORT/jingge?sslmode=disable&connect_timeout=3"; }

jingge_up() {
	local i port
	if [ ! -x "$DIR/jingge" ]; then
		log "building jingge"
		(cd "$ROOT" && go build -o "$DIR/jingge" ./cmd/jingge)
	fi
	if [ "$(psql_at "$WRITE_PORT" "select count(*) from pg_database where datname = 'jingge'")" = 0 ]; then
		psql_at "$WRITE_PORT" "create database jingge"
	fi
	if [ ! -s "$DIR/admin-token" ]; then
		DATABASE_URL=$(db_url) "$DIR/jingge" import --lantian >"$DIR/import.log" 2>&1
		DATABASE_URL=$(db_url) "$DIR/jingge" users add ha-admin --role admin >"$DIR/users.log" 2>&1
		DATABASE_URL=$(db_url) "$DIR/jingge" tokens create --user ha-admin | grep '^jgt_' >"$DIR/admin-token"
	fi
	for i in 0 1; do
		port=$(jingge_port "$i")
		alive "jingge-$i" && continue
		# The audit spool keeps audited reads (lookups) answering while no
		# primary takes the audit rows; it drains once one does.
		start "jingge-$i" "$DIR/jingge-$i.log" "$DIR/jingge" serve --db "$(db_url)" --addr "127.0.0.1:$port" --log-format json \
			--audit-spool "$DIR/audit-spool-$i" --data-dir "$DIR/unused-data-dir"
	done
	for i in 0 1; do
		wait_for 120 "jingge $i (/readyz)" http_ok "http://127.0.0.1:$(jingge_port "$i")/readyz"
	done
}

cmd_up() {
	mkdir -p "$DIR/pids"
	[ "$(id -u)" -eq 0 ] && { id postgres >/dev/null 2>&1 || die "no postgres user: install postgresql first"; chmod 755 "$DIR"; }
	local t0=$SECONDS
	etcd_up
	patroni_up
	haproxy_up
	jingge_up
	log "up in $((SECONDS - t0))s"
	cmd_env
}

cmd_env() {
	echo "HA_DIR=$DIR"
	echo "HA_DB_URL='$(db_url)'"
	echo "HA_READ_URL='postgres://postgres:postgres@127.0.0.1:$READ_PORT/jingge?sslmode=disable'"
	echo "HA_JINGGE='http://127.0.0.1:$(jingge_port 0) http://127.0.0.1:$(jingge_port 1)'"
	echo "HA_PATRONI_REST='$(rest_port 0) $(rest_port 1) $(rest_port 2)'"
	echo "HA_PATRONI_CONFIG=$DIR/n1/patroni.yml"
	[ -s "$DIR/admin-token" ] && echo "HA_TOKEN=$(cat "$DIR/admin-token")"
	return 0
}

cmd_status() {
	run_as_db patronictl -c "$DIR/n1/patroni.yml" list || true
	curl -fsS "http://127.0.0.1:$STATS_PORT/;csv" 2>/dev/null | awk -F, '$1 ~ /primary|replicas/ && $2 != "BACKEND" && $2 != "FRONTEND" {print $1, $2, $18}' || true
}

# stop NAME signals the process recorded as NAME (TERM, then KILL after
# 20 s) if it is still ours.
stop() {
	local name=$1 pid
	alive "$name" || return 0
	pid=$(cat "$DIR/pids/$name")
	kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
	local deadline=$((SECONDS + 20))
	while alive "$name" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
	alive "$name" && { kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true; }
	return 0
}

# stop_postmaster NAME stops a PostgreSQL left running after its Patroni
# was killed, by the PID in its data directory, if it is ours.
stop_postmaster() {
	local pidfile="$DIR/$1/data/postmaster.pid" pid
	[ -s "$pidfile" ] || return 0
	pid=$(sed -n 1p "$pidfile")
	[ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$DIR" || return 0
	kill -QUIT "$pid" 2>/dev/null || true
	local deadline=$((SECONDS + 20))
	while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
	kill -KILL "$pid" 2>/dev/null || true
}

# ours prints the PIDs of every process whose command line names DIR: a
# daemon whose recorded parent died (a Patroni under a killed runuser) is
# still found, and nothing else is.
ours() {
	local f pid
	for f in /proc/[0-9]*/cmdline; do
		pid=${f#/proc/}
		pid=${pid%/cmdline}
		[ "$pid" = "$$" ] && continue
		tr '\0' ' ' <"$f" 2>/dev/null | grep -qF "$DIR/" && echo "$pid"
	done
	return 0
}

cmd_down() {
	[ -d "$DIR/pids" ] || { log "$DIR holds no cluster"; return 0; }
	local n pids
	stop jingge-0
	stop jingge-1
	stop haproxy
	for n in "${NODES[@]}"; do stop "patroni-$n"; done
	for n in "${NODES[@]}"; do stop_postmaster "$n"; done
	stop etcd
	pids=$(ours)
	if [ -n "$pids" ]; then
		log "stopping what is left: $(echo $pids)"
		# shellcheck disable=SC2086
		kill -TERM $pids 2>/dev/null || true
		local deadline=$((SECONDS + 20))
		while [ -n "$(ours)" ] && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
		pids=$(ours)
		# shellcheck disable=SC2086
		[ -n "$pids" ] && kill -KILL $pids 2>/dev/null
	fi
	sleep 0.2
	[ -z "$(ours)" ] || die "still running: $(ours); $DIR kept"
	rm -rf "$DIR"
	log "down; $DIR removed"
}

[ $# -eq 2 ] || die "usage: cluster.sh up|down|status|env DIR"
DIR=$(mkdir -p "$2" && cd "$2" && pwd)
case $1 in
up) cmd_up ;;
down) cmd_down ;;
status) cmd_status ;;
env) cmd_env ;;
*) die "unknown command $1; use up, down, status or env" ;;
esac
