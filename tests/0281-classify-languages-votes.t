#!/bin/sh
# sm-classify: classify.languages and account_languages; a category rule
# that loses the category vote gives no other label unless independent
. "${SM_SRC:-.}/tests/lib.sh"
plan 17

cat > sm.yaml <<'X'
classify:
  languages: [ca, es]
  account_languages:
    ayto-eus: [eu, es]
  rules:
    - name: question
      set: {category: question}
      regex: '\?'
    - name: suggestion
      set: {category: suggestion, urgency: low}
      terms: ["estaria bé", "estaría bien"]
    - name: complaint
      set: {category: complaint, urgency: high}
      weight: 3
      terms: [vergonya, vergüenza]
    - name: thanks
      set: {category: praise, sentiment: positive}
      independent: true
      terms: [gràcies, gracias]
X

c() {
	printf '%s\n' "$1" | sm-classify | jq -c "$2"
}

# languages
is "a text too short to tell gets the first language, not und" \
    "$(c '{"text":"Ok!"}' .classify.lang)" '"ca"'
is "a text with no words at all too" \
    "$(c '{"text":"👍 https://x.es/a"}' .classify.lang)" '"ca"'
is "the guess is among the languages heard: Catalan" \
    "$(c '{"text":"La brossa no s'"'"'ha recollit en tota la setmana"}' .classify.lang)" '"ca"'
is "the guess is among the languages heard: Spanish" \
    "$(c '{"text":"La basura lleva una semana sin recoger en mi calle"}' .classify.lang)" '"es"'
is "an English text is not taken for English when English is not heard" \
    "$(c '{"text":"The bins have not been emptied this week"}' '.classify.lang | IN("ca", "es")')" true
is "a record's lang among them is kept" \
    "$(c '{"lang":"es-ES","text":"Ok"}' .classify.lang)" '"es"'
is "a record's lang outside them is guessed again" \
    "$(c '{"lang":"pt","text":"La basura lleva una semana sin recoger en mi calle"}' .classify.lang)" '"es"'
is "an account's own languages" \
    "$(c '{"account":"ayto-eus","text":"Kaixo!"}' .classify.lang)" '"eu"'
is "other accounts follow classify.languages" \
    "$(c '{"account":"ayto","text":"Kaixo!"}' .classify.lang)" '"ca"'

printf 'classify:\n  languages: [es, ES]\n' > bad.yaml
run sm-classify -c bad.yaml /dev/null
is "a language code sm does not know: exit 78" "$rc" 78
is "it is named with file:line:column and the codes known" "$(cat err)" \
    "sm-classify: bad.yaml:2:19: classify.languages: 'ES' is not a language sm-classify tells apart (es, en, ca, eu, gl, fr, de, it, pt)"
printf 'classify:\n  account_languages: [es]\n' > bad.yaml
run sm-classify -c bad.yaml /dev/null
is "account_languages must be a mapping" "$rc:$(cat err)" \
    "78:sm-classify: bad.yaml:2:22: classify.account_languages: expected a mapping of account: languages, got a list"

# votes
is "a category rule that loses gives no urgency" \
    "$(c '{"text":"¿Estaría bien abrir el sábado? Es una vergüenza"}' '.classify | [.category, .urgency]')" '["complaint","high"]'
is "nor does it when it loses to a question" \
    "$(c '{"text":"¿Estaría bien pedir cita en el padrón? ¿Cómo? ¿Dónde?"}' '.classify | [.category, .urgency]')" '["question","normal"]'
is "an independent rule gives its other labels when its category loses" \
    "$(c '{"text":"Gracias, pero es una vergüenza"}' '.classify | [.category, .sentiment]')" '["complaint","positive"]'
is "explain lists only the labels that counted" \
    "$(printf '%s\n' '{"text":"¿Estaría bien pedir cita? ¿Cómo? ¿Dónde?"}' | sm-classify -x | jq -c '.classify.explain | map_values(map(.rule))')" \
    '{"category":["question","suggestion"]}'
printf 'classify:\n  rules:\n    - {name: x, set: {category: a}, terms: [x], independent: 1}\n' > bad.yaml
run sm-classify -c bad.yaml /dev/null
is "independent must be a boolean" "$rc:$(cat err)" \
    "78:sm-classify: bad.yaml:3:62: classify.rules[0] (name 'x'): independent must be true or false"
