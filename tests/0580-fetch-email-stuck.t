#!/bin/sh
# sm-fetch, e-mail against a real dovecot: a large message (a citizen's
# photo) is fetched whole and left unread; a message that can never be
# fetched does not block the account: after SM_FETCH_TRIES (3) runs it is
# passed, with a record that says what could not be read
. "${SM_SRC:-.}/tests/lib.sh"
. "$SM_SRC/tests/imapd.sh"

imapd_test

plan 21

MAIL=$SM_SRC/tests/fixtures/email
echo "$IMAP_PASS" > "$T/password"

config() {
	{
	echo "state: $T/state.db"
	echo "accounts:"
	echo "  correo:"
	echo "    platform: email"
	echo "    url: imaps://127.0.0.1:$IMAPS_PORT"
	echo "    user: $IMAP_USER"
	echo "    token_file: $T/password"
	echo "    ca_file: $IMAP_CA"
	echo "    timeout: 10"
	echo "    retries: 0"
	echo "    backoff: 0.01"
	for line; do echo "    $line"; done
	} > sm.yaml
}

flags() {
	imapd_doveadm "$T/imapd" -f flow fetch -u test "uid flags" mailbox \
	    INBOX all | sed 's/^uid=\([0-9]*\) flags=/\1:/' | tr '\n' ' '
}

# photo N ID: a message with a photo of about N bytes (base64), CRLF
photo() {
	printf '%s\r\n' "From: Rosa Gil <rosa.gil@correo.example>" \
	    "To: atencion@villanueva.example" "Subject: Bache en la calle Real" \
	    "Date: Thu, 13 Mar 2025 09:00:00 +0100" "Message-ID: <$2@correo.example>" \
	    "MIME-Version: 1.0" \
	    "Content-Type: multipart/mixed; boundary=\"b1\"" "" "--b1" \
	    "Content-Type: text/plain; charset=UTF-8" "" \
	    "Adjunto foto del bache." "--b1" \
	    "Content-Type: image/jpeg; name=\"bache.jpg\"" \
	    "Content-Transfer-Encoding: base64" \
	    "Content-Disposition: attachment; filename=\"bache.jpg\"" ""
	head -c "$1" /dev/urandom | base64 -w 76 | sed 's/$/\r/'
	printf '%s\r\n' "--b1--"
}

# path MESSAGE-ID: the message's file in the maildir
path() {
	grep -l -F "Message-ID: <$1>" "$T"/imapd/mail/cur/* \
	    "$T"/imapd/mail/new/* 2>/dev/null | head -1
}

photo 3000000 foto-grande > big.eml
imapd_deliver "$T/imapd" big.eml "$MAIL/plain-qp.eml" >/dev/null
config
run sm-fetch --native
is "a 4 MB message first: exit 0, nothing said" "$rc $(cat err)" "0 "
is "... it and the next one out" "$(jq -r .id out | tr '\n' ' ')" \
    "email:correo:<foto-grande@correo.example> email:correo:<lm-20250312-1@correo.example> "
is "... whole: its text, its attachment named, every byte in .native" \
    "$(jq -c 'select(.email.uid == 1) | [.text, .email.attachments, (.native | length)]' out)" \
    "[\"Adjunto foto del bache.\",[\"bache.jpg\"],$(wc -c < big.eml)]"
is "... and left unread" "$(flags)" "1: 2: "

# larger than max_body: passed at once, with a record
photo 1200000 foto-enorme > huge.eml
imapd_deliver "$T/imapd" huge.eml "$MAIL/praise.eml" >/dev/null
config "max_body: 1048576"
run sm-fetch
is "larger than max_body: exit 65, said" "$rc $(cat err)" \
    "65 sm-fetch: correo: UID 3: cannot be fetched: larger than max_body (1048576 bytes); passed, with a record that says so"
is "... a record names it, and the next message comes" \
    "$(jq -c '[.id, .kind, .text, .email.uid, .unreadable.reason, .unreadable.runs, .unreadable.mailbox]' out | tr '\n' ' ')" \
    '["email:correo:'"$(jq -r '.email.uidvalidity' out | head -1)"':3","email","",3,"larger than max_body (1048576 bytes)",1,"INBOX"] ["email:correo:<columpio-gracias@correo.example>","email","Muchas gracias por arreglar tan rápido el columpio del parque del Ejido.\nLos niños están encantados.",4,null,null,null] '
is "... with its size and delivery date" \
    "$(jq -c 'select(.unreadable) | [.unreadable.size > 1200000, (.created_at | test("^20[0-9][0-9]-"))]' out)" \
    "[true,true]"
is "... the record's fields, in order" "$(jq -c 'select(.unreadable) | keys_unsorted' out)" \
    '["id","platform","account","kind","created_at","fetched_at","author","subject","text","lang","url","thread","email","unreadable"]'
run sm-fetch
is "... and then nothing" "$rc $(cat out)" "0 "
config

# a message the server cannot read: dovecot drops the connection on it
imapd_deliver "$T/imapd" "$MAIL/follow-up.eml" "$MAIL/alternative.eml" >/dev/null
sm-fetch -n >/dev/null 2>&1	# dovecot takes the files from new/ to cur/
bad=$(path contenedor-sigue@correo.example)
chmod 000 "$bad"
run sm-fetch
is "a message that cannot be fetched: exit 75, try later" "$rc $(cat out)" "75 "
like "... said, with how many runs are left" "$(cat err)" \
    '^sm-fetch: correo: UID 5: fetch: .*; try later \(run 1 of 3 before it is passed\)$'
run sm-fetch -n
like "a dry run counts no run" "$rc $(cat err)" '^75 .*\(run 2 of 3 before'
run sm-fetch
like "the second run: 75 again" "$rc $(cat err)" '^75 .*\(run 2 of 3 before'
sm-fetch --status > status.json
is "--status says where it is stuck, and for how many runs" \
    "$(jq -r '.stuck | keys[0] + " " + (.uid.message | sub("^[0-9]+:"; "")) + " " + (.uid.runs | tostring)' status.json)" \
    "uid 5 2"
run sm-fetch
is "the third run: exit 65, it is passed" "$rc" 65
like "... said" "$(cat err)" \
    '^sm-fetch: correo: UID 5: cannot be fetched, 3 runs in a row: .*; passed, with a record that says so$'
is "... a record says what could not be read, the next message comes" \
    "$(jq -c '[.email.uid, .text, .unreadable.runs, .unreadable.mailbox, (.unreadable.reason | length > 0)] | .[4] //= null' out | tr '\n' ' ')" \
    '[5,"",3,"INBOX",true] [6,"Buenas tardes,\n\nEl parque infantil de la Alameda tiene un columpio suelto – es peligroso.",null,null,null] '
run sm-fetch
is "... and then nothing, exit 0" "$rc $(cat out)" "0 "
chmod 644 "$bad"

# stuck twice, then readable: fetched, and its count forgotten
imapd_deliver "$T/imapd" "$MAIL/reply-quoted.eml" "$MAIL/attachment.eml" >/dev/null
sm-fetch -n >/dev/null 2>&1
bad=$(path "$(sed -n 's/^Message-ID: <\(.*\)>.*/\1/p' "$MAIL/reply-quoted.eml" | tr -d '\r')")
chmod 000 "$bad"
sm-fetch >/dev/null 2>&1
sm-fetch >/dev/null 2>&1
chmod 644 "$bad"
run sm-fetch
is "a message stuck twice, then readable: both out, exit 0" \
    "$rc $(jq -r '[.email.uid, (.unreadable == null)] | join(" ")' out | tr '\n' ' ')" \
    "0 7 true 8 true "
imapd_deliver "$T/imapd" "$MAIL/spam-latin1.eml" >/dev/null
sm-fetch -n >/dev/null 2>&1
bad=$(path spam.777@spam.example)
chmod 000 "$bad"
run sm-fetch
like "... another one stuck counts from 1" "$(cat err)" '\(run 1 of 3 before'
chmod 644 "$bad"
run sm-fetch
is "... and once it can be read, it comes" "$rc $(jq -r .email.uid out)" "0 9"
