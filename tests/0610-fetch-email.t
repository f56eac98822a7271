#!/bin/sh
# sm-fetch, e-mail over IMAP against a real dovecot on 127.0.0.1: first
# sync, incremental runs, UIDVALIDITY, \Seen left alone, normalisation,
# failures
. "${SM_SRC:-.}/tests/lib.sh"
. "$SM_SRC/tests/imapd.sh"

imapd_test

plan 68

MAIL=$SM_SRC/tests/fixtures/email
echo "$IMAP_PASS" > "$T/password"

# config [URL [EXTRA...]]: sm.yaml with the account "correo"
config() {
	url=${1:-imaps://127.0.0.1:$IMAPS_PORT}
	[ $# -gt 0 ] && shift
	{
	echo "state: $T/state.db"
	echo "accounts:"
	echo "  correo:"
	echo "    platform: email"
	echo "    url: $url"
	echo "    user: $IMAP_USER"
	echo "    address: atencion@villanueva.example"
	echo "    token_file: $T/password"
	echo "    ca_file: $IMAP_CA"
	echo "    timeout: 10"
	echo "    retries: ${RETRIES:-0}"
	echo "    backoff: 0.01"
	for line; do echo "    $line"; done
	} > sm.yaml
}

# flags: UID:FLAGS of every message in INBOX
flags() {
	imapd_doveadm "$T/imapd" -f flow fetch -u test "uid flags" mailbox \
	    "${1:-INBOX}" all | sed 's/^uid=\([0-9]*\) flags=/\1:/' |
	    tr '\n' ' '
}

imapd_deliver "$T/imapd" "$MAIL/plain-qp.eml" "$MAIL/alternative.eml" \
    "$MAIL/spam-latin1.eml" >/dev/null

config
run sm-fetch
is "first run: exit 0" "$rc" 0
is "first run: every message (fewer than the first-run limit)" \
    "$(jq -r .id out | tr '\n' ' ')" \
    "email:correo:<lm-20250312-1@correo.example> email:correo:<CAPedro+001@mail.correo.example> email:correo:<spam.777@spam.example> "
is "first run: nothing on stderr" "$(cat err)" ""
is "the messages are left unread" "$(flags)" "1: 2: 3: "

is "a record has the message's fields" \
    "$(jq -c 'select(.email.uid == 1) | del(.fetched_at, .email.uidvalidity)' out)" \
    '{"id":"email:correo:<lm-20250312-1@correo.example>","platform":"email","account":"correo","kind":"email","created_at":"2025-03-12T08:30:00Z","author":{"id":"lucia.martin@correo.example","handle":"lucia.martin@correo.example","name":"Lucía Martín"},"subject":"Contenedor roto en la calle Olmo n.º 5","text":"El contenedor amarillo de la calle Olmo tiene la tapa rota y el viento está esparciendo los plásticos.\n\nGracias.","lang":null,"url":null,"thread":{"in_reply_to":null,"root":null},"email":{"subject":"Contenedor roto en la calle Olmo n.º 5","message_id":"<lm-20250312-1@correo.example>","references":[],"uid":1,"attachments":[]}}'
like "fetched_at is RFC 3339 UTC" "$(jq -r '.fetched_at' out | head -1)" \
    '^20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z$'
is "uidvalidity is the mailbox's" "$(jq -r '.email.uidvalidity' out | sort -u)" \
    "$(imapd_doveadm "$T/imapd" -f flow mailbox status -u test uidvalidity INBOX | sed 's/.*=//')"
is "HTML only: the text of the HTML, latin-1 read as windows-1252" \
    "$(jq -r 'select(.email.uid == 3) | .text' out)" "¡Gane 1.000 € al día!

Pulse aquí."
is "multipart/alternative: the plain part" \
    "$(jq -r 'select(.email.uid == 2) | .text' out)" "Buenas tardes,

El parque infantil de la Alameda tiene un columpio suelto – es peligroso."

run sm-fetch
is "nothing new: no records" "$(cat out)" ""
is "nothing new: exit 0" "$rc" 0

imapd_deliver "$T/imapd" "$MAIL/reply-quoted.eml" "$MAIL/attachment.eml" >/dev/null
run sm-fetch -v
is "incremental: only what is new" "$(jq -r .email.uid out | tr '\n' ' ')" "4 5 "
like "-v says where the cursor is" "$(cat err)" \
    'sm-fetch: correo: 2 records; cursor uid at [0-9]+:5'
is "a reply to one of our messages is kind reply" \
    "$(jq -r 'select(.email.uid == 4) | [.kind, .thread.in_reply_to, .thread.root] | join(" ")' out)" \
    "reply email:correo:<inc-2025-0420.1741800000@villanueva.example> email:correo:<CAPedro+001@mail.correo.example>"
is "... its text without the quoted message" \
    "$(jq -r 'select(.email.uid == 4) | .text' out)" \
    "Gracias, ya lo han arreglado esta mañana."
is "attachments are named, not fetched into the text" \
    "$(jq -c 'select(.email.uid == 5) | [.author.name, .email.attachments, .text]' out)" \
    '["Rosa Gil",["bache.jpg"],"Adjunto foto del bache de la calle Real. Reparación urgente, por favor."]'
is "still nothing marked read" "$(flags)" "1: 2: 3: 4: 5: "

imapd_doveadm "$T/imapd" flags add -u test '\Seen' mailbox INBOX uid 2
run sm-fetch -b
is "--backfill: everything again" "$(jq -r .email.uid out | tr '\n' ' ')" "1 2 3 4 5 "
is "... a message already read stays read, the others unread" "$(flags)" \
    "1: 2:\\Seen 3: 4: 5: "

imapd_deliver "$T/imapd" "$MAIL/praise.eml" >/dev/null
run sm-fetch -n
is "--dry-run: the new message" "$(jq -r .email.uid out)" "6"
run sm-fetch
is "... and the cursor did not move" "$(jq -r .email.uid out)" "6"

run sm-fetch -s 2025-03-13
is "--since: nothing older than the date" "$(jq -r .email.uid out | tr '\n' ' ')" "3 4 5 "

imapd_deliver "$T/imapd" "$MAIL/follow-up.eml" >/dev/null
config "" "mark_seen: true"
run sm-fetch
is "mark_seen: the new message" "$(jq -r .email.uid out)" "7"
is "mark_seen: it is read, and only it" "$(flags | sed 's/.* 6:/6:/')" \
    "6: 7:\\Seen "

# a first run takes the newest messages only
rm -f "$T"/state.db*
config "" "limit: 2"
run sm-fetch -v
is "first run with limit 2: the newest two" "$(jq -r .email.uid out | tr '\n' ' ')" "6 7 "
like "... and -v says so" "$(cat err)" \
    'correo: first run: only the newest 2 messages \(see --backfill\)'

# the mailbox is recreated: UIDVALIDITY changes, the ids do not
config "" "mailbox: Quejas"
imapd_deliver "$T/imapd" -m Quejas "$MAIL/plain-qp.eml" >/dev/null
run sm-fetch -b
is "another mailbox: its message" "$(jq -r .id out)" \
    "email:correo:<lm-20250312-1@correo.example>"
imapd_doveadm "$T/imapd" mailbox delete -u test Quejas
sleep 1		# dovecot's UIDVALIDITY is a time
imapd_deliver "$T/imapd" -m Quejas "$MAIL/alternative.eml" "$MAIL/plain-qp.eml" >/dev/null
run sm-fetch -v
is "a new UIDVALIDITY: the mailbox is read again" "$(jq -r .id out | tr '\n' ' ')" \
    "email:correo:<CAPedro+001@mail.correo.example> email:correo:<lm-20250312-1@correo.example> "
like "... and -v says why" "$(cat err)" 'correo: UIDVALIDITY changed from [0-9]+ to [0-9]+'
run sm-fetch
is "... and then it is followed as before" "$(cat out)" ""

# STARTTLS on the plain port
rm -f "$T"/state.db*
config "imap://127.0.0.1:$IMAP_PORT"
run sm-fetch -b
is "imap:// with STARTTLS: exit 0" "$rc" 0
is "imap:// with STARTTLS: all messages" "$(jq -r .id out | wc -l)" 7

# --own: the administration's sent mail, as kind own, with its own cursor
rm -f "$T"/state.db*
config "" "mark_seen: true"
imapd_deliver "$T/imapd" -m Sent "$MAIL/sent-answer.eml" >/dev/null
run sm-fetch --own -b -v
is "--own: exit 0" "$rc" 0
is "--own: the inbox's seven messages, then the answer in Sent" \
    "$(jq -r 'if .kind == "own" then "own" else "inbox" end' out | uniq -c |
    awk '{ printf "%s %s ", $1, $2 }')" "7 inbox 1 own "
is "... the answer's record" \
    "$(jq -c 'select(.kind == "own") | del(.fetched_at, .email.uidvalidity)' out)" \
    '{"id":"email:correo:<inc-2025-0420.1741800000@villanueva.example>","platform":"email","account":"correo","kind":"own","created_at":"2025-03-12T16:20:00Z","author":{"id":"atencion@villanueva.example","handle":"atencion@villanueva.example","name":"Atención Ciudadana"},"subject":"Re: [Incidencia 2025/0420] Columpio suelto","text":"Hemos trasladado su aviso al servicio de parques con el número 2025/0420.\n\nAtención Ciudadana","lang":null,"url":null,"thread":{"in_reply_to":"email:correo:<CAPedro+001@mail.correo.example>","root":"email:correo:<CAPedro+001@mail.correo.example>"},"email":{"subject":"Re: [Incidencia 2025/0420] Columpio suelto","message_id":"<inc-2025-0420.1741800000@villanueva.example>","references":["<CAPedro+001@mail.correo.example>"],"uid":1,"attachments":[]}}'
is "... in_reply_to is the id of the citizen's message" \
    "$(jq -r 'select(.kind == "own") | .thread.in_reply_to' out)" \
    "$(jq -r 'select(.email.message_id == "<CAPedro+001@mail.correo.example>") | .id' out)"
like "... -v says where each cursor is" "$(cat err)" \
    'correo: 8 records; cursor (uid at [0-9]+:7; cursor own at [0-9]+:1|own at [0-9]+:1; cursor uid at [0-9]+:7)$'
is "... mark_seen never marks sent mail read" "$(flags Sent)" "1: "

imapd_deliver "$T/imapd" -m Sent "$MAIL/sent-later.eml" \
    "$MAIL/sent-notice.eml" >/dev/null
run sm-fetch --own
is "--own, incremental: only the new sent mail" \
    "$rc $(jq -r '[.kind, .email.uid, .thread.in_reply_to] | join(" ")' out)" \
    "0 own 2 email:correo:<lm-20250312-1@correo.example>
own 3 "
is "... quote and signature left out" \
    "$(jq -r 'select(.email.uid == 2) | .text' out)" "Buenos días, Lucía:

El servicio de limpieza cambiará hoy la tapa del contenedor."
run sm-fetch --own
is "--own again: nothing new" "$rc $(cat out)" "0 "

# what sm-fetch says to dovecot, from now on: rawlog_dir as a userdb
# setting in the passwd file, which dovecot reads again when it changes
# (at most once a second, so until a session shows that it has)
mkdir -m 777 "$T/raw"
printf 'test:{PLAIN}%s::::::userdb_rawlog_dir=%s\n' "$IMAP_PASS" "$T/raw" \
    > "$T/imapd/passwd"
i=0
until ls "$T"/raw/*.in >/dev/null 2>&1 || [ $i -ge 50 ]; do
	sm-fetch -n >/dev/null 2>&1
	i=$((i + 1))
	sleep 0.1
done
rm -f "$T"/raw/*
# said: the commands sm-fetch sent, without the tags and times
said() {
	cat "$T"/raw/*.in 2>/dev/null | tr -d '\r' | cut -d' ' -f3-
}

imapd_deliver "$T/imapd" -m Sent "$MAIL/sent-answer.eml" >/dev/null
run sm-fetch
is "without --own: exit 0, no records" "$rc $(cat out)" "0 "
like "... the inbox is read, the sent mailbox not at all" \
    "$(said | grep -c INBOX) $(said | grep -c Sent)" '^[1-9][0-9]* 0$'
rm -f "$T"/raw/*
run sm-fetch --own
is "... and is still there for --own" "$(jq -r '[.kind, .email.uid] | join(" ")' out)" \
    "own 4"
like "... which reads it" "$(said | grep -c Sent)" '^[1-9]'
is "... without marking it read" "$(flags Sent)" "1: 2: 3: 4: "

imapd_deliver "$T/imapd" "$MAIL/plain-qp.eml" >/dev/null
config "" "sent_mailbox: Enviados"
run sm-fetch --own
is "a missing sent_mailbox: exit 69" "$rc" 69
is "... said once" "$(cat err)" \
    'sm-fetch: correo: sent_mailbox "Enviados": the server refused STATUS (is there such a mailbox?); own messages left out'
is "... and the inbox is still fetched" "$(jq -r '[.kind, .email.uid] | join(" ")' out)" \
    "email 8"
run sm-fetch
is "... and without --own it is not looked for" "$rc $(cat err)" "0 "

config "" 'sent_mailbox: ""'
run sm-fetch --own
is "an empty sent_mailbox is a configuration error" "$rc $(cat err)" \
    "78 sm-fetch: sm.yaml:13:19: accounts.correo.sent_mailbox: expected a non-empty string, got an empty one"
config

# kill -9 in mid-run: the next run brings everything that was not out
# before, nothing is lost.  Eighty long messages are far more than the
# pipe holds: once the test stops reading, sm-fetch blocks writing, and
# is killed there, past its first cursor commit (20 messages).
rm -f "$T"/state.db* "$T"/raw/*
config "" "mailbox: Lots"
imapd_deliver "$T/imapd" -m Lots "$MAIL/plain-qp.eml" >/dev/null
sm-fetch --own -b >/dev/null 2>&1	# both cursors, at the ends
mkdir "$T/lots"
awk -v dir="$T/lots" 'BEGIN {
	for (i = 1; i <= 80; i++) {
		f = sprintf("%s/%03d.eml", dir, i)
		printf "Date: Fri, 14 Mar 2025 10:%02d:00 +0100\r\n", i % 60 > f
		printf "From: vecino%d@correo.example\r\n", i > f
		printf "To: atencion@villanueva.example\r\n" > f
		printf "Subject: Farola %d\r\n", i > f
		printf "Message-ID: <lote-%d@correo.example>\r\n", i > f
		printf "Content-Type: text/plain; charset=UTF-8\r\n\r\n" > f
		for (j = 1; j <= 50; j++)
			printf "Vecino %d, línea %d: la farola de la calle Mayor sigue apagada.\r\n", i, j > f
		close(f)
	}
	for (i = 1; i <= 2; i++) {
		f = sprintf("%s/sent-%d.eml", dir, i)
		printf "Date: Fri, 14 Mar 2025 12:0%d:00 +0100\r\n", i > f
		printf "From: atencion@villanueva.example\r\n" > f
		printf "To: vecino%d@correo.example\r\n", i > f
		printf "Subject: Re: Farola %d\r\n", i > f
		printf "In-Reply-To: <lote-%d@correo.example>\r\n", i > f
		printf "Message-ID: <resp-%d@villanueva.example>\r\n", i > f
		printf "Content-Type: text/plain; charset=UTF-8\r\n\r\n" > f
		printf "Avisado el servicio de alumbrado.\r\n" > f
		close(f)
	}
}'
imapd_deliver "$T/imapd" -m Lots "$T"/lots/0*.eml >/dev/null
imapd_deliver "$T/imapd" -m Sent "$T"/lots/sent-*.eml >/dev/null
LOTS=$(cd "$T/lots" && sed -n 's/^Message-ID: \(.*\)\r$/email:correo:\1/p' \
    0*.eml sent-*.eml | sort | tr '\n' ' ')

rm -f fifo run1.jsonl
mkfifo fifo
sm-fetch --own > fifo 2> run1.err &
pid=$!
exec 3< fifo
n=0
# the shell's read takes a pipe a byte at a time: no record is read ahead
while [ $n -lt 25 ] && IFS= read -r line <&3; do
	printf '%s\n' "$line" >> run1.jsonl
	n=$((n + 1))
done
kill -9 $pid
wait $pid 2>/dev/null
cat <&3 >> run1.jsonl		# what was flushed into the pipe before
exec 3<&-
# valid: the ids of the whole records in FILE... (the last may be cut)
valid() {
	jq -R -r 'fromjson? | .id' "$@"
}
got1=$(valid run1.jsonl | wc -l)
echo "# killed after $got1 whole records; $(wc -c < run1.jsonl) bytes"
is "killed: in mid-run, with some of the messages out" \
    "$([ "$got1" -ge 25 ] && [ "$got1" -lt 82 ] && echo yes)" yes
run sm-fetch --own
is "after kill -9: the next run ends well" "$rc $(cat err)" "0 "
is "... and with the first brings every message, none lost" \
    "$(valid run1.jsonl out | sort -u | tr '\n' ' ')" "$LOTS"
is "... each at most twice, what was not committed" \
    "$(valid run1.jsonl out | sort | uniq -c | awk '$1 > 2' | wc -l)" 0
is "... the cursor had moved: the first messages are not fetched again" \
    "$(valid out | grep -c -e '<lote-1@' -e '<lote-20@')" 0
is "... the answers, kind own, come with them" \
    "$(jq -r 'select(.kind == "own") | .thread.in_reply_to' out | tr '\n' ' ')" \
    "email:correo:<lote-1@correo.example> email:correo:<lote-2@correo.example> "
run sm-fetch --own
is "... and then nothing" "$rc $(cat out)" "0 "
like "at most the message being fetched when killed is left read" \
    "$(flags Lots | tr ' ' '\n' | grep -c Seen)" '^[01]$'

# failures
echo wrong > "$T/password"
run sm-fetch
is "a wrong password: exit 77" "$rc" 77
like "... said on stderr" "$(cat err)" '^sm-fetch: correo: STATUS: .*'
echo "$IMAP_PASS" > "$T/password"

config
sed -i '/ca_file/d' sm.yaml
run sm-fetch
is "a server certificate from an unknown CA: exit 69" "$rc" 69

config "https://127.0.0.1:$IMAPS_PORT"
run sm-fetch
like "an https URL is a configuration error" "$(cat err)" \
    "accounts.correo.url: 'https://127.0.0.1:[0-9]*' is not an imaps or imap URL"
config
sed -i '/user:/d' sm.yaml
run sm-fetch
is "no user: is a configuration error (78)" "$rc" 78

config "" "mailbox: Nonexistent"
run sm-fetch
is "a mailbox that does not exist: exit 69" "$rc" 69
is "... said on stderr" "$(cat err)" \
    'sm-fetch: correo: mailbox "Nonexistent": the server refused STATUS (is there such a mailbox?)'

RETRIES=2 config
imapd_stop "$T/imapd"
run sm-fetch
is "the server is down: exit 75, try later" "$rc" 75
like "... after the retries, said on stderr" "$(cat err)" \
    '^sm-fetch: correo: STATUS: .*; try later$'
