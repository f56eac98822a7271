#!/bin/sh
# sm-fetch --reset ACCOUNT: an account's cursors and health forgotten,
# after asking on the terminal, or with -f; refused without a terminal
. "${SM_SRC:-.}/tests/lib.sh"
. "$SM_SRC/tests/fetch.sh"

command -v setsid >/dev/null 2>&1 || skip_all "setsid is not installed"
command -v script >/dev/null 2>&1 || skip_all "script is not installed"

plan 17

server_start
config

# status: the account's health and cursors, as JSON
status() {
	sm-fetch --status -a "$1" | jq -c "$2"
}

# on_tty ANSWER CMD...: runs CMD on a terminal of its own, ANSWER typed
# on it; what the terminal showed in $T/tty, the status in $rc
on_tty() {
	a=$1
	shift
	printf '%s\n' "$a" | script -qec "$*" /dev/null > "$T/tty" 2>&1
	rc=$?
}

sm-fetch -a masto -a tg > /dev/null 2>&1
is "two accounts with cursors and a success" \
    "$(status masto '[(.cursors | length > 0), (.ok_at != null)]') $(status tg '.cursors | length > 0')" \
    "[true,true] true"

run setsid -w sm-fetch --reset masto < /dev/null
is "no terminal to ask on, no -f: exit 64" "$rc" 64
is "... said" "$(cat err)" \
    "sm-fetch: --reset: no terminal to ask on; add -f to reset without asking"
is "... and nothing forgotten" "$(status masto '.cursors | length > 0')" true

run sm-fetch --reset nope -f
is "an account that is not configured: exit 64, said" "$rc $(cat err)" \
    "64 sm-fetch: --reset nope: no such account in sm.yaml"

run sm-fetch -f
like "-f without --reset: a usage error" "$rc $(head -1 err)" "^64 usage: sm-fetch"
run sm-fetch --reset masto --status
is "--reset with --status: a usage error" "$rc" 64

on_tty n sm-fetch --reset masto
is "asked on the terminal, answered n: exit 0" "$rc" 0
like "... the question names the cursors" "$(cat "$T/tty")" \
    'sm-fetch: forget the cursors \(mentions\) and the health of account masto\? \[y/N\] '
like "... said so" "$(cat "$T/tty")" "sm-fetch: masto: left as it was"
is "... nothing forgotten" "$(status masto '.cursors | length > 0')" true

on_tty y sm-fetch -v --reset masto
is "answered y: exit 0" "$rc" 0
like "... -v says so" "$(cat "$T/tty")" \
    "sm-fetch: masto: cursors and health forgotten; its next run is a first run"
is "... its cursors and health forgotten, the other account's kept" \
    "$(status masto '[.cursors, .ok_at, .failures]') $(status tg '.cursors | length > 0')" \
    "[{},null,0] true"

# a failing account: -f forgets its failures too
TIMEOUT=1 config
fault 500 500 500 500
sm-fetch -a masto > /dev/null 2>&1
is "a failed run is counted" "$(status masto '.failures')" 1
run sm-fetch --reset masto -f
is "-f: no question, exit 0, nothing said" "$rc $(cat err)" "0 "
is "... the failures forgotten" "$(status masto '[.failures, .failing_since, .problem]')" \
    "[0,null,null]"
