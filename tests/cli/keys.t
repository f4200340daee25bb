#!/usr/bin/env bash
# genkey, genpsk, pubkey: byte-compatible with Debian's wg (wireguard-tools).
. "$(dirname "$0")/../lib.sh"

# Run a tool with a chosen argv[0], as upstream prints argv[0] in messages.
ours() { (exec -a "$1" "$BIN/$1" "${@:2}"); }
theirs() { (exec -a "$1" /usr/bin/wg "${@:2}"); }

genkey_format() {
	local tool k
	for tool in awg wg; do
		k=$(ours $tool genkey)
		[[ $k =~ ^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$ ]] || fail "$tool genkey: '$k'"
		# clamped: first byte & 7 == 0, last byte top bits 01
		local bytes
		bytes=$(printf '%s' "$k" | base64 -d | od -An -tu1 -v | tr -s ' \n' ' ')
		set -- $bytes
		[ $(( $1 & 7 )) = 0 ] || fail "not clamped: first byte $1"
		[ $(( ${32} & 192 )) = 64 ] || fail "not clamped: last byte ${32}"
	done
}

genpsk_random() {
	local a b
	a=$(ours awg genpsk) b=$(ours awg genpsk)
	[[ $a =~ ^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$ ]] || fail "genpsk: '$a'"
	[ "$a" != "$b" ] || fail "two genpsk calls gave the same key"
}

pubkey_differential() {
	# 1000 random private keys: our pubkey equals Debian's wg pubkey.
	local keys ourpubs theirpubs k
	keys=$(for _ in $(seq 1000); do head -c 32 /dev/urandom | base64; done)
	ourpubs=$(while read -r k; do printf '%s\n' "$k" | ours wg pubkey; done <<<"$keys")
	theirpubs=$(while read -r k; do printf '%s\n' "$k" | theirs wg pubkey; done <<<"$keys")
	[ "$(printf '%s\n' "$ourpubs" | wc -l)" = 1000 ] || fail "not 1000 public keys"
	eq "$theirpubs" "$ourpubs" "public keys"
}

# the same stdout, stderr and status as Debian's wg for a given stdin
same_as_wg() {	# same_as_wg INPUT SUBCOMMAND...
	local input=$1 o1 e1 r1 o2 e2 r2
	shift
	o1=$(printf '%b' "$input" | theirs wg "$@" 2>"$T_TMP/e1") && r1=0 || r1=$?
	e1=$(cat "$T_TMP/e1")
	o2=$(printf '%b' "$input" | ours wg "$@" 2>"$T_TMP/e2") && r2=0 || r2=$?
	e2=$(cat "$T_TMP/e2")
	eq "$o1" "$o2" "stdout for input '$input'"
	eq "$e1" "$e2" "stderr for input '$input'"
	eq "$r1" "$r2" "exit status for input '$input'"
}

pubkey_bad_input() {
	local k=yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=
	same_as_wg "" pubkey
	same_as_wg "short" pubkey
	same_as_wg "${k}" pubkey
	same_as_wg "${k}\n" pubkey
	same_as_wg "${k} \t\r\n\n\0\0 " pubkey
	same_as_wg "${k}x" pubkey
	same_as_wg "${k}\n\nx" pubkey
	same_as_wg "${k%=}A" pubkey				# no '=' pad
	same_as_wg "${k%k=}l=" pubkey			# stray low bits
	same_as_wg "yAnz5TF-lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=" pubkey
	same_as_wg "yAnz5TF+lXXJte14tji3z\0MNq+hd2rYUIgJBgB3fBmk=" pubkey
	same_as_wg "${k}${k}" pubkey
	same_as_wg "$k" pubkey extra
	same_as_wg "" genkey extra
	same_as_wg "" genpsk extra
}

genkey_world_readable_warning() {
	local f=$T_TMP/key r1 r2
	(umask 022; ours awg genkey >"$f" 2>"$T_TMP/err")
	eq "Warning: writing to world accessible file.
Consider setting the umask to 077 and trying again." "$(cat "$T_TMP/err")" "warning"
	[ "$(wc -c <"$f")" = 45 ] || fail "key file is not 45 bytes"
	(umask 077; ours awg genkey >"$f.2" 2>"$T_TMP/err")
	eq "" "$(cat "$T_TMP/err")" "stderr with umask 077"
	# a pipe is not a file: no warning
	r1=$(ours awg genkey 2>&1 >/dev/null | cat)
	eq "" "$r1" "stderr into a pipe"
	r2=$(cat "$f")
	printf '%s\n' "$r2" | ours awg pubkey >/dev/null || fail "generated key not accepted by pubkey"
}

usage_and_version() {
	local o1 o2
	o1=$(theirs wg --help) o2=$(ours wg --help)
	eq "$o1" "$o2" "wg --help"
	o2=$(ours awg help)
	eq "${o1//Usage: wg/Usage: awg}" "$o2" "awg help"
	run ours wg bogus
	rc_is 1
	run theirs wg bogus
	local e1=$ERR r1=$RC
	run ours wg bogus
	eq "$e1" "$ERR" "invalid subcommand message"
	eq "$r1" "$RC"
	run ours awg --version
	rc_is 0
	contains "$OUT" "amneziawg-tools v3.1.20260812"
	run ours wg -v
	contains "$OUT" "wireguard-tools v1.0.20210914"
}

need_cmd base64 od
t "genkey gives a clamped 44-character key" genkey_format
t "genpsk gives fresh random keys" genpsk_random
if [ -x /usr/bin/wg ]; then
	t "pubkey agrees with Debian wg on 1000 random keys" pubkey_differential
	t "pubkey/genkey errors are Debian wg's, byte for byte" pubkey_bad_input
	t "--help, unknown subcommand as Debian wg" usage_and_version
else
	skip "differential key tests" "Debian's wg (wireguard-tools) is not installed"
fi
t "genkey warns when writing to a world-accessible file" genkey_world_readable_warning
