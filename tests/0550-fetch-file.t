#!/bin/sh
# sm-fetch, file accounts: JSON lines appended between runs
. "${SM_SRC:-.}/tests/lib.sh"
. "$SM_SRC/tests/fetch.sh"
plan 19

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
    "0 file:inbox:40a8c2d1a57e1978 h:1 web:1 "
is "missing platform, account and id are filled in" \
    "$(jq -c 'select(.text == "dos") | [.id, .platform, .account, has("fetched_at")]' out)" \
    '["file:inbox:40a8c2d1a57e1978","file","inbox",true]'
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

# log rotation: moved away and a new file made (logrotate's default)
printf '{"id":"r:1"}\n{"id":"r:2"}\n' >> conf/inbox.jsonl
sm-fetch -c conf/sm.yaml -a inbox > /dev/null
mv conf/inbox.jsonl conf/inbox.jsonl.1
printf '{"id":"r:3","text":"una linea bastante mas larga que las de antes"}\n{"text":"sin id"}\n' > conf/inbox.jsonl
run sm-fetch -c conf/sm.yaml -a inbox -v
is "a rotated file (moved away, a new one made) is read from its start" \
    "$rc $(ids out)" "0 file:inbox:$(printf '{"text":"sin id"}\n' | python3 -c 'import sys
h = 0xcbf29ce484222325
for b in sys.stdin.buffer.read():
    h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
print("%016x" % h)') r:3 "
like "... and -v says so" "$(cat err)" "not the file read before \(rotated or replaced\)"
# copytruncate: the same file emptied, then written again past the cursor
size=$(wc -c < conf/inbox.jsonl)
: > conf/inbox.jsonl
{ printf '{"id":"c:1","text":"%s"}\n' "$(printf 'x%.0s' $(seq 1 200))"; printf '{"id":"c:2"}\n'; } >> conf/inbox.jsonl
run sm-fetch -c conf/sm.yaml -a inbox
is "a file emptied and written again past the cursor is read from its start" \
    "$rc $(ids out)" "0 c:1 c:2 "
run sm-fetch -c conf/sm.yaml -a inbox
is "... and then only what is new" "$rc $(ids out)" "0 "
printf '{"text":"otra sin id"}\n' >> conf/inbox.jsonl
first=$(sm-fetch -c conf/sm.yaml -a inbox | jq -r .id)
is "a line without id: the same line, the same id, run after run" \
    "$(sm-fetch -c conf/sm.yaml -a inbox -b | jq -r 'select(.text == "otra sin id") | .id')" \
    "$first"

# control characters never reach a record's text: line breaks and tabs stay
printf '%s\n' '{"id":"ctl:1","subject":"a\u001bb","text":"\u0007bell\r\nnext\u0085end\tok\u007f"}' >> conf/inbox.jsonl
is "no control characters in text and subject but newline and tab" \
    "$(sm-fetch -c conf/sm.yaml -a inbox | jq -c 'select(.id == "ctl:1") | [.subject, .text]')" \
    '["ab","bell\nnextend\tok"]'
