#!/bin/sh
# sm-classify: no NaN or Infinity from training, from a model, in output
. "${SM_SRC:-.}/tests/lib.sh"
plan 9

i=0
for w in "la basura" "el contenedor" "la recogida" "los residuos"; do
	for e in "lleva días sin recogerse" "está desbordado" "huele fatal"; do
		i=$((i + 1))
		printf '{"id":"w%s","text":"%s de mi calle %s","lang":"es","label":{"topic":"waste"}}\n' $i "$w" "$e"
	done
done > train.jsonl
for w in "la farola" "el alumbrado" "la luz" "la bombilla"; do
	for e in "no funciona" "está apagada" "parpadea toda la noche"; do
		i=$((i + 1))
		printf '{"id":"l%s","text":"%s de la plaza %s","lang":"es","label":{"topic":"lighting"}}\n' $i "$w" "$e"
	done
done >> train.jsonl

# a rate so high that the weights grow without bound
run sm-classify train -l label.topic -o big.model --lr 100 --l2 0.1 train.jsonl
is "a diverging training fails" "$rc" 65
is "... and says why" "$(cat err)" \
    "sm-classify: training diverged (a weight is not a finite number); use a smaller learning rate or L2 penalty"
if [ -e big.model ]; then not_ok "... and writes no model"; else ok "... and writes no model"; fi

sm-classify train -q -l label.topic -o good.model train.jsonl
run sm-classify -m topic=good.model train.jsonl
is "a good model: exit 0" "$rc" 0

# the same model with one weight made NaN and its checksum made right
python3 - good.model nan.model <<'X'
import struct, sys
d = bytearray(open(sys.argv[1], 'rb').read())
hlen = struct.unpack_from('<I', d, 24)[0]
rows = d[28:28 + hlen].decode().split('"rows":')[1]
rows = int(rows.split(',')[0].split('}')[0])
w = 28 + hlen + 8 * rows          # past buckets and idf: the first weight
struct.pack_into('<I', d, w, 0x7fc00000)
h = 14695981039346656037
for b in d[:-8]:
    h = ((h ^ b) * 1099511628211) & 0xffffffffffffffff
struct.pack_into('<Q', d, len(d) - 8, h)
open(sys.argv[2], 'wb').write(d)
X
run sm-classify -m topic=nan.model train.jsonl
is "a model with a NaN weight is refused" "$rc" 78
is "... by name" "$(cat err)" \
    "sm-classify: nan.model: corrupt model (a weight is not a finite number)"
is "... before anything is written" "$(cat out)" ""

python3 - good.model inf.model <<'X'
import struct, sys
d = bytearray(open(sys.argv[1], 'rb').read())
struct.pack_into('<I', d, len(d) - 12, 0xff800000)   # the last bias: -inf
h = 14695981039346656037
for b in d[:-8]:
    h = ((h ^ b) * 1099511628211) & 0xffffffffffffffff
struct.pack_into('<Q', d, len(d) - 8, h)
open(sys.argv[2], 'wb').write(d)
X
run sm-classify -m topic=inf.model train.jsonl
is "a model with an infinite bias is refused" "$rc $(cat err)" \
    "78 sm-classify: inf.model: corrupt model (a weight is not a finite number)"

run sm-classify eval -m topic=inf.model -l label.topic train.jsonl
is "... by eval too" "$rc" 78
