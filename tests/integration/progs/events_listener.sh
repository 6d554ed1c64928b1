#!/bin/bash
# A plain shell event listener for test_events.py: argv <record file>.
# Each event is appended as: the header line, a newline, the payload, and
# a line "--END--".  Answers OK.
out=$1
while :; do
	printf 'READY\n'
	IFS= read -r header || exit 0
	len=${header##*len:}
	body=
	if [ "$len" -gt 0 ]; then
		IFS= read -r -N "$len" body || exit 0
	fi
	printf '%s\n%s\n--END--\n' "$header" "$body" >>"$out"
	printf 'RESULT 2\nOK'
done
