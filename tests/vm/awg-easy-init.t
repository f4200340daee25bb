#!/usr/bin/env bash
# timeout: 300
# awg-easy-init as PID 1 on a real kernel (the VM): stage 1 in auto mode
# loads the module and the command sees AWG_IMPL=kernel (Debian's
# wireguard.ko standing in for amneziawg.ko, as in tests/vm/awg-detect.t:
# --module pointed at it, a version file naming the running kernel); and
# standalone mode in WireGuard mode holds a kernel WireGuard tunnel up,
# passing traffic (the module loaded by stage 1 from modules.dep), until
# SIGTERM brings it down.
. "$(dirname "$0")/lib.sh"
vm_modload veth >/dev/null

WG=$MODDIR/kernel/drivers/net/wireguard/wireguard.ko.xz
echo "$KVER" >"$T_TMP/version-match"
mkdir -p "$T_TMP/root"
loaded() { grep -q "^$1 " /proc/modules; }
# child_of PID: the pid of PID's child (no pgrep in the VM)
child_of() {
	local f s
	for f in /proc/[0-9]*/stat; do
		s=$(cat "$f" 2>/dev/null) || continue
		s=${s##*) }
		set -- "$1" $s
		[ "$3" = "$1" ] && { echo "${f//[^0-9]/}"; return 0; }
	done
	return 1
}

auto_mode_loads_the_module() {
	loaded wireguard && fail "wireguard loaded before the test"
	run env EXPERIMENTAL_AWG=true AWG_MODULE="$WG" AWG_VERSION_FILE="$T_TMP/version-match" \
		unshare -p -f --mount-proc "$BIN/awg-easy-init" --root "$T_TMP/root" -- \
		sh -c 'echo "pid $$"; env; exit 7'
	rc_is 7
	loaded wireguard || fail "wireguard not in /proc/modules: $ERR"
	contains "$OUT" "AWG_MODE=awg"
	contains "$OUT" "AWG_IMPL=kernel"
	contains "$OUT" "AWG_REASON=kernel-load"
	contains "$OUT" "OVERRIDE_AUTO_AWG=awg"
	contains "$OUT" "AWG_QUICK=awg-quick"
	case $OUT in *WG_QUICK_USERSPACE_IMPLEMENTATION*) fail "userspace exported for the kernel module" ;; esac
	# the command is PID 1's child
	contains "$OUT" "pid 2"
	contains "$ERR" "awg-easy-init: AmneziaWG: loaded wireguard from $WG"
	contains "$ERR" "awg-easy-init: AmneziaWG: generic netlink family wireguard is there"
	contains "$ERR" "awg-easy-init: AmneziaWG: using the AmneziaWG kernel module wireguard (kernel-load)"
	# the same lines as awg-detect's for the same facts (now: loaded)
	run env EXPERIMENTAL_AWG=true AWG_MODULE="$WG" AWG_VERSION_FILE="$T_TMP/version-match" "$BIN/awg-detect"
	local want=${ERR//awg-detect: /awg-easy-init: }
	run env EXPERIMENTAL_AWG=true AWG_MODULE="$WG" AWG_VERSION_FILE="$T_TMP/version-match" \
		"$BIN/awg-easy-init" --root "$T_TMP/root" -- env
	rc_is 0
	eq "$want" "$ERR" "log lines against awg-detect's"
	contains "$OUT" "AWG_REASON=kernel-loaded"
}

# Standalone in WireGuard mode (EXPERIMENTAL_AWG unset): the kernel's
# WireGuard, a peer in another namespace, ping through, healthy, SIGTERM
# brings it down and awg-easy-init exits 0.
standalone_kernel_wireguard() {
	local a b a1 a2 d=$T_TMP/conf ka kb pid i
	# stage 1 loads it again, from modules.dep (WireGuard mode)
	rmmod wireguard || fail "cannot unload wireguard"
	ns_new a
	ns_new b
	ns_veth "$a" "$b" a1 a2
	ka=$("$BIN/wg" genkey) kb=$("$BIN/wg" genkey)
	mkdir -p "$d"
	printf '[Interface]\nPrivateKey = %s\nListenPort = 51820\nAddress = 10.99.0.1/24\n\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.99.0.2/32\nEndpoint = %s:51821\n' \
		"$ka" "$("$BIN/wg" pubkey <<<"$kb")" "$a2" >"$d/wgk0.conf"
	chmod 600 "$d/wgk0.conf"

	ip netns exec "$a" unshare -p -f --mount-proc "$BIN/awg-easy-init" --root "$T_TMP/root" \
		--config-dir "$d" >"$T_TMP/out" 2>"$T_TMP/log" &
	pid=$!
	# a failed case must not leave it holding the namespace
	trap 'kill -KILL $(child_of $pid) $pid 2>/dev/null; cat "$T_TMP/log"' EXIT
	for ((i = 0; i < 100; i++)); do grep -q "standalone: 1 of 1 up" "$T_TMP/log" && break; sleep 0.1; done
	contains "$(cat "$T_TMP/log")" "standalone: 1 of 1 up"
	contains "$(cat "$T_TMP/log")" "AmneziaWG: loaded wireguard from $MODDIR/kernel/drivers/net/wireguard/wireguard.ko"
	contains "$(cat "$T_TMP/log")" "AmneziaWG: using the standard WireGuard kernel module wireguard (kernel-load)"
	# the peer, now that the module is there
	ip -n "$b" link add wgk1 type wireguard
	ip netns exec "$b" wg set wgk1 private-key <(echo "$kb") listen-port 51821 \
		peer "$("$BIN/wg" pubkey <<<"$ka")" endpoint "$a1:51820" allowed-ips 10.99.0.1/32
	ip -n "$b" addr add 10.99.0.2/24 dev wgk1
	ip -n "$b" link set wgk1 up
	contains "$(cat "$T_TMP/log")" "[#] ip link add wgk0 type wireguard"
	ip -n "$a" -d link show wgk0 | grep -q "wireguard" || fail "wgk0 is not a kernel wireguard link"
	ns_ping "$b" 10.99.0.1
	run ip netns exec "$a" "$BIN/awg-easy-init" --config-dir "$d" --healthcheck
	rc_is 0
	ip -n "$a" link set wgk0 down
	run ip netns exec "$a" "$BIN/awg-easy-init" healthcheck wgk0
	rc_is 1
	eq "awg-easy-init: unhealthy: wgk0: interface is down" "$ERR"
	ip -n "$a" link set wgk0 up
	# unshare forks: signal awg-easy-init itself, PID 1 inside
	kill -TERM "$(child_of "$pid")" || fail "no awg-easy-init under $pid"
	for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$pid" 2>/dev/null && { kill -KILL "$pid"; fail "still running 10 s after SIGTERM"; }
	RC=0
	wait "$pid" || RC=$?
	trap - EXIT
	rc_is 0
	! ip -n "$a" link show wgk0 >/dev/null 2>&1 || fail "wgk0 left after SIGTERM"
	contains "$(cat "$T_TMP/log")" "standalone: SIGTERM: bringing 1 interface down
awg-easy-init: [#] ip link delete dev wgk0"
}

t "auto mode as PID 1: loads the module (stand-in), the command sees AWG_IMPL=kernel" auto_mode_loads_the_module
t "standalone, WireGuard mode, kernel module: traffic, healthcheck, SIGTERM: down, exit 0" standalone_kernel_wireguard
