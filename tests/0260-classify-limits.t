#!/bin/sh
# sm-classify: texts a citizen can write do not stop the rules
. "${SM_SRC:-.}/tests/lib.sh"
plan 7

# a fire report that begins with a thousand mentions: the built-in pack's
# '^(\s*@\w+)*...' patterns need more than PCRE2's default JIT stack
i=0
mentions=
while [ $i -lt 1000 ]; do
	mentions="$mentions@vecino$i "
	i=$((i + 1))
done
printf '{"id":"x:1","text":"%shay un incendio en la calle Mayor"}\n' \
    "$mentions" > fire.jsonl
run sm-classify -c /dev/null fire.jsonl
is "long text: exit 0" "$rc" 0
is "long text: nothing on stderr" "$(cat err)" ""
is "long text: classified" "$(jq -c '.classify.category' out)" '"emergency"'

# a pattern that really backtracks beyond PCRE2's match limit
cat > sm.yaml <<'X'
classify:
  rules:
    - name: backtrack
      set: {topic: odd}
      regex: '^(\w+\s?)*$'
    - name: fire
      set: {category: emergency}
      terms: [incendio]
X
printf '{"id":"x:2","text":"incendio %s!"}\n' \
    aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa > bt.jsonl
printf '{"id":"x:3","text":"otro incendio!"}\n' >> bt.jsonl
run sm-classify bt.jsonl
is "match limit: exit 65" "$rc" 65
is "match limit: reported for the record, naming the rule" "$(cat err)" \
    "sm-classify: bt.jsonl:1: rule 'backtrack': regex '^(\\w+\\s?)*\$': match limit exceeded; counted as not matching"
is "match limit: the other rules decide" \
    "$(jq -c '[.classify.category, .classify.topic, .classify.rules]' out)" \
    '["emergency","other",["fire"]]
["emergency","other",["fire"]]'
run sm-classify -x bt.jsonl
is "match limit: also with -x" "$(jq -c '.classify.explain.category[0].rule' out)" \
    '"fire"
"fire"'
