#!/bin/sh
# sm-reply: drafts from templates, languages, platforms' rules, skips,
# answers by hand, configuration errors
. "${SM_SRC:-.}/tests/lib.sh"
plan 20

rec() {	# rec ID PLATFORM KIND LANG CATEGORY [JSON fields...]
	id=$1 p=$2 k=$3 l=$4 c=$5
	shift 5
	printf '{"id":"%s","platform":"%s","account":"a","kind":"%s","created_at":"2026-03-02T10:00:00Z","author":{"handle":"vecina@masto.es"},"text":"t","classify":{"category":"%s","lang":"%s","pii":[]}%s}\n' \
	    "$id" "$p" "$k" "$c" "$l" "$(printf ',%s' "$@" | sed 's/^,$//')"
}

# --- the built-in templates ---------------------------------------------
{ rec m:1 mastodon mention es complaint '"route":{"case":"2026-000001","department":"Servicio de Limpieza","due_at":"2026-03-04T18:00:00Z"}'
  rec m:2 mastodon direct ca question
  rec m:3 email email eu praise
  rec m:4 x mention fr spam
  rec m:5 x mention gl emergency
  rec m:6 mastodon own es other '"thread":{"in_reply_to":"m:7"}'
  rec m:7 mastodon mention en complaint
  rec m:8 mastodon mention es other
} > in.jsonl
run sm-reply -c /dev/null --state st.db in.jsonl
is "no configuration: exit 0, nothing said" "$rc $(cat err)" "0 "
is "a complaint, in Spanish, with its case, department and deadline, the author named" \
    "$(head -1 out | jq -r .reply.text)" \
    "@vecina@masto.es Hemos registrado su queja con el número 2026-000001 y la hemos enviado a Servicio de Limpieza. Le responderemos antes del 4 de marzo de 2026. Gracias por avisarnos."
is "the whole reply object" "$(head -1 out | jq -c '.reply | del(.text)')" \
    '{"template":"ack-complaint","lang":"es","visibility":"public","status":"draft"}'
is "a direct message is answered privately, in Catalan, no case said when there is none" \
    "$(sed -n 2p out | jq -c '.reply | [.lang, .visibility, .text]')" \
    '["ca","private","@vecina@masto.es Gràcies per la vostra consulta. Us respondrem."]'
is "an e-mail: private, in Basque, no mention" "$(sed -n 3p out | jq -c '.reply | [.lang, .visibility, .text]')" \
    '["eu","private","Eskerrik asko! Taldeari jakinaraziko diogu."]'
is "spam: skipped, no text" "$(sed -n 4p out | jq -c .reply)" '{"template":"say-nothing","status":"skipped"}'
is "an emergency: the 112 template, sent without approval (auto)" \
    "$(sed -n 5p out | jq -c '.reply | [.template, .lang, .auto]')" '["emergency","gl",true]'
is "our own words get no reply object" "$(sed -n 6p out | jq -c .reply)" null
is "a message already answered by hand is not answered by a template" \
    "$(sed -n 7p out | jq -c .reply)" '{"status":"skipped","reason":"answered by hand","by":"m:6"}'
is "a message no template takes passes through untouched" "$(sed -n 8p out)" "$(sed -n 8p in.jsonl)"
is "every record comes out, in order" "$(jq -r .id out | tr '\n' ' ')" "m:1 m:2 m:3 m:4 m:5 m:6 m:7 m:8 "
run sm-reply -c /dev/null --state st.db in.jsonl
is "the next run remembers the answer by hand" "$(sed -n 7p out | jq -r .reply.by)" m:6

# --- a configuration ----------------------------------------------------
cat > sm.yaml <<'Y'
reply:
  languages: [en, es]
  templates:
    - name: long
      when: {classify.category: question}
      text:
        es: "{{text}} {{text}}"
    - name: ack
      when: {classify.category: complaint}
      visibility: private
      text:
        es: "Caso {{route.case}}{{^route.case}}sin número{{/route.case}}."
        en: "Case {{route.case}}{{^route.case}}without a number{{/route.case}}."
Y
{ rec c:1 mastodon mention fr complaint
  rec c:2 mastodon mention es complaint
  rec c:3 x mention es question
} > c.jsonl
run sm-reply --state cfg.db c.jsonl
is "a language the template has not: the first of reply.languages it has" \
    "$(head -1 out | jq -c '.reply | [.lang, .text, .visibility]')" \
    '["en","@vecina@masto.es Case without a number.","private"]'
is "... the message's own when it has it" "$(sed -n 2p out | jq -r .reply.lang)" es
x=$(printf 'x%.0s' $(seq 1 150))
sed "s/\"text\":\"t\"/\"text\":\"$x\"/" c.jsonl > long.jsonl
run sm-reply --state cfg.db long.jsonl
is "too long for the platform: said, with the counts, never cut" \
    "$(sed -n 3p out | jq -c '.reply | [.status, (.text | length), .length, .max_length]')" \
    '["too_long",301,301,280]'  # X: 280

bad() {	# bad DESC EXPECTED
	run sm-reply -c bad.yaml --state bad.db c.jsonl
	is "$1" "$rc $(cat err)" "78 $2"
}
printf 'reply:\n  templates:\n    - {name: a, text: {es: "Hola {{autor.nombre}}"}}\n' > bad.yaml
bad "a template naming a field no record has" \
    "sm-reply: bad.yaml:3:34: reply.templates[0] (name 'a').text.es: no record has a field 'autor.nombre' (see sm-message(7))"
printf 'reply:\n  templates:\n    - {name: a, text: {es: "Hola {{#route}}"}}\n' > bad.yaml
bad "a template that does not parse" \
    "sm-reply: bad.yaml:3:34: section 'route' is never closed"
printf 'reply:\n  templates:\n    - {name: a, text: {es: x}, visibilty: public}\n' > bad.yaml
bad "an unknown key" "sm-reply: bad.yaml:3:43: unknown key 'visibilty' in reply.templates[0] (a typo of 'visibility'?)"

run sm-reply --help
is "--help: usage on stdout, exit 0" "$rc $(head -1 out)" \
    "0 usage: sm-reply [-nquv] [-c file] [-r file] [--review] [--send]"
run sm-reply --bogus
is "a bad option: exit 64" "$rc" 64
