#!/bin/sh
# sm-report: figures against values computed by hand, every format,
# --overdue, --rows, periods, filters, bad input, configuration errors
. "${SM_SRC:-.}/tests/lib.sh"
plan 56

# The town hall works in Madrid (UTC+1 in December), 09:00-14:00 and
# 16:00-19:00 (08:00-13:00Z, 15:00-18:00Z), Monday to Friday; Tuesday
# 8 December 2026 is a holiday (festivos.ics).
cp "$EXAMPLES/calendars/festivos.ics" .
cat > sm.yaml <<'EOF'
calendars:
  ayto:
    timezone: Europe/Madrid
    days: [mon, tue, wed, thu, fri]
    hours: ["09:00-14:00", "16:00-19:00"]
    holidays_ics: [festivos.ics]
route:
  calendar: ayto
report:
  commitments:
    - name: social
      within: 2 business hours
      target: 80
    - name: waste-hour
      text: waste answered within the hour
      within: 1 hours
      when: {classify.topic: waste}
  filters:
    waste: {when: {classify.topic: waste}}
EOF

msg() {	# msg ID CREATED TOPIC QUEUE [ROUTE-FIELDS [MORE-FIELDS]]
	printf '{"id":"%s","platform":"mastodon","kind":"mention","created_at":"%s","author":{"handle":"v%s@masto.example","name":"Vecina"},"text":"t","classify":{"topic":"%s"},"route":{"queue":"%s","case":"2026-00000%s"%s}%s}\n' \
	    "$1" "$2" "${1##*:}" "$3" "$4" "${1##*:}" "$5" "$6"
}
own() {	# own ID CREATED ANSWERS
	printf '{"id":"%s","platform":"mastodon","kind":"own","created_at":"%s","text":"r","thread":{"in_reply_to":"%s","root":"%s"}}\n' \
	    "$1" "$2" "$3" "$3"
}
sent() {	# sent SENT_AT [MORE]: a reply sm-reply sent
	printf ',"reply":{"template":"t","status":"sent","sent_at":"%s"%s}' "$1" "$2"
}
# Response times (calendar; business hours):
#  1 Tue 1, 10:00 -> 11:30 by hand           1h30m = 5400;  5400
#  2 Fri 4, 18:00 -> Mon 7, 10:00 sm-reply   64h = 230400;  19-18 + 9-10 = 7200
#  3 Mon 7, 18:30 -> Wed 9, 09:30 by hand,   39h = 140400;  0.5 + holiday + 0.5 = 3600
#    the answer read before the question
#  4 Wed 9, 13:00 -> 16:30 by hand           3h30m = 12600; 1 + 0.5 = 5400
#    (acknowledged automatically at 13:01: 60 s, apart)
#  7 Fri 11, 09:00 -> 09:20 sm-reply         1200; 1200
# 5 (due Thu 10 18:00Z, overdue at SM_NOW), 6 (due 15th) and 9 stay open;
# 8 joined case 1 (route.duplicate_of); 2 is read twice, answered the
# second time; a search, a post, an answer to a message not here.
{
own o:3 2026-12-09T08:30:00Z m:a:3
msg m:a:1 2026-12-01T09:00:00Z waste limpieza ',"due_at":"2026-12-03T18:00:00Z"'
own o:1 2026-12-01T10:30:00Z m:a:1
msg m:a:2 2026-12-04T17:00:00Z waste limpieza ',"due_at":"2026-12-07T08:30:00Z"'
msg m:a:3 2026-12-07T17:30:00Z lighting alumbrado
msg m:a:2 2026-12-04T17:00:00Z waste limpieza ',"due_at":"2026-12-07T08:30:00Z"' "$(sent 2026-12-07T09:00:00Z)"
msg m:a:4 2026-12-09T12:00:00Z lighting alumbrado ',"due_at":"2026-12-10T18:00:00Z"' "$(sent 2026-12-09T12:01:00Z ',"auto":true')"
own o:4 2026-12-09T15:30:00Z m:a:4
msg m:a:5 2026-12-09T08:00:00Z waste limpieza ',"due_at":"2026-12-10T18:00:00Z"'
msg m:a:6 2026-12-10T09:00:00Z lighting alumbrado ',"due_at":"2026-12-15T18:00:00Z"'
msg m:a:7 2026-12-11T08:00:00Z waste limpieza '' "$(sent 2026-12-11T08:20:00Z)"
msg m:a:8 2026-12-02T10:00:00Z waste limpieza ',"duplicate_of":"m:a:1"'
msg m:a:9 2026-12-11T11:30:00Z noise medio-ambiente
printf '{"id":"s:1","platform":"x","kind":"search","created_at":"2026-12-05T10:00:00Z","classify":{"topic":"other"}}\n'
printf '{"id":"p:1","platform":"x","kind":"post","created_at":"2026-12-05T10:00:00Z"}\n'
own o:9 2026-12-05T10:00:00Z m:zz:1
} > in.jsonl
SM_NOW=2026-12-11T12:00:00Z
export SM_NOW

run sm-report -c sm.yaml -f json in.jsonl
is "json: exit 0, nothing on stderr" "$rc $(cat err)" "0 "
is "what was counted" "$(jq -c .summary out)" \
    '{"records":16,"messages":10,"cases":8,"answered":5,"acked":1,"open":3,"own":4,"posts":1,"repeated":1,"filtered":0,"not_asked":1,"near_duplicates":1,"orphans":1}'
is "calendar time: median 3h30m, p90 1200..230400 at 3.6 ranks, mean" \
    "$(jq -c '.total.time | [.n, .median, .p90, .mean]' out)" '[5,12600,194400,78000]'
is "calendar time in buckets (<1h 1-4h 4-8h 8-24h >24h)" \
    "$(jq -c '[.total.time.buckets[]]' out)" '[1,2,0,0,2]'
is "business hours across a night, a weekend and a holiday" \
    "$(jq -c '.total.business | [.median, .p90, .mean]' out)" '[5400,6480,4560]'
is "an hour of business time sharp is in 1-4h" \
    "$(jq -c '[.total.business.buckets[]]' out)" '[1,4,0,0,0]'
is "the automatic acknowledgement apart" \
    "$(jq -c '.total.ack | [.n, .median]' out)" '[1,60]'
is "deadlines: 1 and 4 in time, 2 late, 5 overdue; 6 not yet due" \
    "$(jq -c .total.deadline out)" \
    '{"with_deadline":4,"in_time":2,"share":50,"overdue":1,"not_yet_due":1}'
is "commitments: met, decided, still within the time" \
    "$(jq -c '.commitments[] | [.name, .met, .total, .pending]' out)" \
    '["social",5,7,1]
["waste-hour",1,4,0]'
is "the overdue case" "$(jq -c '.overdue' out)" \
    '[{"case":"2026-000005","id":"m:a:5","queue":"limpieza","opened":"2026-12-09T08:00:00Z","due_at":"2026-12-10T18:00:00Z"}]'
is "backlog by queue and age" \
    "$(jq -c '.backlog[] | [.queue, .open, .overdue, [.ages[]]]' out)" \
    '["alumbrado",1,0,[0,1,0,0,0]]
["limpieza",1,1,[0,1,0,0,0]]
["medio-ambiente",1,0,[1,0,0,0,0]]'
tac in.jsonl > rev.jsonl
is "the same figures read backwards" \
    "$(sm-report -c sm.yaml -f json rev.jsonl | jq -c '[.summary, .total, .commitments]')" \
    "$(jq -c '[.summary, .total, .commitments]' out)"

run sm-report -c sm.yaml -f json -g classify.topic in.jsonl
is "-g: groups, most messages first" \
    "$(jq -c '.groups[] | [.values."classify.topic", .messages, .cases, .answered]' out)" \
    '["waste",5,4,3]
["lighting",3,3,2]
["noise",1,1,0]
["other",1,0,0]'
is "-g: a group's quantiles (waste: 1200, 5400, 230400)" \
    "$(jq -c '.groups[0].time | [.median, .p90]' out)" '[5400,185400]'

run sm-report -c sm.yaml -g classify.topic in.jsonl
is "text: exit 0" "$rc $(cat err)" "0 "
is "text: the commitments lead, with their denominators" \
    "$(sed -n '4,6p' out)" "Commitments
  71.4% answered within 2 business hours (target 80%), based on 7 messages; 1 more still within the time
  25.0% waste answered within the hour, based on 4 messages"
is "text: counts, shares and bars" "$(sed -n '/^Messages$/,/^$/p' out)" \
    "Messages
classify.topic  messages   share
waste                  5   50.0%  ████████████████████
lighting               3   30.0%  ████████████
noise                  1   10.0%  ████
other                  1   10.0%  ████
all                   10  100.0%"
is "text: durations" "$(grep '^all ' out | sed -n 2p)" \
    "all                 8  5 (62.5%)   3h 30m  2d 06h  21h 40m     1h 30m  1h 48m   1h 16m     1          1m"
is "text: no colour when not a terminal" "$(grep -c "$(printf '\033')" out)" 0
if command -v script > /dev/null; then
	is "text: colour on a terminal" "$(script -qc 'sm-report -c sm.yaml in.jsonl' /dev/null | grep -c "$(printf '\033')\\[32m")" 1
	is "text: never with NO_COLOR" "$(NO_COLOR=1 script -qc 'sm-report -c sm.yaml in.jsonl' /dev/null | grep -c "$(printf '\033')")" 0
else
	ok "# SKIP script(1) is not installed"
	ok "# SKIP script(1) is not installed"
fi

run sm-report -c sm.yaml --overdue in.jsonl
is "--overdue: one line per case" "$rc $(cat out)" \
    "0 2026-000005	limpieza	due 2026-12-10T18:00:00Z	18h late	m:a:5"
is "--overdue: nothing when nothing is late" \
    "$(SM_NOW=2026-12-10T17:00:00Z sm-report -c sm.yaml --overdue in.jsonl | wc -c)" 0

run sm-report -c sm.yaml -f csv -g classify.topic,route.queue in.jsonl
is "csv: header" "$(head -1 out)" \
    "classify.topic,route.queue,messages,share,cases,answered,acked,open,median_h,p90_h,mean_h,business_median_h,business_p90_h,business_mean_h,ack_median_h,answered_<1h,answered_1-4h,answered_4-8h,answered_8-24h,answered_>24h,with_deadline,in_time,overdue,not_yet_due"
is "csv: a row in hours" "$(sed -n 2p out)" \
    "waste,limpieza,5,50.0,4,3,0,1,1.50,51.50,21.94,1.50,1.90,1.28,,1,1,0,0,1,3,1,1,0"
is "csv: a missing value is empty" "$(grep '^other' out | cut -d, -f1-3)" "other,,1"

run sm-report -c sm.yaml -f csv --rows in.jsonl
is "--rows: header, a row per case, open ones last" "$(cat out)" \
    "case,type,subject,channel,queue,opened,answered,expected,status,acknowledged,answered_by
2026-000001,,waste,mastodon,limpieza,2026-12-01T09:00:00Z,2026-12-01T10:30:00Z,2026-12-03T18:00:00Z,closed,,hand
2026-000003,,lighting,mastodon,alumbrado,2026-12-07T17:30:00Z,2026-12-09T08:30:00Z,,closed,,hand
2026-000002,,waste,mastodon,limpieza,2026-12-04T17:00:00Z,2026-12-07T09:00:00Z,2026-12-07T08:30:00Z,closed,,sm-reply
2026-000004,,lighting,mastodon,alumbrado,2026-12-09T12:00:00Z,2026-12-09T15:30:00Z,2026-12-10T18:00:00Z,closed,2026-12-09T12:01:00Z,hand
2026-000007,,waste,mastodon,limpieza,2026-12-11T08:00:00Z,2026-12-11T08:20:00Z,,closed,,sm-reply
2026-000005,,waste,mastodon,limpieza,2026-12-09T08:00:00Z,,2026-12-10T18:00:00Z,open,,
2026-000006,,lighting,mastodon,alumbrado,2026-12-10T09:00:00Z,,2026-12-15T18:00:00Z,open,,
2026-000009,,noise,mastodon,medio-ambiente,2026-12-11T11:30:00Z,,,open,,"
is "--rows: no text, no handle" "$(grep -c -e masto.example -e Vecina out)" 0
printf '{"id":"m:b:1","kind":"mention","created_at":"2026-12-01T09:00:00Z"}\n' > nocase.jsonl
is "--rows: the id hashed when there is no case number" \
    "$(sm-report -f csv --rows nocase.jsonl | sed -n 2p | cut -d, -f1 | grep -c '^id-[0-9a-f]\{16\}$')" 1

run sm-report -c sm.yaml -f md -g classify.topic in.jsonl
is "md: a heading, the commitments, tables" \
    "$(sed -n 1p out; grep -c '^- \*\*' out; grep '^| waste' out | head -1)" \
    "## Messages and answers, 2026-12-01 to 2026-12-11 (Europe/Madrid)
2
| waste | 5 | 50.0% |"
is "md: the alignment row" "$(grep -m1 '^|---' out)" "|---|---:|---:|"
like "md: how it is measured" "$(cat out)" "### How it is measured"

# --- periods, in the calendar's zone --------------------------------------
{ msg m:c:1 2026-11-30T22:30:00Z waste limpieza	# 23:30 Madrid: 30 Nov
  msg m:c:2 2026-11-30T23:30:00Z waste limpieza	# 00:30 Madrid: 1 Dec
  msg m:c:3 2026-12-07T10:00:00Z waste limpieza
} > days.jsonl
is "--by day in Europe/Madrid" \
    "$(sm-report -c sm.yaml -f csv --by day days.jsonl | cut -d, -f1,2 | tr '\n' ' ')" \
    "period,messages 2026-11-30,1 2026-12-01,1 2026-12-07,1 "
is "--by week: ISO weeks" \
    "$(sm-report -c sm.yaml -f csv --by week days.jsonl | cut -d, -f1,2 | tr '\n' ' ')" \
    "period,messages 2026-W49,2 2026-W50,1 "
is "--by month" \
    "$(sm-report -c sm.yaml -f csv --by month days.jsonl | cut -d, -f1,2 | tr '\n' ' ')" \
    "period,messages 2026-11,1 2026-12,2 "
is "--by: a sparkline of the periods" \
    "$(sm-report -c sm.yaml --by day days.jsonl | grep '^Messages per period')" \
    "Messages per period: ███"
is "--since and --until dates, the last day included" \
    "$(sm-report -c sm.yaml -f json --since 2026-12-07 --until 2026-12-09 in.jsonl | jq -c '[.summary.messages, .summary.filtered]')" \
    "[3,7]"
is "--since an age before SM_NOW" \
    "$(sm-report -c sm.yaml -f json --since 2d in.jsonl | jq -c '.summary.messages')" 4
is "-w a filter of report.filters" \
    "$(sm-report -c sm.yaml -f json -w waste in.jsonl | jq -c '[.summary.messages, .summary.cases]')" "[5,4]"
is "-w FIELD=VALUE and FIELD!=VALUE" \
    "$(sm-report -c sm.yaml -f json -w classify.topic=lighting in.jsonl | jq .summary.messages) $(sm-report -c sm.yaml -f json -w 'classify.topic!=waste' in.jsonl | jq .summary.messages)" \
    "3 5"

# --- bad input, bad options, bad configuration ---------------------------
{ head -3 in.jsonl; echo 'not json'; echo '[1]'
  printf '{"id":"m:d:1","kind":"mention"}\n'
  printf '{"id":"m:d:2","kind":"mention","created_at":"2026-13-01"}\n'; } > bad.jsonl
run sm-report -c sm.yaml -f json -r rej.jsonl bad.jsonl
is "bad lines: exit 65, each said with its place" "$rc $(cat err)" \
    "65 sm-report: bad.jsonl:4: invalid JSON at column 3: invalid token near 'not'
sm-report: bad.jsonl:5: expected an object, got an array
sm-report: bad.jsonl:6: a record without created_at
sm-report: bad.jsonl:7: a record whose created_at '2026-13-01' is not an RFC 3339 time"
is "bad lines: the rest counted" "$(jq -c '[.summary.messages, .summary.answered]' out)" "[1,1]"
is "-r: the lines that are not records, as they were" "$(cat rej.jsonl)" "not json
[1]"
run sm-report -c sm.yaml -f xml in.jsonl
is "-f xml: usage, 64" "$rc $(head -1 err)" "64 sm-report: -f xml: expected text, csv, json, md or html"
run sm-report -c sm.yaml --rows in.jsonl
is "--rows without -f csv: 64" "$rc $(head -1 err)" "64 sm-report: --rows goes with -f csv, without --overdue"
run sm-report -c sm.yaml --by year in.jsonl
is "--by year: 64" "$rc $(head -1 err)" "64 sm-report: --by year: expected day, week or month"
run sm-report -c sm.yaml --since yesterday in.jsonl
is "--since yesterday: 64" "$rc $(cat err)" \
    "64 sm-report: --since yesterday: expected a date, a time or an age (7d, 2w, 1m, 1y)"
run sm-report -c sm.yaml -w nofilter in.jsonl
is "-w an unknown filter: 64" "$rc $(cat err)" \
    "64 sm-report: -w nofilter: no filter 'nofilter' in report.filters, and not FIELD=VALUE"
bad() {	# bad DESC YAML EXPECTED
	printf '%s\n' "$2" > bad.yaml
	run sm-report -c bad.yaml in.jsonl
	is "$1" "$rc $(cat err)" "78 $3"
}
bad "an unknown key in report" "report:
  calendr: ayto" "sm-report: bad.yaml:2:12: unknown key 'calendr' in report (a typo of 'calendar'?)"
bad "an unknown calendar" "report:
  calendar: nowhere" "sm-report: bad.yaml:2:13: report.calendar: no calendar 'nowhere' in calendars"
bad "a commitment without within" "report:
  commitments:
    - {name: x, target: 90}" "sm-report: bad.yaml:3:7: report.commitments[0] (name 'x'): a commitment needs a name and within"
bad "a commitment's time that is no time" "report:
  commitments:
    - {name: x, within: soon}" "sm-report: bad.yaml:3:25: report.commitments[0] (name 'x').within: expected N hours, N days, N business hours or N business days"
bad "business hours without a calendar" "report:
  commitments:
    - {name: x, within: 8 business hours}" "sm-report: bad.yaml:3:25: report.commitments[0] (name 'x').within: business time is counted on a calendar: give report.calendar or the commitment's"
bad "a target above 100" "report:
  commitments:
    - {name: x, within: 8 hours, target: 120}" "sm-report: bad.yaml:3:42: report.commitments[0] (name 'x').target: 120 is out of range (0 to 100)"

# --- output ---------------------------------------------------------------
sm-report -c sm.yaml in.jsonl > /dev/full 2> err
is "a full disk: 74" "$? $(cat err)" "74 sm-report: <stdout>: write error: No space left on device"
run sm-report -c sm.yaml -f json -o rep.json in.jsonl
is "-o: the file whole, nothing on stdout" "$rc $(wc -c < out) $(jq -c .summary.cases rep.json)" "0 0 8"
