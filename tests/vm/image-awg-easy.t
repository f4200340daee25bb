#!/usr/bin/env bash
# timeout: 480
# awgbox in the awg-easy image with a prebuilt module that fits the running
# kernel, in the VM (Debian's 6.12 kernel, real module loading): the awg-easy
# layout of scripts/image/rootfs over busybox (the Alpine base) and
# tests/image-server.sh (awg-easy's server), booted as docker would
# (tests/image.sh).  Debian's wireguard.ko.xz stands in for amneziawg.ko and
# the version file says `uname -r`.  The host's /lib/modules/RELEASE is
# bound read-only at the same place, as a container needs for the module's
# dependencies (docs/images.md).
#   - EXPERIMENTAL_AWG=true: awg-easy-init loads the prebuilt module with its
#     dependencies and tells the server AmneziaWG, kernel; the seed's checks:
#     uname -r equals the version file, lsmod | grep -E 'amneziawg|wireguard'
#     and awg-detect status show the module, the module file is in
#     /lib/modules/, the logs grepped for amnezia say so.  (The stand-in's
#     link kind is wireguard, so no AmneziaWG tunnel here.)
#   - the same without CAP_SYS_MODULE, or without the host's modules
#     directory (the module's dependencies): nothing loaded, AmneziaWG in
#     userspace, the logs say why (the seed's "module won't load").
#   - EXPERIMENTAL_AWG unset: standard WireGuard, kernel module loaded from
#     modules.dep; the server's wg-quick brings up a kernel tunnel, a peer in
#     another namespace pings through it; docker stop brings it down.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/image.sh"

WG_KO=$MODDIR/kernel/drivers/net/wireguard/wireguard.ko.xz
# what docker's --device /dev/net/tun needs on the host, and the veth pair
vm_modload tun veth >/dev/null || skip_all "cannot load tun and veth"

unload_wireguard() {
	local m
	for m in wireguard libchacha20poly1305 chacha_x86_64 poly1305_x86_64 curve25519_x86_64 \
		 libcurve25519_generic libchacha ip6_udp_tunnel udp_tunnel; do
		if grep -q "^$m " /proc/modules; then rmmod "$m" 2>/dev/null || true; fi
	done
	! grep -q '^wireguard ' /proc/modules || { echo "cannot unload wireguard"; return 1; }
}

# make_root DIR [ROOTFS OPTIONS]: the awg-easy image with the stand-in
# module for this kernel
make_root() {
	local r=$1
	shift
	cp "$WG_KO" "$T_TMP/amneziawg.ko.xz"
	image_root "$r" --awg-easy --module "$T_TMP/amneziawg.ko.xz" --kernel-version "$KVER" "$@"
	image_base "$r"
	mkdir -p "$r/app" "$r/etc/wireguard"
	cp "$TOP/tests/image-server.sh" "$r/app/server.sh"
	IMAGE_BINDS=("$MODDIR:$MODDIR")
}

# started LOG: wait for the server's first line
started() {
	local i
	for ((i = 0; i < 150; i++)); do
		grep -q '^server: env' "$1" && return 0
		kill -0 "$IMAGE_JOB" 2>/dev/null || break
		sleep 0.2
	done
	fail "the server did not start: $(cat "$1")"
}

amneziawg_kernel() {
	local r=$T_TMP/root-awg log=$T_TMP/log-awg A out
	unload_wireguard
	ns_new A
	make_root "$r"
	image_start "$A" "$r" "$log" EXPERIMENTAL_AWG=true -- /bin/sh /app/server.sh
	started "$log"
	eq "server: env OVERRIDE_AUTO_AWG=awg AWG_MODE=awg AWG_IMPL=kernel" "$(grep '^server: env' "$log")"
	# the seed's checks, as docker exec would run them
	eq "$KVER" "$(image_exec "$A" "$r" uname -r)" "uname -r"
	eq "$KVER" "$(image_exec "$A" "$r" cat /etc/amneziawg-kernel-version.txt)" "the version file"
	contains "$(image_exec "$A" "$r" ls -la /lib/modules/)" amneziawg.ko.xz
	out=$(image_exec "$A" "$r" sh -c "lsmod | grep -E 'amneziawg|wireguard'") || fail "lsmod shows neither"
	[[ $out =~ ^wireguard\  ]] || fail "lsmod: $out"
	contains "$(image_exec "$A" "$r" awg-detect status)" "wireguard: loaded"
	out=$(grep -i amnezia "$log") || fail "no line names AmneziaWG: $(cat "$log")"
	contains "$out" "kernel $KVER matches the prebuilt module"
	contains "$out" "/lib/modules/amneziawg.ko.xz"
	grep -q '^wireguard ' /proc/modules || fail "the module is not loaded"
	image_stop
	[ "$IMAGE_RC" = 0 ] || fail "exit status $IMAGE_RC: $(cat "$log")"
}

no_sys_module() {
	local r=$T_TMP/root-nocap log=$T_TMP/log-nocap A out
	unload_wireguard
	ns_new A
	# an amneziawg-go to be found (busybox: never run here)
	make_root "$r" --userspace "$(command -v busybox)" --userspace-name amneziawg-go
	IMAGE_DROP_CAP=cap_sys_module image_start "$A" "$r" "$log" EXPERIMENTAL_AWG=true -- /bin/sh /app/server.sh
	started "$log"
	eq "server: env OVERRIDE_AUTO_AWG=awg AWG_MODE=awg AWG_IMPL=userspace" "$(grep '^server: env' "$log")"
	! grep -q '^wireguard ' /proc/modules || fail "the module was loaded without CAP_SYS_MODULE"
	out=$(grep -i amnezia "$log") || fail "no line names AmneziaWG: $(cat "$log")"
	contains "$out" "using AmneziaWG userspace /usr/bin/amneziawg-go"
	image_stop
}

# without the host's modules directory the dependencies cannot be found
missing_dependencies() {
	local r=$T_TMP/root-nodeps log=$T_TMP/log-nodeps A out
	unload_wireguard
	ns_new A
	make_root "$r" --userspace "$(command -v busybox)" --userspace-name amneziawg-go
	IMAGE_BINDS=()
	image_start "$A" "$r" "$log" EXPERIMENTAL_AWG=true -- /bin/sh /app/server.sh
	started "$log"
	eq "server: env OVERRIDE_AUTO_AWG=awg AWG_MODE=awg AWG_IMPL=userspace" "$(grep '^server: env' "$log")"
	! grep -q '^wireguard ' /proc/modules || fail "the module was loaded"
	out=$(grep -i amnezia "$log") || fail "no line names AmneziaWG: $(cat "$log")"
	contains "$out" "(missing-dependency)"
	image_stop
}

wireguard_kernel_tunnel() {
	local r=$T_TMP/root-wg log=$T_TMP/log-wg A B a b ifa ifb ka kb out i
	unload_wireguard
	ns_new A
	ns_new B
	ns_veth "$A" "$B" a b
	ns_ifname ifa
	ns_ifname ifb
	make_root "$r"
	ka=$(wg genkey) kb=$(wg genkey)
	printf '[Interface]\nPrivateKey = %s\nAddress = 10.99.0.1/24\nListenPort = 51820\n\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.99.0.2/32\nEndpoint = %s:51821\n' \
		"$ka" "$(wg pubkey <<<"$kb")" "$b" >"$r/etc/wireguard/$ifa.conf"
	chmod 600 "$r/etc/wireguard/$ifa.conf"
	image_start "$A" "$r" "$log" SERVER_IF="$ifa" -- /bin/sh /app/server.sh
	for ((i = 0; i < 150; i++)); do
		grep -q '^server: up' "$log" && break
		kill -0 "$IMAGE_JOB" 2>/dev/null || break
		sleep 0.2
	done
	grep -q '^server: up' "$log" || fail "the server did not come up: $(cat "$log")"
	eq "server: env OVERRIDE_AUTO_AWG=wg AWG_MODE=wg AWG_IMPL=kernel" "$(grep '^server: env' "$log")"
	# the peer: the kernel's WireGuard, configured with Debian's wg
	ip -n "$B" link add "$ifb" type wireguard || { cat "$log"; grep wireguard /proc/modules; return 1; }
	ns_exec "$B" wg set "$ifb" private-key <(echo "$kb") listen-port 51821 \
		peer "$(wg pubkey <<<"$ka")" allowed-ips 10.99.0.1/32 endpoint "$a:51820"
	ip -n "$B" addr add 10.99.0.2/24 dev "$ifb"
	ip -n "$B" link set "$ifb" up
	ns_ping "$B" 10.99.0.1 || { cat "$log"; return 1; }
	ns_wg_used "$B" "$ifb"
	contains "$(ip -n "$A" -d link show "$ifa")" wireguard
	image_exec "$A" "$r" awg-easy-init --healthcheck >/dev/null || fail "healthcheck failed"
	contains "$(image_exec "$A" "$r" sh -c "lsmod | grep -E 'amneziawg|wireguard'")" wireguard
	image_stop
	[ "$IMAGE_RC" = 0 ] || fail "exit status $IMAGE_RC: $(cat "$log")"
	grep -q '^server: SIGTERM' "$log" || fail "SIGTERM did not reach the server"
	contains "$(cat "$log")" "[#] ip link delete dev $ifa"
	! ip -n "$A" link show "$ifa" >/dev/null 2>&1 || fail "$ifa is still there"
}

case $("$AWGBOX" awg-easy-init --healthcheck 2>&1; "$AWGBOX" awg-easy-init --help) in
*"not yet supported"*|*"Not in this build: AmneziaWG detection"*)
	skip_all "this awg-easy-init has no detection (stage 1) or --healthcheck yet" ;;
esac
t "awg-easy image, EXPERIMENTAL_AWG=true, module for this kernel: loaded, kernel; the seed's checks" amneziawg_kernel
t "awg-easy image without CAP_SYS_MODULE: nothing loaded, AmneziaWG userspace, logged" no_sys_module
t "awg-easy image without the host's /lib/modules/RELEASE: missing-dependency, userspace, logged" missing_dependencies
t "awg-easy image, WireGuard: kernel module from modules.dep, wg-quick tunnel, ping, docker stop" wireguard_kernel_tunnel
