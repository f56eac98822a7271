#!/bin/sh
# sm-fetch, X (API v2): mentions and recent search, since_id and page
# tokens, authors, unescaped text, expanded links, rate limits, failures
. "${SM_SRC:-.}/tests/lib.sh"
. "$SM_SRC/tests/fetch.sh"
plan 51

XF=$FIX/x
P=x:xa

x_reset() {
	cp "$XF/me.json" "$T/srv/x-me.json"
	cp "$XF/users.json" "$T/srv/x-users.json"
	cp "$XF/mentions.json" "$T/srv/x-mentions.json"
	cp "$XF/search-farola.json" "$T/srv/x-search-farola.json"
}

# x_later: two more mentions arrive
x_later() {
	jq -s '.[0] + .[1]' "$XF/mentions-later.json" \
	    "$T/srv/x-mentions.json" > "$T/srv/m.new" &&
	    mv "$T/srv/m.new" "$T/srv/x-mentions.json"
}

x_config() {
	{
	echo "state: $T/state.db"
	echo "accounts:"
	echo "  xa:"
	echo "    platform: x"
	echo "    url: $BASE"
	echo "    user_id: '1456789012345678901'"
	echo "    token_env: TOKEN"
	echo "    limit: 5"
	echo "    backoff: 0.01"
	[ -n "$EXTRA" ] && echo "    $EXTRA"
	} > sm.yaml
}

server_start
x_reset
x_config
run sm-fetch -a xa -v
is "first run: exit 0" "$rc" 0
is "first run: the newest page only, newest first" "$(jq -r .id out | tr '\n' ' ')" \
    "$P:1899400000000000006 $P:1899390000000000005 $P:1899384674842603860 $P:1899370000000000003 $P:1899365000000000002 "
like "-v: the cursor is the newest id" "$(cat err)" \
    '^sm-fetch: xa: 5 records; cursor mentions at 1899400000000000006$'
is "... asked with the bearer token, the fields and the author expansion" \
    "$(tail -1 "$T/srv/requests.log")" \
    'GET /2/users/1456789012345678901/mentions?max_results=5&tweet.fields=created_at%2Cauthor_id%2Cconversation_id%2Cin_reply_to_user_id%2Creferenced_tweets%2Clang%2Centities%2Cnote_tweet&expansions=author_id&user.fields=username%2Cname ok'

run sm-fetch -a xa
is "a run with nothing new: no records (no data key in the answer)" "$rc $(cat out)" "0 "
like "... asked since the cursor" "$(tail -1 "$T/srv/requests.log")" \
    '&since_id=1899400000000000006 ok$'

rm -f "$T/state.db"*
: > "$T/srv/requests.log"
run sm-fetch -a xa -b
is "--backfill: every mention, across pages" "$rc $(jq -r .id out | wc -l)" "0 6"
is "... the second page by its pagination_token" \
    "$(requests '&pagination_token=tok-5 ok$') $(requests 'mentions?')" "1 2"
cp out first.jsonl

x_later
: > "$T/srv/requests.log"
run sm-fetch -a xa -v
is "incremental: only the new ones" "$rc $(jq -r .id out | tr '\n' ' ')" \
    "0 $P:1899420000000000008 $P:1899410000000000007 "
like "... the cursor moved" "$(cat err)" 'cursor mentions at 1899420000000000008$'
is "... one request" "$(requests 'mentions?.*since_id=1899400000000000006 ok$')" 1
run sm-fetch -a xa
is "and then nothing again" "$rc $(cat out)" "0 "

# normalisation, on the backfilled records
f() { jq -c "select(.id == \"$P:$1\") | $2" first.jsonl; }
is "the record's fields, in order" "$(f 1899360000000000001 keys_unsorted)" \
    '["id","platform","account","kind","created_at","fetched_at","author","text","lang","url","thread"]'
is "&gt; unescaped, a t.co link expanded (with its & kept)" \
    "$(f 1899360000000000001 .text)" \
    '"@AytoVillanueva 4 días sin recoger la basura en la calle Real 😡 >:( foto: https://villanueva.example/fotos/basura?calle=real&dia=4 #basura"'
is "author from includes.users; url; milliseconds dropped" \
    "$(f 1899360000000000001 '[.author, .url, .created_at, .kind]')" \
    '[{"id":"1122334455","handle":"carmen_ruiz","name":"Carmen Ruiz 🌻"},"https://x.com/carmen_ruiz/status/1899360000000000001","2025-03-11T07:58:02Z","mention"]'
is "a reply to us: kind reply; in_reply_to and the conversation's root" \
    "$(f 1899384674842603860 '[.kind, .thread]')" \
    '["reply",{"in_reply_to":"x:xa:1899007313312072373","root":"x:xa:1899007313312072373"}]'
is "a reply to someone else that names us: a mention, in its thread" \
    "$(f 1899370000000000003 '[.kind, .thread]')" \
    '["mention",{"in_reply_to":"x:xa:1899360000000000001","root":"x:xa:1899360000000000001"}]'
is "a quote: a mention answering the tweet quoted; &amp; and &lt; unescaped" \
    "$(f 1899365000000000002 '[.kind, .thread.in_reply_to, .text]')" \
    '["mention","x:xa:1899007313312072373","Buena noticia para el barrio & los peques <3 https://x.com/AytoVillanueva/status/1899007313312072373"]'
is "lang und: null; an author not in includes: no handle, an i/web url" \
    "$(f 1899390000000000005 '[.lang, .author, .url]')" \
    '[null,{"id":"9999999999","handle":null,"name":null},"https://x.com/i/web/status/1899390000000000005"]'
is "an empty name: the username; a long post: note_tweet's whole text, its link expanded" \
    "$(f 1899400000000000006 '[.author.name, (.text | length), (.text | endswith("detalles en https://villanueva.example/propuestas/alameda"))]')" \
    '["vecina_anon",386,true]'

run sm-fetch -a xa -b --native
is "--native keeps the tweet" \
    "$(jq -r "select(.id == \"$P:1899360000000000001\") | .native.entities.urls[0].url" out)" \
    https://t.co/AbC123xyz

EXTRA="search: ['farola']"
x_config
rm -f "$T/state.db"*
: > "$T/srv/requests.log"
run sm-fetch -a xa -v
is "search: recent search, as kind search, without our own tweets" \
    "$rc $(jq -c 'select(.kind == "search") | .id' out | tr '\n' ' ')" \
    "0 \"$P:1899350000000000012\" \"$P:1899340000000000011\" "
is "... asked by query, with at least 10 results a page" \
    "$(requests '^GET /2/tweets/search/recent?query=farola&max_results=10&tweet.fields=.* ok$')" 1
like "... with its own cursor" "$(cat err)" 'cursor search:farola at 1899380000000000013'
run sm-fetch -a xa
is "... a cursor older than a week is not sent (X would refuse it): read back to it" \
    "$rc $(cat out)$(tail -2 "$T/srv/requests.log" | grep -c 'search.*since_id')" "0 0"
# a tweet of a minute ago: its id says when it was made
NOW_ID=$($PYTHON -c 'import time; print(((int(time.time() * 1000) - 60000 - 1288834974657) << 22) + 7)')
jq --arg id "$NOW_ID" '[{"id": $id, "text": "Farola apagada en la plaza", "author_id": "98765432", "created_at": "2025-03-11T11:00:00.000Z", "lang": "es", "conversation_id": $id}] + .' \
    "$T/srv/x-search-farola.json" > s.new && mv s.new "$T/srv/x-search-farola.json"
run sm-fetch -a xa
is "... a new hit" "$rc $(jq -r .id out)" "0 $P:$NOW_ID"
run sm-fetch -a xa
like "... and a recent cursor is sent as since_id" \
    "$rc $(cat out) $(tail -2 "$T/srv/requests.log" | grep search)" \
    "^0  .*query=farola&.*&since_id=$NOW_ID ok\$"
EXTRA=
x_config

# rate limits in x-rate-limit-* headers, failures, then a clean run
NEW="$P:1899410000000000007 $P:1899420000000000008 "
scenario() {
	rm -f "$T/state.db"* "$T/srv/faults"*
	x_reset
	sm-fetch -a xa -b > /dev/null 2>&1
	x_later
	printf '%s\n' "$1" > "$T/srv/faults.x"
	run sm-fetch -a xa
	rc1=$rc
	err1=$(cat err)
	cp out out1
	run sm-fetch -a xa
	is "$1: first run exits $2, then everything, each once" \
	    "$rc1 $rc $(ids out1 out)" "$2 0 $NEW"
}
scenario "429-x 1" 0
scenario "429-x 3600" 75
like "... said" "$err1" '^sm-fetch: xa: rate limited \(HTTP 429\), asked to wait (359[0-9]|360[0-9]) s; try later$'
scenario 500 0
scenario badjson 75
scenario 401 77

rm -f "$T/state.db"* "$T/srv/faults"*
x_reset
echo "exhausted-x 3600" > "$T/srv/faults.x"
run sm-fetch -a xa -b
is "a rate limit used up for an hour: the page is out, then exit 75" \
    "$rc $(jq -r .id out | wc -l)" "75 5"
like "... said" "$(cat err)" '^sm-fetch: xa: rate limit used up for (359[0-9]|360[0-9]) s; try later$'
run sm-fetch -a xa -b
is "... and the next run has them all" "$rc $(jq -r .id out | wc -l)" "0 6"

run env TOKEN=wrong-token sm-fetch -a xa
is "a token X refuses: exit 77, its problem title" "$rc $(cat err)" \
    "77 sm-fetch: xa: HTTP 401 (Unauthorized)"

rm -f "$T/state.db"*
run sm-fetch -a xa -s 2025-03-11T08:00:00Z
is "--since without a cursor: back to that time across pages, and no further" \
    "$rc $(jq -r .id out | wc -l)" "0 5"
run sm-fetch -a xa -s 2025-03-11T08:00:00Z
is "... then from the cursor: nothing again" "$rc $(cat out)" "0 "

rm -f "$T/state.db"*
sm-fetch -v -v -a xa -b > out 2> err
is "the token shows nowhere" "$(cat out err | grep -c "$TOKEN")" 0

printf 'accounts:\n  xa:\n    platform: x\n    token_env: TOKEN\n    user_id: 12ab\n' > sm.yaml
run sm-fetch -a xa
is "a user_id that is no number: exit 78" "$rc $(cat err)" \
    "78 sm-fetch: sm.yaml:5:14: accounts.xa: user_id: must be the account's numeric id, quoted as a string"

# --own: the account's own tweets and replies
rm -f "$T/state.db"* "$T/srv/faults"*
x_reset
cp "$XF/tweets.json" "$T/srv/x-tweets.json"
x_config
: > "$T/srv/requests.log"
run sm-fetch -a xa -b
is "without --own: no kind own, and the account's tweets are not asked for" \
    "$rc $(grep -c '"kind":"own"' out) $(requests '/tweets?')" "0 0 0"
rm -f "$T/state.db"*
: > "$T/srv/requests.log"
run sm-fetch -a xa -b --own -v
is "--own: our tweets and replies as kind own, without retweets" \
    "$rc $(jq -c 'select(.kind == "own") | [.id, .thread.in_reply_to, .thread.root]' out)" \
    "0 [\"$P:1899395000000000020\",\"$P:1899384674842603860\",\"$P:1899007313312072373\"]
[\"$P:1899380000000000018\",\"$P:1899360000000000001\",\"$P:1899360000000000001\"]
[\"$P:1899007313312072373\",null,null]"
is "... a reply's in_reply_to is the id the mentions stream gives the citizen's tweet" \
    "$(jq -r 'select(.kind == "own") | .thread.in_reply_to // empty' out | sort)" \
    "$(jq -r 'select(.kind != "own") | .id' out | grep -e 1899384674842603860 -e 1899360000000000001 | sort)"
is "... asked with the bearer token, without retweets, with the fields" \
    "$(grep '/tweets?' "$T/srv/requests.log")" \
    'GET /2/users/1456789012345678901/tweets?exclude=retweets&max_results=5&tweet.fields=created_at%2Cauthor_id%2Cconversation_id%2Cin_reply_to_user_id%2Creferenced_tweets%2Clang%2Centities%2Cnote_tweet&expansions=author_id&user.fields=username%2Cname ok'
like "... with its own cursor" "$(cat err)" 'cursor own at 1899395000000000020'
is "... normalised as the mentions: &amp; and &lt; unescaped, t.co expanded, our handle" \
    "$(jq -c 'select(.kind == "own") | [.author.handle, .text, .url]' out | head -2)" \
    '["AytoVillanueva","@daniRG Gracias, Dani. Lo pasamos a alumbrado & mantenimiento: https://villanueva.example/alumbrado?aviso=2025-0398&estado=abierto","https://x.com/AytoVillanueva/status/1899395000000000020"]
["AytoVillanueva","@carmen_ruiz Avisado el servicio de recogida, Carmen <3","https://x.com/AytoVillanueva/status/1899380000000000018"]'
cp out own1.jsonl

x_later
jq -s '.[0] + .[1]' "$XF/tweets-later.json" "$T/srv/x-tweets.json" \
    > t.new && mv t.new "$T/srv/x-tweets.json"
: > "$T/srv/requests.log"
run sm-fetch -a xa --own
is "--own, incremental: only our new reply, pointing at the new mention" \
    "$rc $(jq -c 'select(.kind == "own") | [.id, .thread.in_reply_to]' out) $(jq -r 'select(.kind == "reply") | .id' out)" \
    "0 [\"$P:1899425000000000021\",\"$P:1899420000000000008\"] $P:1899420000000000008"
is "... asked since the cursor" \
    "$(requests '/tweets?.*&since_id=1899395000000000020 ok$')" 1
cp out own2.jsonl
run sm-fetch -a xa --own
is "... then nothing again" "$rc $(cat out)" "0 "
is "... and no record twice across the runs" \
    "$(cat own1.jsonl own2.jsonl out | jq -r .id | sort | uniq -d)" ""
