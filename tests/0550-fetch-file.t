#!/bin/sh
# sm-fetch, file accounts: JSON lines appended between runs
. "${SM_SRC:-.}/tests/lib.sh"
. "$SM_SRC/tests/fetch.sh"
plan 13

mkdir conf
cat > conf/sm.yaml <<X
state: $T/state.db
accounts:
  inbox:
    platform: file
    path: inbox.jsonl
  hook:
    platform: file
    url: file://$T/hook.jsonl
X
printf '{"id":"web:1","text":"uno"}\n{"text":"dos"}\n' > conf/inbox.jsonl
printf '{"id":"h:1","text":"x"}\n' > hook.jsonl

run sm-fetch -c conf/sm.yaml
is "both files, path relative to the configuration" "$rc $(ids out)" \
    "0 file:inbox:2 h:1 web:1 "
is "missing platform, account and id are filled in" \
    "$(jq -c 'select(.text == "dos") | [.id, .platform, .account, has("fetched_at")]' out)" \
    '["file:inbox:2","file","inbox",true]'
is "fields given are kept, in order" \
    "$(jq -c 'select(.id == "web:1") | keys_unsorted' out)" \
    '["id","text","platform","account","fetched_at"]'

run sm-fetch -c conf/sm.yaml
is "nothing appended: nothing out" "$rc $(cat out)" "0 "

printf '{"id":"web:3","text":"tres"}\nnot json\n[1]\n{"id":"web:6","te' >> conf/inbox.jsonl
run sm-fetch -c conf/sm.yaml -a inbox
is "appended lines: the new records; a line still being written waits" \
    "$(ids out)" "web:3 "
is "bad lines: exit 65" "$rc" 65
is "bad lines: named with file and line" "$(cat err)" \
"sm-fetch: inbox: conf/inbox.jsonl:4: '[' or '{' expected near 'not'
sm-fetch: inbox: conf/inbox.jsonl:5: expected an object"

printf 'xt":"seis"}\n' >> conf/inbox.jsonl
run sm-fetch -c conf/sm.yaml -a inbox
is "the line once finished" "$rc $(ids out)" "0 web:6 "

printf '{"id":"new:1"}\n' > conf/inbox.jsonl
run sm-fetch -c conf/sm.yaml -a inbox -v
is "a file replaced by a shorter one is read from the start" "$(ids out)" "new:1 "
like "... and -v says so" "$(cat err)" "shorter than before"

run sm-fetch -c conf/sm.yaml -a inbox -b
is "--backfill reads it all again" "$(ids out)" "new:1 "

rm hook.jsonl
run sm-fetch -c conf/sm.yaml -a hook
is "a missing file: exit 66" "$rc $(cat err)" \
    "66 sm-fetch: hook: $T/hook.jsonl: No such file or directory"

sed -i "s|^state: .*|state: db/state.db|" conf/sm.yaml
printf '{"id":"new:2"}\n' >> conf/inbox.jsonl
run sm-fetch -c conf/sm.yaml -a inbox
is "state: is relative to the configuration file (a new database)" \
    "$rc $(ids out)$(ls conf/db | tr '\n' ' ')" \
    "0 new:1 new:2 state.db state.db.fetch.lock "
