#!/bin/sh
# sm.yaml's warnings, and --check in every tool that reads it
. "${SM_SRC:-.}/tests/lib.sh"
plan 43

cat > sm.yaml <<X
include: $EXAMPLES/sm.yaml
state: $T/state/sm.db
accounts:
  inbox:
    platform: file
    path: inbox.jsonl
  masto:
    platform: mastodon
    url: https://masto.example
    token_env: SM_TEST_TOKEN
classify:
  rules:
    - name: council.people
      set: {topic: council}
      terms: concejal, concejala
    - name: noise.night
      set: {category: complaint, urgencia: alta}
      lang: [es, und, ja]
      terms: ["música altísima", "no hay quien duerma"]
    - name: quoted
      set: {topic: council}
      terms: ["sí, claro"]
X
w1="sm-classify: sm.yaml:15:14: warning: classify.rules[0] (name 'council.people').terms[0]: term 'concejal, concejala' holds a comma, so it is one phrase; for several terms write a list: [concejal, concejala]"
w2="sm-classify: sm.yaml:18:23: warning: classify.rules[1] (name 'noise.night'): lang: 'ja' is not a language sm-classify tells apart (es, en, ca, eu, gl, fr, de, it, pt or und): the rule fires only where a record's own lang says 'ja'"
w3="sm-classify: sm.yaml:17:44: warning: classify.rules[1] (name 'noise.night'): set: dimension 'urgencia' is set by no other rule and is not in classify.defaults (a typo of 'urgency'?)"
warnings=$(printf '%s\n%s\n%s' "$w1" "$w2" "$w3")

# A normal run says the warnings and is otherwise unchanged
printf '{"lang":"es","text":"la concejal, concejala"}\n' > in.jsonl
run sm-classify -c sm.yaml in.jsonl
is "a run with warnings exits 0" "$rc" 0
is "... says each warning with file:line:column and the rule's name" \
    "$(cat err)" "$warnings"
is "... and labels as it would" "$(jq -c '.classify | [.topic, .urgencia]' out)" \
    '["council",null]'

# sm-classify --check
run sm-classify --check -c sm.yaml in.jsonl <&-
is "sm-classify --check: exit 0" "$rc" 0
is "... the warnings, and nothing else" "$(cat err)" "$warnings"
is "... nothing on stdout, no input read" "$(wc -c < out)" 0
run sm-classify --check -v -c sm.yaml < /dev/full
is "... -v: the configuration is OK" "$rc $(tail -1 err)" \
    "0 sm-classify: sm.yaml: configuration OK"
run sm-classify --check -c /dev/null
is "... the built-in pack: nothing to say" "$rc:$(cat err)" "0:"
printf 'classify:\n  include: builtin:municipal\n' > pack.yaml
run sm-classify --check -c pack.yaml
is "... the pack included: no warning" "$rc:$(cat err)" "0:"

# errors name the rule; lang: is checked
printf 'classify:\n  include: builtin:municipal\n  rules:\n    - {name: mine, set: {topic: t}, lang: ES, terms: x}\n' > es.yaml
run sm-classify --check -c es.yaml <&-
is "lang: ES: exit 78" "$rc" 78
like "... with its place, the rule's index and name, and the known codes" \
    "$(cat err)" "^sm-classify: es.yaml:4:43: classify.rules\[[0-9]+\] \(name 'mine'\): lang: 'ES' is not a language code \(lower case, as classify.lang shows it: es, en, ca, eu, gl, fr, de, it, pt or und\)$"
printf 'classify:\n  rules:\n    - name: mine\n      set: {topic: t}\n      lang: spanish\n      terms: x\n' > sp.yaml
run sm-classify -c sp.yaml in.jsonl
is "lang: spanish is an error in a normal run too" "$rc:$(cat out)$(cat err)" \
    "78:sm-classify: sp.yaml:5:13: classify.rules[0] (name 'mine'): lang: 'spanish' is not a language code (lower case, as classify.lang shows it: es, en, ca, eu, gl, fr, de, it, pt or und)"
printf 'classify:\n  rules:\n    - name: a\n      set: {category: complaint}\n      terms: [x]\n    - name: b\n      set: {category: complaint, topic: t}\n      regex: "(x"\n' > re.yaml
run sm-classify --check -c re.yaml
is "an error after a rule's name names it" "$rc:$(cat err)" \
    "78:sm-classify: re.yaml:8:14: classify.rules[1] (name 'b').regex: bad regex at offset 2: missing closing parenthesis"
run sm-classify train --check -l x -o m
is "train does not take --check" "$rc" 64

# sm-route --check
run sm-route --check -c sm.yaml --state "$T/route.db" in.jsonl <&-
is "sm-route --check: exit 0, nothing said" "$rc:$(cat out)$(cat err)" "0:"
is "... no state database created" "$(ls "$T/route.db" "$T/state" 2>&1 | wc -l) $(ls route.db* 2>/dev/null)" \
    "2 "
run sm-route --check -v -c sm.yaml
is "... -v: the configuration is OK" "$rc:$(cat err)" \
    "0:sm-route: sm.yaml: configuration OK"
printf 'route:\n  queues: {a: {}}\n  rules:\n    - {name: r, when: {x: 1}, queue: nope}\n' > r.yaml
run sm-route --check -c r.yaml
is "... a route error: exit 78" "$rc:$(cat err)" \
    "78:sm-route: r.yaml:4:38: route.rules[0] (name 'r').queue: no queue 'nope' in route.queues"
printf 'state: 42\n' > st.yaml
run sm-route --check -c st.yaml
is "... state: is checked" "$rc:$(cat err)" \
    "78:sm-route: st.yaml:1:8: state: expected a file name, got a number"
run sm-route --check -c st.yaml --state "$T/x.db"
is "... unless --state is given" "$rc:$(cat err)" "0:"
run sm-classify --check -c st.yaml
is "sm-classify has no state: state: is not its" "$rc" 0

# sm-reply --check
run sm-reply --check -c sm.yaml in.jsonl <&-
is "sm-reply --check: exit 0, nothing said" "$rc:$(cat out)$(cat err)" "0:"
is "... no state database created" "$(ls "$T/state" 2>&1 | wc -l)" 1
run sm-reply --check --send -c sm.yaml
is "... --send: the accounts' secrets are checked" "$rc:$(cat err)" \
    "78:sm-reply: sm.yaml:10:16: accounts.masto: environment variable SM_TEST_TOKEN is not set"
SM_TEST_TOKEN=t run sm-reply --check --send -v -c sm.yaml
is "... and there" "$rc:$(cat err)" "0:sm-reply: sm.yaml: configuration OK"
printf 'reply:\n  templates:\n    - {name: t, text: "{{#x}}"}\n' > p.yaml
run sm-reply --check -c p.yaml
is "... a template error: exit 78" "$rc:$(cat err)" \
    "78:sm-reply: p.yaml:3:23: reply.templates[0] (name 't'): needs text: (a mapping of languages to texts) or skip: true"

# sm-report --check
run sm-report --check -c sm.yaml in.jsonl <&-
is "sm-report --check: exit 0, nothing said" "$rc:$(cat out)$(cat err)" "0:"
run sm-report --check -v -c sm.yaml -w complaints
is "... -v, with a filter of report.filters" "$rc:$(cat err)" \
    "0:sm-report: sm.yaml: configuration OK"
printf 'report:\n  colour: red\n' > q.yaml
run sm-report --check -c q.yaml
is "... a report error: exit 78" "$rc:$(cat err)" \
    "78:sm-report: q.yaml:2:11: unknown key 'colour' in report"

# sm-fetch --check: the accounts and their secrets, no state, no network
run sm-fetch --check -c sm.yaml <&-
is "sm-fetch --check: a secret missing: exit 78" "$rc:$(cat out)$(cat err)" \
    "78:sm-fetch: sm.yaml:10:16: accounts.masto: environment variable SM_TEST_TOKEN is not set"
run sm-fetch --check -a inbox -c sm.yaml
is "... only the accounts -a names" "$rc:$(cat err)" "0:"
SM_TEST_TOKEN=t run sm-fetch --check -v -c sm.yaml
is "... all there: exit 0" "$rc:$(cat out)$(cat err)" \
    "0:sm-fetch: sm.yaml: configuration OK"
is "... nothing fetched, no state database created" \
    "$(ls "$T/state" 2>&1 | wc -l) $(ls | grep -c 'inbox\|\.db')" "1 0"
run sm-fetch --check -c /dev/null
is "... no accounts: exit 78, as without --check" "$rc:$(cat err)" \
    "78:sm-fetch: /dev/null: no accounts: to fetch from"
run sm-fetch --check --status -c sm.yaml
is "... not with --status" "$rc" 64

# every tool: an error is 78, a warning is not
printf 'classify:\n  rules:\n    - {name: a, set: {topic: t, urgncy: high}, terms: x}\n' > typo.yaml
run sm-classify --check -c typo.yaml
is "a warning alone: exit 0" "$rc:$(cat err)" \
    "0:sm-classify: typo.yaml:3:41: warning: classify.rules[0] (name 'a'): set: dimension 'urgncy' is set by no other rule and is not in classify.defaults (a typo of 'urgency'?)"
printf 'classify:\n  defaults: {anonymous: null}\n  rules:\n    - {name: a, set: {anonymous: "yes"}, when: {author.handle: null}}\n' > dim.yaml
run sm-classify --check -c dim.yaml
is "a dimension in defaults is meant" "$rc:$(cat err)" "0:"
for t in classify route reply report fetch; do
	run sm-$t --check -c missing.yaml
	is "sm-$t --check: a configuration that is not there: 78" "$rc" 78
done
run sm-classify --check -q -c sm.yaml
is "-q does not silence the warnings of --check" "$(cat err)" "$warnings"
