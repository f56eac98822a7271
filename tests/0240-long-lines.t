#!/bin/sh
# sm-classify: a line longer than the maximum (16 MiB) is rejected like
# any bad line, without ever being held whole in memory
. "${SM_SRC:-.}/tests/lib.sh"
plan 5

# the address space is bounded, unless AddressSanitizer reserves its own
bounded() {
	if nm "$SM_BUILD/bin/sm-classify" 2>/dev/null | grep -q __asan_init; then
		"$@"
	else
		(ulimit -v 200000 && exec "$@")
	fi
}

python3 -c '
import sys
sys.stdout.write("{\"n\":1}\n{\"text\":\"" + "x" * (40 << 20) + "\"}\n{\"n\":3}\n")
' > big.jsonl
run bounded sm-classify -c /dev/null -r rejects.jsonl big.jsonl
is "a 40 MiB line: exit 65" "$rc" 65
is "... reported with its file and line" "$(cat err)" \
    "sm-classify: big.jsonl:2: line longer than 16777216 bytes"
is "... the other lines classified" "$(jq -c .n out | tr '\n' ' ')" "1 3 "
is "... its first 16 MiB copied to the rejects file" \
    "$(wc -c < rejects.jsonl) $(head -c 10 rejects.jsonl)" '16777217 {"text":"x'

# a line of exactly 16 MiB is a record
python3 -c '
import sys
s = "{\"text\":\"" + "y" * ((16 << 20) - 11) + "\"}"
assert len(s) == 16 << 20
sys.stdout.write(s + "\r\n")
' > limit.jsonl
run sm-classify -c /dev/null limit.jsonl
is "a line of 16 MiB (and a CR) is a record" "$rc $(jq '.text | length' out)" \
    "0 16777205"
