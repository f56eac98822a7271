#!/bin/sh
# sm-fetch(1): the Bluesky, X and Facebook example, against the fake server
. "${SM_SRC:-.}/tests/lib.sh"
. "$SM_SRC/tests/fetch.sh"
plan 4

server_start
cp "$FIX/bluesky/me.json" "$T/srv/bsky-me.json"
cp "$FIX/bluesky/notifications.json" "$T/srv/bsky-notifications.json"
cp "$FIX/bluesky/search-farola.json" "$T/srv/bsky-search-farola.json"
cp "$FIX/x/me.json" "$T/srv/x-me.json"
cp "$FIX/x/users.json" "$T/srv/x-users.json"
cp "$FIX/x/mentions.json" "$T/srv/x-mentions.json"
cp "$FIX/facebook/posts.json" "$T/srv/fb-posts.json"
cp "$FIX/facebook/comments.json" "$T/srv/fb-comments.json"
cp "$FIX/facebook/conversations.json" "$T/srv/fb-conversations.json"

# the 6th literal block of EXAMPLES, pointed at the fake server
man_examples sm-fetch.1 ex > /dev/null
sed "s|/var/lib/sm/state.db|$T/state.db|;
    s|/etc/sm/|$T/|;
    s|aytovillanueva.bsky.social|aytovillanueva.bsky.example|;
    s|^    platform: bluesky|&\n    url: $BASE|;
    s|^    platform: x|&\n    url: $BASE|;
    s|^    platform: facebook|&\n    url: $BASE/v23.0|" ex/6 > sm.yaml
echo "$TOKEN" > "$T/bluesky.app-password"
echo "$TOKEN" > "$T/facebook.token"
SM_X_BEARER=$TOKEN
export SM_X_BEARER
is "the example has the three accounts" "$(grep -c 'platform:' sm.yaml)" 3

run sm-fetch -b
is "it runs: exit 0, nothing said" "$rc$(cat err)" 0
is "... every account brought its messages" \
    "$(jq -r '[.account, .kind] | @tsv' out | sort | uniq -c | tr -s ' ' | tr '\t' ' ')" \
" 5 page comment
 3 page direct
 1 page reply
 4 sky mention
 2 sky reply
 2 sky search
 5 x mention
 1 x reply"
run sm-fetch
is "... and the next run has nothing new" "$rc $(cat out)" "0 "
