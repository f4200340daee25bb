#!/usr/bin/env bash
# timeout: 420
# awg-easy-init with real tunnels (Debian's wireguard-go): standalone mode
# as PID 1 of a scratch root (the static awgbox, its links, wireguard-go and
# the libraries it needs, device nodes; nothing else) passing traffic and
# coming down cleanly on SIGTERM; --healthcheck true and false; standalone
# as an ordinary process (where nothing kills what it leaves behind) and a
# SIGTERM during `up`; --down-on-exit.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/awg-easy-init.sh"
need_cmd unshare chroot mknod ldd
unshare --pid --fork --mount-proc true 2>/dev/null || skip_all "unshare --pid --fork --mount-proc does not work here"

K() { wg genkey; }

# make_wg_root DIR: a FROM scratch image with a tunnel: /bin/awgbox and its
# links, /usr/bin/wireguard-go (Debian's is dynamic: its libraries and
# loader too), /dev/net/tun and /dev/null, an empty /sys/module (stage 1
# then finds no module and chooses wireguard-go; as a container with a
# sysfs and no WireGuard module would), /etc/wireguard.
make_wg_root() {
	local r=$1 a lib go
	go=$(command -v wireguard-go)
	mkdir -p "$r/bin" "$r/usr/bin" "$r/proc" "$r/dev/net" "$r/sys/module" "$r/etc/wireguard"
	cp "$AWGBOX" "$r/bin/awgbox"
	for a in $("$AWGBOX" --list); do ln "$r/bin/awgbox" "$r/bin/$a"; done
	cp "$go" "$r/usr/bin/wireguard-go"
	for lib in $(ldd "$go" | grep -o '/[^ ]*'); do
		mkdir -p "$r$(dirname "$lib")"
		cp -L "$lib" "$r$lib"
	done
	mknod -m 666 "$r/dev/net/tun" c 10 200
	mknod -m 666 "$r/dev/null" c 1 3
	chroot "$r" /usr/bin/wireguard-go --version >/dev/null || fail "wireguard-go does not run in $r"
}

# wg_conf FILE KEY ADDRESS [PORT [PEER-PUB PEER-ALLOWED PEER-ENDPOINT]]
wg_conf() {
	{
		printf '[Interface]\nPrivateKey = %s\nAddress = %s\n' "$2" "$3"
		[ -z "${4:-}" ] || printf 'ListenPort = %s\n' "$4"
		[ -z "${5:-}" ] || printf '\n[Peer]\nPublicKey = %s\nAllowedIPs = %s\nEndpoint = %s\n' "$5" "$6" "$7"
	} >"$1"
	chmod 600 "$1"
}

# init_in_root NS ROOT ARGS...: awg-easy-init as PID 1 of a new PID
# namespace, chrooted to ROOT, in network namespace NS, with a clean
# environment (PATH as a container's)
init_in_root() {
	local ns=$1 r=$2
	shift 2
	PID1_LAUNCH=(ip netns exec "$ns" "$(command -v unshare)" --pid --fork --mount --mount-proc="$r/proc"
		"$(command -v chroot)" "$r")
	INIT_BIN=/bin/awg-easy-init INIT_EXE=$r/bin/awg-easy-init
	INIT_PREFIX=(env -i PATH=/bin:/usr/bin)
	start_init pid1 "$@"
}

# in_root NS ROOT CMD...: CMD inside ROOT (in NS), as `docker exec` runs it
in_root() { local ns=$1 r=$2; shift 2; ip netns exec "$ns" chroot "$r" "$@"; }

link_gone() { ! ip -n "$1" link show "$2" >/dev/null 2>&1; }
gone() {	# gone NS IF SOCKET: no link, no wireguard-go for IF, no socket
	link_gone "$1" "$2" || fail "$2 still in $1"
	[ -z "$(ns_procs_for "$2")" ] || fail "wireguard-go for $2 still running: $(ns_procs_for "$2")"
	[ ! -e "$3" ] || fail "$3 left behind"
}

# The peer: Debian's wireguard-go in NS, configured with Debian's wg, at
# 10.99.0.2, its key in PEER_KEY; the tunnel's other end is at ENDPOINT.
peer_side() {	# peer_side NS IF OUR-PUB ENDPOINT
	PEER_KEY=$(K)
	ns_wggo "$1" "$2"
	ip netns exec "$1" wg set "$2" private-key <(echo "$PEER_KEY") listen-port 51821 \
		peer "$3" endpoint "$4" allowed-ips 10.99.0.1/32
	ip -n "$1" addr add 10.99.0.2/24 dev "$2"
	ip -n "$1" link set "$2" up
}

# The acceptance case: a scratch root holds two tunnels up as PID 1 (the
# first passes traffic to a peer in another namespace), is healthy, and
# on SIGTERM brings both down in reverse order and exits 0, leaving no
# link, no wireguard-go and no socket.
standalone_scratch_tunnel() {
	local a b a1 a2 ia ia2 ib r=$T_TMP/wgroot ka
	make_wg_root "$r"
	ns_new a
	ns_new b
	ns_veth "$a" "$b" a1 a2
	ns_ifname ia
	ns_ifname ia2
	ns_ifname ib
	ka=$(K)
	peer_side "$b" "$ib" "$(wg pubkey <<<"$ka")" "$a1:51820"
	wg_conf "$r/etc/wireguard/$ia.conf" "$ka" 10.99.0.1/24 51820 "$(wg pubkey <<<"$PEER_KEY")" 10.99.0.2/32 "$a2:51821"
	wg_conf "$r/etc/wireguard/$ia2.conf" "$(K)" 10.98.0.1/24
	init_in_root "$a" "$r" 2>"$T_TMP/log"
	wait_for 20 grep -q "standalone: 2 of 2 up" "$T_TMP/log"
	ns_ping "$b" 10.99.0.1 || { cat "$T_TMP/log"; return 1; }
	ns_wg_used "$b" "$ib"
	run in_root "$a" "$r" /bin/awg-easy-init --healthcheck
	rc_is 0
	eq "" "$ERR" "healthcheck output"
	kill -TERM "$INIT"
	wait_job 20
	rc_is 0
	gone "$a" "$ia" "$r/var/run/wireguard/$ia.sock"
	gone "$a" "$ia2" "$r/var/run/wireguard/$ia2.sock"
	# what docker logs shows: stage 1, each [#] line, down in reverse order
	contains "$(cat "$T_TMP/log")" "awg-easy-init: AmneziaWG: using standard WireGuard userspace /usr/bin/wireguard-go (no-module)"
	contains "$(cat "$T_TMP/log")" "awg-easy-init: [#] /usr/bin/wireguard-go $ia"
	contains "$(cat "$T_TMP/log")" "awg-easy-init: [#] ip -4 address add 10.99.0.1/24 dev $ia"
	eq "awg-easy-init: standalone: SIGTERM: bringing 2 interfaces down
awg-easy-init: [#] ip link delete dev $ia2
awg-easy-init: [#] ip link delete dev $ia" "$(sed -n '/standalone: SIGTERM:/,$p' "$T_TMP/log")" "the end of the log"
}

# AmneziaWG mode (EXPERIMENTAL_AWG=true): awg-quick's flavour, with
# wireguard-go standing in for amneziawg-go; then SIGINT ends it.
standalone_awg_mode() {
	local a ia r=$T_TMP/awgroot
	make_wg_root "$r"
	ns_new a
	ns_ifname ia
	wg_conf "$r/etc/wireguard/$ia.conf" "$(K)" 10.97.0.1/24 51830
	INIT_PREFIX=(env -i PATH=/bin:/usr/bin EXPERIMENTAL_AWG=true WG_QUICK_USERSPACE_IMPLEMENTATION=wireguard-go)
	PID1_LAUNCH=(ip netns exec "$a" "$(command -v unshare)" --pid --fork --mount --mount-proc="$r/proc"
		"$(command -v chroot)" "$r")
	INIT_BIN=/bin/awg-easy-init INIT_EXE=$r/bin/awg-easy-init
	start_init pid1 2>"$T_TMP/log"
	wait_for 20 grep -q "standalone: 1 of 1 up" "$T_TMP/log"
	run in_root "$a" "$r" /bin/awg show "$ia" listen-port
	eq 51830 "$OUT" "listen port"
	run in_root "$a" "$r" /bin/awg-easy-init healthcheck "$ia"
	rc_is 0
	kill -INT "$INIT"
	wait_job 20
	rc_is 0
	gone "$a" "$ia" "$r/var/run/wireguard/$ia.sock"
	contains "$(cat "$T_TMP/log")" "AmneziaWG: using AmneziaWG userspace /usr/bin/wireguard-go (no-version-file)"
	contains "$(cat "$T_TMP/log")" "[#] ip link add $ia type amneziawg"
	contains "$(cat "$T_TMP/log")" "[!] Missing WireGuard (Amnezia VPN) kernel module."
	contains "$(cat "$T_TMP/log")" "standalone: SIGINT: bringing 1 interface down"
}

# A config that fails is logged, the others stay up, the healthcheck
# says unhealthy (and which); then the healthcheck's other answers: down,
# no key, no such interface, nothing at all.
failed_config_and_healthcheck() {
	local a ia ib r=$T_TMP/hcroot
	make_wg_root "$r"
	ns_new a
	ns_ifname ia
	ns_ifname ib
	wg_conf "$r/etc/wireguard/$ia.conf" "$(K)" 10.96.0.1/24
	wg_conf "$r/etc/wireguard/$ib.conf" "not-a-key" 10.96.1.1/24
	init_in_root "$a" "$r" 2>"$T_TMP/log"
	wait_for 20 grep -q "standalone: 1 of 2 up" "$T_TMP/log"
	contains "$(cat "$T_TMP/log")" "standalone: /etc/wireguard/$ib.conf failed to come up; the others stay up"
	# the whole config is read before anything is made: no link to undo
	contains "$(cat "$T_TMP/log")" "wg: /etc/wireguard/$ib.conf:2: PrivateKey: Key is not the correct length or format: \`not-a-key'"
	if grep -q "ip link add $ib" "$T_TMP/log"; then fail "a link was added for the malformed $ib.conf"; fi
	link_gone "$a" "$ib" || fail "$ib left up after its failure"
	run in_root "$a" "$r" /bin/awg-easy-init --healthcheck
	rc_is 1
	eq "awg-easy-init: unhealthy: $ib: no such interface" "$ERR"
	run in_root "$a" "$r" /bin/awg-easy-init --healthcheck "$ia"
	rc_is 0
	rm "$r/etc/wireguard/$ib.conf"
	run in_root "$a" "$r" /bin/awg-easy-init --healthcheck
	rc_is 0

	ip -n "$a" link set "$ia" down
	run in_root "$a" "$r" /bin/awg-easy-init --healthcheck
	rc_is 1
	eq "awg-easy-init: unhealthy: $ia: interface is down" "$ERR"
	ip -n "$a" link set "$ia" up
	run in_root "$a" "$r" /bin/wg set "$ia" private-key /dev/null
	rc_is 0
	run in_root "$a" "$r" /bin/awg-easy-init healthcheck
	rc_is 1
	eq "awg-easy-init: unhealthy: $ia: no private key" "$ERR"
	run in_root "$a" "$r" /bin/awg-easy-init healthcheck nosuch0
	rc_is 1
	eq "awg-easy-init: unhealthy: nosuch0: no such interface" "$ERR"

	kill -TERM "$INIT"
	wait_job 20
	rc_is 0
	gone "$a" "$ia" "$r/var/run/wireguard/$ia.sock"
	mkdir "$r/etc/other"
	mv "$r/etc/wireguard/$ia.conf" "$r/etc/other/"
	run in_root "$a" "$r" /bin/awg-easy-init --healthcheck
	rc_is 1
	eq "awg-easy-init: unhealthy: no WireGuard or AmneziaWG interface and no config in /etc/wireguard" "$ERR"
	run in_root "$a" "$r" /bin/awg-easy-init --config-dir /etc/other --healthcheck
	rc_is 1
	eq "awg-easy-init: unhealthy: $ia: no such interface" "$ERR"
}

# Not PID 1, not in a chroot: here nothing would clean up after us, so
# "nothing left" is our doing.  The userspace devices' sockets are the
# host's /var/run/wireguard (names unique to this run).
standalone_as_subreaper() {
	local a ia ia2 d=$T_TMP/conf.sub
	ns_new a
	ns_ifname ia
	ns_ifname ia2
	ns_track "$ia"
	ns_track "$ia2"
	mkdir "$d"
	wg_conf "$d/$ia.conf" "$(K)" 10.95.0.1/24
	wg_conf "$d/$ia2.conf" "$(K)" 10.95.1.1/24
	# what a PostDown leaves running is waited for, like wireguard-go
	printf 'PostDown = (sleep 0.5; touch %s) &\n' "$T_TMP/drained" >>"$d/$ia.conf"
	INIT_PREFIX=(ip netns exec "$a")
	start_init sub --root "$T_TMP" --config-dir "$d" 2>"$T_TMP/log"
	wait_for 20 grep -q "standalone: 2 of 2 up" "$T_TMP/log"
	[ -n "$(ns_procs_for "$ia")" ] || fail "no wireguard-go for $ia"
	kill -TERM "$INIT"
	wait_job 20
	rc_is 0
	gone "$a" "$ia" "/var/run/wireguard/$ia.sock"
	gone "$a" "$ia2" "/var/run/wireguard/$ia2.sock"
	[ -e "$T_TMP/drained" ] || fail "exited before the PostDown's process ended"
}

# A config that went away while its interface was up: awg-quick down
# cannot read it, so the link alone is deleted; exit 1 (not clean: no
# PostDown ran).
standalone_config_gone() {
	local a ia d=$T_TMP/conf.gone
	ns_new a
	ns_ifname ia
	ns_track "$ia"
	mkdir "$d"
	wg_conf "$d/$ia.conf" "$(K)" 10.92.0.1/24
	INIT_PREFIX=(ip netns exec "$a")
	start_init sub --root "$T_TMP" --config-dir "$d" 2>"$T_TMP/log"
	wait_for 20 grep -q "standalone: 1 of 1 up" "$T_TMP/log"
	rm "$d/$ia.conf"
	kill -TERM "$INIT"
	wait_job 20
	rc_is 1
	contains "$(cat "$T_TMP/log")" "awg-easy-init: $ia: deleting the link alone
awg-easy-init: [#] ip link delete dev $ia
awg-easy-init: standalone: $d/$ia.conf failed to come down"
	gone "$a" "$ia" "/var/run/wireguard/$ia.sock"
}

# SIGTERM while `up` runs (a PostUp hook that takes a while): that up is
# undone, the next config is never brought up, what was up comes down,
# exit 0.
sigterm_during_up() {
	local a ia ib ic d=$T_TMP/conf.int
	ns_new a
	# named to sort as ia < ib < ic
	ns_ifname ia a
	ns_ifname ib b
	ns_ifname ic c
	ns_track "$ia"
	ns_track "$ib"
	ns_track "$ic"
	mkdir "$d"
	wg_conf "$d/$ia.conf" "$(K)" 10.94.0.1/24
	wg_conf "$d/$ib.conf" "$(K)" 10.94.1.1/24
	printf 'PostUp = touch %s; sleep 1\n' "$T_TMP/in-postup" >>"$d/$ib.conf"
	wg_conf "$d/$ic.conf" "$(K)" 10.94.2.1/24
	INIT_PREFIX=(ip netns exec "$a")
	start_init sub --root "$T_TMP" --config-dir "$d" 2>"$T_TMP/log"
	wait_for 20 test -e "$T_TMP/in-postup"
	kill -TERM "$INIT"
	wait_job 20
	rc_is 0
	local log
	log=$(cat "$T_TMP/log")
	contains "$log" "wg-quick: interrupted by signal 15"
	contains "$log" "standalone: $d/$ib.conf failed to come up"
	contains "$log" "standalone: SIGTERM: bringing 1 interface down"
	case $log in *"bringing up $d/$ic.conf"*) fail "brought up $ic after SIGTERM: $log" ;; esac
	gone "$a" "$ia" "/var/run/wireguard/$ia.sock"
	gone "$a" "$ib" "/var/run/wireguard/$ib.sock"
	link_gone "$a" "$ic" || fail "$ic is up"
}

# --down-on-exit: what the command brought up and left goes down after
# it exits (and what that leaves running is waited for a while) (as wg-quick down, by name: the config from /etc/wireguard,
# here a private one bound over it), the command's status kept; with its
# config gone the link alone is deleted; one that is not up is said.
down_on_exit() {
	local a ia ib etc=$T_TMP/etc-wg
	ns_new a
	ns_ifname ia
	ns_ifname ib
	ns_track "$ia"
	ns_track "$ib"
	mkdir -p "$etc"
	wg_conf "$etc/$ia.conf" "$(K)" 10.93.0.1/24
	# as PID 1: the kernel would kill what the PostDown leaves running if
	# we did not wait for it
	printf 'PostDown = (sleep 0.5; touch %s) &\n' "$T_TMP/postdown" >>"$etc/$ia.conf"
	wg_conf "$etc/$ib.conf" "$(K)" 10.93.1.1/24
	# shellcheck disable=SC2016
	PID1_LAUNCH=(ip netns exec "$a" "$(command -v unshare)" --pid --fork --mount-proc --mount
		--propagation private sh -c 'mount --bind "$0" /etc/wireguard && exec "$@"' "$etc")
	INIT_PREFIX=(env PATH="$BIN:$PATH")
	start_init pid1 --down-on-exit "$ia,$ib,nosuch0" -- \
		sh -c "wg-quick up $ia && wg-quick up $ib && rm /etc/wireguard/$ib.conf && exit 3" 2>"$T_TMP/log"
	wait_job 30
	rc_is 3
	local log
	log=$(cat "$T_TMP/log")
	contains "$log" "awg-easy-init: --down-on-exit $ia: bringing it down"
	contains "$log" "awg-easy-init: [#] ip link delete dev $ia"
	[ -e "$T_TMP/postdown" ] || fail "PostDown of $ia did not run, or we did not wait for it: $log"
	contains "$log" "awg-easy-init: $ib: deleting the link alone
awg-easy-init: [#] ip link delete dev $ib"
	contains "$log" "awg-easy-init: --down-on-exit nosuch0: not up"
	gone "$a" "$ia" "/var/run/wireguard/$ia.sock"
	gone "$a" "$ib" "/var/run/wireguard/$ib.sock"
}

# the chroot cases need the static awgbox; the others run with any build
chroot_cases=(
	"standalone as PID 1 of a scratch root: traffic to a peer, healthy, SIGTERM: down in reverse order, nothing left" standalone_scratch_tunnel
	"standalone in AmneziaWG mode (wireguard-go for amneziawg-go); SIGINT" standalone_awg_mode
	"a config that fails: logged, others stay up, unhealthy; healthcheck: down, no key, missing, nothing" failed_config_and_healthcheck
)
if make_wg_root "$T_TMP/probe" >/dev/null 2>&1 && chroot "$T_TMP/probe" /bin/awgbox --version >/dev/null 2>&1; then
	for ((i = 0; i < ${#chroot_cases[@]}; i += 2)); do t "${chroot_cases[i]}" "${chroot_cases[i + 1]}"; done
else
	for ((i = 0; i < ${#chroot_cases[@]}; i += 2)); do
		skip "${chroot_cases[i]}" "$AWGBOX or wireguard-go does not run alone in a chroot (not the static build?)"
	done
fi
t "standalone as an ordinary process: SIGTERM leaves no link, process or socket" standalone_as_subreaper
t "standalone: a config removed while up: its link deleted all the same, exit 1" standalone_config_gone
t "SIGTERM during up: that up undone, the rest not started, exit 0" sigterm_during_up
t "--down-on-exit: down as wg-quick down, without config the link alone, status kept" down_on_exit
