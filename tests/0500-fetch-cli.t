#!/bin/sh
# sm-fetch: options, usage, configuration errors, exit codes
. "${SM_SRC:-.}/tests/lib.sh"
plan 29

run sm-fetch --help
is "--help exits 0" "$rc" 0
like "--help prints usage on stdout" "$(head -1 out)" '^usage: sm-fetch \[-bnquv\]'
is "--help prints nothing on stderr" "$(cat err)" ""

run sm-fetch -V
is "-V prints the version" "$(cat out)" "sm-fetch 0.1.0"

run sm-fetch --bogus
is "a bad option exits 64" "$rc" 64
like "a bad option prints usage on stderr" "$(cat err)" '^usage: sm-fetch'

run sm-fetch extra-argument
is "an argument exits 64" "$rc" 64

run sm-fetch
is "no configuration: exit 78" "$rc" 78
is "no configuration: said so" "$(cat err)" \
    "sm-fetch: no configuration file: no accounts: to fetch from"

cfg() {
	printf 'accounts:\n  a:\n' > sm.yaml
	printf '    %s\n' "$@" >> sm.yaml
}

cfg 'platform: mastodon' 'url: https://x.example' 'token_env: T' 'tiemout: 3'
run sm-fetch
is "an unknown key: exit 78" "$rc" 78
is "an unknown key: named with its place" "$(cat err)" \
    "sm-fetch: sm.yaml:6:14: unknown key 'tiemout' in accounts.a (a typo of 'timeout'?)"

cfg 'platform: myspace'
run sm-fetch
is "an unknown platform is named with its place" "$(cat err)" \
    "sm-fetch: sm.yaml:3:15: accounts.a.platform: unknown platform 'myspace' (known: bluesky, email, facebook, file, mastodon, telegram, x)"

cfg 'platform: mastodon' 'token_env: T'
run sm-fetch
is "mastodon needs a url" "$(cat err)" "sm-fetch: sm.yaml:3:5: accounts.a: no url:"

cfg 'platform: mastodon' 'url: https://x.example'
run sm-fetch
is "mastodon needs a token" "$(cat err)" \
    "sm-fetch: sm.yaml:3:5: accounts.a: no token_env: or token_file:"

cfg 'platform: mastodon' 'url: https://x.example' 'token_env: SM_NO_SUCH_VAR'
run sm-fetch
is "a token from a missing variable: exit 78" "$rc" 78
like "... and the message names it, not a value" "$(cat err)" \
    "sm.yaml:5:16: .*SM_NO_SUCH_VAR"

cfg 'platform: mastodon' 'url: ftp://x.example' 'token_env: T'
run sm-fetch
is "a URL that is not http(s)" "$(cat err)" \
    "sm-fetch: sm.yaml:4:10: accounts.a.url: 'ftp://x.example' is not an https or http URL"

cfg 'platform: mastodon' 'url: http://masto.example' 'token_env: T'
run sm-fetch
is "plain http to another machine is refused" "$rc $(cat err)" \
    "78 sm-fetch: sm.yaml:4:10: accounts.a.url: plain http would send the token in clear; use https"

# the host is what libcurl will connect to, not what the text begins with
for u in 'http://127.0.0.1:80@elsewhere.example/' \
    'http://localhost@elsewhere.example' 'http://127.0.0.1.elsewhere.example/'; do
	cfg 'platform: mastodon' "url: $u" 'token_env: T'
	run sm-fetch
	is "plain http: $u is not this machine" "$rc $(cat err)" \
	    "78 sm-fetch: sm.yaml:4:10: accounts.a.url: plain http would send the token in clear; use https"
done

# a token file's second line never reaches a request
printf 'tok\nX-Injected: yes\n' > tok
printf 'to\033k\n' > badtok
cfg 'platform: mastodon' 'url: https://x.example' 'token_file: badtok'
run sm-fetch --state st.db
is "a token with a control character: exit 78" "$rc $(cat err)" \
    "78 sm-fetch: sm.yaml:5:17: accounts.a: badtok: the first line holds a control character"
mkdir sub
cfg 'platform: mastodon' 'url: https://x.example' 'token_file: ../badtok'
mv sm.yaml sub/
run sm-fetch -c sub/sm.yaml --state st.db
is "token_file: is relative to the file it is written in" "$rc $(cat err)" \
    "78 sm-fetch: sub/sm.yaml:5:17: accounts.a: ../badtok: the first line holds a control character"

cfg 'platform: mastodon' 'url: https://x.example' 'token_env: T' 'timeout: soon'
run sm-fetch
is "a number that is not one" "$(cat err)" \
    "sm-fetch: sm.yaml:6:14: accounts.a.timeout: expected a number, got a string"

printf 'accounts: [1]\n' > sm.yaml
run sm-fetch
is "accounts: must be a mapping" "$(cat err)" \
    "sm-fetch: sm.yaml:1:11: accounts: expected a mapping of account names, got a list"

printf '{"id":"x"}\n' > in.jsonl
cfg 'platform: file' 'path: in.jsonl'
run sm-fetch -a nobody
is "-a with an unknown account: exit 64" "$rc" 64

run sm-fetch --since yesterday
is "--since with a bad date: exit 64" "$(cat err)" \
    "sm-fetch: --since: 'yesterday' is not a date (YYYY-MM-DD or RFC 3339)"

run sm-fetch
is "the default state database is under ~/.local/state" \
    "$rc $(ls "$HOME/.local/state/sm/state.db")" \
    "0 $HOME/.local/state/sm/state.db"
is "... readable by its owner only" \
    "$(stat -c %a "$HOME/.local/state/sm/state.db" "$HOME/.local/state/sm")" \
    "600
700"
