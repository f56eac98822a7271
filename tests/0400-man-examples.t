#!/bin/sh
# every EXAMPLES pipeline of the man pages runs, from a directory that has
# the bundled examples, and prints something
. "${SM_SRC:-.}/tests/lib.sh"
plan 18

ln -s "$EXAMPLES" examples

ex() {	# ex DESC PIPELINE
	out=$(sh -c "$2" 2>err)
	status=$?
	is "$1: exit 0" "$status" 0
	if [ -n "$out" ] && [ ! -s err ]; then ok "$1: output, no diagnostics"; else not_ok "$1: output, no diagnostics"; sed 's/^/#   /' err; fi
}

ex "sm-classify(1) topics" 'sm-classify examples/messages.jsonl | jq -r .classify.topic | sort | uniq -c | sort -rn'
ex "sm-classify(1) emergencies" 'sm-classify examples/messages.jsonl | jq -c '\''select(.classify.category == "emergency") | {id, text}'\'''
ex "sm-classify(1) personal data" 'sm-classify examples/messages.jsonl | jq -c '\''select(.classify.pii != []) | {id, pii: .classify.pii}'\'''
ex "sm-classify(1) explain" 'sm-classify -x examples/messages.jsonl | jq '\''select(.id == "mastodon:ayto:117551501213747624") | .classify.explain'\'''
ex "sm-classify(1) rejects" 'sm-classify -r rejects.jsonl examples/messages.jsonl > out.jsonl && wc -l < out.jsonl'
ex "sm-message(7) keys" 'sm-classify examples/messages.jsonl | head -n 1 | jq -c keys_unsorted'
ex "sm-message(7) kinds" 'sm-classify examples/messages.jsonl | jq -r '\''[.kind, .platform, .classify.lang] | @tsv'\'''
ex "sm(7) categories" 'jq -c '\''select(.kind != "own")'\'' examples/messages.jsonl | sm-classify | jq -r .classify.category | sort | uniq -c'

# sm.yaml(5): the worked example file, then its command
sed -n '/^\.Sh EXAMPLES/,/^\.Sh /p' "$SM_SRC/man/sm.yaml.5" |
    sed -n '/^\.Bd -literal/,/^\.Ed/p' | sed '1d;$d' | sed '/^\.Ed/,$d' |
    sed 's/\\e/\\/g; s/^\\&//' > sm.yaml
is "sm.yaml(5) example file is loaded" "$(sm-classify -v </dev/null 2>&1 | head -1)" "sm-classify: configuration: sm.yaml"
is "sm.yaml(5) example command" \
    "$(echo '{"lang":"es","text":"¿A qué hora empieza la verbena? #FiestasVillanueva"}' | sm-classify | jq -c '.classify | {category, topic, department}')" \
    '{"category":"question","topic":"culture","department":"festejos"}'
