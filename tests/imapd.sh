#!/bin/sh
# tests/imapd.sh - a throw-away dovecot IMAP server on 127.0.0.1 for tests
#
# As a command:
#   sh tests/imapd.sh start DIR      start a server whose files all live in
#                                    DIR; prints shell assignments:
#                                    IMAP_PORT IMAPS_PORT IMAP_USER IMAP_PASS
#                                    IMAP_CA IMAP_PID
#   sh tests/imapd.sh deliver DIR [-m MAILBOX] FILE...
#                                    append messages (INBOX by default);
#                                    prints the UID each one got
#   sh tests/imapd.sh stop DIR       stop it
# Sourced (". tests/imapd.sh"), it defines imapd_start, imapd_deliver and
# imapd_stop, taking the same arguments (imapd_start sets the variables
# above instead of printing them), imapd_doveadm DIR ARGS... and
# imapd_have (0 when dovecot and openssl are installed).
#
# The server runs as the calling user, root or not: it needs no system
# configuration, writes nothing outside DIR, and listens on 127.0.0.1 only,
# IMAP with STARTTLS and IMAPS, with a certificate from a test CA made with
# openssl (DIR/ca.pem).  One user, "test" with password "test-pass", whose
# mail is a maildir in DIR/mail.  Needs dovecot (dovecot-core and
# dovecot-imapd) and openssl.

imapd_have() {
	command -v dovecot >/dev/null 2>&1 &&
	    command -v doveadm >/dev/null 2>&1 &&
	    command -v openssl >/dev/null 2>&1
}

# _imapd_certs DIR: a test CA and a certificate for 127.0.0.1 signed by it
_imapd_certs() {
	(
		cd "$1" || exit 1
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		    -nodes -keyout ca.key -out ca.pem -days 3 \
		    -subj "/CN=sm test CA" \
		    -addext basicConstraints=critical,CA:TRUE \
		    -addext keyUsage=critical,keyCertSign,cRLSign &&
		openssl req -new -newkey ec \
		    -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		    -keyout key.pem -out req.pem -subj "/CN=localhost" &&
		printf '%s\n' "basicConstraints=CA:FALSE" \
		    "keyUsage=critical,digitalSignature" \
		    "extendedKeyUsage=serverAuth" \
		    "subjectAltName=IP:127.0.0.1,DNS:localhost" > ext.cnf &&
		openssl x509 -req -in req.pem -CA ca.pem -CAkey ca.key \
		    -set_serial 1 -days 3 -extfile ext.cnf -out cert.pem
	) >"$1/openssl.log" 2>&1
}

# _imapd_users DIR: who runs what.  Anyone but root runs it all; root
# may not run the login and mail processes, so nobody does (and the login
# process dovenull, when it exists), and DIR must be searchable by nobody.
_imapd_users() {
	if [ "$(id -u)" != 0 ]; then
		_user=$(id -un)
		_group=$(id -gn)
		_login=$_user
		_muid=$(id -u)
		_mgid=$(id -g)
		return 0
	fi
	_user=root
	_group=$(id -gn)
	_login=nobody
	id dovenull >/dev/null 2>&1 && _login=dovenull
	_muid=$(id -u nobody) && _mgid=$(id -g nobody) || return 1
	chown -R "$_muid:$_mgid" "$1/mail" "$1/home" || return 1
	chmod 755 "$1" || return 1
	_p=$1
	while [ "$_p" != / ] && [ -n "$_p" ]; do
		_p=$(dirname "$_p")
		if [ -z "$(find "$_p" -maxdepth 0 -perm -o+x)" ]; then
			echo "imapd_start: $_p is not searchable by nobody" >&2
			return 1
		fi
	done
}

# _imapd_config DIR IMAP_PORT IMAPS_PORT
_imapd_config() {
	_d=$1
	cat > "$_d/dovecot.conf" <<EOF
# written by tests/imapd.sh
base_dir = $_d/run
state_dir = $_d/state
log_path = $_d/dovecot.log
info_log_path = $_d/dovecot.log
instance_name = sm-test-$$
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <$_d/cert.pem
ssl_key = <$_d/key.pem
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = $_user
default_internal_group = $_group
default_login_user = $_login
first_valid_uid = 0
first_valid_gid = 0
mail_location = maildir:$_d/mail
mail_uid = $_muid
mail_gid = $_mgid
mail_privileged_group =
import_environment = TZ
syslog_facility = local7
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%n $_d/passwd
}
userdb {
  driver = static
  args = uid=$_muid gid=$_mgid home=$_d/home
}
service anvil {
  chroot =
}
service imap-login {
  chroot =
  user = $_login
  inet_listener imap {
    address = 127.0.0.1
    port = $2
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $3
    ssl = yes
  }
}
service auth {
  user = $_user
}
service auth-worker {
  user = $_user
}
service stats {
  unix_listener stats-reader {
    user = $_user
  }
  unix_listener stats-writer {
    user = $_user
  }
}
protocol imap {
  mail_max_userip_connections = 100
}
EOF
	printf 'test:{PLAIN}test-pass::::::\n' > "$_d/passwd"
}

# imapd_test: for a test, a dovecot of its own in $T/imapd, stopped with
# the test; the test is skipped where dovecot cannot run
imapd_test() {
	imapd_have || skip_all "dovecot or openssl is not installed (make deps)"
	chmod 755 "$T"		# when root, the mail processes run as nobody
	trap 'imapd_stop "$T/imapd"; rm -rf "$T"' EXIT
	imapd_start "$T/imapd" || { echo "Bail out! dovecot did not start"; exit 1; }
}

# _imapd_port N: the N-th candidate port, spread by our pid
_imapd_port() {
	echo $(( 20000 + ( $$ * 37 + $1 * 7919 ) % 40000 ))
}

imapd_start() {
	_d=$1
	[ -n "$_d" ] || { echo "imapd_start: no directory" >&2; return 1; }
	mkdir -p "$_d" || return 1
	_d=$(cd "$_d" && pwd) || return 1
	mkdir -p "$_d/run" "$_d/state" "$_d/home" "$_d/mail/cur" \
	    "$_d/mail/new" "$_d/mail/tmp" || return 1
	if [ ! -f "$_d/cert.pem" ]; then
		_imapd_certs "$_d" || {
			echo "imapd_start: openssl failed, see $_d/openssl.log" >&2
			return 1
		}
	fi
	_imapd_users "$_d" || return 1
	_try=0
	while [ $_try -lt 10 ]; do
		_p1=$(_imapd_port $((_try * 2)))
		_p2=$(_imapd_port $((_try * 2 + 1)))
		_imapd_config "$_d" "$_p1" "$_p2"
		: > "$_d/dovecot.log"
		dovecot -F -c "$_d/dovecot.conf" >>"$_d/dovecot.out" 2>&1 &
		_pid=$!
		echo "$_pid" > "$_d/pid"
		_waited=0
		while [ $_waited -lt 100 ]; do
			if grep -q 'starting up' "$_d/dovecot.log" 2>/dev/null; then
				IMAP_PORT=$_p1
				IMAPS_PORT=$_p2
				IMAP_USER=test
				IMAP_PASS=test-pass
				IMAP_CA=$_d/ca.pem
				IMAP_PID=$_pid
				return 0
			fi
			kill -0 "$_pid" 2>/dev/null || break
			sleep 0.1
			_waited=$((_waited + 1))
		done
		kill "$_pid" 2>/dev/null
		wait "$_pid" 2>/dev/null
		if ! grep -q 'in use' "$_d/dovecot.log" "$_d/dovecot.out" \
		    2>/dev/null; then
			echo "imapd_start: dovecot did not start:" >&2
			cat "$_d/dovecot.out" "$_d/dovecot.log" >&2 2>/dev/null
			return 1
		fi
		_try=$((_try + 1))
	done
	echo "imapd_start: no free port" >&2
	return 1
}

imapd_stop() {
	_d=$1
	[ -f "$_d/pid" ] || return 0
	_pid=$(cat "$_d/pid")
	rm -f "$_d/pid"
	kill "$_pid" 2>/dev/null || return 0
	wait "$_pid" 2>/dev/null	# reaps it when it is our child
	_waited=0
	while kill -0 "$_pid" 2>/dev/null && [ $_waited -lt 50 ]; do
		sleep 0.1
		_waited=$((_waited + 1))
	done
	kill -9 "$_pid" 2>/dev/null
	return 0
}

# imapd_deliver DIR [-m MAILBOX] FILE...: prints each message's UID
imapd_deliver() {
	_d=$1
	shift
	_box=INBOX
	if [ "$1" = -m ]; then
		_box=$2
		shift 2
	fi
	[ "$_box" = INBOX ] || doveadm -c "$_d/dovecot.conf" mailbox status \
	    -u test uidvalidity "$_box" >/dev/null 2>&1 ||
	    doveadm -c "$_d/dovecot.conf" mailbox create -u test "$_box" ||
	    return 1
	for _f; do
		doveadm -c "$_d/dovecot.conf" save -u test -m "$_box" \
		    < "$_f" || return 1
	done
	# the UIDs, oldest first; the caller takes the last N
	doveadm -c "$_d/dovecot.conf" -f flow fetch -u test uid \
	    mailbox "$_box" all | sed 's/^uid=//' | tail -n $#
}

# imapd_doveadm DIR ARGS...: doveadm on this server ("mailbox delete -u
# test X", "flags add -u test '\\Seen' mailbox INBOX uid 1")
imapd_doveadm() {
	_d=$1
	shift
	doveadm -c "$_d/dovecot.conf" "$@"
}

case ${0##*/} in
imapd.sh)
	_cmd=$1
	[ $# -ge 2 ] && shift
	case $_cmd in
	start)
		imapd_have || { echo "imapd.sh: dovecot or openssl missing" >&2
		    exit 69; }
		imapd_start "$1" || exit 1
		printf 'IMAP_PORT=%s\nIMAPS_PORT=%s\nIMAP_USER=%s\nIMAP_PASS=%s\n' \
		    "$IMAP_PORT" "$IMAPS_PORT" "$IMAP_USER" "$IMAP_PASS"
		printf 'IMAP_CA=%s\nIMAP_PID=%s\n' "$IMAP_CA" "$IMAP_PID"
		;;
	deliver)
		imapd_deliver "$@" || exit 1
		;;
	stop)
		imapd_stop "$1"
		;;
	*)
		echo "usage: imapd.sh start|stop DIR" >&2
		echo "       imapd.sh deliver DIR [-m MAILBOX] FILE..." >&2
		exit 64
		;;
	esac
	;;
esac
