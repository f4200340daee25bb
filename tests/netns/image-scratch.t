#!/usr/bin/env bash
# The FROM scratch image of scripts/image/Dockerfile, booted as docker would
# (tests/image.sh): the tree scripts/image/rootfs lays out, with Debian's
# wireguard-go and its libraries in the place of amneziawg-go (Debian has no
# amneziawg-go, nor a Go to build it).  awg-easy-init as PID 1 without a
# command brings up /etc/wireguard/*.conf; a peer in another namespace pings
# through the tunnel; the healthcheck passes; SIGTERM (docker stop) brings it
# down cleanly.
# timeout: 300
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/image.sh"
unshare --pid --fork --mount-proc true 2>/dev/null || skip_all "unshare --pid --fork --mount-proc does not work here"

# healthy NS ROOT [SECONDS]: wait until the healthcheck passes
healthy() {
	local i
	for ((i = 0; i < ${3:-20} * 5; i++)); do
		image_exec "$1" "$2" /usr/bin/awg-easy-init --healthcheck >/dev/null 2>&1 && return 0
		kill -0 "$IMAGE_JOB" 2>/dev/null || break
		sleep 0.2
	done
	echo "not healthy after ${3:-20} s:"
	image_exec "$1" "$2" /usr/bin/awg-easy-init --healthcheck
	return 1
}

# standalone MODE: MODE wg (EXPERIMENTAL_AWG unset: WireGuard, wg-quick) or
# awg (EXPERIMENTAL_AWG=true: AmneziaWG, awg-quick, userspace as no module
# is there; WG_QUICK_USERSPACE_IMPLEMENTATION names the stand-in, which
# awg-detect and awg-quick both honour)
standalone() {
	local mode=$1 r=$T_TMP/root-$1 log=$T_TMP/log-$1 tool=wg envs=() out
	image_root "$r" --userspace "$(command -v wireguard-go)"
	image_add_prog "$r" "$(command -v wireguard-go)"	# its libraries
	image_tunnel "$r"
	image_peer_up
	if [ "$mode" = awg ]; then
		tool=awg
		envs=(EXPERIMENTAL_AWG=true WG_QUICK_USERSPACE_IMPLEMENTATION=wireguard-go)
	fi

	# docker run (ENTRYPOINT ["/usr/bin/awg-easy-init"], no CMD)
	image_start "$IMAGE_NS" "$r" "$log" "${envs[@]}"
	healthy "$IMAGE_NS" "$r" || { cat "$log"; return 1; }
	image_tunnel_works || { cat "$log"; return 1; }
	# docker exec CONTAINER wg show: the handshake, seen from inside
	out=$(image_exec "$IMAGE_NS" "$r" "/usr/bin/$tool" show "$IMAGE_IF" latest-handshakes)
	[[ $out =~ [[:space:]][1-9][0-9]*$ ]] || fail "$tool show in the container: $out"
	contains "$(cat "$log")" "standalone: 1 of 1 up"
	if [ "$mode" = awg ]; then
		# docker logs | grep -i amnezia: the decision, in AmneziaWG's name
		out=$(grep -i amnezia "$log") || fail "no line names AmneziaWG: $(cat "$log")"
		contains "$out" userspace
	fi

	# docker stop
	image_stop
	[ "$IMAGE_RC" = 0 ] || fail "exit status $IMAGE_RC after SIGTERM: $(cat "$log")"
	contains "$(cat "$log")" "bringing 1 interface down"
	! ip -n "$IMAGE_NS" link show "$IMAGE_IF" >/dev/null 2>&1 || fail "$IMAGE_IF is still there"
	[ ! -e "$r/var/run/wireguard/$IMAGE_IF.sock" ] || fail "its socket is still there"
	run image_exec "$IMAGE_NS" "$r" /usr/bin/awg-easy-init --healthcheck
	[ "$RC" = 1 ] || fail "healthcheck after the stop: status $RC: $OUT $ERR"
}

case $("$AWGBOX" awg-easy-init --healthcheck 2>&1) in
*"not yet supported"*) skip_all "this awg-easy-init has no standalone mode and --healthcheck yet" ;;
esac
t "scratch image, WireGuard: standalone up, ping, healthcheck, docker stop brings it down" standalone wg
t "scratch image, EXPERIMENTAL_AWG=true: awg-quick with the userspace stand-in, logs name AmneziaWG" standalone awg
