#!/bin/sh
# sm.yaml's warnings: -q silences them but for --check; terms: holding a
# comma in any condition; route rules named as classify rules are; a
# condition on a misspelt field, or on a kind no record has
. "${SM_SRC:-.}/tests/lib.sh"
plan 33

cat > sm.yaml <<X
classify:
  rules:
    - name: council.people
      set: {topic: council}
      terms: concejal, concejala
    - name: roads.holes
      set: {topic: roads}
      when:
        text:
          terms: bache, socavón
route:
  queues: {obras: {}}
  rules:
    - name: potholes
      queue: obras
      when:
        text: {terms: [farola, "a, b"]}
        classify.topic:
          terms:
            - calzada, acera
reply:
  templates:
    - name: holes
      when:
        text:
          terms: agujero, hoyo
      text: {es: "Gracias"}
report:
  filters:
    holes:
      any:
        - when:
            text: {terms: "bache, socavón"}
        - when:
            text:
              terms: socavón, zanja
X
wc="sm-classify: sm.yaml:5:14: warning: classify.rules[0] (name 'council.people').terms[0]: term 'concejal, concejala' holds a comma, so it is one phrase; for several terms write a list: [concejal, concejala]
sm-classify: sm.yaml:10:18: warning: classify.rules[1] (name 'roads.holes').when.text: terms: term 'bache, socavón' holds a comma, so it is one phrase; for several terms write a list: [bache, socavón]"
wr="sm-route: sm.yaml:20:15: warning: route.rules[0] (name 'potholes').when.classify.topic: terms: term 'calzada, acera' holds a comma, so it is one phrase; for several terms write a list: [calzada, acera]"
wp="sm-reply: sm.yaml:26:18: warning: reply.templates[0] (name 'holes').when.text: terms: term 'agujero, hoyo' holds a comma, so it is one phrase; for several terms write a list: [agujero, hoyo]"
wt="sm-report: sm.yaml:36:22: warning: report.filters.holes.any[1].when.text: terms: term 'socavón, zanja' holds a comma, so it is one phrase; for several terms write a list: [socavón, zanja]"
printf '{"id":"m:1","created_at":"2026-11-28T09:14:03Z","lang":"es","text":"un bache, socavón"}\n' > in.jsonl

# terms: in a condition warns as a classify rule's own terms: do, in
# every tool; quoted, or an item of a flow list quoted, it is meant
run sm-classify --check -c sm.yaml
is "a classify rule's when: terms: with a comma is a warning" "$rc:$(cat err)" \
    "0:$wc"
run sm-route --check -c sm.yaml
is "a route rule's, named by index and name; quoted ones are meant" \
    "$rc:$(cat err)" "0:$wr"
run sm-reply --check -c sm.yaml
is "a reply template's" "$rc:$(cat err)" "0:$wp"
run sm-report --check -c sm.yaml
is "a report filter's" "$rc:$(cat err)" "0:$wt"
run sm-classify -c sm.yaml in.jsonl
is "a normal run says them too, and labels as it would" \
    "$rc:$(cat err):$(jq -c .classify.topic out)" "0:$wc:\"roads\""

# -q: a cron job's run says no warnings; errors are still said
run sm-classify -q -c sm.yaml in.jsonl
is "sm-classify -q: no warnings" "$rc:$(cat err)" "0:"
is "... the same labels" "$(jq -c .classify.topic out)" '"roads"'
run sm-classify --quiet -c sm.yaml in.jsonl
is "... --quiet alike" "$rc:$(cat err)" "0:"
run sm-route -q -n -c sm.yaml --state r.db in.jsonl
is "sm-route -q: no warnings" "$rc:$(cat err)" "0:"
run sm-route -n -c sm.yaml --state r.db in.jsonl
is "... without -q, the warning" "$rc:$(cat err)" "0:$wr"
run sm-reply -q -c sm.yaml --state p.db in.jsonl
is "sm-reply -q: no warnings" "$rc:$(cat err)" "0:"
run sm-report -q -c sm.yaml -f json in.jsonl
is "sm-report -q: no warnings" "$rc:$(cat err)" "0:"
run sm-report -c sm.yaml -f json in.jsonl
is "... without -q, the warning" "$rc:$(cat err)" "0:$wt"
for t in classify route reply report; do
	run sm-$t --check -q -c sm.yaml
	like "sm-$t --check -q: the warnings all the same" "$rc:$(cat err)" \
	    "^0:sm-$t: sm.yaml:[0-9]+:[0-9]+: warning: "
done
printf 'classify:\n  rules:\n    - {name: a, set: {topic: t}, terms: x, when: {text: {terms: "y, z"}}, lang: spanish}\n' > bad.yaml
run sm-classify -q -c bad.yaml in.jsonl
is "-q: an error is still said" "$rc:$(cat err)" \
    "78:sm-classify: bad.yaml:3:81: classify.rules[0] (name 'a'): lang: 'spanish' is not a language code (lower case, as classify.lang shows it: es, en, ca, eu, gl, fr, de, it, pt or und)"
run sm-fetch -q -c bad.yaml
is "sm-fetch -q: an error is still said" "$rc:$(cat err)" \
    "78:sm-fetch: bad.yaml: no accounts: to fetch from"

# sm-route's rules are named as sm-classify's: index and name
printf 'route:\n  queues: {a: {}}\n  rules:\n    - {name: r0, queue: a, when: {x: 1}}\n    - {name: potholes, queu: a, when: {x: 1}}\n' > r.yaml
run sm-route --check -c r.yaml
is "an unknown key in a route rule names the rule" "$rc:$(cat err)" \
    "78:sm-route: r.yaml:5:30: unknown key 'queu' in route.rules[1] (name 'potholes') (a typo of 'queue'?)"
printf 'route:\n  queues: {a: {}}\n  rules:\n    - {name: r0, queue: a, when: {x: 1}}\n    - {name: potholes, queue: b, when: {x: 1}}\n' > r.yaml
run sm-route --check -c r.yaml
is "... no such queue" "$rc:$(cat err)" \
    "78:sm-route: r.yaml:5:31: route.rules[1] (name 'potholes').queue: no queue 'b' in route.queues"
printf 'route:\n  queues: {a: {}}\n  rules:\n    - {name: potholes, queue: a, when: {x: {gt: soon}}}\n' > r.yaml
run sm-route --check -c r.yaml
is "... a condition's error" "$rc:$(cat err)" \
    "78:sm-route: r.yaml:4:49: route.rules[0] (name 'potholes').when.x: gt: expected a number or a timestamp"
printf 'route:\n  queues: {a: {}}\n  rules:\n    - {name: potholes, queue: a}\n' > r.yaml
run sm-route --check -c r.yaml
is "... a rule with no condition" "$rc:$(cat err)" \
    "78:sm-route: r.yaml:4:7: route.rules[0] (name 'potholes'): needs when, all, any or none"
printf 'route:\n  queues: {a: {}}\n  rules:\n    - {name: p, queue: a, when: {x: 1}}\n    - {name: p, queue: a, when: {x: 1}}\n' > r.yaml
run sm-route --check -c r.yaml
is "... a name given twice: the index of the second" "$rc:$(cat err)" \
    "78:sm-route: r.yaml:5:14: route.rules[1]: duplicate rule name 'p'"
printf 'route:\n  queues: {a: {}}\n  rules:\n    - {queue: a, when: {x: 1}}\n' > r.yaml
run sm-route --check -c r.yaml
is "... a rule without a name: its index" "$rc:$(cat err)" \
    "78:sm-route: r.yaml:4:7: route.rules[0]: a rule needs a name"

# a condition's field a letter or two from one of sm-message(7), and a
# value a record never has: the test would never hold
cat > f.yaml <<'X'
classify:
  defaults: {urgencia: baja}
  rules:
    - {name: a, set: {topic: t, urgencia: alta}, terms: x}
    - {name: b, set: {topic: u}, terms: y, when: {kind: mentions}}
route:
  queues: {a: {}}
  rules:
    - {name: r1, queue: a, when: {clasify.category: complaint}}
    - {name: r2, queue: a, when: {classify.categroy: complaint, classify.urgencia: alta}}
    - {name: r3, queue: a, when: {kind: [mention, dm], platform: {ne: mastodn}}}
    - {name: r4, queue: a, when: {route.queu: x, reply.status: {in: [sent, draf]}, classify.lang: ES}}
    - {name: r5, queue: a, when: {mytag: 1, long: 2, kind: null, lang: es-ES, classify.lang: und}}
X
run sm-route --check -c f.yaml
is "sm-route: each misspelt field and value, with its place and rule" "$rc:$(cat err)" \
"0:sm-route: f.yaml:9:53: warning: route.rules[0] (name 'r1').when.clasify.category: 'clasify' is not a field sm writes (a typo of 'classify'?)
sm-route: f.yaml:10:54: warning: route.rules[1] (name 'r2').when.classify.categroy: 'classify.categroy' is not a field sm writes (a typo of 'classify.category'?)
sm-route: f.yaml:11:51: warning: route.rules[2] (name 'r3').when.kind: 'dm' is not a kind a record has (mention, direct, reply, comment, search, own, email or post)
sm-route: f.yaml:12:47: warning: route.rules[3] (name 'r4').when.route.queu: 'route.queu' is not a field sm writes (a typo of 'route.queue'?)
sm-route: f.yaml:12:76: warning: route.rules[3] (name 'r4').when.reply.status: 'draf' is not a status a record has (draft, too_long, skipped, sent, failed or unknown): a typo of 'draft'?
sm-route: f.yaml:12:99: warning: route.rules[3] (name 'r4').when.classify.lang: 'ES' is not a language code as sm-classify writes them (lower case: es, en, ca... or und)"
run sm-classify --check -c f.yaml
is "sm-classify: a rule's when: too" "$rc:$(cat err)" \
    "0:sm-classify: f.yaml:5:57: warning: classify.rules[1] (name 'b').when.kind: 'mentions' is not a kind a record has (mention, direct, reply, comment, search, own, email or post): a typo of 'mention'?"
run sm-route -q -n -c f.yaml --state f.db in.jsonl
is "... -q silences them" "$rc:$(cat err)" "0:"
printf 'report:\n  filters:\n    sent: {when: {reply.stauts: sent}}\n' > w.yaml
run sm-report --check -c w.yaml
is "sm-report: a filter's" "$rc:$(cat err)" \
    "0:sm-report: w.yaml:3:33: warning: report.filters.sent.when.reply.stauts: 'reply.stauts' is not a field sm writes (a typo of 'reply.status'?)"
run sm-report --check -c w.yaml -w kind=mentions -w clasify.topic=x
is "... not -w FIELD=VALUE, which names no place in sm.yaml" "$rc:$(cat err)" \
    "0:sm-report: w.yaml:3:33: warning: report.filters.sent.when.reply.stauts: 'reply.stauts' is not a field sm writes (a typo of 'reply.status'?)"
printf 'reply:\n  templates:\n    - {name: t, when: {kind: {not_in: [own, psot]}}, text: {es: x}}\n' > p.yaml
run sm-reply --check -c p.yaml
is "sm-reply: a template's, not_in too" "$rc:$(cat err)" \
    "0:sm-reply: p.yaml:3:45: warning: reply.templates[0] (name 't').when.kind: 'psot' is not a kind a record has (mention, direct, reply, comment, search, own, email or post): a typo of 'post'?"
for f in /dev/null $EXAMPLES/sm.yaml; do
	run sm-route --check -c $f
	is "nothing to say of $(basename $f)" "$rc:$(cat err)" "0:"
done
