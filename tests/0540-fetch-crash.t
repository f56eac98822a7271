#!/bin/sh
# sm-fetch: kill -9 in mid-run, dry runs, runs at once, spool files and
# output errors: nothing is lost, cursors move only behind safe output
. "${SM_SRC:-.}/tests/lib.sh"
. "$SM_SRC/tests/fetch.sh"
plan 19

server_start
config

# wait_for PATTERN COUNT: until the server has logged COUNT such requests
wait_for() {
	i=0
	while [ "$(requests "$1")" -lt "$2" ]; do
		i=$((i + 1))
		[ $i -gt 400 ] && { echo "Bail out! no request $1"; exit 1; }
		sleep 0.05
	done
}

# reset: fixtures, a cursor after them, then seven new mentions (three pages)
reset() {
	rm -f "$T/state.db"* "$T/srv/faults"* "$T/srv/requests.log"
	cp "$FIX/mastodon/notifications.json" "$T/srv/"
	sm-fetch -a masto -b > /dev/null 2>&1
	jq '[.[] | .id = (.id | tonumber + 1000 | tostring)
	    | .status.id = (.status.id | sub("^114143"; "114144"))]' \
	    "$FIX/mastodon/notifications.json" > new.json
	jq -s '.[0] + .[1]' new.json "$T/srv/notifications.json" > all.json
	cp all.json "$T/srv/notifications.json"
	: > "$T/srv/requests.log"
}
ALL=$(jq -r '.[].status.id | "mastodon:masto:" + .' new.json 2>/dev/null)
reset
ALL=$(jq -r '.[].status.id | "mastodon:masto:" + .' new.json | sort | tr '\n' ' ')

# kill -9 while the second page is on its way
printf '%s\n' empty "stall 30" > "$T/srv/faults.mastodon"
sm-fetch -a masto > run1.jsonl 2>run1.err &
pid=$!
wait_for 'min_id=' 2
kill -9 $pid
wait $pid 2>/dev/null
is "killed: the first page was out before the cursor moved" "$(jq -r .id run1.jsonl | wc -l)" 3
run sm-fetch -a masto
is "after kill -9: the next run brings the rest, nothing twice" \
    "$rc $(ids run1.jsonl out)" "0 $ALL"

# the same with a spool file: nothing is renamed into place, no cursor moves
reset
mkdir -p spool
printf '%s\n' empty "stall 30" > "$T/srv/faults.mastodon"
sm-fetch -a masto -o spool/new.jsonl 2>run1.err &
pid=$!
wait_for 'min_id=' 2
kill -9 $pid
wait $pid 2>/dev/null
is "killed with -o: no spool file" "$(ls spool | grep -vc tmp)" 0
run sm-fetch -a masto -o spool/new.jsonl
is "the next run's spool has all of them" "$rc $(ids spool/new.jsonl)" "0 $ALL"
run sm-fetch -a masto -o spool/next.jsonl
is "-o moved the cursors: the run after has nothing" "$rc $(cat spool/next.jsonl)" "0 "
rm -f spool/*.tmp.*

# -n: fetches, moves nothing
reset
run sm-fetch -a masto -n
is "dry run: all the new mentions" "$rc $(ids out)" "0 $ALL"
run sm-fetch -a masto -n -v
is "dry run again: the same again" "$(ids out)" "$ALL"
like "dry run: -v says what the cursor would be" "$(cat err)" 'would be .*\(dry run\)'
run sm-fetch -a masto
is "then a real run: the same" "$(ids out)" "$ALL"
run sm-fetch -a masto
is "and then nothing" "$(cat out)" ""

# two runs at once: the second waits, and fetches nothing twice
reset
echo "stall 1" > "$T/srv/faults.mastodon"
sm-fetch -a masto > a.jsonl 2>a.err &
a=$!
wait_for 'min_id=' 1
sm-fetch -a masto > b.jsonl 2>b.err &
b=$!
wait $a
rca=$?
wait $b
rcb=$?
is "two runs at once: both exit 0" "$rca $rcb" "0 0"
is "two runs at once: each message once in all" "$(ids a.jsonl b.jsonl)" "$ALL"
is "... and the second run had nothing to fetch" "$(cat b.jsonl)" ""

# output errors: nothing stored, everything again next time
reset
run sm-fetch -a masto -o /dev/null/x.jsonl
is "-o in a directory that cannot be: exit 73" "$rc" 73
sm-fetch -a masto > /dev/full 2>err
rc=$?
is "stdout is /dev/full: exit 74" "$rc" 74
like "... said" "$(cat err)" '^sm-fetch: <stdout>: write error'
run sm-fetch -a masto
is "after a failed write, the next run has everything" "$rc $(ids out)" "0 $ALL"

reset
sm-fetch -a masto | head -1 > one.jsonl
is "a closed pipe ends quietly" "$(jq -r .id one.jsonl | wc -l)" 1
run sm-fetch -a masto
# what was flushed into the pipe before it closed is the pipe's (DESIGN.md:
# spool for durability); what was not is fetched again
like "after a closed pipe, the next run brings what was not flushed" \
    "$rc $(ids out)" "^0 .*mastodon:masto:114144000000000301 $"
