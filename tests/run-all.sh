#!/bin/sh
# Run every test layer (C unit tests, then integration tests against the
# built binaries) and end with one line: "N passed, N failed".
# CSUP_BUILDDIR is the build tree (make check sets it); defaults to here.
srcdir=$(cd "$(dirname "$0")/.." && pwd)
builddir=${CSUP_BUILDDIR:-$srcdir}
python=${PYTHON3:-/usr/bin/python3}
export CSUP_BUILDDIR="$builddir"
log=$(mktemp)
passed=0
failed=0

# One Check program: add its "N%: Checks: C, Failures: F, Errors: E" line
# to the counts; a program that is missing or prints no summary counts as
# one failure.
run_check() {
	if [ ! -x "$builddir/$1" ]; then
		echo "$1 not built (is Debian's check installed?): counted as one failure"
		failed=$((failed + 1))
		return
	fi
	"$builddir/$1" 2>&1 | tee "$log"
	line=$(grep -E '^[0-9]+%: Checks: ' "$log" | tail -n 1)
	if [ -n "$line" ]; then
		checks=$(echo "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
		fails=$(echo "$line" | sed -E 's/.*Failures: ([0-9]+).*/\1/')
		errs=$(echo "$line" | sed -E 's/.*Errors: ([0-9]+).*/\1/')
		passed=$((passed + checks - fails - errs))
		failed=$((failed + fails + errs))
	else
		echo "$1 printed no summary: counted as one failure"
		failed=$((failed + 1))
	fi
}

run_check tests/unit/unit_tests
run_check tests/plugins/mock_test   # plugins/example/site.c on the mock host
run_check tests/plugins/loader_test # supervisord's loader with tests/plugins/*.so

cd "$srcdir" || exit 1
"$python" -m pytest -q -p no:cacheprovider tests/integration 2>&1 | tee "$log"
summary=$(grep -E '^(=+ )?[0-9]+ (passed|failed)|^[0-9]+ (passed|failed)| (passed|failed|error)' "$log" | tail -n 1)
p=$(echo "$summary" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+')
f=$(echo "$summary" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+')
e=$(echo "$summary" | grep -oE '[0-9]+ errors?' | grep -oE '[0-9]+')
if [ -z "$p$f$e" ]; then
	echo "integration tests printed no summary: counted as one failure"
	f=1
fi
passed=$((passed + ${p:-0}))
failed=$((failed + ${f:-0} + ${e:-0}))
rm -f "$log"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
