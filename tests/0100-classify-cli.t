#!/bin/sh
# sm-classify: options, usage, input and output handling, exit codes
. "${SM_SRC:-.}/tests/lib.sh"
plan 43

run sm-classify --help
is "--help exits 0" "$rc" 0
like "--help prints usage on stdout" "$(head -1 out)" '^usage: sm-classify \[-quvx\]'
is "--help prints nothing on stderr" "$(cat err)" ""

run sm-classify -V
is "-V prints the version" "$(cat out)" "sm-classify 0.1.0"

run sm-classify --bogus </dev/null
is "a bad option exits 64" "$rc" 64
like "a bad option prints usage on stderr" "$(cat err)" '^usage: sm-classify'
is "a bad option prints nothing on stdout" "$(cat out)" ""

printf '{"id":"a","text":"hola","z":1}\n' > one.jsonl
run sm-classify one.jsonl
is "a record is classified, exit 0" "$rc" 0
is "input keys keep their order, classify last" \
    "$(jq -c 'keys_unsorted' out)" '["id","text","z","classify"]'
is "nothing on stderr" "$(cat err)" ""

printf '{"classify":{"old":1},"id":"b","text":"x"}\n' | sm-classify > out
is "an existing classify is replaced and moved last" \
    "$(jq -c '[keys_unsorted, (.classify | has("old"))]' out)" \
    '[["id","text","classify"],false]'

run sm-classify - < one.jsonl
is "- reads standard input" "$(jq -r .id out)" a

printf '\357\273\277{"id":"bom"}\r\n\r\n   \n{"id":"crlf"}\r\n{"id":"last"}' > odd.jsonl
run sm-classify odd.jsonl
is "BOM, CRLF, blank lines and a missing final newline are accepted" \
    "$(jq -r .id out | tr '\n' ' ')" "bom crlf last "
is "... with exit 0" "$rc" 0

# a line of several megabytes
awk 'BEGIN { printf "{\"id\":\"long\",\"lang\":\"es\",\"text\":\""; for (i = 0; i < 300000; i++) printf "basura "; print "\"}" }' > long.jsonl
run sm-classify long.jsonl
is "a very long line is one record" "$(jq -r '.id + " " + .classify.topic' out)" "long waste"

cat > bad.jsonl <<'X'
{"id":"1","text":"la farola está fundida"}
not json
[1,2]
"a string"
{"id":"2","text":"ok"
{"id":"3","text":"y otra"}
X
printf '{"id":"4","text":"\377\376"}\n' >> bad.jsonl
run sm-classify bad.jsonl
is "bad lines: exit 65" "$rc" 65
is "bad lines: the good records are all written" "$(jq -r .id out | tr '\n' ' ')" "1 3 "
is "bad lines: each reported with file and line" "$(cat err)" \
"sm-classify: bad.jsonl:2: invalid JSON at column 3: invalid token near 'not'
sm-classify: bad.jsonl:3: expected an object, got an array
sm-classify: bad.jsonl:4: expected an object, got a string
sm-classify: bad.jsonl:5: invalid JSON at column 21: '}' expected near end of file
sm-classify: bad.jsonl:7: invalid UTF-8"

run sm-classify -r rejects.jsonl bad.jsonl
sed -n '2,5p;7p' bad.jsonl > expected-rejects
is "--rejects keeps the rejected lines verbatim" "$(cmp rejects.jsonl expected-rejects && echo same)" same
run sm-classify -q -r rejects.jsonl bad.jsonl
is "-q: no report on stderr" "$(cat err)" ""
is "-q: still exit 65" "$rc" 65
is "--rejects appends" "$(wc -l < rejects.jsonl | tr -d ' ')" 10

run sm-classify missing.jsonl one.jsonl
is "a missing file: exit 66" "$rc" 66
is "a missing file is reported" "$(cat err)" "sm-classify: missing.jsonl: No such file or directory"
is "a missing file: the other files are still read" "$(jq -r .id out)" a

run sm-classify -r /nonexistent/dir/rejects one.jsonl
is "an unwritable rejects file: exit 73" "$rc" 73

if [ -w /dev/full ]; then
	sm-classify "$EXAMPLES/messages.jsonl" > /dev/full 2> err
	rc=$?
	is "output to /dev/full: exit 74" "$rc" 74
	is "output to /dev/full is reported" "$(cat err)" "sm-classify: <stdout>: write error: No space left on device"
else
	ok "# SKIP no /dev/full"
	ok "# SKIP no /dev/full"
fi

for i in 1 2 3 4 5 6 7 8 9 10; do cat long.jsonl; done > big.jsonl
sm-classify big.jsonl 2> err | head -c 10 > /dev/null
is "a closed pipe ends quietly" "$(cat err)" ""
( sm-classify big.jsonl 2>/dev/null; echo $? > status ) | head -c 10 > /dev/null
is "a closed pipe exits 0" "$(cat status)" 0

run sm-classify -v one.jsonl
is "-v says the configuration and a summary" "$(cat err)" \
"sm-classify: configuration: none (built-in rule pack)
sm-classify: 1 record read, 1 written, 0 rejected"

# -u: each record comes out before the next line is read
mkfifo in.fifo out.fifo
sm-classify -u < in.fifo > out.fifo &
pid=$!
exec 3> in.fifo 4< out.fifo
echo '{"id":"u1","text":"hola"}' >&3
line=
if command -v timeout >/dev/null; then
	line=$(timeout 20 head -n 1 <&4)
fi
exec 3>&- 4<&-
wait $pid
is "-u flushes each record at once" "$(printf '%s' "$line" | jq -r .id)" u1

printf '{"id":"t"}\n' > notext.jsonl
run sm-classify notext.jsonl
is "a record without text gets the defaults" "$(jq -c '.classify | [.category, .topic, .urgency, .sentiment, .score, .rules]' out)" \
    '["other","other","normal","neutral",0,[]]'
printf '{"id":"t","text":42}\n' > numtext.jsonl
run sm-classify numtext.jsonl
is "a text that is not a string is treated as empty" "$rc" 0

printf '{"id":"x","text":"Hola, la farola de mi calle no funciona desde ayer"}\n' | sm-classify > out
is "a record without lang gets one detected" "$(jq -r .classify.lang out)" es
printf '{"id":"x","lang":"es-ES","text":"hello"}\n' | sm-classify > out
is "a lang tag is reduced to its primary subtag" "$(jq -r .classify.lang out)" es

# Compact input is copied byte for byte; anything else is re-encoded.
printf '%s\n' '{"id":"b1","text":"caf\u00e9 \/ ok","n":1.50,"x":{}}' > bytes.jsonl
sm-classify bytes.jsonl > out
is "a compact line keeps its own bytes" "$(sed 's/,"classify":.*//' out)" \
    '{"id":"b1","text":"caf\u00e9 \/ ok","n":1.50,"x":{}'
printf '%s\n' '{ "id": "b2",  "text": "hola" }' '{}' > spaced.jsonl
sm-classify spaced.jsonl > out
is "a line with spaces comes out compact" "$(sed -n 1p out | sed 's/,"classify":.*//')" \
    '{"id":"b2","text":"hola"'
is "an empty object gets classify alone" "$(sed -n 2p out | cut -c1-13)" '{"classify":{'
sed 's/^{/{ /' "$SM_SRC/examples/messages.jsonl" > spaced.jsonl
sm-classify -x "$SM_SRC/examples/messages.jsonl" | sed 's/.*,"classify"://' > direct
sm-classify -x spaced.jsonl | sed 's/.*,"classify"://' > tree
if [ -s direct ] && cmp -s direct tree; then ok "a copied and a re-encoded line get the same classify bytes"
else not_ok "a copied and a re-encoded line get the same classify bytes"; fi

# a key named twice: the last value wins, whether the line is copied or
# re-encoded (compact and spaced lines come out the same)
printf '%s\n' '{"a":1,"b":2,"a":3,"o":{"x":1,"x":2},"text":"hola"}' \
    '{"a":1, "b":2,"a":3,"o":{"x":1,"x":2},"text":"hola"}' > dup.jsonl
sm-classify dup.jsonl > dup.out
is "a duplicate key: the same record on both paths, the last value" \
    "$(cut -c1-40 dup.out)" '{"a":3,"b":2,"o":{"x":2},"text":"hola","
{"a":3,"b":2,"o":{"x":2},"text":"hola","'

# only the fields the classifier reads are built: a record classified
# before is written anew whole, its classify replaced; a key written
# with an escape is read as jansson reads it
printf '%s\n' '{"id":"r1","text":"hola","classify":{"category":"x","old":1},"author":{"name":"A","n":[1,2.5e3,null]},"z":true}' \
    '{"i\u0064":"e1","text":"La farola no funciona","kind":"mention"}' > re.jsonl
sm-classify re.jsonl > re.out
is "classified before: the rest kept, classify anew" \
    "$(sed -n 1p re.out | jq -c '[.id, .author, .z, .classify.old, .classify.category != "x"]')" \
    '["r1",{"name":"A","n":[1,2500,null]},true,null,true]'
is "an escaped key: the line as it came, classified" \
    "$(sed -n 2p re.out | jq -c '[.id, .classify.category]')" '["e1","complaint"]'
