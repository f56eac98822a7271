#!/bin/sh
# sm-fetch: each account's health kept run after run; --status shows it;
# an account failing for longer than alert_after is no longer "try
# later" and is said even with -q
. "${SM_SRC:-.}/tests/lib.sh"
. "$SM_SRC/tests/fetch.sh"
plan 9

server_start
config
cat >> sm.yaml <<Y
  down:
    platform: mastodon
    url: http://127.0.0.1:1
    token_env: TOKEN
    retries: 0
    backoff: 0.01
Y
SM_NOW=2026-03-01T08:00:00Z run sm-fetch -q -a masto -a down
is "an account down: exit 75, silent with -q" "$rc $(cat err)" "75 "
run sm-fetch --status -a masto -a down
is "--status: JSON lines, one per account" "$rc $(jq -r .account out | tr '\n' ' ')" "0 masto down "
is "... the one that works: when it last did, no failures" \
    "$(jq -c 'select(.account == "masto") | [.ok_at, .failures, .problem]' out)" \
    '["2026-03-01T08:00:00Z",0,null]'
is "... the one down: since when, how many runs, why" \
    "$(jq -c 'select(.account == "down") | [.ok_at, .failing_since, .failures]' out)" \
    '[null,"2026-03-01T08:00:00Z",1]'
like "... why" "$(jq -r 'select(.account == "down") | .problem' out)" "Couldn't connect|onnect"
is "... and where the cursors are" "$(jq -c 'select(.account == "masto") | .cursors | keys' out)" '["mentions"]'
SM_NOW=2026-03-01T20:00:00Z run sm-fetch -q -a down
is "twelve hours later: still try later, still silent" "$rc $(cat err)" "75 "
SM_NOW=2026-03-02T09:00:00Z run sm-fetch -q -a down
is "over a day (alert_after, default 24 hours): exit 69, said even with -q" \
    "$rc $(grep -c 'failing since 2026-03-01T08:00:00Z (3 runs)' err)" "69 1"
sed -i 's/^    url: http:\/\/127.0.0.1:1$/    url: '"$(printf '%s' "$BASE" | sed 's/\//\\\//g')"'/' sm.yaml
SM_NOW=2026-03-02T10:00:00Z sm-fetch -q -a down > /dev/null 2>&1
is "working again: healthy" "$(sm-fetch --status -a down | jq -c '[.ok_at, .failing_since, .failures]')" \
    '["2026-03-02T10:00:00Z",null,0]'
