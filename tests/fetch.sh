# tests/fetch.sh - for sm-fetch's tests: the fake platform server and a
# configuration that points at it.  Sourced after tests/lib.sh.

if [ -x /usr/bin/python3 ]; then PYTHON=/usr/bin/python3; else PYTHON=python3; fi
FIX=$SM_SRC/tests/fixtures
TOKEN=test-token-0123
export TOKEN
# proxies must not take loopback traffic anywhere
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
SRV_PID=

trap 'server_stop; rm -rf "$T"' EXIT

# make_ca: a test CA and a certificate for 127.0.0.1 signed by it, in $T/tls
make_ca() {
	mkdir -p "$T/tls" && (
	cd "$T/tls" &&
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=sm-test-ca &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	    -keyout srv.key -out srv.csr -subj /CN=127.0.0.1 &&
	printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' \
	    > ext &&
	openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key \
	    -CAcreateserial -out srv.pem -days 2 -extfile ext
	) >/dev/null 2>&1
}

# server_start [tls]: the fake server with our fixtures in $T/srv; sets BASE
server_start() {
	mkdir -p "$T/srv"
	cp "$FIX/mastodon/notifications.json" "$FIX/mastodon/me.json" \
	    "$FIX/mastodon/statuses.json" "$FIX/telegram/updates.json" \
	    "$T/srv/"
	rm -f "$T/port"
	if [ "$1" = tls ]; then
		make_ca || { echo "Bail out! cannot make a test CA"; exit 1; }
		$PYTHON "$SM_SRC/tests/fake-server" --dir "$T/srv" \
		    --port-file "$T/port" --token "$TOKEN" \
		    --cert "$T/tls/srv.pem" --key "$T/tls/srv.key" &
		SCHEME=https
	else
		$PYTHON "$SM_SRC/tests/fake-server" --dir "$T/srv" \
		    --port-file "$T/port" --token "$TOKEN" &
		SCHEME=http
	fi
	SRV_PID=$!
	i=0
	while [ ! -s "$T/port" ]; do
		i=$((i + 1))
		[ $i -gt 200 ] && { echo "Bail out! fake server did not start"; exit 1; }
		sleep 0.05
	done
	BASE=$SCHEME://127.0.0.1:$(cat "$T/port")
}

server_stop() {
	[ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null && wait "$SRV_PID" 2>/dev/null
	SRV_PID=
}

# later: messages that arrived since, on both platforms
later() {
	jq -s '.[0] + .[1]' "$FIX/mastodon/notifications-later.json" \
	    "$T/srv/notifications.json" > "$T/srv/n.new" &&
	    mv "$T/srv/n.new" "$T/srv/notifications.json"
	jq -s '.[0] + .[1]' "$T/srv/updates.json" \
	    "$FIX/telegram/updates-later.json" > "$T/srv/u.new" &&
	    mv "$T/srv/u.new" "$T/srv/updates.json"
}

# fault LINE...: the next API requests fail so
fault() {
	printf '%s\n' "$@" >> "$T/srv/faults"
}

# requests PATTERN: how many logged requests match PATTERN
requests() {
	touch "$T/srv/requests.log"
	grep -c -- "$1" "$T/srv/requests.log"
}

# config: sm.yaml with accounts masto and tg; $CA_LINE and $EXTRA, when
# set, are added to the mastodon account (and CA_LINE to tg)
config() {
	{
	echo "state: $T/state.db"
	echo "accounts:"
	echo "  masto:"
	echo "    platform: mastodon"
	echo "    url: $BASE"
	echo "    token_env: TOKEN"
	echo "    limit: 3"
	echo "    backoff: 0.01"
	echo "    timeout: ${TIMEOUT:-10}"
	[ -n "$CA_LINE" ] && echo "    $CA_LINE"
	[ -n "$EXTRA" ] && echo "    $EXTRA"
	echo "  tg:"
	echo "    platform: telegram"
	echo "    url: $BASE"
	echo "    token_env: TOKEN"
	echo "    backoff: 0.01"
	echo "    timeout: ${TIMEOUT:-10}"
	[ -n "$CA_LINE" ] && echo "    $CA_LINE"
	} > sm.yaml
}

# ids FILE: the record ids in FILE, sorted, on one line
ids() {
	jq -r .id "$@" | sort | tr '\n' ' '
}
