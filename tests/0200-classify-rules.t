#!/bin/sh
# sm-classify: the rule language, configuration errors and the explanation
. "${SM_SRC:-.}/tests/lib.sh"
plan 56

cat > sm.yaml <<'X'
classify:
  defaults: {category: other, topic: none, channel: public, anonymous: null}
  rules:
    - name: waste
      set: {topic: waste}
      lang: es
      terms: [basura, "recogida de residuos", contenedor]
    - name: lighting
      set: {topic: lighting}
      terms: [farola]
      stem: false
    - name: tag
      set: {topic: festival}
      terms: ["#fiestas"]
    - name: angry
      set: {sentiment: negative}
      terms: ["😡", vergüenza]
    - name: question
      set: {category: question}
      regex: '¿[^?]*\?'
    - name: complaint
      set: {category: complaint}
      weight: 2
      any:
        - terms: [queja]
        - regex: 'lleva(n)? \d+ días'
    - name: private
      set: {channel: private}
      when: {kind: [direct, email]}
    - name: fire
      set: {category: emergency, urgency: critical}
      override: true
      all:
        - terms: [fuego, incendio]
      none:
        - terms: [simulacro]
    - name: deadline
      set: {topic: deadlines}
      any:
        - terms: [plazo]
          stem: false
        - terms: [vencimiento]
    - name: tie.first
      set: {mood: first}
      terms: [empate]
    - name: tie.second
      set: {mood: second}
      terms: [empate]
    - name: missing-author
      set: {anonymous: "yes"}
      when: {author.handle: null}
      terms: [anon]
X

c() {
	printf '%s\n' "$1" | sm-classify | jq -c "$2"
}

is "terms match folded text: BÁSURA finds basura" \
    "$(c '{"lang":"es","text":"¡Hay BÁSURA en la calle!"}' .classify.topic)" '"waste"'
is "terms are stemmed: contenedores finds contenedor" \
    "$(c '{"lang":"es","text":"los contenedores están llenos"}' .classify.topic)" '"waste"'
is "phrases match consecutive tokens, stemmed" \
    "$(c '{"lang":"es","text":"la recogida de los residuos"}' .classify.topic)" '"none"'
is "a phrase in order matches" \
    "$(c '{"lang":"es","text":"Recogidas de residuos: fatal"}' .classify.topic)" '"waste"'
is "lang restricts a rule to messages in that language" \
    "$(c '{"lang":"en","text":"basura everywhere"}' .classify.topic)" '"none"'
is "stem: false matches the word only" \
    "$(c '{"lang":"es","text":"las farolas"}' .classify.topic)" '"none"'
is "stem: false still folds case and accents" \
    "$(c '{"lang":"es","text":"FARÓLA rota"}' .classify.topic)" '"lighting"'
is "a condition's stem: false leaves its terms unstemmed" \
    "$(c '{"lang":"es","text":"los plazos"}' .classify.topic)" '"none"'
is "... matching the word itself" \
    "$(c '{"lang":"es","text":"fuera de PLAZO"}' .classify.topic)" '"deadlines"'
is "... while the rule's other conditions are stemmed" \
    "$(c '{"lang":"es","text":"vencimientos"}' .classify.topic)" '"deadlines"'
is "a hashtag matches a plain term" \
    "$(c '{"lang":"es","text":"mucha #Basura hoy"}' .classify.topic)" '"waste"'
is "a #term matches only the hashtag" \
    "$(c '{"lang":"es","text":"las fiestas de mayo"}' .classify.topic)" '"none"'
is "... and does match the hashtag" \
    "$(c '{"lang":"es","text":"#Fiestas2026? no, #fiestas"}' .classify.topic)" '"festival"'
is "a @mention never matches a term" \
    "$(c '{"lang":"es","text":"@basura hola"}' .classify.topic)" '"none"'
is "a URL never matches a term" \
    "$(c '{"lang":"es","text":"mira https://x.example/basura"}' .classify.topic)" '"none"'
is "an emoji is a term" \
    "$(c '{"lang":"es","text":"otra vez 😡😡"}' .classify.sentiment)" '"negative"'
is "regexes are case-insensitive by default and see the raw text" \
    "$(c '{"lang":"es","text":"¿CUÁNDO abren?"}' .classify.category)" '"question"'
is "any: one branch suffices, weight counts" \
    "$(c '{"lang":"es","text":"¿cuándo? la basura lleva 3 días"}' '.classify | [.category, .score]')" '["complaint",2]'
is "the highest total wins" \
    "$(c '{"lang":"es","text":"queja: ¿por qué? lleva 5 días"}' '.classify | [.category, .score]')" '["complaint",4]'
is "when: a field equal to one of the values" \
    "$(c '{"kind":"direct","text":"x"}' .classify.channel)" '"private"'
is "when: otherwise the default" \
    "$(c '{"kind":"mention","text":"x"}' .classify.channel)" '"public"'
is "when: null matches a missing field" \
    "$(c '{"text":"anon"}' .classify.anonymous)" '"yes"'
is "when: null does not match a present field" \
    "$(c '{"author":{"handle":"h"},"text":"anon"}' .classify.anonymous)" null
is "override wins whatever the scores" \
    "$(c '{"lang":"es","text":"queja queja ¿? lleva 3 días: incendio en la nave"}' '.classify | [.category, .urgency]')" '["emergency","critical"]'
is "none: blocks the rule" \
    "$(c '{"lang":"es","text":"simulacro de incendio"}' .classify.category)" '"other"'
is "a tie goes to the rule listed first" \
    "$(c '{"text":"empate"}' .classify.mood)" '"first"'
is "invented dimensions without default are null; order is core, defaults, rules" \
    "$(c '{"text":"nada"}' '.classify | keys_unsorted')" \
    '["category","topic","urgency","sentiment","channel","anonymous","mood","lang","pii","score","rules"]'
is "rules lists every rule that fired, in order" \
    "$(c '{"lang":"es","text":"queja: basura 😡"}' .classify.rules)" '["waste","angry","complaint"]'

printf '%s\n' '{"lang":"es","text":"Queja: la BASURA lleva 3 días"}' | sm-classify -x > out
is "--explain lists, per dimension, the rules with matches and scores" \
    "$(jq -c .classify.explain out)" \
    '{"category":[{"rule":"complaint","label":"complaint","score":4,"matched":["queja","lleva 3 días"]}],"topic":[{"rule":"waste","label":"waste","score":1,"matched":["basura"]}]}'

# personal data
c2() {
	printf '{"lang":"es","text":"%s"}\n' "$1" | sm-classify | jq -c .classify.pii
}
is "a DNI with its right letter is personal data" "$(c2 'mi DNI es 12345678Z')" '["dni"]'
is "a DNI with a wrong letter is not" "$(c2 'mi DNI es 12345678A')" '[]'
is "an arbitrary 8-digit number is not" "$(c2 'expediente 20261234')" '[]'
is "phone, e-mail and IBAN together, in order, values never copied" \
    "$(c2 'llamad al 612 345 678 o a ana@correo.example, cuenta ES91 2100 0418 4502 0005 1332')" \
    '["phone","email","iban"]'

# configuration errors
cat > bad.yaml <<'X'
classify:
  rules:
    - name: a
      set: {topic: a}
      terms: [x]
    - name: b
      set: {topic: b}
      pattren: x
X
run sm-classify -c bad.yaml </dev/null
is "an unknown key: exit 78" "$rc" 78
is "an unknown key is named with file:line:column and where" "$(cat err)" \
    "sm-classify: bad.yaml:8:16: unknown key 'pattren' in classify.rules[1] (name 'b')"

printf 'classify:\n  rules:\n    - name: r\n      set: {topic: t}\n      regex: "(unclosed"\n' > re.yaml
run sm-classify -c re.yaml </dev/null
is "a bad regex is a configuration error" "$rc:$(cat err)" \
    "78:sm-classify: re.yaml:5:14: classify.rules[0] (name 'r').regex: bad regex at offset 9: missing closing parenthesis"

printf 'classify:\n  rules:\n    - {name: r, set: {topic: t}, terms: [x]}\n    - {name: r, set: {topic: u}, terms: [y]}\n' > dup.yaml
run sm-classify -c dup.yaml </dev/null
is "a duplicate rule name is an error" "$(cat err)" \
    "sm-classify: dup.yaml:4:14: classify.rules[1]: duplicate rule name 'r'"

printf 'classify:\n  rules:\n    - {name: r, set: {topic: t}, weight: -1, terms: [x]}\n' > w.yaml
run sm-classify -c w.yaml </dev/null
like "a negative weight is an error" "$(cat err)" "w.yaml:3:.*weight must be a number above 0"

printf 'classify:\n  rules:\n    - {name: r, set: {topic: t}}\n' > empty.yaml
run sm-classify -c empty.yaml </dev/null
like "a rule that matches nothing is an error" "$(cat err)" "empty.yaml:3:7: classify.rules\[0\] \(name 'r'\): needs terms, regex, all, any or when"

mkdir -p conf/packs
printf 'classify:\n  include: packs/mine.yaml\n  rules:\n    - {name: local, set: {topic: local}, terms: [aqui]}\n' > conf/sm.yaml
printf 'defaults: {topic: nothing}\nrules:\n  - {name: packed, set: {topic: packed}, terms: [alli]}\n' > conf/packs/mine.yaml
is "include: is relative to the including file and lists concatenate" \
    "$(printf '{"text":"alli"}\n{"text":"aqui"}\n{"text":"x"}\n' | sm-classify -c conf/sm.yaml | jq -r .classify.topic | tr '\n' ' ')" \
    "packed local nothing "

printf 'include: b.yaml\n' > a.yaml
printf 'include: a.yaml\n' > b.yaml
run sm-classify -c a.yaml </dev/null
like "an include cycle is an error" "$rc:$(cat err)" "^78:sm-classify: b.yaml:1:1: include cycle"

printf 'classify:\n  include: builtin:municipal\n  rules:\n    - {name: extra, set: {topic: extra}, terms: [zzz]}\n' > ext.yaml
is "builtin:municipal can be included and extended" \
    "$(printf '{"lang":"es","text":"zzz"}\n{"lang":"es","text":"la basura sin recoger"}\n' | sm-classify -c ext.yaml | jq -r .classify.topic | tr '\n' ' ')" \
    "extra waste "

SM_CONFIG=$T/conf/sm.yaml run sm-classify -v </dev/null
is "SM_CONFIG names the configuration" "$(head -1 err)" "sm-classify: configuration: $T/conf/sm.yaml"

cat > forms.yaml <<'X'
classify:
  rules:
    - {name: q, set: {category: complaint}, terms: [queja, quejas, reclamación]}
X
is "two forms that match one word count once" \
    "$(printf '{"lang":"es","text":"mis quejas"}\n' | sm-classify -c forms.yaml | jq .classify.score)" 1
is "... two words count twice" \
    "$(printf '{"lang":"es","text":"una queja, una reclamación"}\n' | sm-classify -c forms.yaml | jq .classify.score)" 2

# a label with its own weight: a hint to the category that does not hold
# back the rule's other labels
cat > hint.yaml <<'X'
classify:
  rules:
    - name: bins
      set: {topic: waste, category: {label: complaint, weight: 0.5}}
      terms: [contenedor, basura]
    - {name: ask, set: {category: question}, regex: '\?'}
    - {name: thanks, set: {category: praise}, terms: [gracias]}
X
h() {
	printf '{"lang":"es","text":"%s"}\n' "$1" | sm-classify -c hint.yaml |
	    jq -r '.classify | "\(.category)/\(.topic)/\(.score)"'
}
is "a hint alone gives its label, at its own weight per match" \
    "$(h 'el contenedor y la basura de la calle Mayor')" complaint/waste/1
is "... a category rule of weight 1 beats a hint of 0.5" \
    "$(h '¿cuándo vacían el contenedor?')" question/waste/1
is "... and the rule's topic is kept though its category lost" \
    "$(h 'gracias por el contenedor nuevo')" praise/waste/1
printf 'classify:\n  rules:\n    - {name: b, set: {category: {label: complaint, weight: 0}}, terms: [x]}\n' > hint0.yaml
run sm-classify -c hint0.yaml </dev/null
like "a label's weight must be above 0" "$rc:$(cat err)" \
    "^78:sm-classify: hint0.yaml:3:60: classify.rules\\[0\\] \\(name 'b'\\).set.category: weight: expected a number above 0"
printf 'classify:\n  rules:\n    - {name: b, set: {category: {label: complaint, wieght: 1}}, terms: [x]}\n' > hintk.yaml
run sm-classify -c hintk.yaml </dev/null
like "... and its keys are label and weight" "$rc:$(cat err)" "^78:sm-classify: hintk.yaml:.*unknown key 'wieght'.*a typo of 'weight'"
printf 'classify:\n  rules:\n    - name: b\n      set: {category: {weight: 1}}\n      terms: [x]\n' > hintl.yaml
run sm-classify -c hintl.yaml </dev/null
is "... and label is one of them" "$rc:$(cat err)" \
    "78:sm-classify: hintl.yaml:4:23: classify.rules[0] (name 'b').set.category: a label needs label:"

# one regex written in several rules (a YAML alias): compiled once, and
# each rule still matches, explains and is vetoed by it on its own
cat > alias.yaml <<'X'
classify:
  rules:
    - name: fire
      set: {category: emergency}
      regex: ['(?<!\p{L})fuego(?!\p{L})']
      none:
        - &over {regex: ['(?<!\p{L})ayer\s+por\s+la\s+(tarde|noche)']}
    - name: smoke
      set: {topic: safety}
      regex: ['(?<!\p{L})humo(?!\p{L})', '(?<!\p{L})fuego(?!\p{L})']
      none:
        - *over
X
a() {
	printf '{"lang":"es","text":"%s"}\n' "$1" | sm-classify -x -c alias.yaml |
	    jq -r '.classify | "\(.category)/\(.topic)/\([.explain[][].matched[]?] | join(","))"'
}
is "a regex in two rules matches in both" "$(a 'hay fuego en el portal')" emergency/safety/fuego,fuego
is "... and the alias of a none vetoes both" "$(a 'el fuego de ayer por la tarde')" other/other/
is "... and the other regex of the second rule still counts" "$(a 'sale humo')" other/safety/humo

# a term written in several rules, stemmed in one and not in another: each
# rule matches as it was written
cat > shared.yaml <<'X'
classify:
  rules:
    - {name: a, set: {category: complaint}, lang: es, terms: [farolas]}
    - {name: b, set: {topic: lighting}, lang: es, stem: false, terms: [farolas]}
    - {name: c, set: {urgency: high}, lang: es, terms: [farolas]}
X
sh_() {
	printf '{"lang":"es","text":"%s"}\n' "$1" | sm-classify -c shared.yaml |
	    jq -r '.classify | "\(.category)/\(.topic)/\(.urgency)"'
}
is "a term in three rules matches in all three" "$(sh_ 'las farolas')" complaint/lighting/high
is "... and by its stem only where it is stemmed" "$(sh_ 'la farola')" complaint/other/high
