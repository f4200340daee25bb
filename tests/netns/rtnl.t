#!/usr/bin/env bash
# core/rtnl.c against ip(8), on the real kernel: each scenario runs in two
# fresh network namespaces, once doing its operations with ip and once with
# rtnl-probe (tests/netns/rtnl-probe.c), and the kernel states must be the
# same (ip -d -j dumps; only the random MAC and the link-local address it
# makes are normalised), as must the requests sent (strace, byte for byte).
# Lookups are checked against what ip prints in the same namespace.  The
# kernel here may lack WireGuard: `ifb` links stand in for its kind.
# timeout: 120
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd ip jq unshare
PROBE=$TOP/$AWGBOX_BUILD/tests/netns/rtnl-probe
[ -x "$PROBE" ] || skip_all "no $PROBE (make tests)"
unshare -n true 2>/dev/null || skip_all "cannot create a network namespace (unshare -n)"
unshare -n ip link add x type ifb 2>/dev/null || skip_all "the kernel has no ifb links"
export PROBE

# in_ns FUNC ARGS...: run a function of this file in a new network namespace
# (lo up); it dies with the process, so nothing can be left behind.
in_ns() { unshare -n bash -c 'set -e; ip link set lo up; "$@"' in_ns "$@"; }

# The same operation with either tool: $TOOL is ip or probe.
proto() { case $1 in *:*) echo -6 ;; *) echo -4 ;; esac; }
do_link_add() { if [ "$TOOL" = ip ]; then ip link add dev "$1" type "$2"; else "$PROBE" link-add "$1" "$2"; fi; }
do_link_del() { if [ "$TOOL" = ip ]; then ip link delete dev "$1"; else "$PROBE" link-del "$1"; fi; }
do_mtu_up() { if [ "$TOOL" = ip ]; then ip link set mtu "$2" up dev "$1"; else "$PROBE" link-set-mtu-up "$1" "$2"; fi; }
do_addr_add() {
	if [ "$TOOL" = ip ]; then ip "$(proto "$2")" address add "$2" dev "$1"
	else "$PROBE" addr-add "$1" "$2"; fi
}
do_route() {	# do_route add|del IF CIDR [TABLE]
	if [ "$TOOL" = ip ]; then ip "$(proto "$3")" route "$1" "$3" dev "$2" ${4:+table "$4"}
	else "$PROBE" "route-$1" "$2" "$3" ${4:+"$4"}; fi
}
do_rule() {	# do_rule add|del 4|6 RULE...
	if [ "$TOOL" = ip ]; then ip "-$2" rule "$1" "${@:3}"
	else "$PROBE" "rule-$1" "$2" "${@:3}"; fi
}

# A link made with ip as set-up; a fixed MAC keeps the order of the
# link-local routes (sorted by address) the same in both namespaces.
mk_ifb() { ip link add dev "$1" address "02:00:00:00:00:${2:-01}" type ifb; }

# Everything ip shows of links, addresses, routes (all tables) and rules.
state() {
	{
		ip -d -j address show
		ip -d -j -4 route show table all
		ip -d -j -6 route show table all
		ip -d -j -4 rule show
		ip -d -j -6 rule show
	} | jq -S 'walk(if type == "object" then del(.address, .broadcast) else . end)
		| walk(if type == "string" and test("^fe80::.") then "fe80::LL" else . end)'
}
export -f mk_ifb proto do_link_add do_link_del do_mtu_up do_addr_add do_route do_rule state

# same_state SCENARIO: its state with ip equals its state with the probe.
same_state() {
	local want got
	want=$(TOOL=ip in_ns "$1") || fail "$1 with ip failed"
	got=$(TOOL=probe in_ns "$1") || fail "$1 with rtnl-probe failed"
	[ -n "$want" ] || fail "empty state"
	eq "$want" "$got" "kernel state after $1"
}

# ---- what goes on the wire ----------------------------------------------------
# wire FUNC ARGS...: the netlink requests FUNC sends, in hex, one per line,
# with the sequence number and port id zeroed; leaving out RTM_GETLINK (ip
# and the probe both look the link up first) and the empty RTM_NEWLINK with
# which ip link add tests the kernel.
wire() {
	local log
	log=$(mktemp)
	# (LeakSanitizer cannot run under ptrace: the sanitizer build's probe)
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		strace -f -o "$log" -e trace=sendmsg,sendto -e write=all bash -c '"$@"' wire "$@" >/dev/null
	awk '/^[0-9]* *send(msg|to)\(/ { if (m != "") print m; m = "" }
	     /^ \| [0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]  / {
		h = substr($0, 11, 49); gsub(/ /, "", h); m = m h }
	     END { if (m != "") print m }' "$log" |
		awk '{ $0 = substr($0, 1, 16) "0000000000000000" substr($0, 33) }
		     substr($0, 9, 4) != "1200" && $0 != "20000000100005" sprintf("%050d", 0)'
	rm -f "$log"
}

sc_wire() {
	mk_ifb wg0 01
	ip link set up dev wg0
	wire do_link_add wg1 ifb
	wire do_mtu_up wg1 1420
	wire do_addr_add wg0 10.0.0.1/24
	wire do_addr_add wg0 10.0.0.2
	wire do_addr_add wg0 127.5.0.1/8
	wire do_addr_add wg0 fd00::1/64
	wire do_addr_add wg0 fd00::2
	wire do_route add wg0 10.1.0.0/16
	wire do_route add wg0 10.2.0.0/16 100
	wire do_route add wg0 0.0.0.0/0 51820
	wire do_route add wg0 fd01::/64
	wire do_route add wg0 ::/0 51820
	wire do_route del wg0 10.2.0.0/16 100
	wire do_route del wg0 0.0.0.0/0 51820
	wire do_route del wg0 fd01::/64
	for fam in 4 6; do
		wire do_rule add $fam not fwmark 51820 table 51820
		wire do_rule add $fam table main suppress_prefixlength 0
		wire do_rule add $fam priority 5 fwmark 0x10/0xff table 100
		wire do_rule del $fam table 51820
		wire do_rule del $fam table main suppress_prefixlength 0
	done
	wire do_route_get 10.1.2.3
	wire do_route_get fd00::5
	wire do_link_del wg1
}
do_route_get() { if [ "$TOOL" = ip ]; then ip route get "$1"; else "$PROBE" route-get "$1"; fi; }
export -f wire sc_wire do_route_get

same_wire() {
	local want got
	want=$(TOOL=ip in_ns sc_wire) || fail "with ip"
	got=$(TOOL=probe in_ns sc_wire) || fail "with rtnl-probe"
	[ "$(printf '%s\n' "$want" | wc -l)" = 28 ] || fail "not 28 requests from ip: $want"
	eq "$want" "$got" "requests"
}
if command -v strace >/dev/null; then
	t "requests are byte for byte what iproute2 sends (link, address, route, rule, route get)" same_wire
else
	skip "requests are byte for byte what iproute2 sends" "needs strace"
fi

# ---- links ---------------------------------------------------------------------
sc_links() {
	do_link_add wg0 ifb
	do_link_add wg1 ifb
	do_mtu_up wg0 1420
	do_link_del wg1
	do_link_add wg2 ifb
	state
}
export -f sc_links
t "link add, set mtu up, delete: same state as ip" same_state sc_links

ns_unknown_kind() {
	local kind out rc
	for kind in nosuchkind amneziawg wireguard; do
		rc=0; out=$(ip link add dev x0 type "$kind" 2>&1) || rc=$?
		if [ $rc = 0 ]; then
			ip link delete dev x0
			"$PROBE" link-add x0 "$kind" || { echo "$kind: ip could add it, the probe not"; return 1; }
		else
			case $out in *"Unknown device type"*) ;; *) echo "$kind: ip said: $out"; return 1 ;; esac
			rc=0; out=$("$PROBE" link-add x0 "$kind" 2>&1) || rc=$?
			[ $rc = 1 ] || { echo "$kind: probe exit $rc"; return 1; }
			case $out in *"(errno 95)") ;; *) echo "$kind: want EOPNOTSUPP, got: $out"; return 1 ;; esac
			! ip link show dev x0 2>/dev/null || { echo "$kind: x0 exists"; return 1; }
		fi
		ip link delete dev x0 2>/dev/null || true
	done
	# an existing name: the kernel's EEXIST
	ip link add dev x1 type ifb
	out=$("$PROBE" link-add x1 ifb 2>&1) && return 1
	case $out in *"(errno 17)") ;; *) echo "existing: $out"; return 1 ;; esac
}
export -f ns_unknown_kind
t "link add of a kind the kernel lacks is EOPNOTSUPP, as ip's 'Unknown device type'" in_ns ns_unknown_kind

ns_link_get() {
	local want got out
	ip link add dev wg0 type ifb
	ip link set mtu 1380 up dev wg0
	got=$("$PROBE" link-get wg0)
	want=$(ip -d -j link show dev wg0 | jq -r '.[0] | "ifindex=\(.ifindex) name=\(.ifname) kind=\(.linkinfo.info_kind) mtu=\(.mtu) up=\(if (.flags | index("UP")) then 1 else 0 end)"')
	[ "$want" = "$got" ] || { printf 'want %s\ngot  %s\n' "$want" "$got"; return 1; }
	got=$("$PROBE" link-get lo)
	[ "$got" = "ifindex=1 name=lo kind= mtu=65536 up=1" ] || { echo "lo: $got"; return 1; }
	! "$PROBE" link-get nosuch0 2>/dev/null || return 1
	out=$("$PROBE" link-get nosuch0 2>&1) || true
	case $out in *"(errno 19)") ;; *) echo "missing link: $out"; return 1 ;; esac
}
export -f ns_link_get
t "link get: ifindex, kind, mtu, up as ip shows them; ENODEV when missing" in_ns ns_link_get

ns_link_list() {
	local want got kinds
	ip link add dev a1 type ifb
	ip link add dev v1 type veth peer name v2
	ip link add dev b1 type bridge
	ip link add dev a2 type ifb
	ip link add dev v3 type veth peer name v4
	ip link add dev a3 type ifb
	ip link delete dev a2
	ip link add dev a2 type ifb
	for kinds in "ifb" "ifb veth" "bridge" "if" "ifbx" "nosuchkind" ""; do
		# shellcheck disable=SC2086
		got=$("$PROBE" link-list $kinds)
		want=$(ip -d -j link show | jq -r --arg k " $kinds " '.[] | (.linkinfo.info_kind // "-") as $kind |
			select($k == "  " or ($k | contains(" " + $kind + " "))) | .ifname')
		[ "$want" = "$got" ] || { printf 'kinds "%s": want\n%s\ngot\n%s\n' "$kinds" "$want" "$got"; return 1; }
	done
	[ "$("$PROBE" link-list ifb | tr '\n' ' ')" = "a1 a3 a2 " ] || return 1
}
export -f ns_link_list
t "link list by kind: the kernel's order, exact kinds, several kinds" in_ns ns_link_list

# ---- addresses ---------------------------------------------------------------------
sc_addrs() {
	mk_ifb wg0 01
	ip link set up dev wg0
	do_addr_add wg0 10.0.0.1/24
	do_addr_add wg0 10.0.0.2
	do_addr_add wg0 10.0.0.77/24
	do_addr_add wg0 192.168.5.1/16
	do_addr_add wg0 127.3.2.1/8
	do_addr_add wg0 10.1/16
	do_addr_add wg0 fd00::1/64
	do_addr_add wg0 fd00:1::7
	do_addr_add wg0 fd00:2::1/48
	do_addr_add wg0 ::ffff:1.2.3.4/96
	state
}
export -f sc_addrs
t "address add, IPv4 and IPv6, with and without a length: same state as ip" same_state sc_addrs

ns_addr_list() {
	local fam dev sel want got args
	sc_addrs >/dev/null
	mk_ifb wg1 02
	ip link set up dev wg1
	ip address add 10.5.0.1/24 dev wg1
	ip address add fd05::1/64 dev wg1
	ip address add 10.6.0.1 peer 10.6.0.2/32 dev wg1
	for fam in 4 6 all; do
		case $fam in 4) sel='"inet"' ;; 6) sel='"inet6"' ;; all) sel='.family' ;; esac
		for dev in wg0 wg1 all; do
			# ip groups one dump of every link's addresses by link: the
			# kernel's order differs from its output only then
			[ "$fam$dev" != allall ] || continue
			args=(); [ "$dev" = all ] || args=(dev "$dev")
			want=$(ip -j address show "${args[@]}" | jq -r ".[] | .addr_info[] | select(.family == $sel)
				| \"\(.family) \(.local)/\(.prefixlen)\" + (if .address then \" peer \(.address)\" else \"\" end)")
			got=$("$PROBE" addr-list "$fam" "$dev")
			[ -n "$got" ] || { echo "no addresses for -$fam $dev"; return 1; }
			[ "$want" = "$got" ] || { printf -- '-%s %s: want\n%s\ngot\n%s\n' "$fam" "$dev" "$want" "$got"; return 1; }
		done
	done
}
export -f ns_addr_list
t "address list: what ip -o address show lists, in its order, peers too" in_ns ns_addr_list

# ---- routes -----------------------------------------------------------------------------
sc_routes() {
	mk_ifb wg0 01
	mk_ifb wg1 02
	ip link set up dev wg0
	ip link set up dev wg1
	ip address add 10.0.0.1/24 dev wg0
	ip address add fd00::1/64 dev wg0
	do_route add wg0 10.1.0.0/16
	do_route add wg0 10.2.3.4/32
	do_route add wg1 10.1.0.0/24
	do_route add wg0 0.0.0.0/0 51820
	do_route add wg0 10.7.0.0/16 100
	do_route add wg0 fd01::/64
	do_route add wg0 ::/0 51820
	do_route add wg1 fd02::/48 100
	do_route add wg0 fd03::5/128
	state
	do_route del wg0 10.1.0.0/16
	do_route del wg0 0.0.0.0/0 51820
	do_route del wg0 10.7.0.0/16 100
	do_route del wg0 fd01::/64
	do_route del wg1 fd02::/48 100
	state
}
export -f sc_routes
t "route add and delete, main and numbered tables, v4 and v6: same state as ip" same_state sc_routes

ns_route_errors() {
	local out
	ip link add dev wg0 type ifb
	ip link set up dev wg0
	# host bits set: the kernel refuses it for IPv4 (both tools send it as given)
	! ip route add 10.1.2.3/16 dev wg0 2>/dev/null || return 1
	out=$("$PROBE" route-add wg0 10.1.2.3/16 2>&1) && return 1
	case $out in *"(errno 22)") ;; *) echo "$out"; return 1 ;; esac
	"$PROBE" route-add wg0 10.1.0.0/16
	out=$("$PROBE" route-add wg0 10.1.0.0/16 2>&1) && return 1
	case $out in *"(errno 17)") ;; *) echo "$out"; return 1 ;; esac
	"$PROBE" route-del wg0 10.1.0.0/16
	out=$("$PROBE" route-del wg0 10.1.0.0/16 2>&1) && return 1
	case $out in *"(errno 3)") ;; *) echo "$out"; return 1 ;; esac
}
export -f ns_route_errors
t "route add/delete errors are the kernel's (EINVAL, EEXIST, ESRCH)" in_ns ns_route_errors

# The "dev X" and "mtu N" upstream's awg-quick takes from ip's output.
upstream_dev_mtu() {
	local out=$1 dev=- mtu=-
	[[ $out =~ dev\ ([^ ]+) ]] && dev=${BASH_REMATCH[1]}
	[[ $out =~ mtu\ ([0-9]+) ]] && mtu=${BASH_REMATCH[1]}
	echo "dev=$dev mtu=$mtu"
}
export -f upstream_dev_mtu

ns_route_get() {
	local a want got
	ip link add dev wg0 type ifb
	ip link add dev wg1 type ifb
	ip link set up dev wg0
	ip link set mtu 1333 up dev wg1
	ip address add 10.0.0.1/24 dev wg0
	ip address add fd00::1/64 dev wg0
	ip route add 10.9.0.0/16 dev wg0 mtu 1300
	ip route add 10.8.0.0/16 dev wg0 mtu lock 1280
	ip route add 10.7.0.0/16 dev wg1
	ip -6 route add fd09::/32 dev wg0 mtu 1350
	ip -6 route add fd07::/32 dev wg1
	for a in 10.9.1.1 10.8.1.1 10.7.1.1 10.0.0.5 10.0.0.1 127.0.0.1 fd09::1 fd07::1 fd00::5 ::1; do
		want=$(upstream_dev_mtu "$(ip route get "$a")")
		got=$(upstream_dev_mtu "$("$PROBE" route-get "$a")")
		[ "$want" = "$got" ] || { printf '%s: want %s, got %s\n' "$a" "$want" "$got"; return 1; }
	done
	# "mtu lock N" is not what upstream's regex takes; the probe says it as ip does
	[ "$("$PROBE" route-get 10.8.1.1)" = "dev wg0 mtu lock 1280" ] || return 1
	[ "$("$PROBE" route-get 10.9.1.1)" = "dev wg0 mtu 1300" ] || return 1
	# no route: ip fails, the probe has the kernel's ENETUNREACH
	! ip route get 192.0.2.1 >/dev/null 2>&1 || return 1
	got=$("$PROBE" route-get 192.0.2.1 2>&1) && return 1
	case $got in *"(errno 101)") ;; *) echo "$got"; return 1 ;; esac
}
export -f ns_route_get
t "route get: the dev and mtu ip prints, for v4 and v6" in_ns ns_route_get

ns_route_match() {
	local dev c want got
	ip link add dev wg0 type ifb
	ip link add dev wg1 type ifb
	ip link set up dev wg0
	ip link set up dev wg1
	ip address add 10.0.0.1/24 dev wg0
	ip route add 10.1.0.0/16 dev wg0
	ip route add 10.2.0.0/16 dev wg1
	ip route add 10.3.0.0/16 dev wg0 table 100
	ip route add 10.4.0.0/24 dev wg0
	ip route add 10.4.0.0/16 dev wg1
	ip route add 10.8.0.0/13 dev wg0	# 10.8.0.0 - 10.15.255.255
	ip -6 route add fd01::/64 dev wg0
	ip -6 route add fd02::/32 dev wg1
	ip -6 route add fd03:10::/28 dev wg0	# fd03:10:: - fd03:1f:ffff:...
	for dev in wg0 wg1; do
		for c in 10.1.0.0/16 10.1.2.0/24 10.1.0.0/15 10.2.0.0/16 10.3.0.0/16 10.4.0.0/24 \
			 10.4.0.0/16 10.4.0.128/25 10.0.0.0/24 10.0.0.7/32 0.0.0.0/0 192.0.2.0/24 \
			 10.12.0.0/16 10.16.0.0/16 10.7.255.0/24 10.8.0.0/12 \
			 fd01::/64 fd01::/48 fd01::1/128 fd02:1::/48 fd02::/16 ::/0 \
			 fd03:1f::/32 fd03:20::/32 fd03:f::/32; do
			want=0
			[ -n "$(ip "$(proto "$c")" route show dev "$dev" match "$c" 2>/dev/null)" ] && want=1
			got=$("$PROBE" route-match "$dev" "$c")
			[ "$want" = "$got" ] || { echo "$dev $c: ip says $want, probe $got"; return 1; }
		done
	done
	ip route add 0.0.0.0/0 dev wg1
	[ "$("$PROBE" route-match wg1 192.0.2.0/24)" = 1 ] || return 1
	[ -n "$(ip -4 route show dev wg1 match 192.0.2.0/24)" ] || return 1
}
export -f ns_route_match
t "route match: 1 exactly when ip route show dev IF match CIDR lists something" in_ns ns_route_match

ns_table_used() {
	local fam tab want got
	ip link add dev wg0 type ifb
	ip link set up dev wg0
	ip route add 10.1.0.0/16 dev wg0 table 51820
	ip -6 route add fd01::/64 dev wg0 table 51821
	ip route add 10.2.0.0/16 dev wg0 table 7
	for fam in 4 6; do
		for tab in 51820 51821 51822 7 8 254 255; do
			want=0
			[ -n "$(ip "-$fam" route show table "$tab" 2>/dev/null)" ] && want=1
			got=$("$PROBE" table-used "$fam" "$tab")
			[ "$want" = "$got" ] || { echo "-$fam table $tab: ip says $want, probe $got"; return 1; }
		done
	done
}
export -f ns_table_used
t "table used: 1 exactly when ip -4/-6 route show table T prints something" in_ns ns_table_used

ns_route_default() {
	local fam want got
	ip link add dev wg0 type ifb
	ip link add dev wg1 type ifb
	ip link set up dev wg0
	ip link set mtu 1400 up dev wg1
	ip address add 10.0.0.1/24 dev wg0	# main has routes, none to 0/0
	ip address add fd00::1/64 dev wg0
	for fam in 4 6; do
		! "$PROBE" route-default "$fam" 2>/dev/null || { echo "-$fam: a default route?"; return 1; }
		[ -z "$(ip "-$fam" route show default)" ] || return 1
	done
	ip route add default dev wg1 metric 10
	ip route add default dev wg0 metric 5 mtu 1300
	ip route add 0.0.0.0/0 dev wg0 table 100
	ip -6 route add default dev wg1 metric 7
	ip -6 route add ::/0 dev wg0 metric 9 mtu 1280
	for fam in 4 6; do
		want=$(upstream_dev_mtu "$(ip "-$fam" route show default | head -n 1)")
		got=$(upstream_dev_mtu "$("$PROBE" route-default "$fam")")
		[ "$want" = "$got" ] || { echo "-$fam: want $want, got $got"; return 1; }
	done
	[ "$(upstream_dev_mtu "$("$PROBE" route-default 4)")" = "dev=wg0 mtu=1300" ] || return 1
}
export -f ns_route_default
t "default route: the dev and mtu of the first line of ip route show default" in_ns ns_route_default

# ---- rules ---------------------------------------------------------------------------------
sc_rules() {
	local fam
	for fam in 4 6; do
		do_rule add "$fam" not fwmark 51820 table 51820
		do_rule add "$fam" table main suppress_prefixlength 0
		do_rule add "$fam" fwmark 0x10/0xff table 100 priority 5
		do_rule add "$fam" table 7
	done
	state
	# awg-quick's down: delete while listed
	for fam in 4 6; do
		while [[ $(ip "-$fam" rule show) == *"lookup 51820"* ]]; do
			do_rule del "$fam" table 51820
		done
		while [[ $(ip "-$fam" rule show) == *"from all lookup main suppress_prefixlength 0"* ]]; do
			do_rule del "$fam" table main suppress_prefixlength 0
		done
	done
	state
}
export -f sc_rules
t "rule add and delete (fwmark, suppress_prefixlength): same state as ip" same_state sc_rules

ns_rule_list() {
	local fam want got
	for fam in 4 6; do
		ip "-$fam" rule add not fwmark 51820 table 51820
		ip "-$fam" rule add table main suppress_prefixlength 0
		ip "-$fam" rule add fwmark 0x10/0xff table 100 priority 5
		ip "-$fam" rule add iif lo table 9
	done
	ip -4 rule add from 10.0.0.0/8 table 8
	for fam in 4 6; do
		got=$("$PROBE" rule-list "$fam")
		want=$(ip "-$fam" rule show | sed -E 's/\t(not )?from [^ ]+ iif lo/\t\1(other)/; s/\t(not )?from [0-9][^ ]*/\t\1(other)/')
		[ "$want" = "$got" ] || { printf -- '-%s: want\n%s\ngot\n%s\n' "$fam" "$want" "$got"; return 1; }
		case $got in *"(other) lookup 9"*) ;; *) echo "iif rule not marked"; return 1 ;; esac
	done
}
export -f ns_rule_list
t "rule list: priority, not, fwmark/mask, table, suppress_prefixlength as ip shows them" in_ns ns_rule_list

ns_rule_errors() {
	local out
	# without a priority the kernel picks a new one each time: no EEXIST
	"$PROBE" rule-add 4 not fwmark 51820 table 51820
	"$PROBE" rule-add 4 not fwmark 51820 table 51820
	[ "$(ip -4 rule show | grep -c 'lookup 51820')" = 2 ] || return 1
	"$PROBE" rule-add 6 priority 100 table 7
	out=$("$PROBE" rule-add 6 priority 100 table 7 2>&1) && return 1
	case $out in *"(errno 17)") ;; *) echo "$out"; return 1 ;; esac
	"$PROBE" rule-del 4 table 51820
	"$PROBE" rule-del 4 table 51820
	out=$("$PROBE" rule-del 4 table 51820 2>&1) && return 1
	case $out in *"(errno 2)") ;; *) echo "$out"; return 1 ;; esac
}
export -f ns_rule_errors
t "rule add/delete: duplicates without priority as ip; EEXIST, ENOENT from the kernel" in_ns ns_rule_errors

# ---- sysctl ----------------------------------------------------------------------------------
ns_sysctl() {
	local key=net.ipv4.conf.all.src_valid_mark f=/proc/sys/net/ipv4/conf/all/src_valid_mark
	[ "$("$PROBE" sysctl-read $key)" = "$(cat $f)" ] || return 1
	"$PROBE" sysctl-write $key 1
	[ "$(cat $f)" = 1 ] && [ "$("$PROBE" sysctl-read $key)" = 1 ] || return 1
	"$PROBE" sysctl-write $key 0
	[ "$(cat $f)" = 0 ] || return 1
	! "$PROBE" sysctl-write net.ipv4.conf.all.no_such_key 1 2>/dev/null || return 1
}
export -f ns_sysctl
t "sysctl read and write of net.ipv4.conf.all.src_valid_mark" in_ns ns_sysctl
