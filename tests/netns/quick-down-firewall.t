#!/usr/bin/env bash
# timeout: 300
# wg-quick down removes the firewall rules of the interface as upstream's
# remove_firewall does (`nft list tables`, then `nft -f` for the wg-quick-IF
# tables; `iptables-save`/`ip6tables-save`, then `-restore -n` for the rules
# with its comment), but asks the kernel first (core/nft.c, and iptables-
# legacy's /proc/net/ip*_tables_names) and runs those programs only when one
# of their tables is there: they cost more than the rest of down together.
# Stand-ins first in PATH log every run of them and then run the real one.
. "$(dirname "$0")/lib.sh"
need_cmd nft iptables iptables-save ip6tables-save iptables-restore ip6tables-restore \
	iptables-legacy iptables-legacy-save ip6tables-legacy-save iptables-legacy-restore ip6tables-legacy-restore

OURS=$BIN/wg-quick
umask 077
mkdir -p "$T_TMP/bin"
for tool in nft iptables-save ip6tables-save iptables-restore ip6tables-restore; do
	printf '#!/bin/sh\necho "%s $*" >>"$TOOL_LOG"\nexec %s "$@"\n' "$tool" "$(command -v "$tool")" >"$T_TMP/bin/$tool"
	chmod +x "$T_TMP/bin/$tool"
done
# a machine whose iptables is iptables-legacy (x_tables, not nf_tables)
mkdir -p "$T_TMP/legacy"
for tool in iptables-save ip6tables-save iptables-restore ip6tables-restore; do
	printf '#!/bin/sh\necho "%s $*" >>"$TOOL_LOG"\nexec %s "$@"\n' "$tool" "$(command -v "${tool%%-*}-legacy-${tool#*-}")" \
		>"$T_TMP/legacy/$tool"
	chmod +x "$T_TMP/legacy/$tool"
done
export PATH=$T_TMP/bin:$PATH TOOL_LOG=$T_TMP/tools.log

# up_split NS IF: IF up in NS with a split-tunnel config (no firewall rules)
up_split() {
	ns_new "$1"
	ns_ifname "$2"
	ns_track "${!2}"
	printf '[Interface]\nPrivateKey = %s\nAddress = 10.44.0.1/24\n\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.50.0.0/16\n' \
		"$(wg genkey)" "$(wg genkey | wg pubkey)" >"$T_TMP/${!2}.conf"
	ip netns exec "${!1}" "$OURS" up "$T_TMP/${!2}.conf" 2>/dev/null
}

down() {	# down NS IF: our down, with only its runs of the tools in the log
	: >"$TOOL_LOG"
	ip netns exec "$1" "$OURS" down "$T_TMP/$2.conf" 2>"$T_TMP/down.err" ||
		fail "down failed: $(cat "$T_TMP/down.err")"
}

# iptables-legacy tables in NS (a kernel may make them in every namespace)
legacy_tables() { ip netns exec "$1" cat /proc/net/ip_tables_names /proc/net/ip6_tables_names 2>/dev/null | grep -q .; }

nothing_to_remove() {
	local ns if
	up_split ns if
	down "$ns" "$if"
	if legacy_tables "$ns"; then
		contains "$(cat "$TOOL_LOG")" "iptables-save" "tools run by down (legacy tables here)"
	else
		eq "" "$(cat "$TOOL_LOG")" "tools run by down"
	fi
	contains "$(cat "$T_TMP/down.err")" "[#] ip link delete dev $if"
}

nft_table_removed() {
	local ns if
	up_split ns if
	ip netns exec "$ns" nft add table ip "wg-quick-$if"
	ip netns exec "$ns" nft add table ip6 "wg-quick-$if"
	ip netns exec "$ns" nft add table inet keep-this
	down "$ns" "$if"
	contains "$(cat "$TOOL_LOG")" "nft list tables"
	contains "$(cat "$T_TMP/down.err")" "[#] nft -f /dev/fd/63"
	eq "table inet keep-this" "$(ip netns exec "$ns" nft list tables)" "tables after down"
}

iptables_rule_removed() {
	local ns if comment
	up_split ns if
	comment="wg-quick(8) rule for $if"
	ip netns exec "$ns" iptables -t raw -A PREROUTING -d 10.44.0.1 -m comment --comment "$comment" -j DROP
	ip netns exec "$ns" iptables -t raw -A PREROUTING -d 10.44.0.2 -j DROP
	down "$ns" "$if"
	contains "$(cat "$TOOL_LOG")" "iptables-save"
	contains "$(cat "$TOOL_LOG")" "iptables-restore -n"
	eq "-A PREROUTING -d 10.44.0.2/32 -j DROP" "$(ip netns exec "$ns" iptables-save -t raw | grep '^-A')" \
		"raw rules after down"
}

iptables_legacy_rule_removed() {
	local ns if comment
	up_split ns if
	comment="wg-quick(8) rule for $if"
	ip netns exec "$ns" iptables-legacy -t mangle -A POSTROUTING -p udp -m comment --comment "$comment" -j ACCEPT
	PATH=$T_TMP/legacy:$PATH down "$ns" "$if"
	contains "$(cat "$TOOL_LOG")" "iptables-restore -n"
	eq "" "$(ip netns exec "$ns" iptables-legacy-save -t mangle | grep '^-A')" "legacy mangle rules after down"
}

t "down runs neither nft nor iptables-save when none of their tables exist" nothing_to_remove
t "down still removes a wg-quick-IF nftables table (and keeps the others)" nft_table_removed
t "down still removes an iptables rule with wg-quick's comment (and keeps the others)" iptables_rule_removed
t "... and one in iptables-legacy's tables, where iptables is iptables-legacy" iptables_legacy_rule_removed
