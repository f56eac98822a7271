#!/bin/sh
# sm.yaml: a small file that would take gigabytes, or never end, is refused
. "${SM_SRC:-.}/tests/lib.sh"
plan 10

# every run is bounded, so that a regression fails instead of eating
# the machine's memory (unless AddressSanitizer reserves its own)
bounded() {
	if nm "$SM_BUILD/bin/sm-classify" 2>/dev/null | grep -q __asan_init; then
		timeout 20 "$@"
	else
		(ulimit -v 2000000 2>/dev/null; exec timeout 20 "$@")
	fi
}

# a "billion laughs": each level ten aliases of the one before
{
	printf 'classify:\n  rules:\n    - name: bomb\n      set: {topic: t}\n      any:\n'
	printf '        - &m1 {any: [&m0 {terms: [a, b]}, *m0, *m0, *m0, *m0, *m0, *m0, *m0, *m0, *m0]}\n'
	for k in 2 3 4 5 6 7 8 9; do
		j=$((k - 1))
		printf '        - &m%s {any: [*m%s, *m%s, *m%s, *m%s, *m%s, *m%s, *m%s, *m%s, *m%s, *m%s]}\n' \
		    $k $j $j $j $j $j $j $j $j $j $j
	done
} > sm.yaml
printf '{"text":"la farola"}\n' > in.jsonl
run bounded sm-classify in.jsonl
is "nested aliases: exit 78" "$rc" 78
is "nested aliases: said where" "$(cat err)" \
    "sm-classify: sm.yaml:11:27: alias 'm5': more than 1000000 nodes, aliases expanded: too large a configuration"

# aliases that stay small are fine
cat > sm.yaml <<'X'
classify:
  rules:
    - name: a
      set: &s {topic: shared}
      terms: &t [farola, luz]
    - name: b
      set: *s
      terms: *t
X
run sm-classify in.jsonl
is "a few aliases: fine" "$rc $(jq -r .classify.topic out)" "0 shared"

printf 'classify:\n  include: /dev/zero\n' > sm.yaml
run bounded sm-classify in.jsonl
is "include: /dev/zero is refused" "$rc $(cat err)" \
    "78 sm-classify: sm.yaml:2:3: cannot include /dev/zero: not a regular file"

mkfifo fifo
printf 'classify:\n  include: fifo\n' > sm.yaml
run bounded sm-classify in.jsonl
is "include: a FIFO is refused, without waiting for a writer" "$rc $(cat err)" \
    "78 sm-classify: sm.yaml:2:3: cannot include fifo: not a regular file"

head -c 5000000 /dev/zero | tr '\0' '#' > big.yaml
printf 'classify:\n  include: big.yaml\n' > sm.yaml
run bounded sm-classify in.jsonl
is "an included file over 4 MiB is refused" "$rc $(cat err)" \
    "78 sm-classify: sm.yaml:2:3: cannot include big.yaml: larger than 4 MiB: not a configuration file"

run bounded sm-classify -c /dev/zero in.jsonl
is "-c /dev/zero is refused" "$rc $(cat err)" \
    "78 sm-classify: /dev/zero: larger than 4 MiB: not a configuration file"
run bounded sm-classify -c big.yaml in.jsonl
is "-c with a file over 4 MiB is refused" "$rc $(cat err)" \
    "78 sm-classify: big.yaml: larger than 4 MiB: not a configuration file"

run sm-classify -c /dev/null in.jsonl
is "-c /dev/null is still no configuration" "$rc $(cat err)" "0 "
printf 'classify:\n  defaults: {topic: piped}\n' > piped.yaml
run sh -c 'cat piped.yaml | sm-classify -c /dev/stdin in.jsonl'
is "-c from a pipe is still read" "$rc $(jq -r .classify.topic out)" "0 piped"
