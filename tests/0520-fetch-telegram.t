#!/bin/sh
# sm-fetch, Telegram: updates, offsets, normalisation, the token kept out
. "${SM_SRC:-.}/tests/lib.sh"
. "$SM_SRC/tests/fetch.sh"
plan 18

server_start
config
run sm-fetch -a tg -v
is "first run: exit 0" "$rc" 0
is "every message but /start, edits included, in order" "$(jq -r .id out | tr '\n' ' ')" \
    "telegram:tg:5123456789:118 telegram:tg:-1001987654321:5521 telegram:tg:5123456789:121 telegram:tg:5123456789:118 telegram:tg:5123456789:122 telegram:tg:318765432:9 "
like "-v says the next offset" "$(cat err)" '^sm-fetch: tg: 6 records; cursor updates at 904512008$'
is "the token never shows" "$(grep -c "$TOKEN" err)" 0
is "the request asks for messages and edits, no long poll" \
    "$(tail -1 "$T/srv/requests.log")" \
    'GET /botTOKEN/getUpdates?timeout=0&limit=100&allowed_updates=%5B%22message%22%2C%22edited_message%22%5D ok'
cp out first.jsonl

f() { jq -c "select(.id == \"telegram:tg:$1\") | $2" first.jsonl | head -1; }
is "a private chat: direct, no url, Unix time to RFC 3339" \
    "$(f 5123456789:118 '[.kind, .url, .created_at, .lang]')" \
    '["direct",null,"2025-03-11T08:01:40Z",null]'
is "author: ids as strings, first and last name" "$(f 5123456789:118 .author)" \
    '{"id":"5123456789","handle":"elenamartin_v","name":"Elena Martín"}'
is "no username: handle null" "$(f 318765432:9 .author)" \
    '{"id":"318765432","handle":null,"name":"Paco"}'
is "a public supergroup: mention, t.me link, negative chat id" \
    "$(f -1001987654321:5521 '[.kind, .url]')" \
    '["mention","https://t.me/vecinosvillanueva/5521"]'
is "a reply to the bot: in_reply_to" "$(f 5123456789:121 .thread)" \
    '{"in_reply_to":"telegram:tg:5123456789:120","root":null}'
is "an edit: same id, edited_at, the new text" \
    "$(jq -c 'select(.edited_at) | [.id, .edited_at, .text]' first.jsonl)" \
    '["telegram:tg:5123456789:118","2025-03-11T08:07:30Z","Llevan 5 días sin recoger la basura en la calle Real 😡"]'
is "a photo: its caption is the text" "$(f 5123456789:122 .text)" '"Así está el contenedor"'

run sm-fetch -a tg
is "a second run: nothing new" "$(cat out)" ""
like "... it confirmed the first batch with the next offset" \
    "$(tail -1 "$T/srv/requests.log")" '&offset=904512008 ok$'

later
run sm-fetch -a tg
is "incremental: only the new message" "$(jq -r .id out)" "telegram:tg:318765432:10"

TOKEN=wrong-token run sm-fetch -a tg
is "a rejected token: exit 77" "$rc $(cat err)" "77 sm-fetch: tg: HTTP 401 (Unauthorized)"

echo tg-webhook > "$T/srv/faults.telegram"
run sm-fetch -a tg
is "a webhook set on the bot: exit 78, said what to do" "$rc $(cat err)" \
    "78 sm-fetch: tg: a webhook is set on this bot, so its updates cannot be fetched: delete it (deleteWebhook) or fetch them through it (HTTP 409)"
echo tg-poller > "$T/srv/faults.telegram"
run sm-fetch -a tg
is "another poller: exit 75, try later" "$rc $(grep -c 'another program is fetching' err)" "75 1"
