#!/usr/bin/env bash
# The long fuzz runs of docs/reliability.md: each target for EXECS
# executions (default 10 million) with one worker, one target after the
# other, at low priority so the machine stays usable.
#
#   bash scripts/reliability/fuzz-long.sh                       every target
#   bash scripts/reliability/fuzz-long.sh 10000000x FuzzParsePath FuzzRead
#   FUZZ_LOG=DIR bash scripts/reliability/fuzz-long.sh ...       keep each run's log in DIR
#
# Prints one line per target: PASS or FAIL, executions, minutes. A failing
# input is saved by Go under the package's testdata/fuzz/ directory, where
# `go test` keeps running it as a regression test once committed.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root" || exit 2
execs="${1:-10000000x}"
shift || true
case "$execs" in
*x) ;;
*) echo "fuzz-long: the first argument is a count of executions such as 10000000x, got $execs" >&2; exit 2 ;;
esac
logdir="${FUZZ_LOG:-$(mktemp -d "${TMPDIR:-/tmp}/jingge-fuzz.XXXXXX")}"
mkdir -p "$logdir"

# Every Fuzz target as "dir name", from the test files.
targets() {
	grep -rlE --include='*_test.go' --exclude-dir=node_modules --exclude-dir=.git '^func Fuzz[A-Za-z0-9_]*\(' . | sort |
		while read -r f; do
			for name in $(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*\*testing\.F).*/\1/p' "$f"); do
				echo "$(dirname "$f") $name"
			done
		done
}

all="$(targets)"
if [ $# -gt 0 ]; then
	wanted=""
	for name in "$@"; do
		line="$(grep -E " $name\$" <<<"$all")"
		if [ -z "$line" ]; then
			echo "fuzz-long: no target $name" >&2
			exit 2
		fi
		wanted+="$line"$'\n'
	done
	all="$wanted"
fi

failed=0
while read -r dir name; do
	[ -n "$name" ] || continue
	log="$logdir/$name.log"
	start=$(date +%s)
	nice -n 10 go test -run '^$' -fuzz "^$name\$" -fuzztime "$execs" -parallel 1 "$dir" >"$log" 2>&1
	rc=$?
	minutes=$(( ($(date +%s) - start + 30) / 60 ))
	ran="$(sed -n 's/.*fuzz: elapsed: [^,]*, execs: \([0-9]*\).*/\1/p' "$log" | tail -n 1)"
	if [ $rc -eq 0 ]; then
		# -fuzztime Nx runs exactly N executions; the progress lines lag.
		printf 'PASS  %-28s %-14s %s execs, %d min\n' "$name" "$dir" "${execs%x}" "$minutes"
	else
		printf 'FAIL  %-28s %-14s after %s execs, %d min: see %s\n' "$name" "$dir" "${ran:-?}" "$minutes" "$log"
		failed=1
	fi
done <<<"$all"
echo "fuzz-long: logs in $logdir"
exit $failed
