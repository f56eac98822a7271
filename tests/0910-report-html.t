#!/bin/sh
# sm-report -f html: a page that stands alone; --redact leaves no personal
# data in any format
. "${SM_SRC:-.}/tests/lib.sh"
plan 16

SM_NOW=2026-12-11T12:00:00Z
export SM_NOW
# a DNI (12345678Z), a phone, an e-mail and handles where a report could
# show them: as group values
rec() {	# rec ID CREATED HANDLE NAME DISTRICT
	printf '{"id":"%s","platform":"mastodon","kind":"mention","created_at":"%s","author":{"handle":"%s","name":"%s"},"text":"Mi DNI es 12345678Z, llamadme al 612 345 678 o a ana@example.com","district":"%s","classify":{"topic":"waste"},"route":{"queue":"limpieza","case":"2026-000%s","due_at":"2026-12-05T18:00:00Z"}}\n' \
	    "$1" "$2" "$3" "$4" "$5" "${1##*:}"
}
{ rec m:a:1 2026-12-01T09:00:00Z ana@masto.example "Ana Pérez" "ana@example.com"
  rec m:a:2 2026-12-02T09:00:00Z @luis_v "Luis V" "12345678Z"
  rec m:a:3 2026-12-03T09:00:00Z bob.bsky.social "Bob" "612345678"
  rec m:a:4 2026-12-03T10:00:00Z carla "Carla" "Centro"
  printf '{"id":"o:1","kind":"own","created_at":"2026-12-01T10:00:00Z","thread":{"in_reply_to":"m:a:1"}}\n'
} > in.jsonl
personal='ana@|luis|bsky|Pérez|Luis|Bob|Carla|12345678|612|example\.com'

run sm-report -f html -g author.handle,author.name,district in.jsonl
is "html: exit 0, nothing on stderr" "$rc $(cat err)" "0 "
is "html: a whole document" "$(head -1 out) $(tail -1 out)" "<!DOCTYPE html> </html>"
like "html: readable on a phone" "$(cat out)" '<meta name="viewport" content="width=device-width, initial-scale=1">'
like "html: printable" "$(cat out)" '@media print'
is "html: no script, nothing fetched" \
    "$(grep -c -i -e '<script' -e ' src=' -e ' href=' -e 'url(' -e '@import' out)" 0
is "html: charts are images with a text, each with its table" \
    "$(grep -c '<svg[^>]*role="img" aria-label="[^"]' out) $(grep -c '<table>' out)" "2 8"
like "html: how it is measured" "$(cat out)" '<h2>How it is measured</h2>'
is "html: elements balanced" "$(python3 -c '
import html.parser, sys
class P(html.parser.HTMLParser):
    stack = []
    def handle_starttag(s, t, a):
        if t not in ("meta", "rect"): s.stack.append(t)
    def handle_endtag(s, t):
        if t != "rect" and s.stack.pop() != t: print("mismatch", t)
p = P(); p.feed(open("out").read()); print(len(p.stack))')" 0
is "html: redacted by default" "$(grep -c -E "$personal" out)" 0
like "html: the values are there, redacted" "$(cat out)" '<td>\(redacted\)</td><td>\(redacted\)</td><td>Centro</td>'
run sm-report -f html --no-redact -g author.handle in.jsonl
like "html --no-redact: values as they are" "$(cat out)" 'ana@masto.example'
for f in text csv json md; do
	sm-report -f $f --redact -g author.handle,author.name,district in.jsonl > out.$f
done
is "--redact: no DNI, phone, e-mail, handle or name in text, csv, json, md" \
    "$(cat out.text out.csv out.json out.md | grep -c -E "$personal")" 0
is "--redact: a value that holds none is kept" "$(grep -c Centro out.csv)" 1
sm-report -f csv --rows in.jsonl > rows.csv
is "--rows: nothing personal, redacted or not" "$(grep -c -E "$personal" rows.csv)" 0
is "--overdue: case, queue, due, id; nothing personal" \
    "$(sm-report --overdue in.jsonl | grep -c -E "$personal")" 0
sm-report -f text -g author.handle in.jsonl > plain.txt
like "without --redact the text report shows values" "$(cat plain.txt)" '@luis_v'
