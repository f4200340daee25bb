#!/usr/bin/env bash
# timeout: 600
# Our wg-quick against Debian's bash wg-quick on the kernel's WireGuard (in
# the VM): the same state and "[#]" lines after up, down restores, save and
# strip agree, and a failure at any step of up leaves nothing behind.  The
# cases are tests/quick-cases.sh, shared with the netns tier.
. "$(dirname "$0")/lib.sh"
vm_modload wireguard veth nf_tables nft_ct nft_fib_inet nft_fib_ipv4 nft_fib_ipv6 \
	nft_compat xt_addrtype xt_mark xt_connmark xt_comment \
	iptable_raw iptable_mangle ip6table_raw ip6table_mangle >/dev/null
. "$TOP/tests/quick-cases.sh"

# awg-quick needs the amneziawg kind or amneziawg-go; with neither it fails
# cleanly: nothing is left behind
awg_quick_without_amneziawg() {
	local ns if before
	ns_new ns
	if=awgq0
	printf '[Interface]\nPrivateKey = %s\nAddress = 10.44.0.1/24\nJc = 4\n' "$(K)" >"$T_TMP/$if.conf"
	before=$(STATE_FIREWALL=rules state "$ns" "$if")
	run ip netns exec "$ns" "$BIN/awg-quick" up "$T_TMP/$if.conf"
	rc_is 1
	contains "$ERR" "[#] ip link add $if type amneziawg"
	contains "$ERR" "Error: Unknown device type."
	eq "$before" "$(STATE_FIREWALL=rules state "$ns" "$if")" "namespace after the failed up"
}

quick_cases
t "awg-quick without the amneziawg module or amneziawg-go: clean failure" awg_quick_without_amneziawg
