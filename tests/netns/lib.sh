# Network-namespace rig for tests/netns/*.t: real namespaces, veth pairs and
# Debian's wireguard-go, all torn down when the test file exits.
#
#   #!/usr/bin/env bash
#   # timeout: 120
#   . "$(dirname "$0")/lib.sh"        # sources tests/lib.sh; skips the file
#                                     # without root, /dev/net/tun or wireguard-go
#
#   ns_new VAR                 make a namespace with a unique name, lo up; VAR=its name
#   ns_exec NS CMD...          run CMD inside NS (ip netns exec NS CMD...)
#   ns_ifname VAR [PREFIX]     VAR=a machine-unique interface name (<= 15 chars,
#                              default prefix "wg"): /var/run/wireguard is shared by
#                              all namespaces, so a userspace device needs one
#   ns_wggo NS IF              start wireguard-go for IF inside NS; returns once its
#                              UAPI socket /var/run/wireguard/IF.sock exists
#   ns_userspace NS IF IMPL SOCKDIR   the same for another implementation
#                              (e.g. amneziawg-go with /var/run/amneziawg)
#   ns_track IF [SOCKDIR]      a userspace device for IF was started by something
#                              else (wg-quick with WG_QUICK_USERSPACE_IMPLEMENTATION):
#                              tear its process and socket down too
#   ns_veth NS1 NS2 [VAR1 VAR2 [IFVAR]]   veth pair between NS1 and NS2, both ends up,
#                              a fresh 10.201.N.1/24 in NS1 and 10.201.N.2/24 in NS2;
#                              VAR1/VAR2=the two addresses, IFVAR=the interface name
#                              (the same in both namespaces)
#   ns_wg_pair NS1 IF1 ADDR1 NS2 IF2 ADDR2   make the existing WireGuard devices
#                              IF1 (in NS1, reachable at ADDR1) and IF2 peers with
#                              fresh keys, ports 51820/51821, tunnel addresses
#                              10.99.0.1/24 and 10.99.0.2/24, both up; configured
#                              with $NS_WG (default Debian's wg)
#   ns_wg_used NS IF           assert IF had a handshake and moved bytes both ways
#   ns_ping NS ADDR            ping ADDR from NS (busybox ping; up to 5 echoes, 2 s
#                              each, until one is answered); says why on failure
#   ns_wggo_log IF             print the (debug) log of the wireguard-go for IF
#   ns_snapshot NS IF          everything an awg-quick up of IF in NS could leave
#                              behind (links, addresses, routes, rules, nft
#                              ruleset, userspace processes and sockets for IF),
#                              without ifindexes or pids: compare two of them
#   ns_teardown                kill and remove everything made so far
#
# Teardown is automatic: what a test case (`t NAME FUNC`, a subshell) made is
# torn down right after the case, what the file made at its top level (shared
# set-up for several cases) when the file exits, also on failure, timeout or
# Ctrl-C.  What is made is recorded in a file, not in shell variables, since a
# case runs in a subshell.  Teardown kills only processes the rig started
# (checked against /proc/PID/cmdline) or that serve an interface given to
# ns_track, then removes their sockets and the namespaces (veth ends go with
# them).  Every name is recorded with t_made for the runner's leak check.
# Addresses are 10.x and exist inside the namespaces only.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

need_root
# in the test VM (tests/vm/lib.sh) the kernel's WireGuard is the device
if [ "${AWGVM_GUEST:-0}" != 1 ]; then
	[ -c /dev/net/tun ] || skip_all "needs /dev/net/tun"
	need_cmd wireguard-go
fi
need_cmd ip wg busybox

# What to tear down, one line each: "OWNER ns NAME", "OWNER proc PID IF SOCKDIR"
# or "OWNER track IF SOCKDIR"; OWNER is the making shell's $BASHPID, so what a
# test case (a subshell) made goes with the case, what the file made at its
# top level (OWNER = $$) goes at exit.
NS_REG=$T_TMP/netns.reg
: >"$NS_REG"
t_on_exit ns_teardown
t_after_case ns_teardown cases
ns_reg() { echo "$BASHPID $*" >>"$NS_REG"; }

# ns_next: print the next number of a counter shared by every subshell of this file
ns_next() {
	local n=0
	[ -f "$T_TMP/netns.n" ] && n=$(cat "$T_TMP/netns.n")
	n=$((n + 1))
	echo "$n" >"$T_TMP/netns.n"
	echo "$n"
}

# Functions that set a caller's variable name their locals _ns_*, so that a
# caller's variable is never shadowed by one of theirs.
ns_new() {	# ns_new VAR
	local _ns_name
	_ns_name=awgt-$TEST_FILE-$$-$(ns_next)
	t_made "$_ns_name"
	ip netns add "$_ns_name" || return 1
	ns_reg ns "$_ns_name"
	ip -n "$_ns_name" link set lo up || return 1
	printf -v "$1" '%s' "$_ns_name"
}

ns_exec() { ip netns exec "$@"; }

ns_ifname() {	# ns_ifname VAR [PREFIX]
	local _ns_name
	_ns_name=${2:-wg}$$n$(ns_next)
	[ ${#_ns_name} -le 15 ] || { echo "ns_ifname: '$_ns_name' is longer than 15 characters" >&2; return 1; }
	t_made "$_ns_name"
	printf -v "$1" '%s' "$_ns_name"
}

ns_wggo() { ns_userspace "$1" "$2" wireguard-go /var/run/wireguard; }

ns_userspace() {	# ns_userspace NS IF IMPL SOCKDIR
	local ns=$1 ifname=$2 impl=$3 dir=$4 pid i
	[ ! -e "$dir/$ifname.sock" ] || { echo "ns_userspace: $dir/$ifname.sock already exists" >&2; return 1; }
	# stdout must not be the caller's: `t` reads it until every writer is gone
	LOG_LEVEL=debug ip netns exec "$ns" "$impl" -f "$ifname" \
		</dev/null >"$T_TMP/$impl-$ifname.log" 2>&1 &
	pid=$!
	ns_reg proc "$pid" "$ifname" "$dir"
	for ((i = 0; i < 100; i++)); do
		[ -S "$dir/$ifname.sock" ] && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "ns_userspace: $impl $ifname did not create $dir/$ifname.sock:" >&2
	cat "$T_TMP/$impl-$ifname.log" >&2
	return 1
}

ns_wggo_log() { cat "$T_TMP/wireguard-go-$1.log"; }

ns_track() { ns_reg track "$1" "${2:-/var/run/wireguard}"; }

ns_veth() {	# ns_veth NS1 NS2 [VAR1 VAR2 [IFVAR]]
	local _ns_n _ns_if _ns_a1 _ns_a2
	_ns_n=$(ns_next)
	_ns_if=veth$_ns_n _ns_a1=10.201.$((_ns_n % 256)).1 _ns_a2=10.201.$((_ns_n % 256)).2
	ip -n "$1" link add "$_ns_if" type veth peer name "$_ns_if" netns "$2" || return 1
	ip -n "$1" addr add "$_ns_a1/24" dev "$_ns_if" || return 1
	ip -n "$2" addr add "$_ns_a2/24" dev "$_ns_if" || return 1
	ip -n "$1" link set "$_ns_if" up || return 1
	ip -n "$2" link set "$_ns_if" up || return 1
	[ $# -lt 3 ] || printf -v "$3" '%s' "$_ns_a1"
	[ $# -lt 4 ] || printf -v "$4" '%s' "$_ns_a2"
	[ $# -lt 5 ] || printf -v "$5" '%s' "$_ns_if"
}

ns_wg_pair() {	# ns_wg_pair NS1 IF1 ADDR1 NS2 IF2 ADDR2
	local wg=${NS_WG:-wg} k1 k2
	k1=$(wg genkey) k2=$(wg genkey)
	ip netns exec "$1" "$wg" set "$2" private-key <(echo "$k1") listen-port 51820 \
		peer "$(wg pubkey <<<"$k2")" endpoint "$6:51821" allowed-ips 10.99.0.2/32 || return 1
	ip netns exec "$4" "$wg" set "$5" private-key <(echo "$k2") listen-port 51821 \
		peer "$(wg pubkey <<<"$k1")" endpoint "$3:51820" allowed-ips 10.99.0.1/32 || return 1
	ip -n "$1" addr add 10.99.0.1/24 dev "$2" || return 1
	ip -n "$4" addr add 10.99.0.2/24 dev "$5" || return 1
	ip -n "$1" link set "$2" up || return 1
	ip -n "$4" link set "$5" up
}

ns_wg_used() {	# ns_wg_used NS IF
	local out
	out=$(ip netns exec "$1" wg show "$2" latest-handshakes)
	[[ $out =~ [[:space:]][1-9][0-9]*$ ]] || { echo "$2 in $1: no handshake: $out"; return 1; }
	out=$(ip netns exec "$1" wg show "$2" transfer)
	[[ $out =~ [[:space:]][1-9][0-9]*[[:space:]][1-9][0-9]*$ ]] || { echo "$2 in $1: no traffic: $out"; return 1; }
}

ns_ping() {	# ns_ping NS ADDR
	local out i
	# one echo at a time, each given 2 s: the first may wait for a handshake
	for ((i = 0; i < 5; i++)); do
		out=$(ip netns exec "$1" busybox ping -c 1 -W 2 "$2" 2>&1) && return 0
	done
	printf 'ping %s from %s failed 5 times:\n%s\n' "$2" "$1" "$out"
	return 1
}

ns_snapshot() {	# ns_snapshot NS IF
	{
		ip -n "$1" -d -o link show | sed -E 's/^[0-9]+: //; s/@if[0-9]+//'
		ip -n "$1" -o addr show | sed -E 's/^[0-9]+: //; s/valid_lft.*//'
		ip -n "$1" -4 route show table all; ip -n "$1" -6 route show table all
		ip -n "$1" -4 rule; ip -n "$1" -6 rule
		ip netns exec "$1" nft list ruleset 2>/dev/null
		echo "processes for $2: $(ns_procs_for "$2" | wc -l)"
		ls /var/run/wireguard/"$2".sock /var/run/amneziawg/"$2".sock 2>/dev/null || true
	} | sed -E 's/fe80::[0-9a-f:]+/fe80::LL/g'	# link-local addresses are random
}

# ns_proc_is PID IMPL IF: PID is still IMPL serving IF (not a reused pid)
ns_proc_is() {
	local cmd
	cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline") || return 1
	case $cmd in *"$2"*" $3 ") return 0 ;; esac
	return 1
}

# ns_procs_for IF: pids of userspace WireGuard processes serving IF
ns_procs_for() {
	local p
	for p in $(pgrep -x wireguard-go; pgrep -x amneziawg-go); do
		ns_proc_is "$p" -go "$1" && echo "$p"
	done
}

# ns_alive PID: PID exists and is not a zombie
ns_alive() {
	local st
	st=$(awk '{ print $3 }' 2>/dev/null "/proc/$1/stat") && [ -n "$st" ] && [ "$st" != Z ]
}

# ns_stop [-z] PID...: SIGTERM (the process removes its socket), SIGKILL after
# 5 s; returns once every PID is dead.  With -z, also once it is reaped: the
# runner's leak check sees zombies, and one whose parent (a finished `t`
# subshell) is gone waits for init, which may take a second.  Written with
# `if`s: a case's teardown runs under `set -e`.
ns_stop() {
	local p i left reaped=0
	if [ "${1:-}" = -z ]; then reaped=1; shift; fi
	for p; do
		if ns_alive "$p"; then kill "$p" 2>/dev/null || true; fi
	done
	for ((i = 0; i < 100; i++)); do
		left=0
		for p; do
			if ns_alive "$p"; then left=1; continue; fi
			wait "$p" 2>/dev/null || true	# reaps it if it is our child
			if [ $reaped = 1 ] && [ -e "/proc/$p" ]; then left=1; fi
		done
		if [ $left = 0 ]; then return 0; fi
		if [ $i = 50 ]; then kill -KILL "$@" 2>/dev/null || true; fi
		sleep 0.1
	done
	echo "ns_stop: still there after 10 s: $*" >&2
	return 1
}

# ns_wait_reaped: wait (up to 5 s) until init has reaped what cases stopped
ns_wait_reaped() {
	local p i
	[ -s "$NS_REG.dead" ] || return 0
	for ((i = 0; i < 50; i++)); do
		for p in $(cat "$NS_REG.dead"); do
			if [ -e "/proc/$p" ] && ! ns_alive "$p"; then sleep 0.1; continue 2; fi
		done
		break
	done
	: >"$NS_REG.dead"
}

ns_teardown() {	# ns_teardown [cases]: only what test cases made
	local owner kind a b c pids=() socks=() nss=() keep=() rc=0
	[ -s "$NS_REG" ] || return 0
	while read -r owner kind a b c; do
		if [ "${1:-}" = cases ] && [ "$owner" = $$ ]; then
			keep+=("$owner $kind $a $b $c")
			continue
		fi
		case $kind in
		proc)	# a zombie cannot be checked, but is not killed either
			if ns_proc_is "$a" -go "$b" || { [ -e "/proc/$a" ] && ! ns_alive "$a"; }; then
				pids+=("$a")
			fi
			socks+=("$c/$b.sock") ;;
		track)	mapfile -t -O ${#pids[@]} pids < <(ns_procs_for "$a")
			socks+=("$b/$a.sock") ;;
		ns)	nss+=("$a") ;;
		esac
	done <"$NS_REG"
	if [ "${1:-}" = cases ]; then
		# left as zombies for init to reap: the file's teardown waits for that
		ns_stop "${pids[@]}" || rc=1
		if [ ${#pids[@]} -gt 0 ]; then printf '%s\n' "${pids[@]}" >>"$NS_REG.dead"; fi
	else
		ns_stop -z "${pids[@]}" || rc=1
		ns_wait_reaped
	fi
	rm -f "${socks[@]}"
	for a in "${nss[@]}"; do ip netns del "$a" 2>/dev/null || true; done
	if [ ${#keep[@]} -gt 0 ]; then printf '%s\n' "${keep[@]}"; fi >"$NS_REG"
	return $rc
}
