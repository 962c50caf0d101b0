#!/usr/bin/env bash
# Fails when a function outside tests has a cyclomatic complexity above 25
# (gocyclo): past that, a function is read by few and changed by fewer.
# Test code and the shared store suites (data/storetest, whose cases are
# long tables of checks) are left out. The version is pinned here, as
# staticcheck's is.
#
#   scripts/gocyclo.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
errs=$(mktemp)
trap 'rm -f "$errs"' EXIT
over=$(go run github.com/fzipp/gocyclo/cmd/gocyclo@v0.6.0 -over 25 -ignore '_test\.go$|^web/|^data/storetest/' . 2>"$errs" || true)
# gocyclo exits 1 when it finds any; go run says so on stderr, which is
# shown only when it says something else (a build failure).
grep -v '^exit status' "$errs" >&2 || true
if [ -n "$over" ]; then
	echo "functions over cyclomatic complexity 25 (split them):"
	echo "$over"
	exit 1
fi
