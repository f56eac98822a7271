#!/bin/sh
# every EXAMPLES pipeline of the filters' man pages runs, read from the
# page, from a directory that has the bundled examples, and prints
# something without a diagnostic (sm-fetch's examples run against the
# fake server in tests/0518 and tests/0560)
. "${SM_SRC:-.}/tests/lib.sh"

ln -s "$EXAMPLES" examples
pages="sm-classify.1 sm-route.1 sm-reply.1 sm-report.1 sm-message.7 sm.7"
for p in $pages; do
	man_examples "$p" "ex/$p" > /dev/null
done
rm -f $(grep -l -e sm-fetch -e --send -e 'mail -s' ex/*/*)
plan $((2 * $(ls ex/*/* | wc -l) + 2))

for f in ex/*/*; do
	sed -i "s|/tmp/sm-demo.db|$T/demo.db|g" "$f"
	out=$(sh "$f" 2>err)
	is "${f#ex/} exits 0" "$?" 0
	if [ -n "$out$(cat out.jsonl 2>/dev/null)" ] && [ ! -s err ]; then
		ok "${f#ex/} prints something, no diagnostics"
	else
		not_ok "${f#ex/} prints something, no diagnostics"
		sed 's/^/#   /' err
	fi
	rm -f out.jsonl
done

# sm.yaml(5): the worked example file, then its command
sed -n '/^\.Sh EXAMPLES/,/^\.Sh /p' "$SM_SRC/man/sm.yaml.5" |
    sed -n '/^\.Bd -literal/,/^\.Ed/p' | sed '1d;$d' | sed '/^\.Ed/,$d' |
    sed 's/\\e/\\/g; s/^\\&//' > sm.yaml
is "sm.yaml(5) example file is loaded" "$(sm-classify -v </dev/null 2>&1 | head -1)" "sm-classify: configuration: sm.yaml"
is "sm.yaml(5) example command" \
    "$(echo '{"lang":"es","text":"¿A qué hora empieza la verbena? #FiestasVillanueva"}' | sm-classify | jq -c '.classify | {category, topic, department}')" \
    '{"category":"question","topic":"culture","department":"festejos"}'
