#!/bin/sh
# sm-classify label: a clerk labels records at a terminal (a pseudo-terminal
# from script(1)), one key each, appended to a file that survives a quit
. "${SM_SRC:-.}/tests/lib.sh"
command -v script >/dev/null || skip_all "script(1) is not installed"
plan 12

topics_train > train.jsonl
sm-classify train -q -l label.topic -o topic.model train.jsonl
cat > in.jsonl <<'X'
{"id":"m1","text":"La basura del portal lleva una semana sin recogerse","lang":"es"}
{"id":"m2","text":"Otra vez la farola de mi calle apagada","lang":"es"}
{"id":"m3","text":"El banco del parque está roto","lang":"es"}
{"id":"m4","text":"La bombilla de la plaza parpadea","lang":"es"}
X

# accept, pick the second label, skip, quit
printf 'a2sq' | script -qec "sm-classify label -l label.topic -o lab.jsonl -m topic=topic.model in.jsonl 2> err" \
    /dev/null > tty.log
is "label: exit 0, nothing said" "$? $(cat err)" "0 "
is "accept, another, skip, quit: two records labelled, in order" \
    "$(jq -c '[.id, .label.topic]' lab.jsonl | tr '\n' ' ')" '["m1","waste"] ["m2","lighting"] '
like "the terminal showed the message, the model's guess and the labels" \
    "$(tr -d '\r' < tty.log | tr '\n' ' ')" \
    '-- m1 La basura del portal lleva una semana sin recogerse -> waste \(model, p 0\.[0-9]+\) 1 waste  2 lighting'
is "the labelled file is private (0600)" "$(stat -c %a lab.jsonl)" 600
is "... and holds the record as it came, with the label" "$(head -1 lab.jsonl | jq -c 'del(.label)')" \
    "$(head -1 in.jsonl)"

# a second session does not ask again what the first labelled
printf 'aq' | script -qec "sm-classify label -l label.topic -o lab.jsonl -m topic=topic.model in.jsonl 2> err" \
    /dev/null > tty2.log
like "a second session starts at the first record not labelled (then quits at the next)" \
    "$(tr -d '\r' < tty2.log | grep -a '^-- ' | tr '\n' ' ')" '^-- m3 -- m4 $'
is "... and appends to the file" "$(jq -r .id lab.jsonl | tr '\n' ' ')" "m1 m2 m3 "

# the rules' guess, without a model; keys past the end of the input
printf '{"id":"r1","text":"hay una farola apagada en mi calle","lang":"es"}\n' > rules.jsonl
printf 'aaa' | script -qec "sm-classify label -l label.category -o cat.jsonl rules.jsonl 2> err" \
    /dev/null > tty3.log
like "without a model the rules guess" "$(tr -d '\r' < tty3.log | tr '\n' ' ')" '-- r1 .* -> [a-z]+ \(rules\)'
is "... and the guess accepted is written" "$(jq -r .label.category cat.jsonl)" \
    "$(sm-classify rules.jsonl | jq -r .classify.category)"

# a bad line in the labelled file is named, the rest still counts
printf '{"broken\n' >> lab.jsonl
printf 'q' | script -qec "sm-classify label -l label.topic -o lab.jsonl in.jsonl 2> err; echo \$? > rc" \
    /dev/null > /dev/null
is "a bad line in the labelled file: exit 65" "$(cat rc)" 65
like "... named with its file and line" "$(cat err)" '^sm-classify: lab\.jsonl:4: '

if (: < /dev/tty) 2>/dev/null; then
	echo "ok 12 # SKIP this test runs with a terminal"
else
	run sm-classify label -l label.topic -o x.jsonl in.jsonl
	is "label without a terminal: exit 64, said" "$rc $(cat err)" \
	    "64 sm-classify: label: /dev/tty: No such device or address: it needs a terminal"
fi
