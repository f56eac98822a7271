#!/bin/sh
# sm-report on a long archive: ids are forgotten after 92 days, a copy read
# within them is still counted once; groups past 4096 answers count their
# times in buckets (the median within 0.05%, the buckets exact); records
# are read by the fields the report needs, and a line it cannot take that
# way is still read whole.
. "${SM_SRC:-.}/tests/lib.sh"
plan 9

# 20000 messages, one every 1728 s (50 a day) from 1 January 2025 over
# 400 days, each answered 600 + (i * 7919 % 86400) seconds later; after
# message 5000 (day 100) a copy of message 1000 (day 20), 80 days older.
awk 'function date(t,   d, m, y, s, n) {
	d = int(t / 86400); s = t % 86400
	y = 2025
	for (;;) {
		n = 365
		if (d < n) break
		d -= n; y++
	}
	split("31 28 31 30 31 30 31 31 30 31 30 31", ml, " ")
	for (m = 1; d >= ml[m]; m++) d -= ml[m]
	return sprintf("%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d + 1,
	    int(s / 3600), int(s % 3600 / 60), s % 60)
}
function msg(i,   t) {
	t = i * 1728
	printf "{\"id\":\"m:%d\",\"platform\":\"x\",\"kind\":\"mention\",\"created_at\":\"%s\",\"text\":\"t\",\"classify\":{\"topic\":\"waste\"},\"reply\":{\"status\":\"sent\",\"sent_at\":\"%s\"}}\n", i, date(t), date(t + 600 + i * 7919 % 86400)
}
BEGIN {
	for (i = 0; i < 20000; i++) {
		msg(i)
		if (i == 5000) msg(1000)
	}
}' > in.jsonl
is "the archive" "$(wc -l < in.jsonl | tr -d ' ')" 20001

run sm-report -c /dev/null -f json in.jsonl
is "exit 0, nothing on stderr" "$rc $(cat err)" "0 "
is "a copy 80 days later, with ids forgotten on the way, counted once" \
    "$(jq -c '.summary | [.messages, .answered, .repeated]' out)" '[20000,20000,1]'

# the exact figures, by awk, of the same times
awk '{ t = 600 + (NR - 1) * 7919 % 86400; print t }' in.jsonl | head -20000 |
    sort -n > times
n=20000
median=$(awk -v n=$n 'NR == n / 2 || NR == n / 2 + 1 { s += $1 } END { print s / 2 }' times)
p90=$(awk -v n=$n '{ v[NR] = $1 } END { h = (n - 1) * 0.9; i = int(h); print v[i + 1] + (h - i) * (v[i + 2] - v[i + 1]) }' times)
mean=$(awk '{ s += $1 } END { printf "%.6f", s / NR }' times)
ok "the median within 0.05% of $median" \
    "$(jq --argjson m "$median" '(.total.time.median - $m) | fabs <= $m / 2000' out)" = true
ok "the 90th percentile within 0.05% of $p90" \
    "$(jq --argjson m "$p90" '(.total.time.p90 - $m) | fabs <= $m / 2000' out)" = true
is "the mean exact" "$(jq '.total.time.mean * 1000000 | round / 1000000' out | awk '{ printf "%.6f", $1 }')" "$mean"
buckets=$(awk '{ b = $1 < 3600 ? 0 : $1 < 14400 ? 1 : $1 < 28800 ? 2 : $1 < 86400 ? 3 : 4; c[b]++ }
    END { printf "[%d,%d,%d,%d,%d]", c[0], c[1], c[2], c[3], c[4] }' times)
is "the buckets exact" "$(jq -c '[.total.time.buckets[]]' out)" "$buckets"

# A record with a key named twice, or written with escapes, is read as
# jansson reads it; a bad line is said in jansson's words, the rest read.
printf '%s\n' \
    '{"id":"a:1","id":"a:2","kind":"mention","created_at":"2026-01-01T10:00:00Z","classify":{"topic":"x"},"classify":{"topic":"noise"},"reply":{"status":"sent","sent_at":"2026-01-01T11:00:00Z"}}' \
    '{"\u0069d":"a:3","kind":"mention","created_at":"2026-01-01T10:00:00Z","classify":{"topic":"n\u006fise","t":[1,{"x":1e5}]},"reply":{"status":"sent","sent_at":"2026-01-01T12:00:00Z"}}' \
    '{"id":"a:4","kind":"mention","created_at":"2026-01-01T10:00:00Z","n":1e400}' \
    '{"id":"a:5","kind":"mention","created_at":"2026-01-01T10:00:00Z","classify":{"topic":"noise"}}' > odd.jsonl
run sm-report -c /dev/null -f json -g classify.topic odd.jsonl
is "odd lines: exit 65, the bad one named" "$rc $(cat err)" \
    "65 sm-report: odd.jsonl:3: invalid JSON at column 74: real number overflow near '1e400'"
is "odd lines: as jansson reads them" \
    "$(jq -c '[.groups[] | [.values[], .messages, .answered]]' out)" '[["noise",3,2]]'
