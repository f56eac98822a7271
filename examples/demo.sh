#!/bin/sh
# demo.sh BINDIR: the bundled messages through the pipeline as it stands,
# and what a clerk would want to see of the result.
bin=${1:-build/bin}
here=$(dirname "$0")
out=${TMPDIR:-/tmp}/sm-demo.$$.jsonl
trap 'rm -f "$out"' EXIT
PATH=$bin:$PATH

echo "\$ sm-classify examples/messages.jsonl > classified.jsonl"
SM_CONFIG= sm-classify -c /dev/null "$here/messages.jsonl" > "$out" || exit

jq -rs '
def table(f): map(f) | group_by(.) | map([.[0], length])
    | sort_by(-.[1], .[0]) | map("  \(.[0])\t\(.[1])") | .[];
"\(length) messages\n",
"By category:", table(.classify.category), "",
"By topic:", table(.classify.topic), "",
"By language:", table(.classify.lang), "",
"Emergencies (urgency critical):",
  (map(select(.classify.urgency == "critical"))[]
   | "  \(.id)\n    \(.text[0:100])"), "",
"Personal data found (kinds only, values are never copied):",
  (map(select(.classify.pii | length > 0))[]
   | "  \(.id): \(.classify.pii | join(", "))")
' "$out"
echo
echo "\$ sm-classify -x  # why one message got its labels"
head -n 1 "$here/messages.jsonl" | sm-classify -c /dev/null -x |
    jq '{text, classify: .classify | {category, topic, urgency, sentiment, explain}}'
