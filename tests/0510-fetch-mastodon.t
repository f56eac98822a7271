#!/bin/sh
# sm-fetch, Mastodon over HTTPS with a test CA: first sync, pagination,
# incremental runs, normalisation, what is sent
. "${SM_SRC:-.}/tests/lib.sh"
. "$SM_SRC/tests/fetch.sh"
plan 34

server_start tls
config
run sm-fetch -a masto
is "without ca_file the test CA is not trusted: exit 69" "$rc" 69
like "... and the TLS failure is said" "$(cat err)" '^sm-fetch: masto: .*(certificate|SSL)'
is "... and nothing is fetched" "$(requests notifications)" 0

CA_LINE="ca_file: $T/tls/ca.pem"
config
run sm-fetch -a masto
is "first run: exit 0" "$rc" 0
is "first run: only the newest page, newest first" "$(jq -r .id out | tr '\n' ' ')" \
    "mastodon:masto:114143000000000301 mastodon:masto:114143000000000260 mastodon:masto:114143000000000233 "
is "first run: nothing on stderr" "$(cat err)" ""

rm -f "$T/state.db"*
: > "$T/srv/requests.log"
run sm-fetch -b -a masto
is "--backfill: exit 0" "$rc" 0
is "--backfill: every mention, across pages" "$(jq -r .id out | wc -l)" 7
is "--backfill: one request per page, the last one empty" \
    "$(requests 'notifications?')" 4
is "--backfill: pages asked with max_id and the same filters" \
    "$(grep -c 'types%5B%5D=mention&include_filtered=true&limit=3&max_id=' "$T/srv/requests.log")" 3
is "every request carried the token" "$(requests ' bad$')" 0
cp out first.jsonl

run sm-fetch -a masto
is "a run with nothing new: no records" "$(cat out)" ""
like "... asks from the cursor with min_id" "$(tail -1 "$T/srv/requests.log")" \
    'min_id=2489301 ok$'

later
run sm-fetch -a masto -v
is "incremental: only the new mentions, oldest first" "$(jq -r .id out | tr '\n' ' ')" \
    "mastodon:masto:114143000000000350 mastodon:masto:114143000000000377 "
like "-v says where the cursor is" "$(cat err)" '^sm-fetch: masto: 2 records; cursor mentions at 2489377$'
run sm-fetch -a masto
is "and then nothing again" "$(cat out)" ""

# normalisation, on the backfilled records
f() { jq -c "select(.id == \"mastodon:masto:$1\") | $2" first.jsonl; }
is "the record's fields, in order" "$(f 114143000000000101 'keys_unsorted')" \
    '["id","platform","account","kind","created_at","fetched_at","author","text","lang","url","thread"]'
is "HTML to text, entities decoded, paragraphs" "$(f 114143000000000101 .text)" \
    '"@aytovillanueva La basura de la calle Real lleva 4 días sin recoger & huele fatal.\n\n¿Cuándo pasa el camión? #basura"'
is "milliseconds dropped, UTC" "$(f 114143000000000101 .created_at)" '"2025-03-11T07:58:02Z"'
is "a local author's handle gets our domain" "$(f 114143000000000101 .author)" \
    '{"id":"110000000000000001","handle":"carmen_ruiz@mastodon.example","name":"Carmen Ruiz 🌻"}'
is "visibility direct: kind direct, url falls back to uri" \
    "$(f 114143000000000143 '[.kind, .url, .author.handle]')" \
    '["direct","https://masto.es/users/lucia_m/statuses/114143000000000143","lucia_m@masto.es"]'
is "a reply to our post: kind reply, in_reply_to" \
    "$(f 114143000000000170 '[.kind, .thread, .text]')" \
    '["reply",{"in_reply_to":"mastodon:masto:114142000000000001","root":null},"@aytovillanueva Gracias por el aviso del corte de agua.\n¿Hasta qué hora dura?"]'
is "the content warning comes first" "$(f 114143000000000202 .text)" \
    '"Queja autobús\n\nEl bus de las 8 no ha pasado otra vez >:( @aytovillanueva"'
is "an empty display name: the username" "$(f 114143000000000233 '[.author.name, .text]')" \
    '["vecino_anonimo","La farola de la plaza está fundida <3 @aytovillanueva"]'
is "language null, a shortened link as its full URL" "$(f 114143000000000260 '[.lang, .text]')" \
    '[null,"Gana 500€ con este enlace https://spam.example/x"]'

run sm-fetch -a masto -b --native
is "--native keeps the notification" "$(jq -r 'select(.id == "mastodon:masto:114143000000000101") | .native.group_key' out)" \
    "ungrouped-2489101"

EXTRA="max_body: 1024"
config
run sm-fetch -a masto -b
is "a response larger than max_body: exit 69" "$rc $(cat err)" \
    "69 sm-fetch: masto: response larger than 1024 bytes"
EXTRA=
config

rm -f "$T/state.db"*
: > "$T/srv/requests.log"
run sm-fetch -a masto -s 2025-03-11T08:30:00Z -v
is "--since: back to that time and no further" "$rc $(ids out)" \
    "0 mastodon:masto:114143000000000233 mastodon:masto:114143000000000260 mastodon:masto:114143000000000301 mastodon:masto:114143000000000350 mastodon:masto:114143000000000377 "
is "... the walk stopped at the page that went past it" "$(requests 'notifications?')" 2
run sm-fetch -a masto -v
is "... and the cursor is where it would be after a full walk" \
    "$rc $(cat out)$(grep masto: err)" "0 sm-fetch: masto: 0 records; cursor mentions at 2489377 (unchanged)"

rm -f "$T/state.db"*
run sm-fetch -a masto -b --own
is "--own: our own statuses too, as kind own" \
    "$rc $(jq -c 'select(.kind == "own") | [.id, .thread.in_reply_to, .author.handle, .text]' out)" \
    '0 ["mastodon:masto:114143000000000180","mastodon:masto:114143000000000170","aytovillanueva@mastodon.example","@jlopez Hasta las 13:00."]
["mastodon:masto:114143000000000120","mastodon:masto:114143000000000101","aytovillanueva@mastodon.example","@carmen_ruiz Gracias, Carmen. Avisamos ahora al servicio de recogida."]
["mastodon:masto:114142000000000001",null,"aytovillanueva@mastodon.example","Aviso: mañana corte de agua en el centro de 9:00 a 13:00."]'
is "... read from the account's statuses, without boosts, page by page" \
    "$(requests '^GET /api/v1/accounts/109834512309887001/statuses?exclude_reblogs=true&limit=3&max_id=114142000000000001 ok$')" 1
jq '[{"id":"114143000000000400","created_at":"2025-03-11T09:30:00.000Z","in_reply_to_id":"114143000000000350","visibility":"public","language":"es","url":"https://mastodon.example/@aytovillanueva/114143000000000400","content":"<p>Lo miramos hoy.</p>","account":.[0].account}] + .' \
    "$T/srv/statuses.json" > st.json && mv st.json "$T/srv/statuses.json"
run sm-fetch -a masto --own
is "--own, incremental: only our new status" "$rc $(jq -c '[.id, .kind, .thread.in_reply_to]' out)" \
    '0 ["mastodon:masto:114143000000000400","own","mastodon:masto:114143000000000350"]'

rm -f "$T/state.db"*
echo 401 > "$T/srv/faults.mastodon"
sm-fetch -v -v -a masto -b > out 2> err
sm-fetch -v -v -a masto -b --native >> out 2>> err
is "the token shows nowhere, not with -v, not on errors" "$(cat out err | grep -c "$TOKEN")" 0
