#!/usr/bin/env bash
# kill -9 of the embedded server (no database) under mixed write load.
#
#   scripts/reliability/kill9-datadir.sh
#
# Runs TestKill9DataDir: the server keeps everything in a data directory;
# incidents, pings, grid edits and plans are sent for about 25 s, each
# incident and ping batch with an Idempotency-Key and resent until
# answered; the server is killed with SIGKILL three times during the load
# and once after it, and started again each time. Then every acknowledged
# incident, ping, event, grid edit and plan must be stored, incidents and
# pings exactly once, and the event ids must run 1, 2, 3, ... without a
# gap or a repeat. Between the first and second kill, `jingge backup`
# copies the directory from its own process while the load goes on; the
# copy must open and hold every incident and ping acknowledged before the
# backup started.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
JINGGE_KILL9=1 go test -count=1 -run 'TestKill9DataDir$' -v ./cmd/jingge
