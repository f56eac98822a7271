#!/bin/sh
# sm-route: queues, rules, case numbers, deadlines, --split, errors
. "${SM_SRC:-.}/tests/lib.sh"
plan 52

msg() {	# msg ID CREATED_AT [JSON fields...]: one record
	id=$1 at=$2
	shift 2
	printf '{"id":"%s","platform":"mastodon","kind":"mention","created_at":"%s","text":"t"%s}\n' \
	    "$id" "$at" "$(printf ',%s' "$@" | sed 's/^,$//')"
}

# --- no configuration: one queue, numbers, idempotence -------------------
{ msg m:a:1 2026-03-02T10:00:00Z
  msg m:a:2 2026-03-02T11:00:00Z '"classify":{"urgency":"critical"}'
  msg m:a:3 2026-03-02T12:00:00Z '"thread":{"in_reply_to":"m:a:1","root":"m:a:1"}'
  msg m:a:4 2026-03-02T13:00:00Z '"kind":"own"'
  msg m:a:5 2026-03-02T14:00:00Z '"kind":"own","thread":{"in_reply_to":"m:a:2"}'
  msg m:a:6 2027-01-01T00:10:00Z
} > in.jsonl
run sm-route --state st.db in.jsonl
is "no configuration: exit 0, nothing on stderr" "$rc $(cat err)" "0 "
is "every record gets a route object, last" \
    "$(jq -c 'keys_unsorted[-1]' out | sort -u)" '"route"'
is "the default queue is general" "$(jq -r .route.queue out | sort -u)" general
is "the whole route object" "$(head -1 out | jq -c .route)" \
    '{"queue":"general","department":null,"case":"2026-000001","priority":3,"due_at":null,"sla":null,"rule":null,"duplicate_of":null,"delivered":[]}'
is "case numbers: a follow-up joins its case, own words open none, a new year starts again" \
    "$(jq -r '[.id, .route.case] | @tsv' out)" "m:a:1	2026-000001
m:a:2	2026-000002
m:a:3	2026-000001
m:a:4	
m:a:5	2026-000002
m:a:6	2027-000001"
is "priority from classify.urgency when nothing else says" \
    "$(jq -r .route.priority out | tr '\n' ' ')" "3 1 3 3 3 3 "
cp out first.out
run sm-route --state st.db in.jsonl
is "a second run gives every message the same number" "$(cat out)" "$(cat first.out)"
msg m:a:7 2026-03-03T10:00:00Z > more.jsonl
run sm-route --state st.db more.jsonl
is "... and a new message the next number" "$(jq -r .route.case out)" 2026-000003
run sm-route -n --state st.db in.jsonl more.jsonl
is "-n: numbers already given are shown" "$(head -1 out | jq -r .route.case)" 2026-000001
msg m:a:8 2026-03-03T10:00:00Z > new.jsonl
run sm-route -n --state st.db new.jsonl
is "-n: a new message gets none, and none is stored" \
    "$(jq -c .route.case out) $(sm-route --state st.db new.jsonl | jq -r .route.case)" \
    "null 2026-000004"
is "the state database is readable by its owner only" "$(stat -c %a st.db)" 600

# --- the example configuration: rules, calendars, deadlines -------------
ex=$EXAMPLES/sm.yaml
{ msg c:1 2026-11-03T08:12:00Z '"classify":{"category":"complaint","topic":"waste","urgency":"normal"}'
  # a Friday evening after hours: still Friday's day; Tuesday 8 is a holiday
  msg c:2 2026-12-04T18:30:00Z '"classify":{"category":"complaint","topic":"lighting","urgency":"high"}'
  msg c:3 2026-12-24T09:00:00Z '"classify":{"category":"emergency","topic":"safety","urgency":"critical"}'
  # 00:30 on New Year's Day in Madrid: a holiday, then Twelfth Night
  msg c:4 2026-12-31T23:30:00Z '"classify":{"category":"question","topic":"culture","urgency":"normal"}'
  msg c:5 2026-12-01T10:00:00Z '"classify":{"category":"spam","topic":"other","urgency":"low"}'
} > city.jsonl
run sm-route -c "$ex" --state city.db -x city.jsonl
is "example: exit 0" "$rc $(cat err)" "0 "
is "queues, departments and rules" \
    "$(jq -r '[.route.queue, .route.department, .route.rule] | @tsv' out)" \
    "limpieza	Servicio de Limpieza	waste
alumbrado	Alumbrado Público	lighting
emergencias	Policía Local (emergencias, 112)	emergency
atencion	Atención Ciudadana	
moderacion	Comunicación (spam y mensajes ofensivos)	spam"
is "priorities: a rule with continue, the queue's, the urgency's" \
    "$(jq -r .route.priority out | tr '\n' ' ')" "3 2 1 3 5 "
is "deadlines in business days, hours, none" \
    "$(jq -r '[.route.sla, .route.due_at] | @tsv' out)" \
    "2 business days	2026-11-05T18:00:00Z
3 business days	2026-12-10T18:00:00Z
1 hours	2026-12-24T10:00:00Z
10 business days	2027-01-19T18:00:00Z
	"
is "a message of New Year's Eve in Madrid is of the new year" \
    "$(jq -r 'select(.id == "c:4") | .route.case' out)" 2027-000001
is "-x: the rules that held and those that did not, in order, up to the one that decided" \
    "$(jq -c 'select(.id == "c:2") | .route.explain' out)" \
    '[{"rule":"emergency","held":false},{"rule":"spam","held":false},{"rule":"urgent","held":true},{"rule":"waste","held":false},{"rule":"lighting","held":true}]'

# --- case formats ------------------------------------------------------
cat > fmt.yaml <<'Y'
route:
  case: "AYTO/{yyyy}{mm}/{seq}-{queue}"
Y
run sm-route -c fmt.yaml --state fmt.db in.jsonl
is "a case format with the month and the queue" "$(head -2 out | jq -r .route.case | tr '\n' ' ')" \
    "AYTO/202603/1-general AYTO/202603/2-general "

# --- --split ------------------------------------------------------------
mkdir split
run sm-route -c "$ex" --state split.db --split split city.jsonl
is "--split: a file per queue" "$(cd split && ls | tr '\n' ' ')" \
    "alumbrado.jsonl atencion.jsonl emergencias.jsonl limpieza.jsonl moderacion.jsonl "
is "... holding the records as written on stdout" "$(cat split/*.jsonl | sort)" "$(sort out)"
is "... readable by their owner only" "$(stat -c %a split/limpieza.jsonl)" 600
sm-route -c "$ex" --state split.db --split split city.jsonl > /dev/null
is "... appended to, run after run" "$(wc -l < split/limpieza.jsonl | tr -d ' ')" 2
run sm-route --split nowhere in.jsonl
is "--split to a directory that is not there: exit 64" "$rc $(cat err)" \
    "64 sm-route: --split nowhere: No such file or directory"

# --- near-duplicates ------------------------------------------------------
dup() {	# dup ID CREATED_AT PLATFORM TEXT
	printf '{"id":"%s","platform":"%s","kind":"mention","created_at":"%s","text":"%s"}\n' "$1" "$3" "$2" "$4"
}
{ dup d:1 2026-04-06T08:00:00Z mastodon "La basura de la calle Perdomo lleva tres días sin recogerse, huele fatal"
  dup d:2 2026-04-06T09:30:00Z email "la basura de la calle Perdomo lleva tres dias sin recogerse!! huele fatal"
  dup d:3 2026-04-06T10:00:00Z x "Una farola rota en la plaza Mayor desde hace una semana, está todo oscuro"
  dup d:4 2026-04-20T08:00:00Z mastodon "La basura de la calle Perdomo lleva tres días sin recogerse, huele fatal"
  dup d:5 2026-04-06T10:05:00Z x "Gracias"
  dup d:6 2026-04-06T10:06:00Z x "Gracias"
} > dup.jsonl
run sm-route -c /dev/null --state dup.db dup.jsonl
is "a near-duplicate within the window joins the first one's case, on another channel too" \
    "$(jq -r '[.id, .route.case, .route.duplicate_of] | @tsv' out)" "d:1	2026-000001	
d:2	2026-000001	d:1
d:3	2026-000002	
d:4	2026-000003	
d:5	2026-000004	
d:6	2026-000005	"
dup d:7 2026-04-21T09:00:00Z email "la basura de la calle Perdomo lleva tres días sin recogerse, huele fatal." > dup2.jsonl
run sm-route -c /dev/null --state dup.db dup.jsonl dup2.jsonl
is "... the same on the next run, and the state remembers the window's texts" \
    "$(jq -r '[.id, .route.duplicate_of] | @tsv' out | tail -1) $(jq -r 'select(.id == "d:2") | .route.duplicate_of' out)" \
    "d:7	d:4 d:1"
# the texts of a run are kept one value a day; an older state kept one a
# message ("ARRIVAL HEX", keyed by its id), and is read as well
sm-route -c /dev/null --state old.db dup.jsonl > /dev/null
is "... the texts of a group kept as one value a day" \
    "$(python3 -c 'import sqlite3,sys; db = sqlite3.connect(sys.argv[1]); print(" ".join("%s:%d" % (o, len(v.split("\n"))) for o, v in db.execute("SELECT owner, value FROM sm_value WHERE space = ? ORDER BY owner", ("dedup",))))' old.db)" \
    "2026-04-06:3 2026-04-20:1"
python3 - old.db <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT owner, key, value, updated_at FROM sm_value WHERE space = 'dedup'").fetchall()
db.execute("DELETE FROM sm_value WHERE space = 'dedup'")
for owner, key, value, at in rows:
    for line in value.split("\n"):
        t, sig, ident = line.split(" ")
        db.execute("INSERT INTO sm_value VALUES ('dedup', ?, ?, ?, ?)", (owner, ident, t + " " + sig, at))
db.commit()
PY
run sm-route -c /dev/null --state old.db dup2.jsonl
is "... and the texts an older version kept are found" "$(jq -r .route.duplicate_of out)" d:4
printf 'route:\n  duplicates: false\n' > nodup.yaml
run sm-route -c nodup.yaml --state nodup.db dup.jsonl
is "duplicates: false: every message its own case" "$(jq -r .route.case out | sort -u | wc -l | tr -d ' ')" 6
printf 'route:\n  duplicates: {window: 30 days, threshold: 0.5}\n' > wide.yaml
run sm-route -c wide.yaml --state wide.db dup.jsonl
is "a wider window finds the one two weeks later" "$(jq -r 'select(.id == "d:4") | .route.duplicate_of' out)" d:1
printf 'route:\n  duplicates: {window: 2 business days}\n' > badwin.yaml
run sm-route -c badwin.yaml --state bw.db dup.jsonl
is "a window in business time is refused" "$rc $(cat err)" \
    "78 sm-route: badwin.yaml:2:24: route.duplicates.window: expected N hours or N days"

# --- bad input and output -------------------------------------------------
{ msg b:1 2026-03-02T10:00:00Z; echo '{"id": broken'; echo '[]';
  echo '{"text":"no id"}'; echo '{"id":5,"text":"a number"}'
  msg b:2 2026-03-02T10:00:00Z; } > bad.jsonl
run sm-route --state bad.db -r rej.jsonl bad.jsonl
is "bad lines: exit 65" "$rc" 65
is "... each named with its file and line" "$(cat err)" \
    "sm-route: bad.jsonl:2: invalid JSON at column 13: invalid token near 'broken'
sm-route: bad.jsonl:3: expected an object, got an array
sm-route: bad.jsonl:4: no id: no case number
sm-route: bad.jsonl:5: an id that is not a string: no case number"
is "... the others routed" "$(jq -r .route.case out | tr '\n' ' ')" "2026-000001 null null 2026-000002 "
is "... the bad lines kept" "$(cat rej.jsonl)" '{"id": broken
[]'
run sm-route --state full.db in.jsonl
sm-route --state full.db in.jsonl > /dev/full 2> err
is "output to a full disk: exit 74" "$? $(cat err)" \
    "74 sm-route: <stdout>: write error: No space left on device"
sm-route --state full.db in.jsonl | head -1 > /dev/null 2> err
is "a closed pipe ends quietly" "$(cat err)" ""

# --- configuration errors -------------------------------------------------
bad() {	# bad DESC EXPECTED: sm-route on sm.yaml must fail with EXPECTED
	run sm-route -c sm.yaml --state cfg.db in.jsonl
	is "$1" "$rc $(cat err)" "78 $2"
}
printf 'route:\n  queues:\n    a: {departmant: x}\n' > sm.yaml
bad "an unknown key" "sm-route: sm.yaml:3:21: unknown key 'departmant' in route.queues.a (a typo of 'department'?)"
printf 'route:\n  rules:\n    - {name: r, when: {kind: x}, queue: nope}\n' > sm.yaml
bad "a rule naming a queue that is not there" \
    "sm-route: sm.yaml:3:41: route.rules[0] (name 'r').queue: no queue 'nope' in route.queues"
printf 'route:\n  queues:\n    a: {sla: 2 weeks}\n' > sm.yaml
bad "an SLA that is not one" \
    "sm-route: sm.yaml:3:14: route.queues.a.sla: expected N hours, N days, N business hours or N business days (whole)"
printf 'route:\n  queues:\n    a: {sla: 2 business days}\n' > sm.yaml
bad "business days without a calendar" \
    "sm-route: sm.yaml:3:14: route.queues.a.sla: '2 business days' is counted on a calendar: give the queue's calendar or route.calendar"
printf 'route:\n  case: "{seq}"\n' > sm.yaml
bad "a case format without the year" \
    "sm-route: sm.yaml:2:9: route.case: needs {seq} and the year ({year} or {yy}): numbers start again each year"
printf 'route:\n  queues:\n    ../x: {}\n' > sm.yaml
bad "a queue name that would leave --split's directory" \
    "sm-route: sm.yaml:3:11: route.queues.../x: a queue name is letters, digits, '-', '_' and '.', not first"
printf 'route:\n  rules:\n    - {name: r, queue: general, when: {score: {gt: soon}}}\n' > sm.yaml
bad "a condition that is not one" \
    "sm-route: sm.yaml:3:52: route.rules[0] (name 'r').when.score: gt: expected a number or a timestamp"
printf 'route:\n  calendar: nope\n' > sm.yaml
bad "a calendar that is not there" "sm-route: sm.yaml:2:13: route.calendar: no calendar 'nope' in calendars:"

rm sm.yaml

# --- options --------------------------------------------------------------
run sm-route --help
is "--help: usage on stdout, exit 0" "$rc $(head -1 out)" \
    "0 usage: sm-route [-nquvx] [-c file] [-r file] [--split dir]"
run sm-route --bogus
is "a bad option: exit 64" "$rc" 64
is "... the synopsis and where the rest is, not every option" \
    "$(grep -c -- '--config' err) $(tail -1 err)" "0 sm-route: see sm-route --help"
run sm-route -V
is "-V" "$(cat out)" "sm-route 0.1.0"

# --- two runs at once, and a run killed -----------------------------------
i=0
while [ $i -lt 600 ]; do
	msg "r:$i" 2026-05-05T10:00:00Z
	i=$((i + 1))
done > race.jsonl
sm-route --state race.db race.jsonl > race1.out 2> race1.err &
p1=$!
sm-route --state race.db race.jsonl > race2.out 2> race2.err &
p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
is "two runs at once: both exit 0" "$r1 $r2 $(cat race1.err race2.err)" "0 0 "
is "... give each message one number, the same in both" \
    "$(jq -r '[.id, .route.case] | @tsv' race1.out | sort)" \
    "$(jq -r '[.id, .route.case] | @tsv' race2.out | sort)"
is "... and no number twice" "$(jq -r .route.case race1.out | sort | uniq -d | wc -l | tr -d ' ')" 0

# a run killed while its batch waits: nothing of it is out, nothing kept
mkfifo fifo
sm-route --state kill.db fifo > killed.out 2>/dev/null &
pk=$!
exec 3<> fifo	# read-write: never blocks, whatever sm-route does
head -100 race.jsonl >&3
sleep 1
kill -9 $pk
wait $pk 2>/dev/null
exec 3>&-
run sm-route --state kill.db race.jsonl
is "after kill -9: the next run numbers every message once, from 1" \
    "$(jq -r .route.case out | sort -u | wc -l | tr -d ' ') $(head -1 out | jq -r .route.case) $(wc -l < killed.out | tr -d ' ')" \
    "600 2026-000001 0"
