#!/bin/sh
# sm-reply --send by e-mail through a real SMTP server (tests/smtpd) on
# 127.0.0.1: the reply threads under the citizen's message; once across
# runs; a run killed between sending and recording is not repeated
. "${SM_SRC:-.}/tests/lib.sh"
$PY -c 'import aiosmtpd' 2>/dev/null || skip_all "python3-aiosmtpd is not installed"
plan 10

serve smtpd "$T/smtp" > /dev/null
cat > sm.yaml <<Y
accounts:
  buzon:
    platform: email
    url: imaps://127.0.0.1:1
    user: atencion
    token_env: SM_TEST_IMAP
    smtp:
      url: smtp://127.0.0.1:$(cat smtp/port)
      from: "Atención Ciudadana <atencion@ayto.example>"
Y
SM_TEST_IMAP=secret
export SM_TEST_IMAP
msg() {	# msg ID APPROVED
	printf '{"id":"email:buzon:<%s@correo.example>","platform":"email","account":"buzon","kind":"email","created_at":"2026-03-02T10:00:00Z","author":{"handle":"rosa@correo.example","name":"Rosa"},"subject":"Bache en la calle Real","text":"Hay un bache enorme","email":{"message_id":"<%s@correo.example>","references":["<antes@correo.example>"]},"reply":{"template":"t","lang":"es","text":"Gracias, Rosa. Su caso es el 2026-000007.\\nUn saludo.","visibility":"private","status":"draft","approved":%s}}\n' "$1" "$1" "$2"
}
{ msg uno true; msg dos false; } > in.jsonl
run sm-reply --send --state st.db in.jsonl
is "--send: exit 0, nothing said" "$rc $(cat err)" "0 "
is "the approved reply is sent, the other stays a draft" \
    "$(jq -r .reply.status out | tr '\n' ' ')" "sent draft "
like "... with the time and the Message-ID it was sent with" \
    "$(head -1 out | jq -r '[.reply.sent_at, .reply.platform_id] | @tsv')" \
    '^20[0-9-]+T[0-9:]+Z	<sm-reply\.[0-9a-f]{16}@ayto\.example>$'
is "one e-mail, to the citizen, from the account's address" \
    "$(ls smtp/mail | grep -c eml) $(tr '\n' ' ' < smtp/mail/1.env)" \
    "1 from atencion@ayto.example to rosa@correo.example "
eml=smtp/mail/1.eml
is "threaded: Re: the subject, In-Reply-To and References the message" \
    "$(tr -d '\r' < $eml | sed -e ':a' -e 'N' -e '$!ba' -e 's/\n / /g' |
	grep -E '^(Subject|In-Reply-To|References):')" \
    "Subject: Re: Bache en la calle Real
In-Reply-To: <uno@correo.example>
References: <antes@correo.example> <uno@correo.example>"
like "... and the text in UTF-8, quoted-printable" "$(tr -d '\r' < $eml)" 'Gracias, Rosa\. Su caso es el 2026-000007\.'

run sm-reply --send --state st.db in.jsonl
is "a second run: shown as sent, nothing sent again" \
    "$rc $(head -1 out | jq -r .reply.status) $(ls smtp/mail | grep -c eml)" "0 sent 1"

# killed between the server taking the message and the ledger saying so
msg tres true > three.jsonl
echo kill > smtp/faults
sm-reply --send --state st.db three.jsonl > killed.out 2>/dev/null &
echo $! > smtp/pid
wait $! 2>/dev/null
run sm-reply --send --state st.db three.jsonl
is "after kill -9 in mid-send: unknown, exit 69" "$rc $(jq -r .reply.status out)" "69 unknown"
like "... said, and not sent again" "$(cat err) $(ls smtp/mail | grep -c eml)" \
    'a reply was being sent when a run stopped.* 2$'
sed 's/smtp:\/\/127.0.0.1:[0-9]*/smtp:\/\/127.0.0.1:1/' sm.yaml > down.yaml
msg cuatro true > four.jsonl
run sm-reply -c down.yaml --send --state st.db four.jsonl
is "a server that is down: failed, to be tried again (75)" "$rc $(jq -r .reply.status out)" "75 failed"
