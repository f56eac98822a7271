#!/bin/sh
# tests/imapd.sh: a dovecot on 127.0.0.1 that curl (so libcurl) can read
. "${SM_SRC:-.}/tests/lib.sh"
. "$SM_SRC/tests/imapd.sh"

command -v curl >/dev/null 2>&1 || skip_all "curl is not installed"
imapd_test

plan 16

# two small messages of our own, with CRLF as a server stores them
printf '%s\r\n' "Date: Tue, 11 Mar 2025 10:02:11 +0100" \
    "From: =?UTF-8?Q?Ana_Bel=C3=A9n?= <ana@correo.example>" \
    "To: atencion@villanueva.example" "Subject: farola" \
    "Message-ID: <uno@correo.example>" "" "La farola no funciona." > one.eml
printf '%s\r\n' "Date: Tue, 11 Mar 2025 11:00:00 +0100" \
    "From: luis@correo.example" "Subject: bache" \
    "Message-ID: <dos@correo.example>" "" "Hay un bache." > two.eml

imap() {
	curl -sS --max-time 20 --cacert "$IMAP_CA" \
	    --user "$IMAP_USER:$IMAP_PASS" "$@"
}

is "messages are delivered, their UIDs printed" \
    "$(imapd_deliver "$T/imapd" one.eml two.eml | tr '\n' ' ')" "1 2 "

run imap "imaps://127.0.0.1:$IMAPS_PORT/" -X 'STATUS INBOX (UIDVALIDITY UIDNEXT MESSAGES)'
like "STATUS shows UIDVALIDITY and UIDNEXT" "$(cat out)" \
    '^\* STATUS INBOX \(.*UIDVALIDITY [0-9]+.*\)'
uidvalidity=$(sed -n 's/.*UIDVALIDITY \([0-9]*\).*/\1/p' out)
echo "# UIDVALIDITY $uidvalidity"
like "UIDNEXT is 3" "$(cat out)" 'UIDNEXT 3[ )]'

run imap "imaps://127.0.0.1:$IMAPS_PORT/INBOX;UIDVALIDITY=$uidvalidity" \
    -X 'UID SEARCH UID 1:*'
is "UID SEARCH lists both messages" "$(tr -d '\r' < out)" "* SEARCH 1 2"

run imap "imaps://127.0.0.1:$IMAPS_PORT/INBOX" -X 'UID FETCH 2 BODY.PEEK[]'
like "BODY.PEEK[] fetches with the IMAP wrapper" "$(head -1 out)" \
    '^\* 2 FETCH \(.*BODY\[\] \{[0-9]+\}'
flags() {
	run imap "imaps://127.0.0.1:$IMAPS_PORT/INBOX" -X 'UID FETCH 1:2 (FLAGS)'
	tr -d '\r' < out |
	    sed 's/^\* [0-9]* FETCH (UID \([0-9]*\) FLAGS (\(.*\)))$/\1:\2/' |
	    sort | tr '\n' ' '
}
is "BODY.PEEK[] leaves the message unseen" "$(flags)" "1: 2: "

run imap "imaps://127.0.0.1:$IMAPS_PORT/INBOX;UIDVALIDITY=$uidvalidity/;UID=2"
is "a message is fetched by UID over IMAPS" "$rc" 0
if cmp -s out two.eml; then ok "the bytes fetched are the bytes delivered"
else not_ok "the bytes fetched are the bytes delivered"; fi

run imap --ssl-reqd "imap://127.0.0.1:$IMAP_PORT/INBOX/;UID=1"
if [ "$rc" = 0 ] && cmp -s out one.eml; then ok "and over IMAP with STARTTLS"
else not_ok "and over IMAP with STARTTLS"; fi

run imap "imaps://127.0.0.1:$IMAPS_PORT/INBOX;UIDVALIDITY=1/;UID=1"
is "a changed UIDVALIDITY stops the fetch (78)" "$rc" 78

run imap "imaps://127.0.0.1:$IMAPS_PORT/INBOX/;UID=9"
is "a UID that does not exist is 78" "$rc" 78

is "a fetch by URL marks the message seen" "$(flags)" '1:\Seen 2:\Seen '

run curl -sS --max-time 20 --user "$IMAP_USER:$IMAP_PASS" \
    "imaps://127.0.0.1:$IMAPS_PORT/INBOX/;UID=1"
is "the certificate is checked: unknown CA is 60" "$rc" 60

run imap --user "$IMAP_USER:wrong" "imaps://127.0.0.1:$IMAPS_PORT/INBOX/;UID=1"
is "a wrong password is 67" "$rc" 67

listening() {
	run curl -sS --max-time 5 "imap://127.0.0.1:$1/" --user x:y
	[ "$rc" != 7 ]
}
imapd_stop "$T/imapd"
if kill -0 "$IMAP_PID" 2>/dev/null; then not_ok "imapd_stop ends dovecot"
else ok "imapd_stop ends dovecot"; fi
if listening "$IMAP_PORT"; then not_ok "nothing listens any more"
else ok "nothing listens any more"; fi
