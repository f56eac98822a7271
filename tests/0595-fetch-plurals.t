#!/bin/sh
# sm-fetch says "1 record", "1 run": counts of one in the singular
. "${SM_SRC:-.}/tests/lib.sh"
. "$SM_SRC/tests/fetch.sh"
plan 3

server_start
config
jq '.[:1]' "$T/srv/notifications.json" > n.new && mv n.new "$T/srv/notifications.json"
run sm-fetch -v -a masto -b
like "-v: one record brought, in the singular" "$(cat err)" \
    '^sm-fetch: masto: 1 record; cursor mentions at [0-9]+$'
like "... and one written" "$(cat err)" '^sm-fetch: 1 record written$'

cat >> sm.yaml <<Y
  down:
    platform: mastodon
    url: http://127.0.0.1:1
    token_env: TOKEN
    retries: 0
    backoff: 0.01
    alert_after: 0 hours
Y
SM_NOW=2026-03-01T08:00:00Z run sm-fetch -q -a down
like "failing for longer than alert_after on its first run: since now, 1 run" \
    "$rc $(cat err)" '^69 sm-fetch: down: failing since 2026-03-01T08:00:00Z \(1 run\): '
