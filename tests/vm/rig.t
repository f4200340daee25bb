#!/usr/bin/env bash
# timeout: 300
# The VM rig itself, inside the VM: Debian's kernel, modules loaded by busybox
# insmod from modules.dep, a kernel WireGuard link configured by Debian's wg,
# and a ping through it between two namespaces.
. "$(dirname "$0")/lib.sh"

debian_kernel() {
	[[ $KVER == 6.12.*-amd64 ]] || fail "kernel $KVER is not 6.12.x-amd64"
	contains "$(cat /proc/version)" "Debian" "/proc/version"
}

worktree_shared() {
	run "$AWGBOX" --list
	rc_is 0
	contains "$OUT" wg
	local k
	k=$(wg genkey)
	eq "$(wg pubkey <<<"$k")" "$("$BIN/wg" pubkey <<<"$k")" "awgbox wg pubkey in the VM"
	if touch "$TOP/.written-by-vm" 2>/dev/null; then fail "the worktree is writable"; fi
}

modules_as_shipped() {
	local n
	n=$(wc -l <"$MODDIR/modules.dep")
	[ "$n" -gt 1000 ] || fail "modules.dep has $n lines: not Debian's whole index"
	grep -q '^kernel/drivers/net/wireguard/wireguard.ko.xz:' "$MODDIR/modules.dep" ||
		fail "no wireguard.ko.xz in modules.dep"
	[ -f "$MODDIR/kernel/drivers/net/wireguard/wireguard.ko.xz" ] || fail "no wireguard.ko.xz"
	for f in modules.alias modules.builtin modules.softdep modules.symbols; do
		[ -s "$MODDIR/$f" ] || fail "no $f"
	done
	[ ! -e /sys/module/wireguard ] || fail "wireguard is loaded at boot"
}

no_autoload() {
	run ip link add novethx type veth
	[ "$RC" != 0 ] || fail "a veth link appeared without loading veth"
	[ ! -e /sys/module/veth ] || fail "veth was autoloaded"
}

# insmod of wireguard alone fails: the kernel wants its dependencies first
needs_dependencies() {
	run busybox insmod "$MODDIR/kernel/drivers/net/wireguard/wireguard.ko.xz"
	[ "$RC" != 0 ] || fail "wireguard loaded without its dependencies"
	[ ! -e /sys/module/wireguard ] || fail "wireguard is loaded"
	contains "$(dmesg | tail -n 20)" "Unknown symbol" "dmesg"
}

modload_order() {
	local line deps d expect=
	line=$(grep '^kernel/drivers/net/wireguard/wireguard.ko.xz:' "$MODDIR/modules.dep")
	for d in ${line#*:}; do deps="$d ${deps:-}"; done
	for d in $deps ${line%%:*}; do expect+="insmod $d"$'\n'; done
	run vm_modload wireguard
	rc_is 0
	eq "${expect%$'\n'}" "$OUT" "busybox insmod order"
	for d in $deps ${line%%:*}; do
		d=${d##*/} d=${d%%.ko*} d=${d//-/_}
		eq live "$(cat "/sys/module/$d/initstate")" "$d's state"
	done
	run vm_modload wireguard
	rc_is 0
	eq "" "$OUT" "a second vm_modload"
}

link_add() {
	ip link add wgrig0 type wireguard
	run ip -d link show wgrig0
	contains "$OUT" "wireguard"
}

wg_configures() {
	local k p
	k=$(wg genkey) p=$(wg genkey | wg pubkey)
	wg set wgrig0 private-key <(echo "$k") listen-port 51820 \
		peer "$p" allowed-ips 10.77.0.2/32 endpoint 10.78.0.2:51821
	run wg showconf wgrig0
	rc_is 0
	eq "[Interface]
ListenPort = 51820
PrivateKey = $k

[Peer]
PublicKey = $p
AllowedIPs = 10.77.0.2/32
Endpoint = 10.78.0.2:51821" "$OUT" "wg showconf"
}

# two namespaces joined by veth, a kernel WireGuard link in each
tunnel_ping() {
	local a b a1 a2
	vm_modload veth >/dev/null
	ns_new a
	ns_new b
	ns_veth "$a" "$b" a1 a2
	ip -n "$a" link add wg0 type wireguard
	ip -n "$b" link add wg0 type wireguard
	ns_wg_pair "$a" wg0 "$a1" "$b" wg0 "$a2"
	ns_ping "$a" 10.99.0.2
	ns_wg_used "$a" wg0
	ns_wg_used "$b" wg0
}

# libcrc32c (under nf_tables) wants the crc32c crypto first: modules.softdep
soft_dependencies() {
	local soft hard
	run vm_modload nf_tables
	rc_is 0
	soft=$(grep -n '/crc32c[-_]' <<<"$OUT" | head -n 1 | cut -d: -f1)
	hard=$(grep -n '/libcrc32c\.' <<<"$OUT" | cut -d: -f1)
	[ -n "$soft" ] && [ -n "$hard" ] && [ "$soft" -lt "$hard" ] ||
		fail "no crc32c module before libcrc32c: $OUT"
	[ -e /sys/module/nf_tables/initstate ] || fail "nf_tables not loaded"
}

# wg-quick's default-route path: policy routing and nftables marks
wg_quick_nft() {
	local a conf
	vm_modload wireguard nf_tables nft_ct nft_fib_ipv4 >/dev/null
	ns_new a
	conf=$T_TMP/wgq0.conf
	printf '[Interface]\nPrivateKey = %s\nAddress = 10.98.0.1/24\n\n[Peer]\nPublicKey = %s\nAllowedIPs = 0.0.0.0/0\nEndpoint = 10.97.0.2:51820\n' \
		"$(wg genkey)" "$(wg genkey | wg pubkey)" >"$conf"
	chmod 600 "$conf"
	ns_exec "$a" wg-quick up "$conf"
	contains "$(ns_exec "$a" nft list tables)" "table ip wg-quick-wgq0" "nft tables"
	contains "$(ip -n "$a" rule)" "suppress_prefixlength 0" "ip rule"
	ns_exec "$a" wg-quick down "$conf"
	eq "" "$(ns_exec "$a" nft list tables)" "nft tables after down"
}

# iptables (Debian's nft backend) takes the rules wg-quick gives it without nft
iptables_rules() {
	local a
	vm_modload nft_compat xt_mark xt_connmark xt_comment xt_addrtype >/dev/null
	ns_new a
	printf '*mangle\n-I POSTROUTING -m mark --mark 51820 -p udp -j CONNMARK --save-mark -m comment --comment "rig"\n-I PREROUTING -p udp -j CONNMARK --restore-mark -m comment --comment "rig"\nCOMMIT\n*raw\n-I PREROUTING ! -i wg0 -d 10.98.0.1 -m addrtype ! --src-type LOCAL -j DROP -m comment --comment "rig"\nCOMMIT\n' |
		ns_exec "$a" iptables-restore -n
	contains "$(ns_exec "$a" iptables-save -t mangle)" "--save-mark" "iptables-save"
	contains "$(ns_exec "$a" iptables-save -t raw)" "--src-type LOCAL" "iptables-save"
}

# with autoloading on, kmod's modprobe loads a module by its alias
autoload_on() {
	[ ! -e /sys/module/dummy ] || fail "dummy already loaded"
	vm_autoload on
	ip link add dummyrig type dummy || { vm_autoload off; fail "no dummy link with autoloading on"; }
	vm_autoload off
	[ -e /sys/module/dummy/initstate ] || fail "dummy not loaded"
	ip link del dummyrig
}

t "the kernel is Debian's 6.12" debian_kernel
t "the worktree is shared read-only: awgbox runs" worktree_shared
t "modules.* are Debian's, nothing but 9p is loaded at boot" modules_as_shipped
t "no module autoloading" no_autoload
t "busybox insmod of wireguard alone fails for its dependencies" needs_dependencies
t "vm_modload loads wireguard after its dependencies, as modules.dep says" modload_order
t "ip link add type wireguard" link_add
t "Debian's wg configures the kernel device" wg_configures
t "ping passes through a kernel WireGuard tunnel between two namespaces" tunnel_ping
t "vm_modload loads soft dependencies first (crc32c before libcrc32c)" soft_dependencies
t "wg-quick up/down with a default route: ip rules, nft marks" wg_quick_nft
t "iptables-restore takes wg-quick's mark and drop rules" iptables_rules
t "vm_autoload on: kmod's modprobe loads a module by alias" autoload_on
