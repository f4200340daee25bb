#!/usr/bin/env bash
# awgbox in the awg-easy image (scripts/image/Dockerfile, target awg-easy),
# booted as docker would (tests/image.sh): the awg-easy layout of
# scripts/image/rootfs over a stand-in for the awg-easy image (busybox for
# its Alpine base; tests/image-server.sh for its node server, running the
# awg-quick/wg-quick awg-easy runs), Debian's wireguard-go in the place of
# amneziawg-go.  The prebuilt module is for the seed's 6.12.50-0-lts, not
# this kernel: the seed's "kernel version mismatch" case, AmneziaWG in
# userspace; and OVERRIDE_AUTO_AWG=wg, standard WireGuard.  The seed's
# checks (uname -r against the version file, the module file, the logs
# grepped for amnezia, which implementation is active), a ping through the
# tunnel, the healthcheck, docker stop.  With the module for this kernel,
# loaded: tests/vm/image-awg-easy.t.
# timeout: 300
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/image.sh"
unshare --pid --fork --mount-proc true 2>/dev/null || skip_all "unshare --pid --fork --mount-proc does not work here"
ko=$(ls /lib/modules/*/kernel/drivers/net/wireguard/wireguard.ko* 2>/dev/null | head -n 1)
[ -n "$ko" ] || skip_all "needs a wireguard.ko in /lib/modules (linux-image-6.12-amd64) to stand in for amneziawg.ko"

# awg_easy MODE: awg (EXPERIMENTAL_AWG=true, the prebuilt module does not
# match) or wg (and OVERRIDE_AUTO_AWG=wg)
awg_easy() {
	local mode=$1 r=$T_TMP/root-$1 log=$T_TMP/log-$1 envs out
	cp "$ko" "$T_TMP/amneziawg.ko.${ko##*.ko.}"
	image_root "$r" --awg-easy --userspace "$(command -v wireguard-go)" \
		--module "$T_TMP/amneziawg.ko.${ko##*.ko.}" --kernel-version 6.12.50-0-lts
	image_add_prog "$r" "$(command -v wireguard-go)"
	image_base "$r"
	mkdir -p "$r/app"
	cp "$TOP/tests/image-server.sh" "$r/app/server.sh"
	image_tunnel "$r"
	image_peer_up
	envs=(EXPERIMENTAL_AWG=true WG_QUICK_USERSPACE_IMPLEMENTATION=wireguard-go SERVER_IF="$IMAGE_IF")
	[ "$mode" = awg ] || envs+=(OVERRIDE_AUTO_AWG=wg)

	# ENTRYPOINT ["/usr/bin/awg-easy-init"], CMD ["node", "server/index.mjs"]
	image_start "$IMAGE_NS" "$r" "$log" "${envs[@]}" -- /bin/sh /app/server.sh
	image_log "$log" '^server: up'
	image_tunnel_works || { cat "$log"; return 1; }

	# what awg-easy-init told the server
	out=$(grep '^server: env' "$log")
	if [ "$mode" = awg ]; then
		eq "server: env OVERRIDE_AUTO_AWG=awg AWG_MODE=awg AWG_IMPL=userspace" "$out"
		contains "$(cat "$log")" "[#] ip link add $IMAGE_IF type amneziawg"
	else
		eq "server: env OVERRIDE_AUTO_AWG=wg AWG_MODE=wg AWG_IMPL=userspace" "$out"
		contains "$(cat "$log")" "[#] ip link add $IMAGE_IF type wireguard"
	fi

	# the seed's verification: uname -r against the version file ...
	out=$(image_exec "$IMAGE_NS" "$r" uname -r)
	[ "$out" != "$(image_exec "$IMAGE_NS" "$r" cat /etc/amneziawg-kernel-version.txt)" ] ||
		fail "this kernel is the prebuilt module's?"
	eq 6.12.50-0-lts "$(image_exec "$IMAGE_NS" "$r" cat /etc/amneziawg-kernel-version.txt)" "version file"
	# ... the module file (docker exec awg-easy ls -la /lib/modules/) ...
	contains "$(image_exec "$IMAGE_NS" "$r" ls -la /lib/modules/)" "amneziawg.ko"
	# ... the logs (docker logs awg-easy | grep -i amnezia) ...
	out=$(grep -i amnezia "$log") || fail "no line names AmneziaWG"
	if [ "$mode" = awg ]; then
		contains "$out" "does not match the prebuilt module's 6.12.50-0-lts"
		contains "$out" "using AmneziaWG userspace /usr/bin/wireguard-go"
	else
		contains "$out" "OVERRIDE_AUTO_AWG=wg"
		contains "$out" "using standard WireGuard userspace /usr/bin/wireguard-go"
	fi
	# ... and which implementation is active (no module here: both not loaded)
	out=$(image_exec "$IMAGE_NS" "$r" awg-detect status)
	contains "$out" "amneziawg: not loaded"
	contains "$out" "wireguard: not loaded"
	image_exec "$IMAGE_NS" "$r" awg-easy-init --healthcheck >/dev/null || fail "healthcheck failed"

	# docker stop: SIGTERM reaches the server (and the userspace daemon in
	# its process group: see tests/image-server.sh); the tunnel is gone
	image_stop
	[ "$IMAGE_RC" = 0 ] || fail "exit status $IMAGE_RC after SIGTERM: $(cat "$log")"
	grep -q '^server: SIGTERM' "$log" || fail "SIGTERM did not reach the server: $(cat "$log")"
	! ip -n "$IMAGE_NS" link show "$IMAGE_IF" >/dev/null 2>&1 || fail "$IMAGE_IF is still there"
}

case $("$AWGBOX" awg-easy-init -- true 2>&1; "$AWGBOX" awg-easy-init --help) in
*"Not in this build: AmneziaWG detection"*) skip_all "this awg-easy-init has no detection (stage 1) yet" ;;
esac
t "awg-easy image, EXPERIMENTAL_AWG=true, module for another kernel: awg-quick, AmneziaWG userspace; seed's checks" awg_easy awg
t "awg-easy image, OVERRIDE_AUTO_AWG=wg: wg-quick, standard WireGuard; seed's checks" awg_easy wg
