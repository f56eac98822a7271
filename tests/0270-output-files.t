#!/bin/sh
# sm-classify and sm-fetch: the files they write, their modes, and what
# is not a regular file (a device, a FIFO, /dev/stdout) written in place
. "${SM_SRC:-.}/tests/lib.sh"
plan 17

mode() {
	stat -c %a "$1"
}

i=0
for w in "la basura" "el contenedor" "la recogida"; do
	for e in "lleva días sin recogerse" "está desbordado" "huele fatal"; do
		i=$((i + 1))
		printf '{"id":"w%s","text":"%s de mi calle %s","label":{"topic":"waste"}}\n' $i "$w" "$e"
	done
done > train.jsonl
for w in "la farola" "el alumbrado" "la luz"; do
	for e in "no funciona" "está apagada" "parpadea toda la noche"; do
		i=$((i + 1))
		printf '{"id":"l%s","text":"%s de la plaza %s","label":{"topic":"lighting"}}\n' $i "$w" "$e"
	done
done >> train.jsonl

# models honour the umask; files of citizens' messages are 0600
umask 022
sm-classify train -q -l label.topic -o m.model train.jsonl
is "a model: the umask's mode (022)" "$(mode m.model)" 644
(umask 027 && sm-classify train -q -l label.topic -o m2.model train.jsonl)
is "a model: the umask's mode (027)" "$(mode m2.model)" 640
run sm-classify -m topic=m.model --uncertain 3 --uncertain-file u.jsonl train.jsonl
is "--uncertain-file: written" "$rc $(wc -l < u.jsonl)" "0 3"
is "--uncertain-file: 0600" "$(mode u.jsonl)" 600
chmod 644 u.jsonl
sm-classify -m topic=m.model --uncertain 3 --uncertain-file u.jsonl train.jsonl >/dev/null
is "--uncertain-file: 0600 again when replaced" "$(mode u.jsonl)" 600
printf 'not json\n' | sm-classify -r rejects.jsonl >/dev/null 2>&1
is "rejects: 0600" "$(mode rejects.jsonl)" 600
printf 'state: %s/state.db\naccounts:\n  f:\n    platform: file\n    path: %s/train.jsonl\n' \
    "$T" "$T" > fetch.yaml
run sm-fetch -c fetch.yaml -o spool.jsonl
is "sm-fetch -o: written" "$rc $(wc -l < spool.jsonl)" "0 18"
is "sm-fetch -o: 0600" "$(mode spool.jsonl)" 600
if ls | grep -q '\.tmp\.'; then not_ok "no temporary file left"; else ok "no temporary file left"; fi

# a FIFO is written to, not replaced by a file
mkfifo fifo
timeout 10 cat fifo > got &
reader=$!
run sm-classify -m topic=m.model --uncertain 3 --uncertain-file fifo train.jsonl
wait $reader
is "a FIFO: written to" "$rc $(wc -l < got)" "0 3"
if [ -p fifo ]; then ok "a FIFO: still a FIFO"; else not_ok "a FIFO: still a FIFO"; fi

# a symbolic link, as /dev/stdout is one, is written through
ln -s /proc/self/fd/1 stdout
sm-classify -m topic=m.model --uncertain 3 --uncertain-file stdout \
    train.jsonl 2>err | cat > both
is "a link to standard output: the records, then the uncertain ones" \
    "$(wc -l < both) $(tail -n 3 both | jq -r .id | tr '\n' ' ')" \
    "21 $(jq -r .id u.jsonl | tr '\n' ' ')"
if [ -L stdout ]; then ok "... and the link stays"; else not_ok "... and the link stays"; fi
sed "s|state.db|state2.db|" fetch.yaml > fetch2.yaml
sm-fetch -c fetch2.yaml -o stdout 2>err | cat > fetched
is "sm-fetch -o through a link to standard output" \
    "$(wc -l < fetched) $(cat err)" "18 "

# a device is written to and its errors reported; it is never replaced
if mknod full c 1 7 2>/dev/null; then
	run sm-classify -m topic=m.model --uncertain 3 --uncertain-file full train.jsonl
	is "a device: a write error is reported" "$rc $(cat err)" \
	    "74 sm-classify: full: write error: No space left on device"
	if [ -c full ]; then ok "a device: still a device"; else not_ok "a device: still a device"; fi
	mknod null c 1 3
	run sm-classify -m topic=m.model --uncertain 3 --uncertain-file null train.jsonl
	is "a device that takes it: exit 0" "$rc $(cat err)" "0 "
else
	ok "# SKIP mknod is not allowed"
	ok "# SKIP mknod is not allowed"
	ok "# SKIP mknod is not allowed"
fi
