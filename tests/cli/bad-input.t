#!/usr/bin/env bash
# The corpus of tests/data/bad/ without a device: each malformed config and
# each malformed set argument list is refused with its one expected line and
# status before awg looks for the interface (which does not exist).  With a
# live device and namespace: tests/netns/bad-input.t.
. "$(dirname "$0")/../lib.sh"

DATA=$TOP/tests/data/bad
AWG=$BIN/awg
NOIF=awgnone$$
umask 077

special() {	# special NAME -> the path of a @NAME case, made here
	local d=$T_TMP/special
	mkdir -p "$d"
	case $1 in
	@huge) { printf '[Interface]\nPrivateKey = '; head -c 1048576 /dev/zero | tr '\0' A; echo; } >"$d/huge.conf"
	       echo "$d/huge.conf" ;;
	@dir) mkdir -p "$d/dir.conf"; echo "$d/dir.conf" ;;
	@loop) ln -sfn loop2.conf "$d/loop1.conf"; ln -sfn loop1.conf "$d/loop2.conf"; echo "$d/loop1.conf" ;;
	@missing) echo "$d/missing.conf" ;;
	@unreadable) cp "$DATA/jc-range.conf" "$d/unreadable.conf"; chmod 000 "$d/unreadable.conf"
		     chmod 755 "$T_TMP" "$d"; echo "$d/unreadable.conf" ;;
	*) echo "$DATA/$1" ;;
	esac
}
# root reads any file: the unreadable case runs as nobody
as_user() { if [ "$1" = @unreadable ] && [ "$(id -u)" = 0 ]; then echo "setpriv --reuid=65534 --regid=65534 --clear-groups"; fi; }

configs() {
	local name st want f cmd n=0
	while IFS=$'\t' read -r name st want; do
		case $name in '#'*|'') continue ;; esac
		[ "$st" = 0 ] && continue
		f=$(special "$name")
		for cmd in setconf addconf syncconf; do
			run $(as_user "$name") "$AWG" "$cmd" "$NOIF" "$f"
			[ "$RC" = "$st" ] || fail "awg $cmd $name: exit status $RC, expected $st ($ERR)"
			eq "$AWG: ${want//FILE/$f}" "$ERR" "awg $cmd $name: stderr"
			n=$((n + 1))
		done
	done <"$DATA/CASES"
	[ "$n" -ge 90 ] || fail "only $n cases run"
}

set_args() {
	local args st want key n=0
	key=$("$AWG" genkey | "$AWG" pubkey)
	while IFS=$'\t' read -r args st want; do
		case $args in '#'*|'') continue ;; esac
		eval "set -- ${args//KEY/$key}"
		run "$AWG" set "$NOIF" "$@"
		[ "$RC" = "$st" ] || fail "awg set $args: exit status $RC, expected $st ($ERR)"
		eq "$want" "$ERR" "awg set $args: stderr"
		n=$((n + 1))
	done <"$DATA/SET"
	[ "$n" -ge 15 ] || fail "only $n cases run"
}

t "malformed configs: the expected line and status before any device is looked for" configs
t "malformed set arguments: the expected line and status before any device is looked for" set_args
