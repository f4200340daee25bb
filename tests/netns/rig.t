#!/usr/bin/env bash
# timeout: 180
# The netns rig itself: namespaces, veth, Debian's wireguard-go configured by
# Debian's wg, a ping through the tunnel, and teardown that leaves nothing.
. "$(dirname "$0")/lib.sh"

links_in() { ip -n "$1" -o link show | awk -F': ' '{ print $2 }' | sed 's/@.*//'; }

namespaces_fresh() {
	local a b
	ns_new a
	ns_new b
	[ "$a" != "$b" ] || fail "two namespaces named $a"
	ip netns list | grep -qw "$a" || fail "$a not listed"
	eq lo "$(links_in "$a")" "links in a new namespace"
	ip -n "$a" -o link show lo | grep -q 'UP' || fail "lo is down in $a"
}

veth_between() {
	local a b a1 a2 ifname
	ns_new a
	ns_new b
	ns_veth "$a" "$b" a1 a2 ifname
	[[ $a1 =~ ^10\. && $a2 =~ ^10\. ]] || fail "addresses $a1 $a2 are not 10.x"
	ip -n "$a" -o addr show dev "$ifname" | grep -q "inet $a1/24" || fail "$a1 not on $ifname in $a"
	# only inside the namespaces, never on the host
	if ip -o addr show | grep -q "inet $a1/"; then fail "$a1 leaked to the host"; fi
	ns_ping "$a" "$a2"
	ns_ping "$b" "$a1"
}

wggo_device() {
	local a ifname
	ns_new a
	ns_ifname ifname
	ns_wggo "$a" "$ifname"
	[ -S "/var/run/wireguard/$ifname.sock" ] || fail "no UAPI socket"
	links_in "$a" | grep -qx "$ifname" || fail "no $ifname in $a: $(links_in "$a")"
	if ip link show "$ifname" >/dev/null 2>&1; then fail "$ifname is on the host"; fi
	run ns_exec "$a" wg show "$ifname"
	rc_is 0
	contains "$OUT" "interface: $ifname"
}

# two namespaces, veth between them, a wireguard-go device in each configured
# with Debian's wg: ping the far tunnel address
tunnel_ping() {
	local a b a1 a2 wa wb
	ns_new a
	ns_new b
	ns_veth "$a" "$b" a1 a2
	ns_ifname wa
	ns_ifname wb
	ns_wggo "$a" "$wa"
	ns_wggo "$b" "$wb"
	ns_wg_pair "$a" "$wa" "$a1" "$b" "$wb" "$a2"
	ns_ping "$a" 10.99.0.2 || { echo "# wireguard-go log:"; ns_wggo_log "$wa" | tail -n 20; return 1; }
	# the reply came through the tunnel: a handshake happened, bytes both ways
	ns_wg_used "$a" "$wa"
	ns_wg_used "$b" "$wb"
}

# everything a file made is gone after ns_teardown
teardown_complete() {
	local a ifname pid
	ns_new a
	ns_ifname ifname
	ns_wggo "$a" "$ifname"
	pid=$(awk -v i="$ifname" '$2 == "proc" && $4 == i { print $3 }' "$NS_REG")
	ns_teardown
	if ip netns list | grep -qw "$a"; then fail "namespace $a left"; fi
	[ ! -e "/var/run/wireguard/$ifname.sock" ] || fail "socket left"
	[ ! -e "/proc/$pid" ] || fail "wireguard-go $pid left"
	[ ! -s "$NS_REG" ] || fail "registry not emptied"
}

# what a case made is gone when the next case starts; what the file made stays
case_makes() {
	local a ifname
	ns_new a
	ns_ifname ifname
	ns_wggo "$a" "$ifname"
	echo "$a $ifname" >"$T_TMP/case-made"
}
case_made_gone() {
	local a ifname
	read -r a ifname <"$T_TMP/case-made"
	if ip netns list | grep -qw "$a"; then fail "namespace $a of the last case left"; fi
	[ ! -e "/var/run/wireguard/$ifname.sock" ] || fail "socket of the last case left"
	[ -z "$(ns_procs_for "$ifname")" ] || fail "wireguard-go of the last case left"
	ip netns list | grep -qw "$file_ns" || fail "the file's namespace $file_ns is gone"
	[ -S "/var/run/wireguard/$file_if.sock" ] || fail "the file's wireguard-go is gone"
}

# a test file killed mid-run (timeout, Ctrl-C) still tears down
teardown_on_signal() {
	local sig=$1 child out ns ifname
	cat >"$T_TMP/victim.t" <<-EOF
	#!/usr/bin/env bash
	. "$TOP/tests/netns/lib.sh"
	ns_new a; ns_ifname i; ns_wggo "\$a" "\$i"
	echo "made \$a \$i"
	while :; do sleep 0.1; done
	EOF
	chmod +x "$T_TMP/victim.t"
	# in its own process group, as under tests/run's timeout or a terminal;
	# an asynchronous command starts with SIGINT ignored: give every
	# default back
	setsid env --default-signal "$T_TMP/victim.t" >"$T_TMP/victim.out" 2>&1 &
	child=$!
	for _ in $(seq 100); do grep -q '^made ' "$T_TMP/victim.out" && break; sleep 0.1; done
	read -r _ ns ifname <"$T_TMP/victim.out" || fail "victim did not start: $(cat "$T_TMP/victim.out")"
	[ -S "/var/run/wireguard/$ifname.sock" ] || fail "victim has no socket"
	kill -"$sig" -- -"$child"	# the whole group, as timeout(1) and Ctrl-C do
	for _ in $(seq 100); do kill -0 "$child" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$child" 2>/dev/null; then
		kill -KILL -- -"$child"
		fail "SIG$sig: the test file did not exit within 10 s"
	fi
	wait "$child" || true
	if ip netns list | grep -qw "$ns"; then fail "SIG$sig: namespace $ns left"; fi
	[ ! -e "/var/run/wireguard/$ifname.sock" ] || fail "SIG$sig: socket left"
	[ -z "$(ns_procs_for "$ifname")" ] || fail "SIG$sig: wireguard-go left"
}

ns_new file_ns
ns_ifname file_if
ns_wggo "$file_ns" "$file_if"

t "namespaces are new, unique and hold only lo" namespaces_fresh
t "veth pair joins two namespaces with 10.x addresses" veth_between
t "wireguard-go device in a namespace answers Debian wg" wggo_device
t "ping passes through a wireguard-go tunnel between two namespaces" tunnel_ping
t "a case's namespace and wireguard-go (made here)" case_makes
t "are gone after the case, the file's stay" case_made_gone
t "ns_teardown removes namespaces, processes and sockets" teardown_complete
t "teardown runs when a test file gets SIGTERM" teardown_on_signal TERM
t "teardown runs when a test file gets SIGINT" teardown_on_signal INT
