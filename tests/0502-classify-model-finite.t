#!/bin/sh
# sm-classify: no NaN or Infinity from training, from a model, in output
. "${SM_SRC:-.}/tests/lib.sh"
plan 9

topics_train > train.jsonl

# a rate so high that the weights grow without bound
run sm-classify train -l label.topic -o big.model --lr 100 --l2 0.1 train.jsonl
is "a diverging training fails" "$rc" 65
is "... and says why" "$(cat err)" \
    "sm-classify: training diverged (a weight is not a finite number); use a smaller learning rate or L2 penalty"
if [ -e big.model ]; then not_ok "... and writes no model"; else ok "... and writes no model"; fi

sm-classify train -q -l label.topic -o good.model train.jsonl
run sm-classify -m topic=good.model train.jsonl
is "a good model: exit 0" "$rc" 0

# patch IN OUT WHERE BITS: a copy of model IN with the float at WHERE
# ("weight": the first weight, "bias": the last bias) set to BITS, and its
# checksum made right again
patch() {
	python3 - "$@" <<'X'
import struct, sys
d = bytearray(open(sys.argv[1], 'rb').read())
if sys.argv[3] == 'weight':     # past the buckets and the idf
    hlen = struct.unpack_from('<I', d, 24)[0]
    rows = d[28:28 + hlen].decode().split('"rows":')[1]
    at = 28 + hlen + 8 * int(rows.split(',')[0].split('}')[0])
else:
    at = len(d) - 12
struct.pack_into('<I', d, at, int(sys.argv[4], 16))
h = 14695981039346656037
for b in d[:-8]:
    h = ((h ^ b) * 1099511628211) & 0xffffffffffffffff
struct.pack_into('<Q', d, len(d) - 8, h)
open(sys.argv[2], 'wb').write(d)
X
}

patch good.model nan.model weight 7fc00000
run sm-classify -m topic=nan.model train.jsonl
is "a model with a NaN weight is refused" "$rc" 78
is "... by name" "$(cat err)" \
    "sm-classify: nan.model: corrupt model (a weight is not a finite number)"
is "... before anything is written" "$(cat out)" ""

patch good.model inf.model bias ff800000
run sm-classify -m topic=inf.model train.jsonl
is "a model with an infinite bias is refused" "$rc $(cat err)" \
    "78 sm-classify: inf.model: corrupt model (a weight is not a finite number)"

run sm-classify eval -m topic=inf.model -l label.topic train.jsonl
is "... by eval too" "$rc" 78
