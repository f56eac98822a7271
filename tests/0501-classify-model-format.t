#!/bin/sh
# sm-classify's model file, format 2: character n-grams of the chunks
# between spaces; a file of format 1 (n-grams of words) still loads and
# is read as it was written
. "${SM_SRC:-.}/tests/lib.sh"
command -v python3 >/dev/null || skip_all "python3 is not installed"
plan 11

# waste reports carry a reference number, lighting ones another: only
# the numbers' character n-grams tell them apart by it
topics_train | sed '/"w[0-9]*"/s/","lang"/ ref 010-555","lang"/;
    /"l[0-9]*"/s/","lang"/ ref 020-777","lang"/' > train.jsonl
printf '%s\n' '{"id":"t","text":"010-555","lang":"es"}' > num.jsonl

header() {	# the JSON header of a model file
	python3 -c 'import struct, sys
d = open(sys.argv[1], "rb").read()
n = struct.unpack_from("<I", d, 24)[0]
sys.stdout.write(d[28:28 + n].decode().rstrip())' "$1"
}
version() {	# the format version of a model file
	python3 -c 'import struct, sys
print(struct.unpack_from("<I", open(sys.argv[1], "rb").read(), 8)[0])' "$1"
}
# to1 IN OUT: model IN written as format 1 would have been: version 1, no
# char_scope, with its size and checksum made right
to1() {
	python3 - "$@" <<'X'
import struct, sys
d = open(sys.argv[1], 'rb').read()
n = struct.unpack_from('<I', d, 24)[0]
head = d[28:28 + n].decode().rstrip().replace(',"char_scope":"chunks"', '')
head = head.encode()
head += b' ' * (-len(head) % 4)
out = bytearray(d[:28] + head + d[28 + n:-8])
struct.pack_into('<I', out, 8, 1)
struct.pack_into('<I', out, 24, len(head))
struct.pack_into('<Q', out, 16, len(out) + 8)
h = 14695981039346656037
for b in out:
    h = ((h ^ b) * 1099511628211) & 0xffffffffffffffff
out += struct.pack('<Q', h)
open(sys.argv[2], 'wb').write(out)
X
}
# the character n-gram features that weighed for the label given
chargrams() {
	jq -r '[.classify.explain.topic[-1].features[].feature |
	    select(startswith("c:"))] | join(" ")' "$1"
}

sm-classify train -q -l label.topic -o new.model train.jsonl
is "a new model is of format 2" "$(version new.model)" 2
like "... and says its character n-grams are of chunks" "$(header new.model)" \
    '"features":\{"bits":22,"word_ngrams":2,"char_min":2,"char_max":5,"char_scope":"chunks"\}'
like "... and that features of one record were dropped" "$(header new.model)" '"min_df":2,'
sm-classify -x -m topic=new.model num.jsonl > out
is "a number is told by its character n-grams" "$(jq -r .classify.topic out)" waste
like "... which explain names" "$(chargrams out)" 'c:010'

to1 new.model old.model
is "a model of format 1 ..." "$(version old.model)" 1
run sm-classify -x -m topic=old.model num.jsonl
is "... still loads" "$rc $(cat err)" "0 "
is "... and takes character n-grams of words alone, as it was trained to" \
    "$(chargrams out)" ""
run sm-classify -m topic=old.model train.jsonl
is "... and labels by its words" "$(jq -r .classify.topic out | sort | uniq -c | awk '{ printf "%s %s ", $1, $2 }')" \
    "12 lighting 12 waste "

# a format-2 header whose char_scope is missing or unknown is refused
python3 - new.model bad.model <<'X'
import struct, sys
d = bytearray(open(sys.argv[1], 'rb').read())
i = d.index(b'"chunks"')
d[i + 1:i + 7] = b'chunkz'
h = 14695981039346656037
for b in d[:-8]:
    h = ((h ^ b) * 1099511628211) & 0xffffffffffffffff
struct.pack_into('<Q', d, len(d) - 8, h)
open(sys.argv[2], 'wb').write(d)
X
run sm-classify -m topic=bad.model num.jsonl
is "an unknown char_scope is a configuration error" "$rc" 78
is "... that says what is wrong" "$(cat err)" \
    "sm-classify: bad.model: corrupt model header (char_scope)"
