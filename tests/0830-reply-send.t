#!/bin/sh
# sm-reply --send against the fake platform server: Mastodon and X
# replies and an X announcement, exactly once across runs; what the
# platforms refuse is left for the next run
. "${SM_SRC:-.}/tests/lib.sh"
. "$SM_SRC/tests/fetch.sh"
plan 9

server_start
cat > sm.yaml <<Y
accounts:
  masto:
    platform: mastodon
    url: $BASE
    token_env: TOKEN
  xayto:
    platform: x
    url: $BASE
    token_env: TOKEN
    user_id: "1500000000000000001"
Y
m() {	# m ID PLATFORM ACCOUNT KIND TEXT APPROVED
	printf '{"id":"%s","platform":"%s","account":"%s","kind":"%s","created_at":"2026-03-02T10:00:00Z","author":{"id":"42","handle":"vecina@masto.example"},"text":"t","reply":{"template":"t","lang":"es","text":"%s","visibility":"public","status":"draft","approved":%s}}\n' "$@"
}
{ m mastodon:masto:114143000000000301 mastodon masto mention "@vecina@masto.example Gracias, lo miramos." true
  m x:xayto:1899000000000000001 x xayto mention "Gracias, lo miramos." true
  m x:xayto:1899000000000000002 x xayto mention "Sin aprobar." false
} > in.jsonl
printf '%s\n' '{"id":"x:xayto:aviso-2026-03-02","platform":"x","account":"xayto","kind":"post","lang":"es","text":"Corte de agua mañana en la calle Real."}' |
    sm-reply -c sm.yaml --state st.db | jq -c '.reply.approved = true' > ann.jsonl

run sm-reply --send --state st.db in.jsonl ann.jsonl
is "--send: exit 0, nothing said" "$rc $(cat err)" "0 "
is "approved replies and the announcement sent, the rest drafts" \
    "$(jq -r .reply.status out | tr '\n' ' ')" "sent sent draft sent "
is "... each with the platform's id" \
    "$(jq -r 'select(.reply.status == "sent") | .reply.platform_id | length > 0' out | sort -u)" true
is "three posts reached the server" "$(ls "$T/srv/posted" | grep -c -v keys)" 3
is "the Mastodon reply answers the citizen's status with its Idempotency-Key" \
    "$(jq -c '[.request.in_reply_to_id, .key]' "$T/srv/posted/mastodon-1.json")" \
    '["114143000000000301","sm-reply:mastodon:masto:114143000000000301"]'

run sm-reply --send --state st.db in.jsonl ann.jsonl
is "a second run: shown as sent, nothing posted again" \
    "$rc $(jq -r .reply.status out | tr '\n' ' ')$(ls "$T/srv/posted" | grep -c -v keys)" \
    "0 sent sent draft sent 3"

# X answers 500: the reply may have been made; it is not sent again
sed 's/1899000000000000002/1899000000000000003/; s/"approved":false/"approved":true/' in.jsonl |
    sed -n 3p > more.jsonl
echo 500 > "$T/srv/faults"
run sm-reply --send --state st.db more.jsonl
is "a 5xx from X: unknown, exit 69" "$rc $(jq -r .reply.status out)" "69 unknown"
run sm-reply --send --state st.db more.jsonl
is "... and the next run does not send it again" \
    "$rc $(jq -r .reply.status out) $(ls "$T/srv/posted" | grep -c -v keys)" "69 unknown 3"
sed 's/"account":"masto"/"account":"nadie"/' in.jsonl | head -1 |
    sed 's/114143000000000301/114143000000000350/' > noacct.jsonl
run sm-reply --send --state st.db noacct.jsonl
is "an account sm.yaml does not have: failed, said" "$rc $(jq -r '[.reply.status, .reply.error] | @tsv' out)" \
    "69 failed	no such account in accounts:"
