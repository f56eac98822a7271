#!/bin/sh
# the built-in pack on two blind sets of everyday messages to a town hall,
# 50 in each of es, ca, gl, eu and en, written with their expected labels
# by helpers who never saw the pack or its tests:
#   tests/fixtures/blind.jsonl   short posts, emergencies told many ways
#   tests/fixtures/blind2.jsonl  long e-mails, the elderly's run-on writing,
#                                teenagers' slang, replies in a thread
#   tests/fixtures/tune8.jsonl   the same, emergencies hidden in them, and
#                                messages of two things
#   tests/fixtures/tune9.jsonl   100 near-misses of emergencies, 150 ordinary
#                                messages in ca and eu (looked at whole)
#   tests/fixtures/tune10.jsonl  150 emergencies told by their signs, hidden
#                                in letters, capitals, slang; 100 near-misses
#   tests/fixtures/tune11.jsonl  ordinary traffic, most in gl, eu and ca
#   tests/fixtures/tune12.jsonl  175 emergencies of rarer kinds, 75 near-misses
#   tests/fixtures/tune13.jsonl  the topic told in everyday words
#   tests/fixtures/tune14.jsonl  emergencies in short phone posts
#   tests/fixtures/tune15.jsonl  emergencies in long letters, and their
#                                near-misses
#   tests/fixtures/tune16.jsonl  the everyday categories that get confused
#   tests/fixtures/tune17.jsonl  gl, eu and ca, 60% emergencies
#   tests/fixtures/tune18.jsonl  a month's inbox, 10 emergencies a language
#   tests/fixtures/tune19.jsonl  a summer's and an autumn's emergencies
#   tests/fixtures/tune20.jsonl  ordinary traffic, every topic in everyday words
#   tests/fixtures/tune21.jsonl  emergencies in the words of who sees them (a
#                                lifeguard, a shepherd, a caretaker...)
#   tests/fixtures/tune22.jsonl  emergencies arriving among other business
#   tests/fixtures/tune23.jsonl  the everyday emergencies, each told differently
#   tests/fixtures/tune24.jsonl  a year's emergencies and their look-alikes (the
#                                same 30 situations told in each language)
#   tests/fixtures/tune25.jsonl  ordinary traffic, the topic in everyday words
#   tests/fixtures/tune26.jsonl  175 emergencies hard to recognise (told by
#                                their signs, through someone else), 75
#                                look-alikes
#   tests/fixtures/tune27.jsonl  ordinary messages whose category is easy to
#                                get wrong
#   tests/fixtures/tune28.jsonl  160 emergencies written in a hurry, in dialect
#                                and abbreviations, 90 look-alikes
#   tests/fixtures/tune29.jsonl  the topic in everyday words, two subjects in
#                                one message
#   tests/fixtures/tune30.jsonl  150 emergencies reported by people at work or in
#                                charge of others, 100 look-alikes
#   tests/fixtures/tune32.jsonl  a coastal town's summer: 150 alarming words
#                                that are no emergency, 100 emergencies
#   tests/fixtures/tune33.jsonl  175 everyday emergencies told in unusual ways
#                                (as a question, understated, in a reply)
#   tests/fixtures/tune31.jsonl  messages that do several things at once: what
#                                the citizen mainly wants
# Their "tune" halves (odd ids) were looked at while the pack was tuned;
# their "held-out" halves were not, and say how the pack does on what
# nobody tuned it to. And one looked at whole:
#   tests/fixtures/blind3.jsonl  300 messages, 150 of them emergencies of
#                                as many kinds as could be thought of, with
#                                false alarms and spam
#   tests/fixtures/tune5.jsonl   250: 100 in Galician, 60 hazards of high
#                                urgency, 90 complaints and questions of
#                                an obvious topic in everyday words
#   tests/fixtures/tune6.jsonl   200: 100 in Basque, 50 in Catalan, 50 in
#                                English, in many styles
#   tests/fixtures/tune7.jsonl   250: emergencies hidden in long e-mails, the
#                                elderly's capitals, slang, thread replies,
#                                messages of two things
# And one never looked at, only measured (keep it so: read its figures,
# never its messages, or it stops saying anything):
#   tests/fixtures/blind4.jsonl  250 messages as a month's inbox would
#                                bring them, 50 a language
#   tests/fixtures/blind5.jsonl  the same, by another helper
#   tests/fixtures/blind6.jsonl  a winter month's, by a third
#   tests/fixtures/blind7.jsonl  a spring month's, by a fourth, written at
#                                the end of the session that tuned to the
#                                others
#   tests/fixtures/blind8.jsonl  an autumn month's, by a fifth
#   tests/fixtures/blind9.jsonl  a summer month's in a coastal town, with
#                                tourists and fiestas, by a sixth
# Figures: sh bench/everyday-eval -s SET -p PART
. "${SM_SRC:-.}/tests/lib.sh"
plan 226

figure() {	# figure OUT PART JQ
	jq -s --arg p "$2" "map(select(\$p == \"all\" or .meta.part == \$p)) | $3" "$1"
}

recall='map(select(.label.category == "emergency"))
    | (map(select(.classify.category == "emergency")) | length) / length'
alarms='map(select(.label.category != "emergency" and .classify.category == "emergency")) | length'
category='(map(select(.classify.category == .label.category)) | length) / length'
spam='map(select(.label.category != "spam" and .classify.category == "spam")) | length'
lang='(map(select(.classify.lang == .label.lang)) | length) / length'

# check SET TUNE-RECALL HELD-RECALL TUNE-CATEGORY HELD-CATEGORY
check() {
	set=$SM_SRC/tests/fixtures/$1
	sm-classify "$set" > "$1.out"
	is "$1: 250 messages, 50 in each language" \
	    "$(jq -sc 'group_by(.label.lang) | map(length)' "$set")" '[50,50,50,50,50]'
	atleast "$1: emergency recall, tune half" "$(figure "$1.out" tune "$recall")" "$2"
	atleast "$1: emergency recall, held-out half" "$(figure "$1.out" held-out "$recall")" "$3"
	atmost "$1: false alarms" "$(figure "$1.out" all "$alarms")" 1
	atleast "$1: category accuracy, tune half" "$(figure "$1.out" tune "$category")" "$4"
	atleast "$1: category accuracy, held-out half" "$(figure "$1.out" held-out "$category")" "$5"
	atmost "$1: citizens taken for spammers" "$(figure "$1.out" all "$spam")" 1
	atleast "$1: spam found" "$(figure "$1.out" all 'map(select(.label.category == "spam")) | (map(select(.classify.category == "spam")) | length) / length')" 0.75
	atleast "$1: language guessed, none given" "$(figure "$1.out" all "$lang")" 0.9
}

check blind.jsonl 0.95 0.7 0.9 0.75
check blind2.jsonl 0.95 0.55 0.9 0.65
check tune8.jsonl 0.95 0.6 0.85 0.7

# halves SET TUNE-RECALL HELD-RECALL TUNE-CATEGORY HELD-CATEGORY ALARMS: a
# set with a tune and a held-out half, not five equal languages (- for
# the recalls of a set without emergencies)
halves() {
	set=$SM_SRC/tests/fixtures/$1
	sm-classify "$set" > "$1.out"
	if [ "$2" != - ]; then
		atleast "$1: emergency recall, tune half" "$(figure "$1.out" tune "$recall")" "$2"
		atleast "$1: emergency recall, held-out half" "$(figure "$1.out" held-out "$recall")" "$3"
	fi
	atleast "$1: category accuracy, tune half" "$(figure "$1.out" tune "$category")" "$4"
	atleast "$1: category accuracy, held-out half" "$(figure "$1.out" held-out "$category")" "$5"
	atmost "$1: false alarms" "$(figure "$1.out" all "$alarms")" "$6"
	atmost "$1: citizens taken for spammers" "$(figure "$1.out" all "$spam")" 1
}
halves tune10.jsonl 0.95 0.55 0.85 0.65 2
halves tune11.jsonl - - 0.75 0.7 1
halves tune12.jsonl 0.9 0.4 0.8 0.45 4
halves tune13.jsonl - - 0.7 0.65 1
halves tune14.jsonl 0.9 0.5 0.85 0.55 2
halves tune15.jsonl 0.9 0.6 0.8 0.6 2
halves tune16.jsonl - - 0.7 0.65 2
halves tune17.jsonl 0.9 0.45 0.85 0.5 1
halves tune18.jsonl 0.9 0.5 0.8 0.65 1
halves tune19.jsonl 0.9 0.6 0.85 0.65 1
halves tune20.jsonl - - 0.75 0.65 1
halves tune21.jsonl 0.9 0.5 0.8 0.55 5
halves tune22.jsonl 0.9 0.6 0.75 0.7 1
halves tune23.jsonl 0.9 0.45 0.85 0.55 2
halves tune24.jsonl 0.95 0.8 0.85 0.75 2
halves tune25.jsonl 0.9 0.9 0.8 0.65 3
halves tune26.jsonl 0.95 0.65 0.9 0.65 3
halves tune27.jsonl 0.7 0.7 0.65 0.6 1
halves tune28.jsonl 0.95 0.85 0.9 0.8 2
halves tune29.jsonl 0.9 0.6 0.7 0.7 1
halves tune30.jsonl 0.95 0.85 0.85 0.8 2
halves tune31.jsonl 0.9 0.9 0.72 0.75 3
halves tune32.jsonl 0.95 0.75 0.8 0.75 2
halves tune33.jsonl 0.9 0.5 0.85 0.6 3

# topics SET TUNE HELD-OUT: the topic, where labelled, right on each half
# (an emergency's is safety, a flood's water)
topic='map(select(.label.topic != null))
    | (map(select(.classify.topic == .label.topic)) | length) / length'
topics() {
	atleast "$1: topic accuracy, tune half" "$(figure "$1.out" tune "$topic")" "$2"
	atleast "$1: topic accuracy, held-out half" "$(figure "$1.out" held-out "$topic")" "$3"
}
topics tune10.jsonl 0.8 0.65
topics tune12.jsonl 0.75 0.5
topics tune19.jsonl 0.8 0.55
topics tune24.jsonl 0.65 0.6
topics tune25.jsonl 0.65 0.7
topics tune29.jsonl 0.8 0.65
atleast "tune20.jsonl: topic, held-out half" "$(figure tune20.jsonl.out held-out 'map(select(.label.topic != null)) | (map(select(.classify.topic == .label.topic)) | length) / length')" 0.75
atleast "tune13.jsonl: topic, held-out half" "$(figure tune13.jsonl.out held-out 'map(select(.label.topic != null)) | (map(select(.classify.topic == .label.topic)) | length) / length')" 0.75

# whole SET CATEGORY RECALL [ALARMS]: a set looked at (or not) whole: its
# category accuracy and emergency recall at least so, at most ALARMS false
# alarms (1) and one citizen taken for a spammer
whole() {
	sm-classify "$SM_SRC/tests/fixtures/$1" > "$1.out"
	atleast "$1: category accuracy" "$(figure "$1.out" all "$category")" "$2"
	atleast "$1: emergency recall" "$(figure "$1.out" all "$recall")" "$3"
	atmost "$1: false alarms" "$(figure "$1.out" all "$alarms")" "${4:-1}"
	atmost "$1: citizens taken for spammers" "$(figure "$1.out" all "$spam")" 1
}

whole blind3.jsonl 0.85 0.9
whole tune5.jsonl 0.85 0.9
atleast "tune5.jsonl: hazards found high" "$(figure tune5.jsonl.out all 'map(select(.label.urgency == "high")) | (map(select(.classify.urgency == "high")) | length) / length')" 0.85
atleast "tune5.jsonl: topic where obvious" "$(figure tune5.jsonl.out all 'map(select(.label.topic != null)) | (map(select(.classify.topic == .label.topic)) | length) / length')" 0.78
atleast "tune5.jsonl: Galician told apart, none given" "$(figure tune5.jsonl.out all 'map(select(.label.lang == "gl")) | (map(select(.classify.lang == "gl")) | length) / length')" 0.8
whole tune6.jsonl 0.83 0.9
whole tune7.jsonl 0.9 0.93
whole tune9.jsonl 0.78 0.95
whole blind4.jsonl 0.8 0.75
atleast "blind4.jsonl: language guessed, none given" "$(figure blind4.jsonl.out all "$lang")" 0.9
whole blind5.jsonl 0.8 0.8
whole blind6.jsonl 0.78 0.7
whole blind7.jsonl 0.75 0.7 2
whole blind8.jsonl 0.75 0.75 4
whole blind9.jsonl 0.75 0.75 7
atleast "blind5.jsonl: language guessed, none given" "$(figure blind5.jsonl.out all "$lang")" 0.95
