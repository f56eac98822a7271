#!/bin/sh
# sm-report: what the messages are (mixes), what they say (characteristic
# words), the period before beside this one, and --topic; against counts
# made by hand
. "${SM_SRC:-.}/tests/lib.sh"
plan 21

SM_NOW=2026-12-15T12:00:00Z
export SM_NOW
m() {	# m ID CREATED PLATFORM CATEGORY SENTIMENT TOPIC TEXT
	printf '{"id":"%s","platform":"%s","kind":"mention","created_at":"%s","author":{"handle":"h%s"},"text":"%s","classify":{"category":"%s","sentiment":"%s","topic":"%s"}}\n' \
	    "$1" "$3" "$2" "${1##*:}" "$7" "$4" "$5" "$6"
}
# The week before (1-7 December): 2 waste, 1 lighting.
# This week (8-14 December): 3 waste, 2 lighting, 2 transport, 1 about
# the budget with its hashtag, 1 a duplicate (counted, its words not).
{
m x:1 2026-12-01T09:00:00Z x complaint negative waste "El contenedor de la plaza está lleno"
m x:2 2026-12-02T09:00:00Z mastodon complaint negative waste "Contenedor lleno otra vez"
m x:3 2026-12-03T09:00:00Z x complaint negative lighting "Farola apagada en mi calle"
m a:1 2026-12-08T09:00:00Z x complaint negative waste "El contenedor de la plaza sigue lleno, huele mal"
m a:2 2026-12-08T10:00:00Z mastodon complaint negative waste "Contenedor roto y lleno, huele mal"
m a:3 2026-12-09T09:00:00Z mastodon question neutral waste "Cuándo pasa el camión de la basura?"
m a:4 2026-12-09T10:00:00Z x complaint negative lighting "Farola apagada toda la noche"
m a:5 2026-12-10T09:00:00Z email complaint negative lighting "La farola apagada otra vez, llamad al 612345678"
m a:6 2026-12-10T10:00:00Z x question neutral transport "A qué hora pasa el autobús 3?"
m a:7 2026-12-11T09:00:00Z x praise positive transport "Gracias a Pedro por el nuevo autobús eléctrico"
m a:8 2026-12-11T10:00:00Z mastodon suggestion positive budget "Propongo más árboles en el parque #PresupuestosParticipativos, escribidme a ana@example.com"
printf '{"id":"a:9","platform":"x","kind":"mention","created_at":"2026-12-12T09:00:00Z","text":"El contenedor de la plaza sigue lleno, huele mal","classify":{"category":"complaint","sentiment":"negative","topic":"waste"},"route":{"duplicate_of":"a:1"}}\n'
} > in.jsonl

run sm-report -c /dev/null -f json --since 2026-12-08 --until 2026-12-14 in.jsonl
is "exit 0" "$rc $(cat err)" "0 "
is "channels, this week and the week before" \
    "$(jq -r '.mix.platform[] | "\(.value)=\(.messages)/\(.before)"' out | tr '\n' ' ')" \
    "x=5/2 mastodon=3/1 email=1/0 "
is "types: counts and shares" \
    "$(jq -r '.mix["classify.category"][] | "\(.value)=\(.messages),\(.share * 10 | round / 10)"' out | tr '\n' ' ')" \
    "complaint=5,55.6 question=2,22.2 praise=1,11.1 suggestion=1,11.1 "
is "sentiment" \
    "$(jq -r '.mix["classify.sentiment"][] | "\(.value)=\(.messages)"' out | tr '\n' ' ')" \
    "negative=5 neutral=2 positive=2 "
is "the period before: its dates and figures" \
    "$(jq -r '.previous | "\(.since) \(.until) \(.messages) \(.cases)"' out)" \
    "2026-12-01T00:00:00Z 2026-12-08T00:00:00Z 3 3"
is "words of a topic: in its messages, not the others'; function words out" \
    "$(jq -r '.terms.waste | map(.term) | join(",")' out)" \
    "contenedor,huele,lleno"
is "... counted once a message, a duplicate's words not at all" \
    "$(jq -r '.terms.waste[] | select(.term == "contenedor") | "\(.messages) \(.rest)"' out)" "2 0"
is "... numbers, phones and addresses never" \
    "$(jq -r '[.terms[][] .term] | map(select(test("[0-9@]|example"))) | length' out)" 0
is "rising words against the week before" \
    "$(jq -r '.previous.rising_terms | map(.term) | join(",")' out)" \
    "autobús,huele,pasa"

run sm-report -c /dev/null --since 2026-12-08 --until 2026-12-14 in.jsonl
like "text: the period before in a sentence" "$(cat out)" \
    'The period before, 2026-12-01 to 2026-12-07: 3 messages \(\+200% now\), 3 cases, 0 answered\.'
like "text: the mix with the period before" "$(cat out)" \
    'x                5  55\.6%       2   \+150%'
like "text: rising topics, by how many more" "$(sed -n '/^Rising: topics/,/^$/p' out)" \
    'transport         2       0     new
waste             3       2    \+50%'
like "text: the words of each topic" "$(cat out)" \
    'lighting          2  apagada, farola, farola apagada'

run sm-report -c /dev/null --topic '#presupuestosparticipativos' -f json in.jsonl
is "--topic #hashtag: its messages, of those with a text" \
    "$(jq -r '.topic | "\(.messages) \(.rest) \(.examples | length)"' out)" "1 10 1"
is "... the rest of the report is about them alone" "$(jq -r .summary.messages out)" 1
run sm-report -c /dev/null --topic transport --redact in.jsonl
like "--topic: the stance" "$(cat out)" 'stance \(classify.sentiment\)  50\.0% neutral, 50\.0% positive'
like "... its words" "$(cat out)" 'characteristic words         autobús'
is "--redact: no name in an example (a capital inside a sentence)" \
    "$(grep -c Pedro out) $(sm-report -c /dev/null --topic transport in.jsonl | grep -c Pedro)" "0 1"
run sm-report -c /dev/null --topic '#presupuestosparticipativos' --redact in.jsonl
like "--redact: an example without handle or address" "$(cat out)" \
    'example 1                    Propongo más árboles en el parque #PresupuestosParticipativos, escribidme a \[\.\.\.\]$'
run sm-report -c /dev/null --topic '' in.jsonl
is "--topic without a value: exit 64" "$rc $(cat err)" \
    "64 sm-report: --topic: expected a topic (classify.topic) or a #hashtag"
run sm-report -c /dev/null in.jsonl
is "without --since, no period before" "$(grep -c -e 'period before' -e '^Rising' out)" 0
