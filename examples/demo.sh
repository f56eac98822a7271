#!/bin/sh
# demo.sh BINDIR: the bundled messages through the pipeline as it stands,
# and what a clerk would want to see of the result.
bin=${1:-build/bin}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sm-demo.XXXXXX") || exit
out=$tmp/classified.jsonl
trap 'rm -rf "$tmp"' EXIT
PATH=$bin:$PATH
unset SM_CONFIG

# The bundled messages stand for an account: a JSON-lines file that
# sm-fetch reads incrementally, keeping its place in a state database.
cat > "$tmp/sm.yaml" <<EOF
accounts:
  demo:
    platform: file
    path: $here/messages.jsonl
EOF
echo "\$ sm-fetch | sm-classify > classified.jsonl   # the accounts of sm.yaml"
sm-fetch -c "$tmp/sm.yaml" --state "$tmp/state.db" |
    sm-classify -c /dev/null > "$out" || exit
echo "\$ sm-fetch | wc -l   # again: only what is new since the last run"
sm-fetch -c "$tmp/sm.yaml" --state "$tmp/state.db" | wc -l
echo

jq -rs '
def table(f): map(f) | group_by(.) | map([.[0], length])
    | sort_by(-.[1], .[0]) | map("  \(.[0])\t\(.[1])") | .[];
map(select(.kind != "own")) as $in |
"\(length) messages, \($in | length) from citizens (the rest are the town hall'"'"'s own replies)\n",
"By category (citizens'"'"' messages):", ($in | table(.classify.category)), "",
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
grep -m 1 '"id":"mastodon:ayto:117551501213747624"' "$here/messages.jsonl" |
    sm-classify -c /dev/null -x |
    jq '{text, classify: .classify | {category, topic, urgency, sentiment, explain}}'
echo

# sm-route: the town hall's departments, case numbers and deadlines
echo "\$ sm-route -c examples/sm.yaml classified.jsonl > routed.jsonl"
sm-route -c "$here/sm.yaml" --state "$tmp/state.db" "$out" > "$tmp/routed.jsonl" || exit
jq -rs '
def table(f): map(f) | group_by(.) | map([.[0], length])
    | sort_by(-.[1], .[0]) | map("  \(.[0])\t\(.[1])") | .[];
"Messages by department:", table(.route.department // .route.queue), "",
"Due first (deadline, case, department):",
  (map(select(.route.due_at)) | sort_by(.route.due_at) | .[0:5][]
   | "  \(.route.due_at)  \(.route.case)  \(.route.department)")
' "$tmp/routed.jsonl"
echo

# sm-reply: the drafts, in each citizen's language
echo "\$ sm-reply routed.jsonl > replied.jsonl   # drafts only: nothing is sent"
sm-reply -c "$here/sm.yaml" --state "$tmp/state.db" "$tmp/routed.jsonl" > "$tmp/replied.jsonl" || exit
jq -rs '
def table(f): map(f) | group_by(.) | map([.[0], length])
    | sort_by(-.[1], .[0]) | map("  \(.[0])\t\(.[1])") | .[];
"Replies by template and status:",
  table("\(.reply.template // "(none)") \(.reply.status // "")"), "",
"Three drafts:",
  (map(select(.reply.status == "draft")) | .[0:3][]
   | "  [\(.reply.lang)] \(.reply.text)")
' "$tmp/replied.jsonl"
echo

# sm-report: the figures the town hall is accountable for
echo "\$ sm-report -c examples/sm.yaml -g route.queue replied.jsonl"
sm-report -c "$here/sm.yaml" -g route.queue "$tmp/replied.jsonl" || exit
echo "\$ sm-report -c examples/sm.yaml -f html replied.jsonl > report.html   # to publish"
sm-report -c "$here/sm.yaml" -f html -g platform "$tmp/replied.jsonl" > "$tmp/report.html" &&
    echo "report.html: $(wc -c < "$tmp/report.html") bytes, $(grep -c '<svg' "$tmp/report.html") charts, no script"
