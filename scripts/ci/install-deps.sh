#!/usr/bin/env bash
# Installs the system packages jingge's tests need, on Debian/Ubuntu.
#
#   scripts/ci/install-deps.sh [--base] [--make] [--postgis] [--chromium] [--ha] [--gdal] [--nginx] [--prometheus] [--all]
#
#   --base      ca-certificates (Go needs them to fetch modules over HTTPS)
#               and curl (the README test runs the README's curl commands)
#   --make      GNU make
#   --postgis   a PostgreSQL server with the PostGIS extension
#               (postgresql-15-postgis-3, which pulls in postgresql-15)
#   --chromium  Debian's chromium for the browser tests, and a CJK font
#               (fonts-noto-cjk) so Chinese shows in their screenshots; a
#               no-op unless web/package.json exists
#   --ha        Patroni, etcd and HAProxy for the high-availability test
#               (scripts/ha/), with their system services stopped and
#               disabled: the test runs its own
#   --gdal      GDAL's command-line tools (gdal-bin): ogrinfo reads the OGC
#               API – Features endpoints as a real client in the tests
#   --nginx     nginx, for the test of docs/deployment.md's reverse-proxy
#               configuration (its own service stopped)
#   --prometheus  Prometheus and promtool: the metrics test scrapes jingge
#               with a real Prometheus and checks the alerting rules of
#               docs/; the system service is stopped and disabled (the
#               test runs its own)
#   --all       all of the above
#
# Only what is missing is installed; `apt-get update` runs at most once, and
# only if something has to be installed. As root the packages are installed;
# otherwise the script prints the exact apt-get command and exits non-zero.
#
# The file can also be sourced (scripts/testdb/testdb.sh does) to get the
# functions without running anything. Functions and globals are prefixed
# deps_ / PG_.
#
# Environment:
#   JINGGE_PG_MAJOR   PostgreSQL major version to install when none with
#                     PostGIS is found (default 15, Debian 12's version).

JINGGE_PG_MAJOR="${JINGGE_PG_MAJOR:-15}"
DEPS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

deps_log() { printf 'install-deps: %s\n' "$*" >&2; }

deps_is_root() { [ "$(id -u)" -eq 0 ]; }

# deps_apt_install PKG... installs packages non-interactively, running
# `apt-get update` first (once per process tree). Not root, or no apt-get:
# prints the command to run and returns 1.
deps_apt_install() {
	if ! command -v apt-get >/dev/null 2>&1; then
		deps_log "apt-get not found; install these (or your system's equivalent) and retry: $*"
		return 1
	fi
	if ! deps_is_root; then
		deps_log "missing packages; install them with:"
		deps_log "    sudo apt-get update && sudo apt-get install -y --no-install-recommends $*"
		return 1
	fi
	deps_apt_update_once || return 1
	deps_log "apt-get install -y --no-install-recommends $*"
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		-o DPkg::Lock::Timeout=600 -o Dpkg::Use-Pty=0 "$@" >&2
}

deps_apt_update_once() {
	if [ -n "${JINGGE_APT_UPDATED:-}" ]; then
		return 0
	fi
	deps_log "apt-get update"
	DEBIAN_FRONTEND=noninteractive apt-get update -o DPkg::Lock::Timeout=600 >&2 || return 1
	export JINGGE_APT_UPDATED=1
}

deps_base() {
	local -a pkgs=()
	[ -s /etc/ssl/certs/ca-certificates.crt ] || pkgs+=(ca-certificates)
	# The README test runs the README's curl commands as written.
	command -v curl >/dev/null 2>&1 || pkgs+=(curl)
	if [ "${#pkgs[@]}" -eq 0 ]; then
		return 0
	fi
	deps_apt_install "${pkgs[@]}"
}

deps_make() {
	if command -v make >/dev/null 2>&1; then
		return 0
	fi
	deps_apt_install make
}

# deps_chromium installs a Chromium for the browser tests, and a font with
# Chinese glyphs, only when the repository has a web/ package (browser
# tests live there).
deps_chromium() {
	if [ ! -f "$DEPS_ROOT/web/package.json" ]; then
		deps_log "no web/package.json; skipping chromium"
		return 0
	fi
	local -a pkgs=()
	deps_find_chromium >/dev/null || pkgs+=(chromium)
	deps_have_cjk_font || pkgs+=(fonts-noto-cjk)
	if [ "${#pkgs[@]}" -eq 0 ]; then
		return 0
	fi
	deps_apt_install "${pkgs[@]}"
}

# deps_have_cjk_font reports whether fontconfig knows a font covering Chinese.
deps_have_cjk_font() {
	command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh family 2>/dev/null | sed -n 1p)" ]
}

# deps_find_chromium prints the path of a Chromium/Chrome binary, if any.
deps_find_chromium() {
	local b
	for b in chromium chromium-browser google-chrome-stable google-chrome; do
		if command -v "$b" 2>/dev/null; then
			return 0
		fi
	done
	return 1
}

# --- PostgreSQL + PostGIS ----------------------------------------------------

# pg_discover looks for a PostgreSQL server installation and sets
#   PG_BINDIR    directory holding initdb, pg_ctl and postgres ("" if none)
#   PG_MAJOR     its major version
#   PG_SHAREDIR  its share directory (extensions live in $PG_SHAREDIR/extension)
#   PG_POSTGIS   "yes" if $PG_SHAREDIR/extension/postgis.control exists
#   PG_SEARCHED  the directories looked at, for error messages
# A server that has PostGIS wins over one that has not. Candidates, in order:
# `pg_config --bindir`, /usr/lib/postgresql/$JINGGE_PG_MAJOR/bin, the other
# /usr/lib/postgresql/*/bin (newest first), then initdb found on PATH.
# Returns 0 if a server with PostGIS was found.
pg_discover() {
	PG_BINDIR="" PG_MAJOR="" PG_SHAREDIR="" PG_POSTGIS="" PG_SEARCHED=""
	local -a cands=()
	local d p
	if command -v pg_config >/dev/null 2>&1; then
		d="$(pg_config --bindir 2>/dev/null || true)"
		[ -n "$d" ] && cands+=("$d")
	fi
	cands+=("/usr/lib/postgresql/$JINGGE_PG_MAJOR/bin")
	if [ -d /usr/lib/postgresql ]; then
		while IFS= read -r d; do
			cands+=("$d")
		done < <(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5nr)
	fi
	if p="$(command -v initdb 2>/dev/null)"; then
		p="$(readlink -f "$p" 2>/dev/null || echo "$p")"
		cands+=("$(dirname "$p")")
	fi

	local first_bin="" first_major="" first_share=""
	local seen=" " major share
	for d in "${cands[@]}"; do
		case "$seen" in *" $d "*) continue ;; esac
		seen="$seen$d "
		PG_SEARCHED="${PG_SEARCHED:+$PG_SEARCHED, }$d"
		[ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ] || continue
		major="$("$d/postgres" --version 2>/dev/null | sed -n 's/^[^0-9]*\([0-9][0-9]*\).*/\1/p')"
		share=""
		if [ -x "$d/pg_config" ]; then
			share="$("$d/pg_config" --sharedir 2>/dev/null || true)"
		fi
		if [ -z "$share" ] || [ ! -d "$share/extension" ]; then
			for share in "/usr/share/postgresql/$major" "$d/../share/postgresql" "$d/../share"; do
				[ -d "$share/extension" ] && break
			done
		fi
		if [ -f "$share/extension/postgis.control" ]; then
			PG_BINDIR="$d" PG_MAJOR="$major" PG_SHAREDIR="$share" PG_POSTGIS=yes
			return 0
		fi
		if [ -z "$first_bin" ]; then
			first_bin="$d" first_major="$major" first_share="$share"
		fi
	done
	# shellcheck disable=SC2034 # PG_POSTGIS is for callers
	PG_BINDIR="$first_bin" PG_MAJOR="$first_major" PG_SHAREDIR="$first_share" PG_POSTGIS=""
	return 1
}

# deps_postgis makes sure a PostgreSQL server with PostGIS is installed and
# leaves its location in the PG_* globals (see pg_discover).
deps_postgis() {
	if pg_discover; then
		return 0
	fi
	local major="${PG_MAJOR:-$JINGGE_PG_MAJOR}"
	local pkg="postgresql-$major-postgis-3"
	if [ -n "$PG_BINDIR" ]; then
		deps_log "PostgreSQL $PG_MAJOR found in $PG_BINDIR, but not PostGIS (no $PG_SHAREDIR/extension/postgis.control)"
	else
		deps_log "no PostgreSQL server found (looked in: $PG_SEARCHED)"
	fi
	if ! deps_is_root || ! command -v apt-get >/dev/null 2>&1; then
		deps_apt_install "$pkg" # prints the command and fails
		deps_log "(or point JINGGE_TEST_DATABASE_URL at an existing database that has PostGIS)"
		return 1
	fi
	deps_apt_update_once || return 1
	if [ "$major" != "$JINGGE_PG_MAJOR" ] && ! apt-cache show "$pkg" >/dev/null 2>&1; then
		deps_log "$pkg is not available; installing postgresql-$JINGGE_PG_MAJOR-postgis-3 instead"
		pkg="postgresql-$JINGGE_PG_MAJOR-postgis-3"
	fi
	# Keep the package scripts from starting Debian's default cluster: the
	# tests run their own throwaway cluster, a second server only costs memory.
	local policy=/usr/sbin/policy-rc.d rc=0
	if [ ! -e "$policy" ]; then
		(
			trap 'rm -f "$policy"' EXIT
			printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy"
			deps_apt_install "$pkg"
		) || rc=$?
	else
		deps_apt_install "$pkg" || rc=$?
	fi
	if [ "$rc" -ne 0 ]; then
		deps_log "installing $pkg failed (exit $rc)"
		return 1
	fi
	if ! pg_discover; then
		if [ -n "$PG_BINDIR" ]; then
			deps_log "ERROR: installed $pkg, but PostgreSQL $PG_MAJOR in $PG_BINDIR still has no PostGIS:"
			deps_log "       $PG_SHAREDIR/extension/postgis.control does not exist"
		else
			deps_log "ERROR: installed $pkg, but still no PostgreSQL server found (looked in: $PG_SEARCHED)"
		fi
		return 1
	fi
	deps_log "installed $pkg: PostgreSQL $PG_MAJOR in $PG_BINDIR, PostGIS in $PG_SHAREDIR/extension"
}

# deps_ha installs Patroni, etcd (server and etcdctl) and HAProxy. Debian
# enables and starts their services on install; scripts/ha runs its own
# daemons on other ports, so the system's are stopped and disabled.
deps_ha() {
	local -a pkgs=()
	command -v patroni >/dev/null 2>&1 || pkgs+=(patroni)
	command -v etcd >/dev/null 2>&1 || pkgs+=(etcd-server)
	command -v etcdctl >/dev/null 2>&1 || pkgs+=(etcd-client)
	command -v haproxy >/dev/null 2>&1 || pkgs+=(haproxy)
	if [ "${#pkgs[@]}" -gt 0 ]; then
		deps_apt_install "${pkgs[@]}" || return 1
	fi
	if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
		local svc
		for svc in etcd patroni haproxy; do
			systemctl disable --now "$svc" >/dev/null 2>&1 || true
		done
	fi
	return 0
}

# deps_gdal installs ogrinfo, the OGC API – Features client of the tests.
deps_gdal() {
	if command -v ogrinfo >/dev/null 2>&1; then
		return 0
	fi
	deps_apt_install gdal-bin
}

# deps_nginx installs nginx for the test of the reverse-proxy configuration
# in docs/deployment.md; the test runs its own nginx, so the package's
# service is stopped and disabled.
deps_nginx() {
	if [ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1; then
		return 0
	fi
	deps_apt_install nginx || return 1
	if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
		systemctl disable --now nginx >/dev/null 2>&1 || true
	elif [ -x /etc/init.d/nginx ]; then
		/etc/init.d/nginx stop >/dev/null 2>&1 || true
	fi
	return 0
}

# deps_prometheus installs prometheus and promtool. Debian enables and
# starts its service on install (listening on :9090); the metrics test runs
# its own on a port of its choosing, so the system's is stopped and disabled.
deps_prometheus() {
	if ! command -v prometheus >/dev/null 2>&1 || ! command -v promtool >/dev/null 2>&1; then
		deps_apt_install prometheus || return 1
	fi
	if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
		systemctl disable --now prometheus >/dev/null 2>&1 || true
	elif [ -x /etc/init.d/prometheus ]; then
		/etc/init.d/prometheus stop >/dev/null 2>&1 || true
	fi
	return 0
}

deps_main() {
	local want_base="" want_make="" want_postgis="" want_chromium="" want_ha="" want_gdal="" want_nginx="" want_prometheus=""
	if [ "$#" -eq 0 ]; then
		sed -n '2,/^$/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
		return 2
	fi
	local a
	for a in "$@"; do
		case "$a" in
		--base) want_base=1 ;;
		--make) want_make=1 ;;
		--postgis) want_postgis=1 ;;
		--chromium) want_chromium=1 ;;
		--ha) want_ha=1 ;;
		--gdal) want_gdal=1 ;;
		--nginx) want_nginx=1 ;;
		--prometheus) want_prometheus=1 ;;
		--all) want_base=1 want_make=1 want_postgis=1 want_chromium=1 want_ha=1 want_gdal=1 want_nginx=1 want_prometheus=1 ;;
		-h | --help)
			sed -n '2,/^$/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
			return 0
			;;
		*)
			deps_log "unknown argument: $a"
			return 2
			;;
		esac
	done
	if [ -n "$want_base" ]; then deps_base || return 1; fi
	if [ -n "$want_make" ]; then deps_make || return 1; fi
	if [ -n "$want_postgis" ]; then
		deps_postgis || return 1
		deps_log "PostgreSQL $PG_MAJOR ($PG_BINDIR) with PostGIS: ok"
	fi
	if [ -n "$want_chromium" ]; then deps_chromium || return 1; fi
	if [ -n "$want_ha" ]; then deps_ha || return 1; fi
	if [ -n "$want_gdal" ]; then deps_gdal || return 1; fi
	if [ -n "$want_nginx" ]; then deps_nginx || return 1; fi
	if [ -n "$want_prometheus" ]; then deps_prometheus || return 1; fi
	return 0
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -uo pipefail
	deps_main "$@"
	exit $?
fi
