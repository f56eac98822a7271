#!/bin/sh
# the built-in rule pack on the bundled messages and on emergencies
. "${SM_SRC:-.}/tests/lib.sh"
plan 8

sm-classify "$EXAMPLES/messages.jsonl" > out
is "every bundled emergency is category emergency, urgency critical" \
    "$(jq -r 'select(.classify.category == "emergency" and .classify.urgency == "critical") | .id' out | sort | tr '\n' ' ')" \
    "bluesky:ayto:3mzuefbzue2fh bluesky:ayto:3n3ikgm5dg2ty facebook:ayto:m_edHRZHeDFHzMGL3ZDF2gyj facebook:ayto:m_nswFwTjT7fXwZ8Qz8IpCRM mastodon:ayto:117613642973187957 telegram:ayto:6473829105_1171 x:ayto:2118021025232698286 x:ayto:2124398028257953677 "

e() {
	printf '{"lang":"%s","text":"%s"}\n' "$1" "$2" | sm-classify | jq -r '.classify | .category + "/" + .urgency'
}
is "an emergency wins over praise and a question" \
    "$(e es 'Gracias por todo, pero ¿saben que hay un incendio en la nave de la calle Sol? Sale humo negro')" "emergency/critical"
is "fireworks are not a fire" "$(e es '¿A qué hora son los fuegos artificiales?')" "question/normal"
is "a gas leak in English" "$(e en 'There is a strong smell of gas in our building, we think it is a gas leak')" "emergency/critical"
is "an accident with injured people" "$(e es 'Accidente en la avenida, hay dos heridos en el suelo')" "emergency/critical"
is "a complaint about rubbish" \
    "$(printf '{"lang":"es","text":"La basura lleva tres días sin recogerse, es una vergüenza"}\n' | sm-classify | jq -r '.classify | .category + "/" + .topic + "/" + .sentiment')" \
    "complaint/waste/negative"
is "a question about the padrón" \
    "$(printf '{"lang":"es","text":"¿Cómo pido cita para el certificado de empadronamiento?"}\n' | sm-classify | jq -r '.classify | .category + "/" + .topic')" \
    "question/paperwork"
is "guagua is public transport" \
    "$(printf '{"lang":"es","text":"La guagua de la línea 2 no pasó esta mañana"}\n' | sm-classify | jq -r .classify.topic)" transport
