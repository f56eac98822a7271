#!/bin/sh
# sm-fetch(1): the EXAMPLES run against the fake server
. "${SM_SRC:-.}/tests/lib.sh"
. "$SM_SRC/tests/fetch.sh"
plan 10

server_start
man_examples sm-fetch.1 ex > /dev/null
# literal N: the Nth literal block of EXAMPLES
literal() {
	cat "ex/$1"
}

literal 1 | sed "s|/var/lib/sm/state.db|$T/state.db|; s|https://masto.es|$BASE|;
    s|/etc/sm/masto.token|$T/masto.token|;
    s|^    platform: telegram|&\n    url: $BASE|" > sm.yaml
echo "$TOKEN" > "$T/masto.token"
SM_TELEGRAM_TOKEN=$TOKEN
export SM_TELEGRAM_TOKEN
is "the example configuration is the one with two accounts" \
    "$(grep -c 'platform:' sm.yaml)" 2

cmd=$(literal 2 | sed 's/^\$ //')
sh -c "$cmd" 2>err
is "first run example: exit 0, nothing said" "$?$(cat err)" 0
is "... all the messages, classified" "$(jq -r 'select(.classify) | .account' march.jsonl | sort | uniq -c | tr -s ' ')" \
" 7 ayto
 6 bot"

later
cmd=$(literal 3 | sed 's/^\$ //')
out=$(sh -c "$cmd" 2>err)
is "dry-run example: exit 0, nothing said" "$?$(cat err)" 0
is "... counts per account and kind" "$(echo "$out" | tr -s ' ' | tr '\t' ' ')" \
" 2 ayto mention
 1 bot direct"

like "cron line" "$(literal 4)" '^\*/5 \* \* \* \* cd /var/lib/sm && sh fetch.sh$'
literal 5 > fetch.sh
mkdir spool
sh fetch.sh 2>err
is "fetch.sh example: exit 0, nothing said" "$?$(cat err)" 0
is "... the new messages are classified, the spool is empty" \
    "$(jq -r .id classified.jsonl | wc -l) $(ls spool | wc -l)" "3 0"

# a spool file with a bad line: classified once, the bad line kept aside
printf '%s\n' '{"id":"spool:1","text":"Farola apagada"}' 'not json' > spool/9.jsonl
sh fetch.sh 2>/dev/null
sh fetch.sh 2>/dev/null
is "fetch.sh with a bad line in the spool: its good record once, the spool empty" \
    "$(grep -c '"spool:1"' classified.jsonl) $(ls spool | wc -l | tr -d ' ')" "1 0"
is "... the bad line in rejects.jsonl" "$(cat rejects.jsonl)" "not json"
