#!/bin/sh
# sm-fetch: plain http goes only to this machine, as libcurl reads the URL
. "${SM_SRC:-.}/tests/lib.sh"
plan 14

T_TOKEN=secret
export T_TOKEN

cfg() {
	printf 'accounts:\n  a:\n    platform: mastodon\n    url: %s\n' "$1" \
	    > sm.yaml
	printf '    token_env: T_TOKEN\n    retries: 0\n' >> sm.yaml
}

for url in 'http://127.0.0.1:80@elsewhere.example/' \
    'http://127.0.0.1@elsewhere.example/' \
    'http://localhost:x@elsewhere.example/' \
    'http://[::1]@elsewhere.example/' \
    'http://127.0.0.1.elsewhere.example/' \
    'http://localhost.elsewhere.example/' \
    'HTTP://elsewhere.example/'; do
	cfg "$url"
	run sm-fetch
	like "$url: refused" "$rc $(cat err)" \
	    "^78 sm-fetch: sm.yaml:4:10: accounts.a.url: .*(in clear|is not an http)"
done

# nothing listens on port 1: the request is tried, and fails to connect
for url in 'http://127.0.0.1:1/' 'http://127.1:1/' 'http://localhost.:1/' \
    'http://[::1]:1/' 'http://LOCALHOST:1/' 'http://x:y@127.0.0.1:1/' \
    'http://127.0.0.1:1/@elsewhere.example'; do
	cfg "$url"
	run sm-fetch
	like "$url: allowed" "$rc $(cat err)" "^75 sm-fetch: a: .*1"
done
