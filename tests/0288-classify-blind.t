#!/bin/sh
# the built-in pack on a blind set (tests/fixtures/blind.jsonl): 250
# everyday messages to a town hall, 50 in each of es, ca, gl, eu and en,
# written with their expected labels by someone who never saw the pack or
# its tests. Its "tune" half (odd ids) was looked at while the pack was
# tuned; its "held-out" half was not, and says how the pack does on what
# nobody tuned it to. Figures: sh bench/everyday-eval -s tests/fixtures/blind.jsonl
. "${SM_SRC:-.}/tests/lib.sh"
plan 9

set=$SM_SRC/tests/fixtures/blind.jsonl
sm-classify "$set" > out

figure() {
	jq -s --arg p "$1" "map(select(\$p == \"all\" or .meta.part == \$p)) | $2" out
}

atleast() {
	if awk -v g="$2" -v m="$3" 'BEGIN { exit !(g >= m) }'; then
		ok "$1 ($2 >= $3)"
	else
		not_ok "$1 ($2 < $3)"
	fi
}

atmost() {
	if awk -v g="$2" -v m="$3" 'BEGIN { exit !(g <= m) }'; then
		ok "$1 ($2 <= $3)"
	else
		not_ok "$1 ($2 > $3)"
	fi
}

recall='map(select(.label.category == "emergency"))
    | (map(select(.classify.category == "emergency")) | length) / length'
alarms='map(select(.label.category != "emergency" and .classify.category == "emergency")) | length'
category='(map(select(.classify.category == .label.category)) | length) / length'
spam='map(select(.label.category != "spam" and .classify.category == "spam")) | length'

is "250 messages, 50 in each language" \
    "$(jq -sc 'group_by(.label.lang) | map(length)' "$set")" '[50,50,50,50,50]'
atleast "emergency recall, tune half" "$(figure tune "$recall")" 0.9
atleast "emergency recall, held-out half" "$(figure held-out "$recall")" 0.6
atmost "false alarms" "$(figure all "$alarms")" 1
atleast "category accuracy, tune half" "$(figure tune "$category")" 0.85
atleast "category accuracy, held-out half" "$(figure held-out "$category")" 0.7
atmost "citizens taken for spammers" "$(figure all "$spam")" 1
atleast "spam found" "$(figure all 'map(select(.label.category == "spam")) | (map(select(.classify.category == "spam")) | length) / length')" 0.75
atleast "language guessed, none given" "$(figure all '(map(select(.classify.lang == .label.lang)) | length) / length')" 0.9
