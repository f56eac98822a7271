#!/bin/sh
# sm-route delivers: e-mail through a real SMTP server (tests/smtpd), a
# webhook and Open311 (tests/receiver), on 127.0.0.1; once per message
# and destination across runs; what fails waits in the outbox
. "${SM_SRC:-.}/tests/lib.sh"
$PY -c 'import aiosmtpd' 2>/dev/null || skip_all "python3-aiosmtpd is not installed"
plan 16

SMTP=$(serve smtpd "$T/smtp")
HTTP=$(serve receiver "$T/http")
cat > sm.yaml <<Y
route:
  lang: es
  smtp:
    url: smtp://127.0.0.1:$SMTP
    from: "Atención Ciudadana <atencion@ayto.example>"
  queues:
    limpieza:
      department: Servicio de Limpieza
      sla: 48 hours
      deliver:
        - email:
            to: [limpieza@ayto.example]
        - webhook:
            name: chat
            url: http://127.0.0.1:$HTTP/hook/limpieza
            body: '{"text":"{{route.case}}: {{text}} (antes del {{route.due_at.date}})"}'
        - open311:
            url: http://127.0.0.1:$HTTP/v2
            api_key_env: SM_TEST_311_KEY
            service_code: "001"
            address: "{{location.address}}Villanueva"
  rules:
    - name: waste
      when: {classify.topic: waste}
      queue: limpieza
Y
SM_TEST_311_KEY=test-key
export SM_TEST_311_KEY
{ printf '%s\n' '{"id":"m:a:1","platform":"mastodon","kind":"mention","created_at":"2026-03-02T10:00:00Z","author":{"handle":"vecina@masto.es","name":"María"},"text":"La basura de la calle Perdomo lleva tres días sin recoger","classify":{"category":"complaint","topic":"waste"}}'
  printf '%s\n' '{"id":"m:a:2","platform":"mastodon","kind":"mention","created_at":"2026-03-02T11:00:00Z","text":"¿A qué hora abre la biblioteca?","classify":{"topic":"culture"}}'
} > in.jsonl

run sm-route --state st.db in.jsonl
is "first run: exit 0, nothing said" "$rc $(cat err)" "0 "
is "the waste complaint reached its three destinations, and Open311 gave its id" \
    "$(head -1 out | jq -c '.route | [.delivered, .open311_id]')" '[["email","chat","open311"],"S-2"]'
is "... the question, in a queue with none, nowhere" "$(sed -n 2p out | jq -c .route.delivered)" '[]'
is "one e-mail, to the department" "$(ls "$T/smtp/mail" | grep -c eml) $(cat "$T/smtp/mail/1.env" | tr '\n' ' ')" \
    "1 from atencion@ayto.example to limpieza@ayto.example "
like "... its subject names the case and the department" "$(grep -i '^Subject:' "$T/smtp/mail/1.eml")" \
    '^Subject: \[2026-000001\] Servicio de Limpieza'
# the e-mail's body, decoded as a mail reader would
body=$($PY -c 'import email, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
print(m.get_payload(decode=True).decode(m.get_content_charset()))' "$T/smtp/mail/1.eml")
is "... its default body in route.lang, times in the calendar's zone" \
    "$(printf '%s\n' "$body" | grep -E '^(Servicio|Responder|De|Fecha|Clasificaci|Prioridad|Mensaje)')" \
    "Servicio de Limpieza, caso 2026-000001
Responder antes de 4 de marzo de 2026, 10:00
De: María (vecina@masto.es), en mastodon
Fecha: 2 de marzo de 2026, 10:00
Clasificación: complaint, waste
Prioridad: 3
Mensaje: m:a:1"
is "the webhook's body, from its template, the deadline as a date in Spanish" \
    "$(jq -r .body "$T/http/requests/1.json")" \
    '{"text":"2026-000001: La basura de la calle Perdomo lleva tres días sin recoger (antes del 4 de marzo de 2026)"}'
like "... sent by sm-route, as its User-Agent says" \
    "$(jq -r '.headers["user-agent"]' "$T/http/requests/1.json")" '^sm-route/[0-9]'
is "Open311: the form as GeoReport v2 has it, no contact of the citizen" \
    "$(jq -c '.form | {api_key, service_code, email, first_name}' "$T/http/requests/2.json")" \
    '{"api_key":"test-key","service_code":"001","email":null,"first_name":null}'

run sm-route --state st.db in.jsonl
is "a second run: the same destinations, nothing sent again" \
    "$rc $(head -1 out | jq -c .route.delivered) $(ls "$T/smtp/mail" | grep -c eml) $(ls "$T/http/requests" | wc -l | tr -d ' ')" \
    '0 ["email","chat","open311"] 1 2'

# the receiver is down: the webhook and Open311 wait in the outbox
unserve "$T/http"
printf '%s\n' '{"id":"m:a:3","platform":"mastodon","kind":"mention","created_at":"2026-03-03T10:00:00Z","text":"Contenedores rotos y sucios en la plaza de abastos desde el lunes","classify":{"topic":"waste"}}' > more.jsonl
run sm-route --state st.db more.jsonl
is "a destination down: exit 75, the stream goes on" "$rc $(wc -l < out | tr -d ' ')" "75 1"
is "... the record says what reached where and what waits" \
    "$(jq -c '.route | [.delivered, .pending]' out)" '[["email"],["chat","open311"]]'
like "... and stderr says which" "$(cat err)" 'limpieza/chat: '
HTTP2=$(serve receiver "$T/http" "$HTTP")
run sm-route --state st.db < /dev/null
is "the next run sends what waited, even with nothing new to route" "$rc $(cat err)" "0 "
is "... the webhook and Open311 got it once" \
    "$(ls "$T/http/requests" | wc -l | tr -d ' ') $(ls "$T/smtp/mail" | grep -c eml)" "4 2"
run sm-route -n --state st.db more.jsonl
is "-n: nothing sent" "$(ls "$T/http/requests" | wc -l | tr -d ' ') $(ls "$T/smtp/mail" | grep -c eml)" "4 2"
