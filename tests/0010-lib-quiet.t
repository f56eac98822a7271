#!/bin/sh
# libsm never prints, exits or touches the process's random generator:
# only xmalloc and friends (util.c) exit, only tool.c speaks to the user
. "${SM_SRC:-.}/tests/lib.sh"
command -v nm >/dev/null || skip_all "no nm"
plan 1

found=
for o in "$SM_BUILD"/lib/*.o "$SM_BUILD"/lib/platform/*.o; do
	case ${o##*/} in
	util.o | tool.o) continue ;;
	esac
	for s in $(nm -u "$o" | awk '{ print $2 }'); do
		case $s in
		exit | _exit | _Exit | abort | err | errx | warn | warnx | \
		printf | puts | perror | stdout | stderr | \
		rand | srand | random | srandom | drand48 | srand48 | \
		lrand48 | seed48)
			found="$found ${o##*/}:$s"
			;;
		esac
	done
done
is "no lib object but util.o and tool.o exits, prints or uses rand()" \
    "$found" ""

