#!/usr/bin/env bash
# timeout: 1500
# Fault injection into awg-quick (the glibc build, with tests/fault/inject.c
# preloaded): every call it makes that reaches the kernel -- open, read,
# write, socket, bind, sendto, recvmsg, connect, pipe2, fork, execve,
# mkostemp, fsync, rename, ... -- is made to fail in turn, N = 1, 2, ...
# until the command runs through.  After each failure the namespace must be
# as before: for `up` no link, address, route, rule, nft table, DNS entry,
# wireguard-go or socket; a failed `down` leaves nothing that a plain `down`
# does not then remove; a failed `save` leaves the config file byte for byte
# as it was and no temporary file.  wireguard-go is the device.
. "$(dirname "$0")/lib.sh"

GLIBC=$TOP/build/glibc
[ -x "$GLIBC/awgbox" ] || skip_all "needs the glibc build (make LIBC=glibc)"
need_cmd cc nft
QUICK=$GLIBC/bin/awg-quick
SHIM=$T_TMP/inject.so
cc -shared -fPIC -O2 -Wall -o "$SHIM" "$TOP/tests/fault/inject.c" -ldl || skip_all "cannot build the shim"
umask 077

# resolvconf stand-in: registrations are files, so a leftover DNS entry shows
mkdir -p "$T_TMP/bin" "$T_TMP/dns"
cat >"$T_TMP/bin/resolvconf" <<EOF
#!/bin/sh
case \$1 in
-a) cat >"$T_TMP/dns/\$2" ;;
-d) rm -f "$T_TMP/dns/\$2" ;;
esac
EOF
chmod +x "$T_TMP/bin/resolvconf"

ns_new NS
ns_ifname IF awgf
ns_track "$IF"
CONF=$T_TMP/conf/$IF.conf
mkdir -p "$T_TMP/conf"
cat >"$CONF" <<EOF
[Interface]
PrivateKey = $(wg genkey)
ListenPort = 43210
Address = 10.88.0.1/24, fd88::1/64
DNS = 10.88.0.53
MTU = 1380
PreUp = true
PostUp = true
PreDown = true
PostDown = true

[Peer]
PublicKey = $(wg genkey | wg pubkey)
AllowedIPs = 0.0.0.0/0, ::/0
Endpoint = 127.0.0.1:51820
PersistentKeepalive = 25
EOF

state() { ns_snapshot "$NS" "$IF"; echo "dns: $(ls "$T_TMP/dns")"; }
# awg-quick CMD, the Nth call failing (N=0: none); the calls in $T_TMP/calls
quick() {	# quick N CMD [ONLY]
	rm -f "$T_TMP/calls"
	run ip netns exec "$NS" env PATH="$T_TMP/bin:$PATH" WG_QUICK_USERSPACE_IMPLEMENTATION=wireguard-go \
		LD_PRELOAD="$SHIM" FAULT_NTH="$1" FAULT_LOG="$T_TMP/calls" ${3:+FAULT_ONLY=$3} \
		"$QUICK" "$2" "$CONF"
}
failed_call() { sed -n 's/ FAILED$//p' "$T_TMP/calls"; }
# wireguard-go leaves a moment after its link is deleted
settled() {	# settled EXPECTED: wait up to 3 s for the state
	local i
	for ((i = 0; i < 30; i++)); do
		[ "$(state)" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
clean_down() { quick 0 down; rc_is 0; }

BEFORE=$(state)

every_call_of_up() {
	local n up calls refused=0 tolerated=0 what
	quick 0 up
	rc_is 0
	up=$(state) calls=$(wc -l <"$T_TMP/calls")
	clean_down
	settled "$BEFORE" || eq "$BEFORE" "$(state)" "namespace after a plain up and down"
	for ((n = 1; ; n++)); do
		quick "$n" up
		what=$(failed_call)
		if [ -z "$what" ]; then	# a run with fewer than N calls
			rc_is 0
			clean_down
			[ "$n" -le "$calls" ] || break
			continue
		fi
		if [ "$RC" != 0 ]; then
			refused=$((refused + 1))
			settled "$BEFORE" || eq "$BEFORE" "$(state)" "namespace after up with call $what failing (stderr: $ERR)"
		else
			# carried on without it: then the interface is fully up
			tolerated=$((tolerated + 1))
			eq "$up" "$(state)" "state after up with call $what failing, tolerated"
			clean_down
			settled "$BEFORE" || eq "$BEFORE" "$(state)" "namespace after down"
		fi
	done
	# (the count varies a little: awg-quick polls for wireguard-go's socket)
	[ "$n" -gt 50 ] || fail "only $((n - 1)) calls failed in turn, $calls made"
	echo "# up: $((n - 1)) calls (a plain up: $calls), each failed in turn: $refused refused and undone, $tolerated tolerated" >&3
}

every_call_of_down() {
	local n what
	for ((n = 1; ; n++)); do
		quick 0 up
		rc_is 0
		cp "$CONF" "$T_TMP/conf.before"
		quick "$n" down
		what=$(failed_call)
		if [ -z "$what" ]; then
			rc_is 0
			settled "$BEFORE" || eq "$BEFORE" "$(state)" "namespace after down"
			break
		fi
		# whatever the failure left, a plain down must leave nothing
		# behind (with the link gone it says so, status 1, and removes
		# the firewall table and DNS entry the failed one left)
		quick 0 down
		settled "$BEFORE" || eq "$BEFORE" "$(state)" "namespace after down with call $what failing, then down (stderr: $ERR)"
		cp "$T_TMP/conf.before" "$CONF"
	done
	echo "# down: $((n - 1)) calls, each failed in turn" >&3
}

# SaveConfig's writer under ENOSPC/EIO/...: the old file stays, byte for
# byte, or (a failure it could do without) the new one is whole
every_call_of_save() {
	local n what dir=${CONF%/*} only=mkostemp,mkostemp64,write,fflush,fchmod,fsync,rename,open,open64
	quick 0 up
	rc_is 0
	printf '# a comment save drops\n' >>"$CONF"
	cp "$CONF" "$T_TMP/conf.before"
	quick 0 save
	rc_is 0
	cp "$CONF" "$T_TMP/conf.saved"
	cmp -s "$T_TMP/conf.before" "$T_TMP/conf.saved" && fail "save wrote nothing"
	eq 600 "$(stat -c %a "$CONF")" "mode of the saved file"
	for ((n = 1; ; n++)); do
		cp "$T_TMP/conf.before" "$CONF"
		quick "$n" save "$only"
		what=$(failed_call)
		[ -n "$what" ] || break
		if [ "$RC" != 0 ]; then
			cmp "$T_TMP/conf.before" "$CONF" || fail "save with $what failing changed the file"
		else
			cmp "$T_TMP/conf.saved" "$CONF" || fail "save with $what failing (tolerated) wrote a different file"
		fi
		[ "$(ls -A "$dir")" = "$IF.conf" ] || fail "save with $what failing left: $(ls -A "$dir")"
	done
	rc_is 0
	[ "$n" -gt 5 ] || fail "save made only $((n - 1)) of the calls counted"
	clean_down
	echo "# save: $((n - 1)) calls ($only), each failed in turn" >&3
}

exec 3>&1
# wireguard-go daemons awg-quick started are reaped by init, which may be
# slow here: the runner's leak check would see their zombies
t_on_exit 'for i in $(seq 50); do pgrep -x -r Z wireguard-go >/dev/null || break; sleep 0.1; done'
t "awg-quick up: each call failing in turn is refused and undone, or tolerated" every_call_of_up
t "awg-quick down: each call failing in turn leaves nothing a plain down does not remove" every_call_of_down
t "awg-quick save: each write, sync or rename failing keeps the old file, no temporary file" every_call_of_save
