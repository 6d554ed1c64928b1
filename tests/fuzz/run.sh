#!/bin/sh
# Fuzz with libFuzzer (clang), ASan and UBSan:
#     sh tests/fuzz/run.sh [xmlfast|rpccall] [seconds]     (default: xmlfast 60)
# xmlfast: supervisorctl/xmlfast.c (hand-written reply reader), checked
#   against xmlrpc-c where both read an input; seeds in tests/fuzz/corpus.
# rpccall: the daemon's request reader (common/rpcvalue.c's rv_parse_call,
#   i.e. our i8 guard in front of xmlrpc-c); seeds in tests/fuzz/calls.
# Builds in a temporary directory from the sources (no configure needed);
# a crash or sanitizer report stops it and saves the input as ./crash-*.
# Needs clang and libxmlrpc-core-c3-dev.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
target=${1:-xmlfast}
secs=${2:-60}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '#define PACKAGE_VERSION "fuzz"\n' >"$work/build-config.h"
case $target in
xmlfast) srcs="$top/tests/fuzz/xmlfast_fuzz.c $top/tests/fuzz/xmlfast_target.c $top/supervisorctl/xmlfast.c"
	seeds=$top/tests/fuzz/corpus ;;
rpccall) srcs="$top/tests/fuzz/rpccall_fuzz.c"
	seeds=$top/tests/fuzz/calls ;;
*) echo "usage: $0 [xmlfast|rpccall] [seconds]" >&2; exit 2 ;;
esac
# shellcheck disable=SC2086
clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I"$work" \
	-I"$top/common" -I"$top/sdk/include" -I"$top/supervisorctl" -I"$top/tests/fuzz" \
	$srcs "$top/common/rpcvalue.c" "$top/common/util.c" \
	$(xmlrpc-c-config --libs) -lm -o "$work/fuzz"
mkdir -p "$work/corpus"
cp "$seeds"/* "$work/corpus/"
"$work/fuzz" -max_total_time="$secs" -max_len=65536 "$work/corpus"
