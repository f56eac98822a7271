#!/bin/sh
# sm-fetch, Facebook Pages (Graph API): comments on the Page's posts and
# Messenger, walked back to the mark; normalisation; throttling; failures
. "${SM_SRC:-.}/tests/lib.sh"
. "$SM_SRC/tests/fetch.sh"
plan 34

FF=$FIX/facebook
P=facebook:fb

fb_reset() {
	cp "$FF/posts.json" "$T/srv/fb-posts.json"
	cp "$FF/comments.json" "$T/srv/fb-comments.json"
	cp "$FF/conversations.json" "$T/srv/fb-conversations.json"
}

# fb_later: two comments and a message arrive
fb_later() {
	jq -s '.[0] as $c | .[1] | with_entries(.value = ($c[.key] // []) + .value)' \
	    "$FF/comments-later.json" "$T/srv/fb-comments.json" \
	    > "$T/srv/c.new" && mv "$T/srv/c.new" "$T/srv/fb-comments.json"
	jq -s '.[0] as $m | .[1] | map(.messages = ($m[.id] // []) + .messages)' \
	    "$FF/conversations-later.json" "$T/srv/fb-conversations.json" \
	    > "$T/srv/v.new" && mv "$T/srv/v.new" "$T/srv/fb-conversations.json"
}

fb_config() {
	{
	echo "state: $T/state.db"
	echo "accounts:"
	echo "  fb:"
	echo "    platform: facebook"
	echo "    url: $BASE/v23.0"
	echo "    page_id: '104857392016384'"
	echo "    token_env: TOKEN"
	echo "    limit: 2"
	echo "    backoff: 0.01"
	[ -n "$EXTRA" ] && echo "    $EXTRA"
	} > sm.yaml
}

C1=$P:122117402396152873
C2=$P:122117388011552873
server_start
fb_reset
fb_config
run sm-fetch -a fb -v
is "first run: exit 0" "$rc" 0
is "first run: the newest page of each, without the Page's own" \
    "$(ids out)" \
    "${C2}_1187654321098765 ${C2}_1187654321098766 ${C1}_1298765432109876 $P:m_Ab3kZ9vQ1xY7wP0rT5uL2nC8 $P:m_Lk9jH8gF7dS6aZ5xC4vB3nM2 $P:m_Zx8cV6bN4mQ2wE0rT8yU6iO4 "
like "-v: each stream's mark" "$(cat err)" \
    '^sm-fetch: fb: 6 records; cursor messenger at 2025-03-11T09:36:12Z m_Ab3kZ9vQ1xY7wP0rT5uL2nC8; cursor comments at 2025-03-11T09:43:10Z 122117402396152873_1298765432109876$'
is "the Page token in the header, never in the query" \
    "$(requests ' ok$') $(requests 'access_token')" "5 0"
is "comments asked flattened, newest first, with their parent" \
    "$(requests '/comments?filter=stream&order=reverse_chronological&fields=id%2Ccreated_time%2Cfrom%2Cmessage%2Cparent%7Bid%7D')" 3

: > "$T/srv/requests.log"
run sm-fetch -a fb
is "a run with nothing new: no records" "$rc $(cat out)" "0 "
is "... posts untouched since the mark are not asked for" \
    "$(requests '122117388011552873/comments') $(requests '122117402396152873/comments')" "0 2"

rm -f "$T/state.db"*
: > "$T/srv/requests.log"
run sm-fetch -a fb -b
is "--backfill: every comment and message, across pages" "$rc $(jq -r .id out | wc -l)" "0 9"
is "... pages asked by their after cursor, not by paging.next" \
    "$(requests '122117402396152873/comments?.*&after=2 ok$') $(requests '122117402396152873/comments?.*&after=4 ok$')" "1 1"
cp out first.jsonl

run sm-fetch -a fb -b --own
is "--own: the Page's answer too, as kind own" \
    "$rc $(jq -c 'select(.kind == "own") | [.id, .thread.in_reply_to]' out)" \
    "0 [\"${C1}_1298765432109990\",\"${C1}_1298765432109911\"]"

fb_later
: > "$T/srv/requests.log"
run sm-fetch -a fb -v
is "incremental: only what is new" "$rc $(ids out)" \
    "0 ${C2}_1187654321098800 ${C1}_1298765432110001 $P:m_Nw1nEw2mEs3sAg4e5lAtEr67 $P:m_Nw2nEw2mEs3sAg4e5lAtEr68 $P:m_Nw3nEw2mEs3sAg4e5lAtEr69 "
is "... the messages past those inline asked of the conversation, by cursor" \
    "$(requests '^GET /v23.0/t_122109876543210555/messages?fields=id%2Ccreated_time%2Cfrom%2Cmessage&limit=2&after=2 ok$')" 1
like "... the marks moved" "$(cat err)" \
    'cursor messenger at 2025-03-11T10:40:00Z m_Nw1nEw2mEs3sAg4e5lAtEr67; cursor comments at 2025-03-11T10:30:00Z 122117388011552873_1187654321098800$'
run sm-fetch -a fb
is "and then nothing again" "$rc $(cat out)" "0 "
# a comment in the very second of the mark, on a post that had none
jq '.["104857392016384_122117300000000001"] = [{"id":"122117300000000001_1100000000000001","created_time":"2025-03-11T10:30:00+0000","from":{"id":"4432109876543210","name":"Iker"},"message":"Feliz marzo a todos"}]' \
    "$T/srv/fb-comments.json" > c.new && mv c.new "$T/srv/fb-comments.json"
run sm-fetch -a fb -v
is "a comment in the same second as the mark: out once, the other not again" \
    "$rc $(ids out)" "0 $P:122117300000000001_1100000000000001 "
like "... both are in the mark" "$(cat err)" \
    'cursor comments at 2025-03-11T10:30:00Z 122117388011552873_1187654321098800 122117300000000001_1100000000000001$'
run sm-fetch -a fb
is "... and then nothing" "$rc $(cat out)" "0 "

# normalisation, on the backfilled records
f() { jq -c "select(.id == \"$1\") | $2" first.jsonl; }
is "the record's fields, in order" "$(f ${C1}_1298765432109876 keys_unsorted)" \
    '["id","platform","account","kind","created_at","fetched_at","author","text","lang","url","thread"]'
is "a comment: +0000 to Z, no handle, its permalink, in reply to the post" \
    "$(f ${C1}_1298765432109876 '[.kind, .created_at, .author, .url, .thread, .lang]')" \
    '["comment","2025-03-11T09:43:10Z",{"id":"8876543219876543","handle":null,"name":"Rosa María Peña"},"https://www.facebook.com/104857392016384/posts/122117402396152873?comment_id=1298765432109876",{"in_reply_to":"facebook:fb:104857392016384_122117402396152873","root":"facebook:fb:104857392016384_122117402396152873"},null]'
is "... its & as it is" "$(f ${C1}_1298765432109876 .text)" \
    '"Llevamos 4 días sin recogida de basura en la calle Real 😡 Esto es un foco de infecciones & huele fatal"'
is "a reply (parent): kind reply, in reply to the comment; tagged name kept" \
    "$(f ${C1}_1298765432109950 '[.kind, .thread.in_reply_to, .text]')" \
    '["reply","facebook:fb:122117402396152873_1298765432109911","Javi Ortega a mí me pasó lo mismo, llegué tarde al trabajo 🙄"]'
is "a sticker without words: empty text" "$(f ${C2}_1187654321098766 '[.kind, .text]')" \
    '["comment",""]'
is "Messenger: direct, the conversation as root, no url" \
    "$(f $P:m_Lk9jH8gF7dS6aZ5xC4vB3nM2 '[.kind, .thread, .url, .author]')" \
    '["direct",{"in_reply_to":null,"root":"facebook:fb:t_122109876543210555"},null,{"id":"3321098765432109","handle":null,"name":"Andrés Ruiz"}]'

# after each failure, and a clean run, each new message exactly once
NEW="${C2}_1187654321098800 ${C1}_1298765432110001 $P:m_Nw1nEw2mEs3sAg4e5lAtEr67 $P:m_Nw2nEw2mEs3sAg4e5lAtEr68 $P:m_Nw3nEw2mEs3sAg4e5lAtEr69 "
# scenario FAULT EXIT: a fault that stops the account hits both streams'
# first requests, as a throttled Page or a dead token would; otherwise a
# stream that had its answer first has emitted and, with the account
# stopped, comes again next time (at least once)
scenario() {
	rm -f "$T/state.db"* "$T/srv/faults"*
	fb_reset
	sm-fetch -a fb -b > /dev/null 2>&1
	fb_later
	if [ "$2" = 0 ]; then
		printf '%s\n' "$1" > "$T/srv/faults.facebook"
	else
		printf '%s\n' "$1" "$1" > "$T/srv/faults.facebook"
	fi
	run sm-fetch -a fb
	rc1=$rc
	err1=$(cat err)
	cp out out1
	run sm-fetch -a fb
	is "$1: first run exits $2, then everything, each once" \
	    "$rc1 $rc $(ids out1 out)" "$2 0 $NEW"
}
scenario fb-throttle 75
like "... Graph's throttling is for later" "$err1" \
    '^sm-fetch: fb: rate limited \(Graph error 80001\); try later$'
scenario "429-after 1" 0
scenario 500 0
scenario badjson 75
scenario fb-token 77
like "... an expired token said so" "$err1" \
    '^sm-fetch: fb: HTTP 400 \(Graph error 190: Error validating access token: Session has expired.\)$'

rm -f "$T/state.db"*
sm-fetch -v -v -a fb -b --native > out 2> err
is "the token shows nowhere" "$(cat out err | grep -c "$TOKEN")" 0

EXTRA="messenger: false"
fb_config
: > "$T/srv/requests.log"
run sm-fetch -a fb -b
is "messenger: false: only comments" \
    "$rc $(requests conversations) $(jq -r .kind out | sort -u | tr '\n' ' ')" \
    "0 0 comment reply "

EXTRA="posts: 1"
fb_config
rm -f "$T/state.db"*
: > "$T/srv/requests.log"
run sm-fetch -a fb
is "posts: 1: the comments of the newest post only" \
    "$rc $(requests '/feed?fields=id%2Cupdated_time&limit=1 ok') $(requests /comments?)" "0 1 1"
EXTRA=
fb_config

printf 'accounts:\n  fb:\n    platform: facebook\n    token_env: TOKEN\n' > sm.yaml
run sm-fetch -a fb
is "no page_id: exit 78" "$rc $(cat err)" \
    "78 sm-fetch: sm.yaml:3:5: accounts.fb: page_id: must be the Page's numeric id, quoted as a string"
