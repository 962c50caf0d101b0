#!/usr/bin/env bash
# The body of `make test`: everything CI checks.
#
#   1. go vet ./...
#   2. staticcheck ./...           scripts/staticcheck.sh (a pinned version
#                                  from the Go module proxy)
#   3. gocyclo -over 25            scripts/gocyclo.sh (no function outside
#                                  tests above cyclomatic complexity 25)
#   4. go test -count=1 ./...      with a throwaway PostGIS database
#   5. npm ci && npm test in web/  if web/package.json has a "test" script,
#                                  also with a throwaway PostGIS database
#
# Steps 4 and 5 run under scripts/testdb/with-testdb.sh, each with its own
# fresh database, so tests see JINGGE_TEST_DATABASE_URL. Set that variable
# yourself to test against a database of your own instead.
#
# Every step runs even if an earlier one failed; a summary follows, and the
# exit status is non-zero if any step failed.
#
# Environment:
#   GOTESTFLAGS   extra flags for go test, e.g. GOTESTFLAGS='-race -v'

set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 1
WITH_TESTDB="$ROOT/scripts/testdb/with-testdb.sh"

declare -a SUMMARY=()
FAILED=0

# Stop at once on Ctrl-C or SIGTERM (the running step cleans up first).
trap 'echo; echo "interrupted"; exit 130' INT
trap 'echo "terminated"; exit 143' TERM

banner() { printf '\n==> %s\n' "$*"; }

# step NAME CMD... runs CMD and records its result and duration.
step() {
	local name="$1"
	shift
	banner "$name: $*"
	local start=$SECONDS rc=0
	"$@" || rc=$?
	local took=$((SECONDS - start))
	if [ "$rc" -eq 0 ]; then
		SUMMARY+=("$(printf '  ok    %-12s %4ds' "$name" "$took")")
	else
		SUMMARY+=("$(printf '  FAIL  %-12s %4ds  (exit %d)' "$name" "$took" "$rc")")
		FAILED=1
	fi
	return "$rc"
}

skip() {
	SUMMARY+=("$(printf '  skip  %-12s         %s' "$1" "$2")")
}

# web_has_tests: web/package.json exists and has a real "test" script (not
# the npm init placeholder).
web_has_tests() {
	[ -f web/package.json ] || return 1
	command -v node >/dev/null 2>&1 || return 0 # let npm fail loudly below
	node -e '
		const s = (require("./web/package.json").scripts || {}).test;
		process.exit(s && !/no test specified/.test(s) ? 0 : 1);
	'
}

web_install() {
	if ! command -v npm >/dev/null 2>&1; then
		echo "npm not found: install Node.js 20 to run the web tests" >&2
		return 1
	fi
	if [ -f web/package-lock.json ] || [ -f web/npm-shrinkwrap.json ]; then
		(cd web && npm ci --no-audit --no-fund)
	else
		(cd web && npm install --no-audit --no-fund)
	fi
}

web_test() {
	(cd web && bash "$WITH_TESTDB" npm test)
}

echo "jingge tests: $(go version 2>/dev/null || echo 'go: not found'), CI=${CI:-}"
if [ -n "${JINGGE_TEST_DATABASE_URL:-}" ]; then
	echo "using the database from JINGGE_TEST_DATABASE_URL"
fi

step vet go vet ./...

# staticcheck finds what vet does not (a shadowed write error once slipped
# through review).
step staticcheck bash scripts/staticcheck.sh

# A function past cyclomatic complexity 25 is read by few and changed by
# fewer; split it.
step gocyclo bash scripts/gocyclo.sh

# shellcheck disable=SC2086 # GOTESTFLAGS is a list of flags
step go-test bash "$WITH_TESTDB" go test -count=1 ${GOTESTFLAGS:-} ./...

if web_has_tests; then
	# Browser tests use the system Chromium; browser downloads from npm
	# postinstall scripts would need hosts CI cannot reach.
	if chrome="$(bash -c '. scripts/ci/install-deps.sh && deps_find_chromium' 2>/dev/null)"; then
		export CHROME_BIN="${CHROME_BIN:-$chrome}"
		export PUPPETEER_EXECUTABLE_PATH="${PUPPETEER_EXECUTABLE_PATH:-$chrome}"
		export PUPPETEER_SKIP_DOWNLOAD="${PUPPETEER_SKIP_DOWNLOAD:-true}"
		export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD="${PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD:-1}"
	fi
	if step npm-install web_install; then
		step npm-test web_test
	else
		skip npm-test "(npm install failed)"
	fi
elif [ -f web/package.json ]; then
	skip web "web/package.json has no test script"
else
	skip web "no web/package.json"
fi

banner "summary"
printf '%s\n' "${SUMMARY[@]}"
if [ "$FAILED" -ne 0 ]; then
	echo "FAILED"
	exit 1
fi
echo "PASSED"
