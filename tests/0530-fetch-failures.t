#!/bin/sh
# sm-fetch: after each failure the fake server can inject, and a clean run
# after it, every new message has come out exactly once; the others
# accounts are still fetched; exit codes
. "${SM_SRC:-.}/tests/lib.sh"
. "$SM_SRC/tests/fetch.sh"
plan 44

server_start
config
NEW="mastodon:masto:114143000000000350 mastodon:masto:114143000000000377 "

# scenario FAULT...: the server back to its fixtures, a cursor after them,
# two new mentions; a run with the faults, then a clean run
scenario() {
	rm -f "$T/state.db"* "$T/srv/faults"*
	cp "$FIX/mastodon/notifications.json" "$FIX/telegram/updates.json" "$T/srv/"
	sm-fetch -a masto -b > /dev/null 2>&1
	later
	printf '%s\n' "$@" > "$T/srv/faults.mastodon"
	run sm-fetch -a masto
	rc1=$rc
	err1=$(cat err)
	cp out out1
	run sm-fetch -a masto
	rc2=$rc
	both=$(ids out1 out)
}

# check NAME EXIT1 [STDERR PATTERN]
check() {
	is "$1: first run exits $2" "$rc1" "$2"
	if [ -n "$3" ]; then
		like "$1: says why" "$err1" "$3"
	fi
	is "$1: then everything, each once" "$rc2 $both" "0 $NEW"
}

scenario "429-after 1"
check "429 with Retry-After: 1 (waited)" 0
scenario "429-reset 1"
check "429 with X-RateLimit-Reset (waited)" 0
scenario 429
check "429 with neither (backoff)" 0
scenario "429-after 3600"
check "429 asking for an hour" 75 \
    '^sm-fetch: masto: rate limited \(HTTP 429\), asked to wait 3600 s; try later$'
scenario "429-reset 3600"
check "429 with a reset in an hour" 75 'rate limited'
scenario 500
check "one 500 (retried)" 0
scenario 500 500 500 500
check "500 four times" 75 '^sm-fetch: masto: HTTP 500 \(after 4 tries\); try later$'
TIMEOUT=1; config
scenario "stall 3"
check "a stalled answer (timed out, retried)" 0
TIMEOUT=; config
scenario reset
check "a reset connection (retried)" 0
scenario truncate
check "a truncated body (retried)" 0
scenario badjson
check "invalid JSON" 75 '^sm-fetch: masto: invalid JSON in the response: .*; try later$'
scenario 401
check "an expired token" 77 '^sm-fetch: masto: HTTP 401 \(The access token is invalid\)$'

# one account left behind, the other fetched
rm -f "$T/state.db"* "$T/srv/faults"*
cp "$FIX/mastodon/notifications.json" "$FIX/telegram/updates.json" "$T/srv/"
echo "429-after 3600" > "$T/srv/faults.telegram"
run sm-fetch -b
is "one account rate limited: exit 75" "$rc" 75
is "... the other one fetched all the same" "$(jq -r .account out | sort | uniq -c | tr -s ' ')" " 7 masto"
like "... and the one left behind is named" "$(cat err)" '^sm-fetch: tg: rate limited'

# accounts are fetched at once: a slow one does not hold the other up
rm -f "$T/state.db"* "$T/srv/faults"*
cp "$FIX/mastodon/notifications.json" "$FIX/telegram/updates.json" "$T/srv/"
echo "stall 2" > "$T/srv/faults.mastodon"
run sm-fetch -b
is "a slow account: the other one's records come out first" \
    "$rc $(jq -r .account out | uniq | tr '\n' ' ')" "0 tg masto "

# -q leaves out what is only "try later"
echo "429-after 3600" > "$T/srv/faults.telegram"
run sm-fetch -q -a tg
is "-q: exit 75, silently" "$rc:$(cat err)" "75:"

# a server that is not there
PORT_GONE=$(cat "$T/port")
server_stop
config
run sm-fetch -a masto
is "no server: exit 75" "$rc" 75
like "... said with the account" "$(cat err)" '^sm-fetch: masto: .*after 4 tries.*try later$'

# Telegram says how long in the body of its 429
rm -f "$T/srv/faults"* "$T/state.db"*
server_start
config
echo "429-telegram 1" > "$T/srv/faults.telegram"
run sm-fetch -a tg
is "Telegram's retry_after of 1 s is waited out" "$rc $(jq -r .id out | wc -l)" "0 6"
later
echo "429-telegram 3600" > "$T/srv/faults.telegram"
run sm-fetch -a tg
is "Telegram's retry_after of an hour: exit 75" "$rc $(cat err)" \
    "75 sm-fetch: tg: rate limited (HTTP 429), asked to wait 3600 s; try later"
run sm-fetch -a tg
is "... and the next run has the message" "$rc $(ids out)" "0 telegram:tg:318765432:10 "

# a rate limit used up: the page is taken, the next request waits or not
scenario "exhausted 1"
check "a rate limit used up for a second (waited)" 0
rm -f "$T/state.db"* "$T/srv/faults"*
cp "$FIX/mastodon/notifications.json" "$T/srv/"
echo "exhausted 3600" > "$T/srv/faults.mastodon"
run sm-fetch -a masto -b
is "a rate limit used up for an hour: the page is out, then exit 75" \
    "$rc $(jq -r .id out | wc -l)" "75 3"
# (the reset is an hour from when the server answered: a second may have gone by)
like "... said" "$(cat err)" '^sm-fetch: masto: rate limit used up for 3[56][0-9][0-9] s; try later$'
run sm-fetch -a masto -b
is "... and the next run has them all" "$rc $(jq -r .id out | wc -l)" "0 7"
