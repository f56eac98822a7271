# answered.awk: gen-corpus's messages, each with a topic and a reply sent
# 1 minute to 47 hours after it (deterministic), for bench/report and
# bench/report-memory.  With -v months=M (1 by default: November 2026),
# the messages are spread in order over M months from January 2024,
# February left out (its 28 days would make some replies' dates wrong).
BEGIN {
	split("waste lighting roads traffic water noise parks taxes", topic, " ")
	split("01 03 04 05 06 07 08 09 10 11 12", month, " ")
	if (months < 1) months = 1
}
{
	sub(/"kind":"search"/, "\"kind\":\"mention\"")
	match($0, /"created_at":"2026-11-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]/)
	c = substr($0, RSTART + 14, 16); sec = substr($0, RSTART + 31, 2)
	d = substr(c, 9, 2) + 0; h = substr(c, 12, 2) + 0; m = substr(c, 15, 2) + 0
	k = (NR * 7919) % (47 * 60) + 1
	m += k; h += int(m / 60); m %= 60; d += int(h / 24); h %= 24
	ym = "2026-11"
	if (months > 1) {
		i = int((NR - 1) * months / n)
		ym = sprintf("%04d-%s", 2024 + int(i / 11), month[i % 11 + 1])
		sub(/"created_at":"2026-11/, "\"created_at\":\"" ym)
	}
	sub(/}$/, "")
	printf "%s,\"classify\":{\"topic\":\"%s\"},\"reply\":{\"status\":\"sent\",\"sent_at\":\"%s-%02dT%02d:%02d:%sZ\"}}\n", $0, topic[NR % 8 + 1], ym, d, h, m, sec
}
