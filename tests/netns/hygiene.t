#!/usr/bin/env bash
# timeout: 300
# fd and secret hygiene of awg and awg-quick, on wireguard-go devices:
# - a hook sees only fds 0-2, even when awg-quick was given more;
# - every fd awg-quick holds while a hook runs is close-on-exec;
# - the files awg-quick writes are 0600 whatever the umask;
# - after awg setconf/set/show and awg-quick up/down, no copy of the private
#   or preshared key (raw, base64 or hex) is left anywhere in the process's
#   writable memory at exit (glibc build, tests/fault/secret-scan.c).
. "$(dirname "$0")/lib.sh"

GLIBC=$TOP/build/glibc
[ -x "$GLIBC/awgbox" ] || skip_all "needs the glibc build (make LIBC=glibc)"
need_cmd cc od base64
SCAN=$T_TMP/secret-scan.so
cc -shared -fPIC -O2 -Wall -o "$SCAN" "${SCAN_SRC:-$TOP/tests/fault/secret-scan.c}" || skip_all "cannot build the scanner"
QUICK=$BIN/awg-quick
umask 077

# an awg-quick config with a hook command at each stage
quick_config() {	# quick_config FILE HOOK
	cat >"$1" <<EOF
[Interface]
PrivateKey = $(wg genkey)
Address = 10.89.0.1/24
PreUp = $2
PostUp = $2
PreDown = $2
PostDown = $2

[Peer]
PublicKey = $(wg genkey | wg pubkey)
AllowedIPs = 10.89.0.2/32
EOF
}

hooks_get_fds_0_2() {
	local ns if conf
	ns_new ns
	ns_ifname if awgh
	ns_track "$if"
	conf=$T_TMP/h/$if.conf
	mkdir -p "$T_TMP/h"
	# each open fd number of the hook's shell, one line per hook
	quick_config "$conf" "l=; for n in \$(seq 0 255); do [ -e /proc/\$\$/fd/\$n ] && l=\"\$l \$n\"; done; echo \"\$l\" >>$T_TMP/h/fds"
	ip netns exec "$ns" env WG_QUICK_USERSPACE_IMPLEMENTATION=wireguard-go "$QUICK" up "$conf" \
		7</dev/null 9>"$T_TMP/h/nine" 2>"$T_TMP/h/err" || fail "up: $(cat "$T_TMP/h/err")"
	ip netns exec "$ns" "$QUICK" down "$conf" 7</dev/null 9>"$T_TMP/h/nine" 2>"$T_TMP/h/err" ||
		fail "down: $(cat "$T_TMP/h/err")"
	eq " 0 1 2
 0 1 2
 0 1 2
 0 1 2" "$(cat "$T_TMP/h/fds")" "open fds of PreUp, PostUp, PreDown, PostDown"
}

# From PostUp, awg-quick's own fds (its parent's) and their flags.
own_fds_cloexec() {
	local ns if conf flags n=0 fd f closes
	ns_new ns
	ns_ifname if awgh
	ns_track "$if"
	conf=$T_TMP/c/$if.conf
	mkdir -p "$T_TMP/c"
	quick_config "$conf" "for f in /proc/\$PPID/fdinfo/*; do echo \$(basename \$f) \$(sed -n 's/^flags:[[:space:]]*//p' \$f); done >>$T_TMP/c/flags"
	# awg-quick starts with fds 0-2 only: what it holds is its own
	closes=$(for fd in $(ls /proc/$BASHPID/fd); do [ "$fd" -le 2 ] || printf ' %s>&-' "$fd"; done)
	eval 'ip netns exec "$ns" env WG_QUICK_USERSPACE_IMPLEMENTATION=wireguard-go "$QUICK" up "$conf" \
		2>"$T_TMP/c/err"' "$closes" || fail "up: $(cat "$T_TMP/c/err")"
	eval 'ip netns exec "$ns" "$QUICK" down "$conf" 2>/dev/null' "$closes"
	while read -r fd flags; do
		# (an fd gone between the listing and the read has no flags)
		[ "$fd" -ge 3 ] && [ -n "$flags" ] || continue
		n=$((n + 1))
		# O_CLOEXEC is 02000000 in fdinfo's octal flags
		[ $((0$flags & 02000000)) != 0 ] || fail "fd $fd of awg-quick is not close-on-exec (flags $flags)"
	done <"$T_TMP/c/flags"
	[ "$n" -gt 0 ] || fail "no fd of awg-quick seen: $(cat "$T_TMP/c/flags")"
}

files_0600() {
	local ns if conf
	ns_new ns
	ns_ifname if awgh
	ns_track "$if"
	conf=$T_TMP/m/$if.conf
	mkdir -p "$T_TMP/m"
	quick_config "$conf" true
	sed -i 's/^\[Interface\]$/&\nSaveConfig = true/' "$conf"
	chmod 644 "$conf"
	ip netns exec "$ns" env WG_QUICK_USERSPACE_IMPLEMENTATION=wireguard-go "$QUICK" up "$conf" 2>/dev/null
	(umask 000; ip netns exec "$ns" "$QUICK" save "$conf" 2>/dev/null)
	eq 600 "$(stat -c %a "$conf")" "mode after save with umask 000"
	chmod 644 "$conf"
	(umask 000; ip netns exec "$ns" "$QUICK" down "$conf" 2>/dev/null)
	eq 600 "$(stat -c %a "$conf")" "mode after SaveConfig on down with umask 000"
}

# run CMD... under the scanner looking for the keys in $T_TMP/s/needles
scanned() {
	rm -f "$T_TMP/s/needles.out"
	env SECRET_SCAN="$T_TMP/s/needles" LD_PRELOAD="$SCAN" "$@"
	[ ! -s "$T_TMP/s/needles.out" ] || fail "key left in memory of $*: $(cat "$T_TMP/s/needles.out")"
}
hex() { od -An -tx1 -v | tr -d ' \n'; }
needles() {	# needles KEY...: raw, base64 and hex of each base64 key, in hex
	local k
	for k; do
		printf '%s\n' "$k" | base64 -d | hex; echo
		printf '%s' "$k" | hex; echo
		printf '%s\n' "$k" | base64 -d | hex | hex; echo
	done
}

secrets_wiped() {
	local ns if priv psk conf qif qconf n
	ns_new ns
	ns_ifname if awgh
	ns_wggo "$ns" "$if"
	mkdir -p "$T_TMP/s"
	priv=$(wg genkey) psk=$(wg genpsk)
	needles "$priv" "$psk" >"$T_TMP/s/needles"
	n=$(wc -l <"$T_TMP/s/needles")
	[ "$n" = 6 ] || fail "needles: $n"
	printf '[Interface]\nPrivateKey = %s\nListenPort = 41999\n\n[Peer]\nPublicKey = %s\nPresharedKey = %s\nAllowedIPs = 10.9.9.9/32\n' \
		"$priv" "$(wg genkey | wg pubkey)" "$psk" >"$T_TMP/s/c.conf"
	printf '%s\n' "$priv" >"$T_TMP/s/priv"
	scanned ip netns exec "$ns" "$GLIBC/bin/awg" setconf "$if" "$T_TMP/s/c.conf"
	scanned ip netns exec "$ns" "$GLIBC/bin/awg" addconf "$if" "$T_TMP/s/c.conf"
	scanned ip netns exec "$ns" "$GLIBC/bin/awg" syncconf "$if" "$T_TMP/s/c.conf"
	scanned ip netns exec "$ns" "$GLIBC/bin/awg" set "$if" private-key "$T_TMP/s/priv"
	scanned ip netns exec "$ns" "$GLIBC/bin/awg" show "$if" >/dev/null
	scanned ip netns exec "$ns" "$GLIBC/bin/awg" show "$if" listen-port >/dev/null
	# the scanner sees what it is meant to see: showconf keeps the key in
	# stdout's buffer, which is the C library's
	rm -f "$T_TMP/s/needles.out"
	ip netns exec "$ns" env SECRET_SCAN="$T_TMP/s/needles" LD_PRELOAD="$SCAN" "$GLIBC/bin/awg" showconf "$if" >/dev/null
	[ -s "$T_TMP/s/needles.out" ] || fail "the scanner did not find the key printed by showconf"
	# awg-quick up and down with the same keys
	ns_ifname qif awgh
	ns_track "$qif"
	qconf=$T_TMP/s/$qif.conf
	sed "s/^ListenPort = .*/ListenPort = 41998/" "$T_TMP/s/c.conf" >"$qconf"
	scanned ip netns exec "$ns" env WG_QUICK_USERSPACE_IMPLEMENTATION=wireguard-go "$GLIBC/bin/awg-quick" up "$qconf" 2>/dev/null
	scanned ip netns exec "$ns" "$GLIBC/bin/awg-quick" down "$qconf" 2>/dev/null
}

# wireguard-go daemons awg-quick started are reaped by init, which may be
# slow here: the runner's leak check would see their zombies
t_on_exit 'for i in $(seq 50); do pgrep -x -r Z wireguard-go >/dev/null || break; sleep 0.1; done'

t "hooks see fds 0-2 only, whatever awg-quick was given" hooks_get_fds_0_2
t "every fd awg-quick holds while a hook runs is close-on-exec" own_fds_cloexec
t "awg-quick save and SaveConfig write 0600 whatever the umask" files_0600
t "no copy of a private or preshared key left in memory at exit (setconf, set, show, awg-quick up/down)" secrets_wiped
