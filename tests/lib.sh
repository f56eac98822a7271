# tests/lib.sh - TAP helpers for command tests; sourced by tests/*.t
#
# Each test runs in a fresh temporary directory with build/bin on PATH and
# no configuration from the environment.

: "${SM_BUILD:?run through make check}" "${SM_SRC:?run through make check}"
PATH=$SM_BUILD/bin:$PATH
LC_ALL=C.UTF-8
TZ=UTC
export PATH LC_ALL TZ
unset SM_CONFIG
EXAMPLES=$SM_SRC/examples
SHARED=${SM_SHARED:-$SM_SRC/../shared}

T=$(mktemp -d "${TMPDIR:-/tmp}/sm-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
HOME=$T/home
XDG_CONFIG_HOME=$T/home/.config
export HOME XDG_CONFIG_HOME
mkdir -p "$HOME"
cd "$T" || exit 1

_n=0

plan() {
	echo "1..$1"
}

ok() {
	_n=$((_n + 1))
	echo "ok $_n - $1"
}

not_ok() {
	_n=$((_n + 1))
	echo "not ok $_n - $1"
}

skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}

# run CMD...: runs CMD with stdout in $T/out, stderr in $T/err, status in $rc
run() {
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
}

# is DESC GOT EXPECTED: passes when the two strings are equal
is() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		printf '%s\n' "# expected:" "$3" | sed 's/^/#   /'
		printf '%s\n' "# got:" "$2" | sed 's/^/#   /'
	fi
}

# like DESC GOT PATTERN: passes when GOT matches the grep -E PATTERN
like() {
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then
		ok "$1"
	else
		not_ok "$1"
		printf '%s\n' "# expected to match: $3" "# got:" "$2" |
		    sed 's/^/#   /'
	fi
}

# atleast DESC GOT MIN, atmost DESC GOT MAX: a figure against its bound,
# said either way
atleast() {
	if awk -v g="$2" -v m="$3" 'BEGIN { exit !(g >= m) }'; then
		ok "$1 ($2 >= $3)"
	else
		not_ok "$1 ($2 < $3)"
	fi
}

atmost() {
	if awk -v g="$2" -v m="$3" 'BEGIN { exit !(g <= m) }'; then
		ok "$1 ($2 <= $3)"
	else
		not_ok "$1 ($2 > $3)"
	fi
}

# classify_field FILTER: the jq FILTER over sm-classify's output of stdin
jqc() {
	jq -c "$@"
}

# man_examples PAGE DIR: writes the literal blocks of PAGE's EXAMPLES
# section, mdoc escapes undone, to DIR/1, DIR/2...; prints how many
man_examples() {
	mkdir -p "$2"
	sed -n '/^\.Sh EXAMPLES/,/^\.Sh /p' "$SM_SRC/man/$1" |
	    sed 's/\\e/\\/g; s/\\&//g' |
	    awk -v dir="$2" '/^\.Bd -literal/ { n++; b = 1; next }
		/^\.Ed/ { b = 0; next }
		b { print > (dir "/" n) }
		END { print n + 0 }'
}

# Debian's python3 (where python3-aiosmtpd is), else the first on PATH
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

# serve SCRIPT DIR [PORT]: starts tests/SCRIPT (smtpd, receiver) on
# 127.0.0.1 with its files in DIR; prints the port it listens on.
# unserve DIR stops it; the test's exit stops every server it started.
serve() {
	mkdir -p "$2"
	rm -f "$2/port"
	$PY "$SM_SRC/tests/$1" --dir "$2" --port-file "$2/port" \
	    --port "${3:-0}" >/dev/null 2>&1 &
	echo $! > "$2/server.pid"
	_i=0
	while [ ! -s "$2/port" ] && [ $_i -lt 200 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	cat "$2/port"
}
unserve() {
	[ -s "$1/server.pid" ] || return 0
	kill "$(cat "$1/server.pid")" 2>/dev/null
	wait "$(cat "$1/server.pid")" 2>/dev/null
	rm -f "$1/server.pid"
}
trap 'for _p in "$T"/*/server.pid; do
	[ -f "$_p" ] && unserve "$(dirname "$_p")"; done; rm -rf "$T"' EXIT

# topics_train: 24 labelled messages, 12 about waste and 12 about street
# lighting, for tests that train a small model
topics_train() {
	_ti=0
	for _tw in "la basura" "el contenedor" "la recogida" "los residuos"; do
		for _te in "lleva días sin recogerse" "está desbordado" "huele fatal"; do
			_ti=$((_ti + 1))
			printf '{"id":"w%s","text":"%s de mi calle %s","lang":"es","label":{"topic":"waste"}}\n' $_ti "$_tw" "$_te"
		done
	done
	for _tw in "la farola" "el alumbrado" "la luz" "la bombilla"; do
		for _te in "no funciona" "está apagada" "parpadea toda la noche"; do
			_ti=$((_ti + 1))
			printf '{"id":"l%s","text":"%s de la plaza %s","lang":"es","label":{"topic":"lighting"}}\n' $_ti "$_tw" "$_te"
		done
	done
}
