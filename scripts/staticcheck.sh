#!/usr/bin/env bash
# Runs staticcheck over every package. The version is pinned here, and only
# here, so that a new release cannot turn CI red by itself; `go run` fetches
# it from the Go module proxy and caches the build.
#
#   scripts/staticcheck.sh [PACKAGES...]   (default ./...)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 "${@:-./...}"
