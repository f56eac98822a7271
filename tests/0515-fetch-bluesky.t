#!/bin/sh
# sm-fetch, Bluesky: the session kept and refreshed, notifications walked
# back to the mark, search, normalisation, failures
. "${SM_SRC:-.}/tests/lib.sh"
. "$SM_SRC/tests/fetch.sh"
plan 62

B=$FIX/bluesky
P=bluesky:sky:at://did:plc

# bsky_reset: the server's Bluesky data back to the fixtures
bsky_reset() {
	cp "$B/me.json" "$T/srv/bsky-me.json"
	cp "$B/notifications.json" "$T/srv/bsky-notifications.json"
	cp "$B/search-farola.json" "$T/srv/bsky-search-farola.json"
}

# bsky_later: two more notifications arrive
bsky_later() {
	jq -s '.[0] + .[1]' "$B/notifications-later.json" \
	    "$T/srv/bsky-notifications.json" > "$T/srv/n.new" &&
	    mv "$T/srv/n.new" "$T/srv/bsky-notifications.json"
}

bsky_config() {
	{
	echo "state: $T/state.db"
	echo "accounts:"
	echo "  sky:"
	echo "    platform: bluesky"
	echo "    url: $BASE"
	echo "    handle: ${HANDLE:-aytovillanueva.bsky.example}"
	echo "    token_env: TOKEN"
	echo "    limit: 3"
	echo "    backoff: 0.01"
	[ -n "$EXTRA" ] && echo "    $EXTRA"
	} > sm.yaml
}

# logins, refreshes: as the server counted them
logins() { jq .logins "$T/srv/bsky-state.json"; }
refreshes() { jq .refreshes "$T/srv/bsky-state.json"; }

server_start
bsky_reset
bsky_config
run sm-fetch -a sky -v
is "first run: exit 0" "$rc" 0
is "first run: logged in once, with the handle and the app password" \
    "$(logins) $(requests '^POST /xrpc/com.atproto.server.createSession ok$')" "1 1"
is "first run: the newest page only, newest first" "$(jq -r .id out | tr '\n' ' ')" \
    "$P:martagil0000000000001/app.bsky.feed.post/3lk3rlaczjnew $P:raulvillanueva000000001/app.bsky.feed.post/3lk3m53pfmvv7 $P:felipe19520000000000001/app.bsky.feed.post/3lk3jpgjrwufw "
like "-v: logged in, and the mark" "$(cat err)" \
    'sky: logged in as did:plc:aytovillanuevaprado01$'
like "... the mark is the newest instant and what was seen then" "$(cat err)" \
    '^sm-fetch: sky: 3 records; cursor mentions at 2025-03-11T09:40:52.113Z at://did:plc:martagil0000000000001/app.bsky.feed.post/3lk3rlaczjnew$'
is "... asked for mentions, replies and quotes" \
    "$(requests '^GET /xrpc/app.bsky.notification.listNotifications?reasons=mention&reasons=reply&reasons=quote&limit=3 ok$')" 1

is "the state database, holding the session, is readable by its owner only" \
    "$(stat -c %a "$T/state.db")" 600
run sm-fetch -a sky
is "a run with nothing new: no records, no login: the session was kept" \
    "$rc $(cat out) $(logins)" "0  1"

: > "$T/srv/requests.log"
run sm-fetch -a sky -b
is "--backfill: every mention, reply and quote, across pages" \
    "$rc $(jq -r .id out | wc -l)" "0 6"
is "... one request per page, following the cursor" \
    "$(requests 'listNotifications?') $(requests '&cursor=2025-03-1')" "3 2"
is "... likes and follows left out" "$(grep -c -e feed.like -e graph.follow out)" 0
cp out first.jsonl

bsky_later
: > "$T/srv/requests.log"
run sm-fetch -a sky -v
is "incremental: only the new ones, one at the same instant as the mark" \
    "$rc $(jq -r .id out | tr '\n' ' ')" \
    "0 $P:raulvillanueva000000001/app.bsky.feed.post/3lk4later0002 $P:luisperez00000000000001/app.bsky.feed.post/3lk4later0001 "
is "... stopped at the mark: the page past it not asked for" \
    "$(requests 'listNotifications?')" 2
like "... the mark moved" "$(cat err)" \
    'cursor mentions at 2025-03-11T10:05:01.000Z at://did:plc:raulvillanueva000000001/app.bsky.feed.post/3lk4later0002$'
run sm-fetch -a sky
is "and then nothing again" "$rc $(cat out)" "0 "

# normalisation, on the backfilled records
f() { jq -c "select(.id == \"$P:$1\") | $2" first.jsonl; }
is "the record's fields, in order" \
    "$(f martagil0000000000001/app.bsky.feed.post/3lk3rlaczjnew keys_unsorted)" \
    '["id","platform","account","kind","created_at","fetched_at","author","text","lang","url","thread","bluesky"]'
is "what a reply needs: the post's cid; a post that starts its thread has no root" \
    "$(f martagil0000000000001/app.bsky.feed.post/3lk3rlaczjnew .bluesky)" \
    '{"cid":"bafyrei3lk3rlaczjnew"}'
is "... a reply: its cid, and its thread's root with the root's cid" \
    "$(f raulvillanueva000000001/app.bsky.feed.post/3lk3m53pfmvv7 .bluesky)" \
    '{"cid":"bafyrei3lk3m53pfmvv7","root":{"uri":"at://did:plc:aytovillanuevaprado01/app.bsky.feed.post/3lkaytopost01","cid":"bafyrei3lkaytopost01"}}'
is "a link facet after an emoji (UTF-8 byte offsets) gives its full URL" \
    "$(f martagil0000000000001/app.bsky.feed.post/3lk3rlaczjnew .text)" \
    '"@aytovillanueva.bsky.example La basura de la calle Real lleva 4 días 😡 mapa: https://villanueva.example/mapa/incidencias?id=8812&tipo=residuos #basura"'
is "author, url, milliseconds dropped" \
    "$(f martagil0000000000001/app.bsky.feed.post/3lk3rlaczjnew '[.author, .url, .created_at]')" \
    '[{"id":"did:plc:martagil0000000000001","handle":"martagil.bsky.social","name":"Marta Gil"},"https://bsky.app/profile/martagil.bsky.social/post/3lk3rlaczjnew","2025-03-11T09:40:51Z"]'
is "a reply to our post: kind reply, parent and root" \
    "$(f raulvillanueva000000001/app.bsky.feed.post/3lk3m53pfmvv7 '[.kind, .thread]')" \
    '["reply",{"in_reply_to":"bluesky:sky:at://did:plc:aytovillanuevaprado01/app.bsky.feed.post/3lkaytopost01","root":"bluesky:sky:at://did:plc:aytovillanuevaprado01/app.bsky.feed.post/3lkaytopost01"}]'
is "deep in the thread: a +01:00 createdAt in UTC, the first of two langs" \
    "$(f felipe19520000000000001/app.bsky.feed.post/3lk3jpgjrwufw '[.created_at, .lang, .thread.in_reply_to]')" \
    '["2025-03-11T07:20:02Z","es","bluesky:sky:at://did:plc:raulvillanueva000000001/app.bsky.feed.post/3lk3m53pfmvv7"]'
is "a quote of our post: a mention, answering the post quoted; empty displayName: the handle" \
    "$(f noeliaporras00000000001/app.bsky.feed.post/3lk2ba5wnsyz3 '[.kind, .thread.in_reply_to, .author.name]')" \
    '["mention","bluesky:sky:at://did:plc:aytovillanuevaprado01/app.bsky.feed.post/3lkaytopost02","noeliaporras.bsky.social"]'
is "no displayName: the handle; a createdAt that is no date: indexedAt" \
    "$(f pepevecino0000000000001/app.bsky.feed.post/3lk1piscina01 '[.author.name, .created_at]')" \
    '["pepe.bsky.social","2025-03-10T10:00:00Z"]'
is "no langs: lang null; facets out of order" \
    "$(f cryptogains000000000001/app.bsky.feed.post/3ljyktgrhc43y '[.lang, .text]')" \
    '[null,"💸💸 Multiplica x10 tu dinero!!! 👉 https://ganar.example/promo?ref=bsky @aytovillanueva.bsky.example"]'

run sm-fetch -a sky -b --native
is "--native keeps the notification" \
    "$(jq -r "select(.id == \"$P:martagil0000000000001/app.bsky.feed.post/3lk3rlaczjnew\") | .native.reason" out)" \
    mention

# the session
echo expire > "$T/srv/faults.bluesky"
: > "$T/srv/requests.log"
run sm-fetch -a sky -v
is "an expired access token: refreshed, not a new login, and the page asked again" \
    "$rc $(logins) $(refreshes) $(requests 'listNotifications?.* ok$')" "0 1 1 2"
like "... said with -v" "$(cat err)" 'sky: session refreshed$'
is "... and the refresh token was the one the login gave" \
    "$(requests '^POST /xrpc/com.atproto.server.refreshSession ok$')" 1
run sm-fetch -a sky
is "the rotated tokens were kept: the next run needs neither" \
    "$rc $(logins) $(refreshes) $(requests ' bad$')" "0 1 1 0"
jq '.refresh = "revoked" | .expired += [.access]' "$T/srv/bsky-state.json" \
    > st.new && mv st.new "$T/srv/bsky-state.json"
run sm-fetch -a sky -v
is "both tokens refused: one new login, then on" \
    "$rc $(logins) $(refreshes)" "0 2 1"
like "... said with -v" "$(cat err)" 'sky: logged in as'

jq '.access = "gone" | .refresh = "gone"' "$T/srv/bsky-state.json" \
    > st.new && mv st.new "$T/srv/bsky-state.json"
echo "wrong-app-password" > "$T/apppw"
EXTRA="token_file: $T/apppw" bsky_config
sed -i '/token_env/d' sm.yaml
run sm-fetch -a sky
is "a session refused (401) whose login fails too: exit 77, said" \
    "$rc $(logins) $(cat err)" \
    "77 2 sm-fetch: sky: login refused (HTTP 401): check handle: and the app password"
bsky_config

HANDLE=someone.else.example bsky_config
run sm-fetch -a sky
is "another handle: the stored session is not used; the login is refused: exit 77" \
    "$rc $(cat err)" \
    "77 sm-fetch: sky: login refused (HTTP 401): check handle: and the app password"
bsky_config

rm -f "$T/state.db"*
sm-fetch -v -v -a sky -b > out 2> err
echo expire > "$T/srv/faults.bluesky"
sm-fetch -v -v -a sky -b --native >> out 2>> err
is "no token, app password or JWT shows, not with -v -v" \
    "$(cat out err | grep -c -e "$TOKEN" -e 'acc-[0-9]' -e 'ref-[0-9]')" 0

EXTRA="search: [farola]"
bsky_config
: > "$T/srv/requests.log"
run sm-fetch -a sky -b -v
is "search: what searchPosts finds, as kind search, without our own posts" \
    "$rc $(jq -c 'select(.kind == "search") | [.id, .text]' out)" \
    "0 [\"$P:noeliaporras00000000001/app.bsky.feed.post/3lk2l76zeb2ze\",\"Tres farolas fundidas en la calle Olmo desde el viernes 🙄\"]
[\"$P:anavecina0000000000001/app.bsky.feed.post/3lk1farola001\",\"¿A quién aviso de una farola rota? Info: https://villanueva.example/farolas\"]"
is "... the newest first, by page" \
    "$(requests '^GET /xrpc/app.bsky.feed.searchPosts?q=farola&sort=latest&limit=3 ok$')" 1
like "... with its own cursor" "$(cat err)" \
    'cursor search:farola at 2025-03-11T09:00:00.500Z at://did:plc:aytovillanuevaprado01/'
run sm-fetch -a sky
is "... and next time nothing again" "$rc $(cat out)" "0 "
EXTRA=
bsky_config

# after each failure, and a clean run, each new message exactly once
NEW="$P:luisperez00000000000001/app.bsky.feed.post/3lk4later0001 $P:raulvillanueva000000001/app.bsky.feed.post/3lk4later0002 "
scenario() {
	bsky_reset
	run sm-fetch -a sky -b
	bsky_later
	printf '%s\n' "$@" > "$T/srv/faults.bluesky"
	run sm-fetch -a sky
	rc1=$rc
	err1=$(cat err)
	cp out out1
	run sm-fetch -a sky
	both=$(ids out1 out)
	is "$1: first run exits $2, then everything, each once" \
	    "$rc1 $rc $both" "$3 0 $NEW"
}
scenario "429-after 1" "" 0
scenario 500 "" 0
scenario "429-after 3600" "" 75
like "... a rate limit of an hour is left for later" "$err1" \
    '^sm-fetch: sky: rate limited \(HTTP 429\), asked to wait 3600 s; try later$'
scenario badjson "" 75
scenario "expire" "" 0

# kill -9 while the walk waits for its second page: the mark has not
# moved, so the next run brings the new ones again (at least once)
bsky_reset
run sm-fetch -a sky -b
bsky_later
: > "$T/srv/requests.log"
printf '%s\n' empty "stall 30" > "$T/srv/faults.bluesky"
sm-fetch -a sky > run1.jsonl 2>run1.err &
pid=$!
i=0
while [ "$(requests 'listNotifications?.*cursor=')" -lt 1 ] && [ $i -lt 400 ]; do
	i=$((i + 1))
	sleep 0.05
done
kill -9 $pid
wait $pid 2>/dev/null
rm -f "$T/srv/faults"*
run sm-fetch -a sky
is "kill -9 in mid-walk: the next run brings every new one, nothing lost" \
    "$rc $(ids out)" "0 $NEW"

bsky_reset
rm -f "$T/state.db"*
run sm-fetch -a sky -b
L=$(logins)
bsky_later
run sm-fetch -a sky -n -v
is "a dry run: the new ones, and the mark left where it was" \
    "$rc $(jq -r .id out | wc -l) $(grep -c 'cursor mentions at 2025-03-11T09:40:52.113Z' err)" "0 2 1"
run sm-fetch -a sky
is "... so the next run has them again, and the session was not lost" \
    "$rc $(jq -r .id out | wc -l) $(logins)" "0 2 $L"

rm -f "$T/state.db"*
: > "$T/srv/requests.log"
run sm-fetch -a sky -s 2025-03-11T00:00:00Z
is "--since without a cursor: back to that time across pages, and no further" \
    "$rc $(jq -r .id out | wc -l) $(requests 'listNotifications?')" "0 5 2"
run sm-fetch -a sky -s 2025-03-11T00:00:00Z
is "... then from the mark: nothing again" "$rc $(cat out)" "0 "

printf 'accounts:\n  sky:\n    platform: bluesky\n    token_env: TOKEN\n' > sm.yaml
run sm-fetch -a sky
is "no handle: exit 78" "$rc $(cat err)" \
    "78 sm-fetch: sm.yaml:3:5: accounts.sky: handle: must name the account to log in as"

# --own: the account's own posts and replies, from its author feed
O=bluesky:sky:at://did:plc:aytovillanuevaprado01/app.bsky.feed.post
bsky_reset
cp "$B/author-feed.json" "$T/srv/bsky-feed.json"
bsky_config
rm -f "$T/state.db"*
: > "$T/srv/requests.log"
run sm-fetch -a sky -b
is "without --own: no kind own, and the author feed is not asked for" \
    "$rc $(grep -c '"kind":"own"' out) $(requests getAuthorFeed)" "0 0 0"
: > "$T/srv/requests.log"
run sm-fetch -a sky -b --own -v
is "--own: our posts and replies as kind own, newest first, without reposts" \
    "$rc $(jq -c 'select(.kind == "own") | [.id, .thread.in_reply_to]' out)" \
    "0 [\"$O/3lkaytoans03\",\"$P:martagil0000000000001/app.bsky.feed.post/3lk3rlaczjnew\"]
[\"$O/3lkaytofarola\",null]
[\"$O/3lkaytoans02\",\"$P:raulvillanueva000000001/app.bsky.feed.post/3lk3m53pfmvv7\"]
[\"$O/3lkaytopost02\",null]
[\"$O/3lkaytopost01\",null]"
is "... a reply's in_reply_to is the id the mentions stream gives the citizen's post" \
    "$(jq -r 'select(.kind == "own") | .thread.in_reply_to // empty' out | sort)" \
    "$(jq -r 'select(.kind != "own") | .id' out | grep -e 3lk3rlaczjnew -e 3lk3m53pfmvv7 | sort)"
is "... asked with our DID, replies included, then by the cursor" \
    "$(requests '^GET /xrpc/app.bsky.feed.getAuthorFeed?actor=did%3Aplc%3Aaytovillanuevaprado01&filter=posts_with_replies&limit=3 ok$') $(requests '^GET /xrpc/app.bsky.feed.getAuthorFeed?.*&cursor=3 ok$')" \
    "1 1"
like "... with its own cursor" "$(cat err)" \
    "cursor own at 2025-03-11T09:55:10.250Z at://did:plc:aytovillanuevaprado01/app.bsky.feed.post/3lkaytoans03"
is "... normalised as the rest: author, link facet, +01:00 in UTC, root" \
    "$(jq -c "select(.id == \"$O/3lkaytoans03\" or .id == \"$O/3lkaytoans02\") | [.author.handle, .text, .created_at, .thread.root, .url]" out)" \
    "[\"aytovillanueva.bsky.example\",\"Gracias, Marta 🙏 Avisamos al servicio de recogida. Sigue el aviso aquí: https://villanueva.example/incidencias/8812\",\"2025-03-11T09:55:09Z\",\"$P:martagil0000000000001/app.bsky.feed.post/3lk3rlaczjnew\",\"https://bsky.app/profile/aytovillanueva.bsky.example/post/3lkaytoans03\"]
[\"aytovillanueva.bsky.example\",\"La línea 2 sale con retraso por una avería; el servicio se normaliza a las 9:00.\",\"2025-03-11T08:15:00Z\",\"$O/3lkaytopost01\",\"https://bsky.app/profile/aytovillanueva.bsky.example/post/3lkaytoans02\"]"
cp out own1.jsonl

bsky_later
jq -s '.[0] + .[1]' "$B/author-feed-later.json" "$T/srv/bsky-feed.json" \
    > f.new && mv f.new "$T/srv/bsky-feed.json"
: > "$T/srv/requests.log"
run sm-fetch -a sky --own
is "--own, incremental: only our new posts, one at the same instant as the mark" \
    "$rc $(jq -c 'select(.kind == "own") | [.id, .thread.in_reply_to]' out)" \
    "0 [\"$O/3lkaytoans05\",\"$P:raulvillanueva000000001/app.bsky.feed.post/3lk4later0002\"]
[\"$O/3lkaytoans04\",null]"
is "... the answer points at the new reply as the mentions stream gives it" \
    "$(jq -r 'select(.kind == "reply") | .id' out)" \
    "$P:raulvillanueva000000001/app.bsky.feed.post/3lk4later0002"
is "... stopped at the mark: two pages of the feed" "$(requests 'getAuthorFeed?')" 2
cp out own2.jsonl
run sm-fetch -a sky --own
is "... then nothing again" "$rc $(cat out)" "0 "
is "... and no record twice across the runs" \
    "$(cat own1.jsonl own2.jsonl out | jq -r .id | sort | uniq -d)" ""
