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
	mkdir -p "$r/app" "$r/etc/wireguard"	# the volume (./data:/etc/wireguard)
	cp "$TOP/tests/image-server.sh" "$r/app/server.sh"
	IMAGE_BINDS=("$MODDIR:$MODDIR")
}

amneziawg_kernel() {
	local r=$T_TMP/root-awg log=$T_TMP/log-awg A out
	unload_wireguard
	ns_new A
	make_root "$r"
	image_start "$A" "$r" "$log" EXPERIMENTAL_AWG=true -- /bin/sh /app/server.sh
	image_log "$log" "^server: env"
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

# userspace_fallback nocap|nodeps: without CAP_SYS_MODULE, or without the
# host's modules directory (the dependencies cannot be found): nothing
# loaded, AmneziaWG in userspace, the log says why
userspace_fallback() {
	local r=$T_TMP/root-$1 log=$T_TMP/log-$1 A out
	unload_wireguard
	ns_new A
	# an amneziawg-go to be found (busybox: never run here)
	make_root "$r" --userspace "$(command -v busybox)" --userspace-name amneziawg-go
	# (a case is a subshell: these do not outlive it)
	if [ "$1" = nodeps ]; then IMAGE_BINDS=(); else IMAGE_DROP_CAP=cap_sys_module; fi
	image_start "$A" "$r" "$log" EXPERIMENTAL_AWG=true -- /bin/sh /app/server.sh
	image_log "$log" "^server: env"
	eq "server: env OVERRIDE_AUTO_AWG=awg AWG_MODE=awg AWG_IMPL=userspace" "$(grep '^server: env' "$log")"
	! grep -q '^wireguard ' /proc/modules || fail "the module was loaded"
	out=$(grep -i amnezia "$log") || fail "no line names AmneziaWG: $(cat "$log")"
	contains "$out" "using AmneziaWG userspace /usr/bin/amneziawg-go"
	[ "$1" = nocap ] || contains "$out" "(missing-dependency)"
	image_stop
}

wireguard_kernel_tunnel() {
	local r=$T_TMP/root-wg log=$T_TMP/log-wg
	unload_wireguard
	make_root "$r"
	image_tunnel "$r"
	image_start "$IMAGE_NS" "$r" "$log" SERVER_IF="$IMAGE_IF" -- /bin/sh /app/server.sh
	image_log "$log" '^server: up'
	eq "server: env OVERRIDE_AUTO_AWG=wg AWG_MODE=wg AWG_IMPL=kernel" "$(grep '^server: env' "$log")"
	contains "$(ip -n "$IMAGE_NS" -d link show "$IMAGE_IF")" wireguard
	# the peer: the kernel's WireGuard (loaded by awg-easy-init), Debian's wg
	image_peer_up kernel || { cat "$log"; return 1; }
	image_tunnel_works || { cat "$log"; return 1; }
	image_exec "$IMAGE_NS" "$r" awg-easy-init --healthcheck >/dev/null || fail "healthcheck failed"
	contains "$(image_exec "$IMAGE_NS" "$r" sh -c "lsmod | grep -E 'amneziawg|wireguard'")" wireguard
	image_stop
	[ "$IMAGE_RC" = 0 ] || fail "exit status $IMAGE_RC: $(cat "$log")"
	grep -q '^server: SIGTERM' "$log" || fail "SIGTERM did not reach the server"
	contains "$(cat "$log")" "[#] ip link delete dev $IMAGE_IF"
	! ip -n "$IMAGE_NS" link show "$IMAGE_IF" >/dev/null 2>&1 || fail "$IMAGE_IF is still there"
}

case $("$AWGBOX" awg-easy-init --healthcheck 2>&1; "$AWGBOX" awg-easy-init --help) in
*"not yet supported"*|*"Not in this build: AmneziaWG detection"*)
	skip_all "this awg-easy-init has no detection (stage 1) or --healthcheck yet" ;;
esac
t "awg-easy image, EXPERIMENTAL_AWG=true, module for this kernel: loaded, kernel; the seed's checks" amneziawg_kernel
t "awg-easy image without CAP_SYS_MODULE: nothing loaded, AmneziaWG userspace, logged" userspace_fallback nocap
t "awg-easy image without the host's /lib/modules/RELEASE: missing-dependency, userspace, logged" userspace_fallback nodeps
t "awg-easy image, WireGuard: kernel module from modules.dep, wg-quick tunnel, ping, docker stop" wireguard_kernel_tunnel
