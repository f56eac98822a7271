#!/bin/sh
# sm-reply --review: a person approves, edits or skips each draft at a
# terminal (a pseudo-terminal from script(1)), while records flow through
# the pipe
. "${SM_SRC:-.}/tests/lib.sh"
command -v script >/dev/null || skip_all "script(1) is not installed"
plan 5

printf '%s\n' '#!/bin/sh' 'sed -i "s/Gracias/Muchas gracias/" "$1"' > ed.sh
chmod +x ed.sh
for n in 1 2 3 4; do
	printf '{"id":"m:%s","platform":"x","account":"a","kind":"mention","author":{"handle":"v%s"},"text":"t%s","classify":{"category":"question","lang":"es","pii":[]}}\n' $n $n $n
done > in.jsonl
printf 'a\ne\na\ns\nq\n' | EDITOR=$T/ed.sh script -qec \
    "sm-reply --state st.db --review < in.jsonl > out.jsonl 2> err" /dev/null > tty.log
is "--review: exit 0, nothing said, every record out" "$? $(cat err) $(wc -l < out.jsonl | tr -d ' ')" "0  4"
is "approve, edit then approve, skip, quit" \
    "$(jq -c '.reply | [.approved, .edited]' out.jsonl | tr '\n' ' ')" \
    "[true,null] [true,true] [null,null] [null,null] "
is "... the edited text is the person's" "$(sed -n 2p out.jsonl | jq -r .reply.text)" \
    "Muchas gracias por su consulta. Le responderá."
like "the terminal showed the message and its draft" "$(tr -d '\r' < tty.log | tr '\n' ' ')" \
    '-- m:1 \(x, v1\).*-> \[es, public\] Gracias por su consulta'
if (: < /dev/tty) 2>/dev/null; then
	echo "ok 5 # SKIP this test runs with a terminal"
else
	run sm-reply --review in.jsonl
	is "--review without a terminal: exit 64, said" "$rc $(cat err)" \
	    "64 sm-reply: --review: /dev/tty: No such device or address: it needs a terminal"
fi
