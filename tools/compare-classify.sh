#!/bin/sh
# compare-classify.sh REF_BIN [NEW_BIN]: sm-classify's output, plain and
# with -x, of two builds on every labelled set of ../shared/data and the
# bundled examples; prints the files whose output differs, then
# "N files compared, M differ".  For refactorings that must change no
# label: build the reference first (git worktree add /tmp/ref REV).
ref=${1:?usage: compare-classify.sh REF_BIN [NEW_BIN]}
new=${2:-build/bin}
here=$(cd "$(dirname "$0")/.." && pwd)
data=${SM_SHARED:-$here/../shared}/data
n=0 d=0
for f in "$data"/*/train.jsonl "$data"/*/dev.jsonl "$here/examples/messages.jsonl" \
    "$here/tests/fixtures/everyday.jsonl"; do
	[ -f "$f" ] || continue
	for mode in "" -x; do
		n=$((n + 1))
		a=$("$ref/sm-classify" -c /dev/null $mode "$f" 2>&1 | md5sum)
		b=$("$new/sm-classify" -c /dev/null $mode "$f" 2>&1 | md5sum)
		[ "$a" = "$b" ] || { echo "differs: ${mode:+$mode }$f"; d=$((d + 1)); }
	done
done
echo "$n files compared, $d differ"
[ "$d" -eq 0 ]
