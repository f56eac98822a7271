#!/bin/sh
# sm-fetch, Facebook Pages: the feed followed past a short page, as Graph
# may give one (fewer posts than asked, paging.next while more follow), up
# to posts: newest posts, or back to --since
. "${SM_SRC:-.}/tests/lib.sh"
. "$SM_SRC/tests/fetch.sh"
plan 9

FF=$FIX/facebook
P=facebook:fb
POST3=122117300000000001

fb_config() {
	{
	echo "state: $T/state.db"
	echo "accounts:"
	echo "  fb:"
	echo "    platform: facebook"
	echo "    url: $BASE/v23.0"
	echo "    page_id: '104857392016384'"
	echo "    token_env: TOKEN"
	echo "    messenger: false"
	echo "    limit: 2"
	echo "    backoff: 0.01"
	[ -n "$EXTRA" ] && echo "    $EXTRA"
	} > sm.yaml
}

server_start
cp "$FF/posts.json" "$T/srv/fb-posts.json"
cp "$FF/comments.json" "$T/srv/fb-comments.json"
fb_config

# what a feed in one page gives
run sm-fetch -a fb
whole=$(ids out)
rm -f "$T/state.db"*

echo 1 > "$T/srv/fb-feed-max"
: > "$T/srv/requests.log"
run sm-fetch -a fb
is "a feed of one post a page: the comments of the newest posts all the same" \
    "$rc $(ids out)" "0 $whole"
is "... the feed followed by its after cursor while paging.next says more" \
    "$(requests '/feed?.*ok$') $(requests '/feed?.*&after=1 ok$') $(requests '/feed?.*&after=2 ok$')" \
    "3 1 1"
is "... the comments of the post on the third page asked for" \
    "$(requests "_$POST3/comments?")" 1

# a new comment on the post beyond the first page
jq ".[\"104857392016384_$POST3\"] = [{\"id\":\"${POST3}_1100000000000002\",\"created_time\":\"2025-03-11T11:00:00+0000\",\"from\":{\"id\":\"4432109876543210\",\"name\":\"Iker\"},\"message\":\"¿Y la fuente de la plaza?\"}]" \
    "$T/srv/fb-comments.json" > c.new && mv c.new "$T/srv/fb-comments.json"
run sm-fetch -a fb
is "a new comment on a post beyond the first page is fetched" \
    "$rc $(ids out)" "0 $P:${POST3}_1100000000000002 "
run sm-fetch -a fb
is "... once" "$rc $(cat out)" "0 "

EXTRA="posts: 2"
fb_config
rm -f "$T/state.db"*
: > "$T/srv/requests.log"
run sm-fetch -a fb
is "posts: 2 over pages of one: two pages of the feed, two posts' comments" \
    "$rc $(requests '/feed?.*ok$') $(requests '/comments?') $(requests "_$POST3/comments?")" \
    "0 2 2 0"
EXTRA=
fb_config

# --since without a cursor walks back like -b, as far as the date
SINCE=2025-03-10T20:00:00Z
rm -f "$T/state.db"*
run sm-fetch -a fb -b
jq -c "select(.created_at >= \"$SINCE\")" out > want
rm -f "$T/state.db"*
: > "$T/srv/requests.log"
run sm-fetch -a fb -s "$SINCE"
is "--since without a cursor: every comment since the date, over every page" \
    "$rc $(ids out)" "0 $(ids want)"
is "... the whole feed walked" "$(requests '/feed?.*ok$')" 3
run sm-fetch -a fb -s "$SINCE"
is "... and then, from the cursor, nothing" "$rc $(cat out)" "0 "
