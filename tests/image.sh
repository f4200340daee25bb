# Boot the image trees of scripts/image/ (tests/netns/image-*.t and
# tests/vm/image-*.t): the tree scripts/image/rootfs lays out, what the
# container runtime adds, awg-easy-init as PID 1.  Source after
# tests/netns/lib.sh.
#
#   image_root DIR [ROOTFS OPTIONS]   scripts/image/rootfs with our awgbox, plus
#                       what docker gives every container: mount points for
#                       /proc and /sys, device nodes null, zero, urandom and
#                       net/tun (docker run --device /dev/net/tun)
#   image_add_prog DIR FILE [NAME]    FILE as /usr/bin/NAME with the shared
#                       libraries it loads (Debian's wireguard-go is dynamic,
#                       the images' amneziawg-go static)
#   image_base DIR      busybox as /bin/sh and the rest: what the awg-easy
#                       image's Alpine base gives its scripts
#   image_start NS DIR LOG [VAR=VALUE...] [-- ARGS...]
#                       docker run: in NS, a new mount and PID namespace,
#                       its /proc mounted, /sys bound read-only, chrooted in DIR,
#                       only VAR=VALUE and PATH=/usr/bin:/bin:... in the
#                       environment, /usr/bin/awg-easy-init ARGS as PID 1,
#                       output to LOG; in the background: IMAGE_JOB is the
#                       job, IMAGE_INIT the pid of awg-easy-init (as seen
#                       here).  IMAGE_BINDS=(HOST:PATH ...) are bound
#                       read-only too; IMAGE_DROP_CAP=CAP (say cap_sys_module)
#                       starts it without that capability (capsh).
#   image_exec NS DIR CMD...        docker exec: CMD in the namespaces and root of
#                       the running awg-easy-init (nsenter); once it is gone,
#                       in NS, chrooted in DIR
#   image_stop [SECONDS]            docker stop: SIGTERM to awg-easy-init, wait
#                       for it (default 20 s); IMAGE_RC is its exit status
#   image_wait [SECONDS]            wait for it to exit by itself; IMAGE_RC
#   image_log LOG REGEX [SECONDS]   wait until a line of LOG matches (default
#                       30 s); fails, showing LOG, when awg-easy-init exits first
#   image_tunnel ROOT   a tunnel for the container: namespaces IMAGE_NS (the
#                       container's) and IMAGE_PEER_NS joined by veth, the
#                       config ROOT/etc/wireguard/$IMAGE_IF.conf (10.99.0.1/24,
#                       port 51820) with the peer IMAGE_PEER_IF (10.99.0.2/24,
#                       port 51821) as its [Peer]
#   image_peer_up [kernel]          make the peer: wireguard-go, or the kernel's
#                       WireGuard, configured with Debian's wg
#   image_tunnel_works  ping the container's end from the peer; a handshake
#                       and traffic both ways
# A case that fails before image_stop kills the PID namespace on its way out
# (SIGKILL to its PID 1: the kernel kills the rest): image_start sets the
# EXIT trap of the case's subshell, so call it in a case, not at the top.
need_cmd unshare chroot mknod nsenter

image_root() {	# image_root DIR [ROOTFS OPTIONS]
	local r=$1
	shift
	"$TOP/scripts/image/rootfs" --awgbox "$AWGBOX" "$@" "$r" || return 1
	mkdir -p "$r/proc" "$r/sys" "$r/dev/net"
	mknod -m 666 "$r/dev/null" c 1 3
	mknod -m 666 "$r/dev/zero" c 1 5
	mknod -m 666 "$r/dev/urandom" c 1 9
	mknod -m 666 "$r/dev/net/tun" c 10 200
}

image_add_prog() {	# image_add_prog DIR FILE [NAME]
	local r=$1 f=$2 lib
	command -v ldd >/dev/null || { echo "image_add_prog: needs ldd"; return 1; }
	mkdir -p "$r/usr/bin"
	cp "$f" "$r/usr/bin/${3:-$(basename "$f")}"
	for lib in $(ldd "$f" 2>/dev/null | grep -o '/[^ ]*'); do
		mkdir -p "$r$(dirname "$lib")"
		cp -L "$lib" "$r$lib"
	done
}

image_base() {	# image_base DIR
	local r=$1 a
	mkdir -p "$r/bin"
	cp "$(command -v busybox)" "$r/bin/busybox"
	for a in sh sleep cat grep uname ls env kill; do ln -sf busybox "$r/bin/$a"; done
}

image_start() {	# image_start NS DIR LOG [VAR=VALUE...] [-- ARGS...]
	local ns=$1 root=$2 log=$3 i b chroot
	local envs=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin) binds=() run
	shift 3
	while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
	[ $# = 0 ] || shift
	chroot=$(command -v chroot)
	run=("$chroot" "$root" /usr/bin/awg-easy-init "$@")
	if [ -n "${IMAGE_DROP_CAP:-}" ]; then
		need_cmd capsh
		run=("$(command -v capsh)" --drop="$IMAGE_DROP_CAP" --shell="$chroot" -- "$root" /usr/bin/awg-easy-init "$@")
	fi
	for b in "${IMAGE_BINDS[@]+"${IMAGE_BINDS[@]}"}"; do
		mkdir -p "$root${b#*:}"
		binds+=("${b%%:*}" "$root${b#*:}")
	done
	# stdout must not be the caller's: `t` reads it until every writer is gone;
	# short options and mount -o: busybox's unshare and mount in the VM
	# (busybox's --mount-proc=DIR wants DIR to be a mount point already)
	ip netns exec "$ns" unshare -m -p -f sh -c '
		root=$1 n=$2
		shift 2
		mount -t proc -o nosuid,nodev,noexec proc "$root/proc" || exit 125
		mount -o rbind /sys "$root/sys" && mount -o remount,bind,ro "$root/sys" || exit 125
		while [ "$n" -gt 0 ]; do
			mount -o bind "$1" "$2" && mount -o remount,bind,ro "$2" || exit 125
			shift 2
			n=$((n - 1))
		done
		exec "$@"' sh "$root" $((${#binds[@]} / 2)) "${binds[@]}" \
		env -i "${envs[@]}" "${run[@]}" </dev/null >"$log" 2>&1 &
	IMAGE_JOB=$! IMAGE_INIT=
	trap image_kill EXIT
	# awg-easy-init: the process running our awgbox whose parent is unshare
	for ((i = 0; i < 500; i++)); do
		IMAGE_INIT=$(image_children "$IMAGE_JOB")
		if [ -n "$IMAGE_INIT" ] && [ "$(readlink "/proc/$IMAGE_INIT/exe")" = "$(readlink -f "$root/usr/bin/awgbox")" ]; then
			return 0
		fi
		kill -0 "$IMAGE_JOB" 2>/dev/null || break
		sleep 0.02
	done
	IMAGE_INIT=
	echo "image_start: awg-easy-init did not start:"
	cat "$log"
	return 1
}

# image_children PID: the pids whose parent is PID (no pgrep in the VM)
image_children() {
	local f line
	for f in /proc/[0-9]*/stat; do
		read -r line 2>/dev/null <"$f" || continue
		line=${line##*) }	# "STATE PPID ...": after the command's name
		line=${line#* }
		if [ "${line%% *}" = "$1" ]; then f=${f#/proc/}; echo "${f%/stat}"; fi
	done
	return 0
}

image_kill() {
	[ -n "${IMAGE_JOB:-}" ] && kill -0 "$IMAGE_JOB" 2>/dev/null || return 0
	[ -z "${IMAGE_INIT:-}" ] || kill -KILL "$IMAGE_INIT" 2>/dev/null
	kill -KILL "$IMAGE_JOB" 2>/dev/null
	wait "$IMAGE_JOB" 2>/dev/null
	return 0
}

image_exec() {	# image_exec NS DIR CMD...
	local ns=$1 root=$2
	shift 2
	if [ -n "${IMAGE_INIT:-}" ] && kill -0 "$IMAGE_INIT" 2>/dev/null; then
		# the container's namespaces and root, as docker exec
		# (env runs here: a scratch root has none)
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$(command -v nsenter)" -t "$IMAGE_INIT" -m -n -p -r -w "$@"
	else
		ip netns exec "$ns" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$(command -v chroot)" "$root" "$@"
	fi
}

image_wait() {	# image_wait [SECONDS]
	local i
	for ((i = 0; i < ${1:-20} * 10; i++)); do
		kill -0 "$IMAGE_JOB" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$IMAGE_JOB" 2>/dev/null; then
		echo "awg-easy-init still runs after ${1:-20} s"
		kill -KILL "$IMAGE_JOB" 2>/dev/null
		wait "$IMAGE_JOB" 2>/dev/null
		return 1
	fi
	IMAGE_RC=0
	wait "$IMAGE_JOB" || IMAGE_RC=$?
}

image_stop() {	# image_stop [SECONDS]
	kill -TERM "$IMAGE_INIT"
	image_wait "${1:-20}"
}

image_log() {	# image_log LOG REGEX [SECONDS]
	local i
	for ((i = 0; i < ${3:-30} * 5; i++)); do
		grep -q -- "$2" "$1" && return 0
		kill -0 "$IMAGE_JOB" 2>/dev/null || break
		sleep 0.2
	done
	grep -q -- "$2" "$1" || { echo "no line matches '$2':"; cat "$1"; return 1; }
}

image_tunnel() {	# image_tunnel ROOT
	local a b
	ns_new IMAGE_NS
	ns_new IMAGE_PEER_NS
	ns_veth "$IMAGE_NS" "$IMAGE_PEER_NS" a b
	ns_ifname IMAGE_IF
	ns_ifname IMAGE_PEER_IF
	IMAGE_KEY=$(wg genkey) IMAGE_PEER_KEY=$(wg genkey) IMAGE_ADDR=$a
	mkdir -p "$1/etc/wireguard"	# the volume (./data:/etc/wireguard)
	printf '[Interface]\nPrivateKey = %s\nAddress = 10.99.0.1/24\nListenPort = 51820\n\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.99.0.2/32\nEndpoint = %s:51821\n' \
		"$IMAGE_KEY" "$(wg pubkey <<<"$IMAGE_PEER_KEY")" "$b" >"$1/etc/wireguard/$IMAGE_IF.conf"
	chmod 600 "$1/etc/wireguard/$IMAGE_IF.conf"
}

image_peer_up() {	# image_peer_up [kernel]
	local ns=$IMAGE_PEER_NS ifname=$IMAGE_PEER_IF
	if [ "${1:-}" = kernel ]; then
		ip -n "$ns" link add "$ifname" type wireguard || return 1
	else
		ns_wggo "$ns" "$ifname" || return 1
	fi
	ns_exec "$ns" wg set "$ifname" private-key <(echo "$IMAGE_PEER_KEY") listen-port 51821 \
		peer "$(wg pubkey <<<"$IMAGE_KEY")" allowed-ips 10.99.0.1/32 endpoint "$IMAGE_ADDR:51820" &&
	ip -n "$ns" addr add 10.99.0.2/24 dev "$ifname" &&
	ip -n "$ns" link set "$ifname" up
}

image_tunnel_works() {
	ns_ping "$IMAGE_PEER_NS" 10.99.0.1 && ns_wg_used "$IMAGE_PEER_NS" "$IMAGE_PEER_IF"
}
