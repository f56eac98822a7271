#!/bin/sh
# sm-classify train, eval, -m and --uncertain: the statistical model
. "${SM_SRC:-.}/tests/lib.sh"
plan 49

# A small labelled archive: three topics, sentences built from parts.
i=0
for w in "la basura" "el contenedor" "la recogida" "los residuos" "la papelera"; do
	for e in "lleva días sin recogerse" "está desbordado" "huele fatal" "no se vacía"; do
		i=$((i + 1))
		printf '{"id":"w%s","platform":"x","text":"%s de mi calle %s","lang":"es","label":{"topic":"waste"}}\n' $i "$w" "$e"
	done
done > train.jsonl
for w in "la farola" "el alumbrado" "la luz" "las farolas" "la bombilla"; do
	for e in "no funciona" "está apagada" "parpadea toda la noche" "se fundió"; do
		i=$((i + 1))
		printf '{"id":"l%s","platform":"x","text":"%s de la plaza %s","lang":"es","label":{"topic":"lighting"}}\n' $i "$w" "$e"
	done
done >> train.jsonl
for w in "el ruido" "la música" "los gritos" "el botellón" "la fiesta"; do
	for e in "no nos deja dormir" "sigue hasta las cuatro" "es insoportable" "molesta cada noche"; do
		i=$((i + 1))
		printf '{"id":"n%s","platform":"x","text":"%s del bar %s","lang":"es","label":{"topic":"noise"}}\n' $i "$w" "$e"
	done
done >> train.jsonl
printf '{"id":"nolabel","text":"sin etiqueta"}\n' >> train.jsonl
cat > test.jsonl <<'X'
{"id":"t1","text":"La basura del portal lleva una semana sin recogerse","lang":"es","label":{"topic":"waste"}}
{"id":"t2","text":"Otra vez la farola de mi calle apagada","lang":"es","label":{"topic":"lighting"}}
{"id":"t3","text":"El ruido del bar no nos deja dormir","lang":"es","label":{"topic":"noise"}}
X

run sm-classify train -v -l label.topic -o topic.model train.jsonl
is "train exits 0" "$rc" 0
like "train says how many records it used and skipped" "$(cat err)" \
    '60 training records, 1 without label.topic skipped'
is "train writes nothing on stdout" "$(cat out)" ""
like "the model file starts with its magic" "$(head -c 8 topic.model)" '^SMMODEL$'

sm-classify train -q -l label.topic -o again.model train.jsonl
if cmp -s topic.model again.model; then ok "training is deterministic"; else not_ok "training is deterministic"; fi
sm-classify train -q -l label.topic -o seed2.model --seed 2 train.jsonl
if cmp -s topic.model seed2.model; then not_ok "another seed gives another model"; else ok "another seed gives another model"; fi

trained() {	# the "trained" part of a model's header
	tail -c +29 "$1" | head -c 4000 | grep -ao '"trained":{[^}]*}'
}
like "the header says how the model was trained" "$(trained topic.model)" \
    '"label":"label.topic","examples":60,.*"l2":1e-6,"epochs":[0-9]+,"balance":(1|0\.5|0)(\.0)?,"cv_macro_f1":1(\.0)?}'
sm-classify train -q -l label.topic -o nocv.model --folds 0 train.jsonl
like "--folds 0: no cross-validation, every epoch, every label weighed alike" \
    "$(trained nocv.model)" '"l2":1e-6,"epochs":30,"balance":1(\.0)?}'
run sm-classify train -l label.topic -o x.model --folds 1 train.jsonl
like "--folds 1 is a usage error" "$rc $(cat err)" '^64 sm-classify: --folds 1: expected 0 or a number from 2 to 100'
sm-classify train -q -l label.topic -o dev.model --dev test.jsonl train.jsonl
like "with --dev, the epoch, the penalty and the weights are chosen on it" "$(trained dev.model)" \
    '"l2":(1e-6|1e-5|0.0001),"epochs":[0-9]+,"balance":(1|0\.5|0)(\.0)?,"dev_macro_f1":1(\.0)?}'
sm-classify train -q -l label.topic -o dev.model --dev test.jsonl --l2 0.001 train.jsonl
like "... unless --l2 is given" "$(trained dev.model)" '"l2":0.001,'

run sm-classify -m topic=topic.model test.jsonl
is "classify with -m exits 0" "$rc" 0
is "the model labels unseen messages" "$(jq -r .classify.topic out | tr '\n' ' ')" \
    "waste lighting noise "
is "each record gets the model's label and probability" \
    "$(jq -c '.classify.model.topic | [.label, (.p > 0.34 and .p <= 1)]' out | head -1)" '["waste",true]'
is "classify keeps its field order, model after rules" \
    "$(jq -c '.classify | keys_unsorted' out | head -1)" \
    '["category","topic","urgency","sentiment","lang","pii","score","rules","model"]'

# the object is written straight from the classifier when the line is
# copied, through jansson when it is re-encoded: the same bytes either way
sed 's/^{/{ /' test.jsonl > spaced.jsonl
sm-classify -x -m topic=topic.model -m mood=topic.model test.jsonl | sed 's/.*,"classify"://' > direct
sm-classify -x -m topic=topic.model -m mood=topic.model spaced.jsonl | sed 's/.*,"classify"://' > tree
if [ -s direct ] && cmp -s direct tree; then ok "a copied and a re-encoded line get the same classify bytes, models and all"
else not_ok "a copied and a re-encoded line get the same classify bytes, models and all"; fi

sm-classify -x -m topic=topic.model test.jsonl > out
is "explain names the model and whether it was used" \
    "$(jq -c '.classify.explain.topic[-1] | [.model, .label, .used]' out | head -1)" \
    '["topic.model","waste",true]'
like "explain lists the features that weighed most" \
    "$(jq -r '.classify.explain.topic[-1].features[].feature' out | head -20 | tr '\n' ' ')" \
    'w:basura'

# The model file's errors: always a clear message, never a wrong answer.
cp topic.model t.model
head -c 100 topic.model > trunc.model
run sm-classify -m topic=trunc.model test.jsonl
is "a truncated model is a configuration error" "$rc" 78
like "... that says so" "$(cat err)" '^sm-classify: trunc.model: truncated model'
is "... and nothing is written" "$(cat out)" ""
cp topic.model flip.model
size=$(wc -c < flip.model)
printf '\377' | dd of=flip.model bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
run sm-classify -m topic=flip.model test.jsonl
is "a flipped byte is caught" "$rc" 78
like "... by the checksum" "$(cat err)" 'flip.model: corrupt model \(checksum mismatch\)'
cp topic.model new.model
printf '\011' | dd of=new.model bs=1 seek=8 conv=notrunc 2>/dev/null
run sm-classify -m topic=new.model test.jsonl
like "a newer format version is refused by name" "$(cat err)" \
    'new.model: model format version 9; this sm-classify reads version 2'
run sm-classify -m topic=train.jsonl test.jsonl
like "a file that is not a model is refused" "$(cat err)" \
    'train.jsonl: not an sm-classify model'
run sm-classify -m topic=missing.model test.jsonl
like "a missing model is named" "$(cat err)" 'missing.model: No such file'
run sm-classify -m topic test.jsonl
is "-m without a file is a usage error" "$rc" 64
run sm-classify -m pii=topic.model test.jsonl
like "a model cannot take one of classify's own fields" "$(cat err)" "'pii' is one of classify's own fields"

# Rules and models: an override rule always wins; a sure model wins over
# the other rules; an unsure one leaves the rules' label or the default.
mkdir -p conf
cp topic.model conf/topic.model
cat > conf/sm.yaml <<'X'
classify:
  defaults: {topic: other}
  rules:
    - {name: fire, set: {topic: emergency}, override: true, terms: [fuego]}
    - {name: wrong, set: {topic: lighting}, terms: [basura]}
  models:
    - {dimension: topic, path: topic.model, min_confidence: 0.4}
X
printf '%s\n' '{"id":"a","text":"fuego en la basura del contenedor","lang":"es"}' \
    '{"id":"b","text":"la basura lleva días sin recogerse","lang":"es"}' > mix.jsonl
run sm-classify -c conf/sm.yaml mix.jsonl
is "a model path is relative to the configuration file" "$rc" 0
is "an override rule wins over the model" "$(jq -r .classify.topic out | head -1)" emergency
is "a sure model wins over the other rules" "$(jq -r .classify.topic out | sed -n 2p)" waste
sed 's/min_confidence: 0.4/min_confidence: 1/' conf/sm.yaml > conf/unsure.yaml
sm-classify -c conf/unsure.yaml mix.jsonl > out
is "below min_confidence the rules' label stands" "$(jq -r .classify.topic out | sed -n 2p)" lighting
printf '%s\n' '{"id":"c","text":"el ruido del bar","lang":"es"}' | sm-classify -c conf/unsure.yaml > out
is "... or the default" "$(jq -r .classify.topic out)" other
sed 's/min_confidence: 0.4/min_confidence: 2/' conf/sm.yaml > conf/bad.yaml
run sm-classify -c conf/bad.yaml mix.jsonl
like "a bad min_confidence is an error at its place" "$(cat err)" 'conf/bad.yaml:7:61: classify.models\[0\].min_confidence'

# eval, on figures worked out by hand: rules only, four records.
cat > ev.yaml <<'X'
classify:
  defaults: {topic: other}
  rules:
    - {name: w, set: {topic: waste}, terms: [basura]}
    - {name: n, set: {topic: noise}, terms: [ruido]}
X
printf '%s\n' '{"text":"basura","gold":"waste"}' '{"text":"ruido","gold":"waste"}' \
    '{"text":"ruido","gold":"noise"}' '{"text":"nada","gold":"noise"}' '{"text":"x"}' > ev.jsonl
run sm-classify eval -c ev.yaml -j -l gold -d topic ev.jsonl
is "eval exits 0" "$rc" 0
is "eval's accuracy, macro-F1 and counts" \
    "$(jq -c '[.records, .skipped, .accuracy, .macro_f1]' out)" '[4,1,0.5,0.3889]'
is "eval's per-label figures" "$(jq -c '[.labels[] | [.label, .precision, .recall, .f1, .support]]' out)" \
    '[["waste",1,0.5,0.6667,2],["noise",0.5,0.5,0.5,2],["other",0,0,0,0]]'
is "eval's confusion matrix" "$(jq -c .confusion out)" \
    '{"labels":["waste","noise","other"],"matrix":[[1,1,0],[0,1,1],[0,0,0]]}'
run sm-classify eval -c ev.yaml -l gold -d topic ev.jsonl
like "eval prints a table for people" "$(cat out)" 'macro-F1  0\.3889'

# --uncertain: the N least sure records, least sure first.
run sm-classify -m topic=topic.model --uncertain 2 --uncertain-file unsure.jsonl train.jsonl
is "--uncertain keeps N records" "$(wc -l < unsure.jsonl | tr -d ' ')" 2
is "... the least sure ones, in order" \
    "$(jq -r .classify.model.topic.p unsure.jsonl | tr '\n' ' ')" \
    "$(jq -r .classify.model.topic.p out | sort -g | head -2 | tr '\n' ' ')"
run sm-classify --uncertain 2 --uncertain-file u.jsonl test.jsonl
is "--uncertain without a model is a usage error" "$rc" 64

head -3 train.jsonl > one.jsonl
run sm-classify train -l label.topic -o one.model one.jsonl
is "training on one label is a data error" "$rc" 65
like "... that says why" "$(cat err)" 'only one label'
run sm-classify train -o x.model train.jsonl
is "train without -l is a usage error" "$rc" 64

# train reads like every filter: bad lines reported, counted and kept
{ cat train.jsonl; echo '{"text": broken'; } > bad-train.jsonl
{ cat test.jsonl; echo '[1,2]'; } > bad-dev.jsonl
run sm-classify train -l label.topic -o bad.model -r rej.jsonl --dev bad-dev.jsonl bad-train.jsonl
is "train: a bad line is a data error, the model still made" "$rc $(test -s bad.model && echo made)" "65 made"
like "... each bad line named with its file and line" "$(tr "\n" " " < err)" \
    "bad-train.jsonl:62: .*bad-dev.jsonl:$(wc -l < bad-dev.jsonl | tr -d ' '): "
is "... and kept in the rejects file, training and dev lines alike" "$(cat rej.jsonl)" \
    '{"text": broken
[1,2]'

# the common options may come before the subcommand too
run sm-classify -c /dev/null -q eval -l label.topic -m topic=topic.model test.jsonl
is "options before eval: the same as after it" "$rc $(head -1 out)" \
    "0 $(sm-classify eval -c /dev/null -q -l label.topic -m topic=topic.model test.jsonl | head -1)"
