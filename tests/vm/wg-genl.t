#!/usr/bin/env bash
# timeout: 540
# Our wg/awg over generic netlink on the real kernel WireGuard (Debian's
# wireguard.ko in the VM), against Debian's wg: the same reads of one device,
# the same devices from the same commands, 10 000 peers both ways (the set
# split over many messages, the dump coalesced from many), syncconf, traffic,
# and the kernel's errors in upstream's words.
. "$(dirname "$0")/lib.sh"

OURS=$BIN/wg
AWG=$BIN/awg
umask 077
vm_modload wireguard veth >/dev/null

K() { "$OURS" genkey; }
PUB() { "$OURS" pubkey; }

write_config() {	# write_config FILE PRIVKEY PORT
	local i
	{
		echo "[Interface]"
		echo "PrivateKey = $2"
		echo "ListenPort = $3"
		echo "FwMark = 0x4d2"
		for i in 1 2 3 4; do
			echo
			echo "[Peer]"
			echo "PublicKey = $(K | PUB)"
			if [ $((i % 2)) = 1 ]; then echo "PresharedKey = $("$OURS" genpsk)"; fi
			echo "AllowedIPs = 10.$i.0.0/16, fd00:$i::/64, 192.168.$i.7/32"
			case $i in
			1) echo "Endpoint = 192.0.2.$i:51820" ;;
			2) echo "Endpoint = [2001:db8::1:$i]:443" ;;
			esac
			if [ $i -le 2 ]; then echo "PersistentKeepalive = $((i * 13))"; fi
		done
	} >"$1"
}

FIELDS="public-key private-key listen-port fwmark peers preshared-keys endpoints allowed-ips latest-handshakes transfer persistent-keepalive dump"

same_reads() {	# same_reads IF: every read agrees, byte for byte (the kernel's order is fixed)
	local f
	for f in $FIELDS; do
		eq "$(wg show "$1" "$f")" "$("$OURS" show "$1" "$f")" "show $f"
	done
	eq "$(wg showconf "$1")" "$("$OURS" showconf "$1")" "showconf"
	# "N seconds ago" may tick between the two reads
	eq "$(WG_HIDE_KEYS=never wg show "$1" | sed 's/latest handshake: .* ago/latest handshake: T ago/')" \
	   "$(WG_HIDE_KEYS=never "$OURS" show "$1" | sed 's/latest handshake: .* ago/latest handshake: T ago/')" "show"
	eq "$(wg show all dump)" "$("$OURS" show all dump)" "show all dump"
	eq "$(wg show interfaces)" "$("$OURS" show interfaces)" "show interfaces"
	eq "$(wg show)" "$("$OURS")" "wg with no arguments"
}

reads_agree() {
	ip link add wgr0 type wireguard
	ip link add wgr1 type wireguard
	write_config "$T_TMP/c.conf" "$(K)" 51820
	wg setconf wgr0 "$T_TMP/c.conf"
	same_reads wgr0
	same_reads wgr1		# empty device
	ip link del wgr0
	ip link del wgr1
}

writes_agree() {
	local n1 n2 step p1
	ns_new n1
	ns_new n2
	ip -n "$n1" link add wgw type wireguard
	ip -n "$n2" link add wgw type wireguard
	write_config "$T_TMP/c.conf" "$(K)" 51820
	cmp_dev() { eq "$(ip netns exec "$n1" wg show wgw dump)" "$(ip netns exec "$n2" wg show wgw dump)" "device after $1"; }
	ip netns exec "$n1" wg setconf wgw "$T_TMP/c.conf"
	ip netns exec "$n2" "$OURS" setconf wgw "$T_TMP/c.conf"
	cmp_dev setconf
	p1=$(awk '/^PublicKey/ { print $3; exit }' "$T_TMP/c.conf")
	printf '[Peer]\nPublicKey = %s\nAllowedIPs = 10.77.0.0/16\n\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.200.0.1/32\n' \
		"$(K | PUB)" "$p1" >"$T_TMP/add.conf"
	ip netns exec "$n1" wg addconf wgw "$T_TMP/add.conf"
	ip netns exec "$n2" "$OURS" addconf wgw "$T_TMP/add.conf"
	cmp_dev addconf
	K >"$T_TMP/pk"
	"$OURS" genpsk >"$T_TMP/psk"
	for step in "listen-port 51999" "fwmark 0x10" "fwmark off" "private-key $T_TMP/pk" "peer $p1 remove" \
		    "peer $(K | PUB) allowed-ips 10.9.9.9/32,fd00::9 endpoint [::1]:5 persistent-keepalive 7 preshared-key $T_TMP/psk" \
		    "peer $(K | PUB) allowed-ips \"\"" "private-key /dev/null"; do
		eval "ip netns exec \"\$n1\" wg set wgw $step"
		eval "ip netns exec \"\$n2\" \"\$OURS\" set wgw $step"
		cmp_dev "set $step"
	done
	ip netns exec "$n1" wg syncconf wgw "$T_TMP/c.conf"
	ip netns exec "$n2" "$OURS" syncconf wgw "$T_TMP/c.conf"
	cmp_dev syncconf
}

# 10 000 peers with four allowed IPs each: far more than one netlink message
# either way
gen_peers() {	# gen_peers N: [Peer] sections with random keys
	random_keys "$1" | awk '{ p = NR - 1
		printf "[Peer]\nPublicKey = %s\nAllowedIPs = 10.%d.%d.0/24, 10.%d.%d.128/25, fd00::%x/128, fd01::%x:0/112\n", \
			$0, int(p / 256) % 256, p % 256, 100 + int(p / 256) % 100, p % 256, p, p }'
}

many_peers() {
	local n=10000
	{ echo "[Interface]"; echo "PrivateKey = $(K)"; gen_peers $n; } >"$T_TMP/big.conf"
	ip link add wgbig0 type wireguard
	ip link add wgbig1 type wireguard
	"$OURS" setconf wgbig0 "$T_TMP/big.conf"
	wg setconf wgbig1 "$T_TMP/big.conf"
	eq "$n" "$(wg show wgbig0 peers | wc -l)" "peers set by ours"
	eq "$(wg show wgbig1 dump | tail -n +2)" "$(wg show wgbig0 dump | tail -n +2)" "peers: ours vs Debian's set"
	eq "$(wg show wgbig1 dump)" "$("$OURS" show wgbig1 dump)" "dump of 10 000 peers"
	eq $((4 * n)) "$("$OURS" show wgbig1 allowed-ips | cut -f 2 | tr ' ' '\n' | wc -l)" "allowed IPs read back"
	# syncconf to the first half removes the second half
	head -n $((2 + 3 * n / 2)) "$T_TMP/big.conf" >"$T_TMP/half.conf"
	"$OURS" syncconf wgbig0 "$T_TMP/half.conf"
	wg syncconf wgbig1 "$T_TMP/half.conf"
	eq "$(wg show wgbig1 dump)" "$(wg show wgbig0 dump)" "after syncconf to half"
	eq $((n / 2)) "$("$OURS" show wgbig0 peers | wc -l)" "peers after syncconf"
	ip link del wgbig0
	ip link del wgbig1
}

traffic() {
	local a b a1 a2
	ns_new a
	ns_new b
	ns_veth "$a" "$b" a1 a2
	ip -n "$a" link add wgt type wireguard
	ip -n "$b" link add wgt type wireguard
	NS_WG=$OURS ns_wg_pair "$a" wgt "$a1" "$b" wgt "$a2"
	ns_ping "$a" 10.99.0.2
	ns_ping "$b" 10.99.0.1
	ns_wg_used "$a" wgt
	ip netns exec "$a" bash -c "$(declare -f same_reads eq); FIELDS='$FIELDS' OURS=$OURS same_reads wgt"
	run ip netns exec "$a" "$OURS" show wgt
	contains "$OUT" "latest handshake: "
	contains "$OUT" "received, "
}

# the kernel's errors, worded as Debian's wg words them
errors_as_debian() {
	local c1 c2
	printf '[Interface]\nListenPort = 1\n' >"$T_TMP/e.conf"
	ip link add wge0 type wireguard
	ip link add dume0 type veth peer name dume1
	for c in "show nosuch0" "showconf nosuch0" "setconf nosuch0 $T_TMP/e.conf" "show dume0" \
		 "set dume0 listen-port 5" "set wge0 peer $(K | PUB) endpoint 0.0.0.0:0 allowed-ips 10.0.0.1/32"; do
		c1=$(wg $c 2>&1; echo "rc=$?")
		c2=$("$OURS" $c 2>&1; echo "rc=$?")
		eq "$c1" "$c2" "wg $c"
	done
	# without CAP_NET_ADMIN
	c1=$(capsh --drop=cap_net_admin -- -c "wg show wge0 2>&1; echo rc=\$?")
	c2=$(capsh --drop=cap_net_admin -- -c "'$OURS' show wge0 2>&1; echo rc=\$?")
	eq "$c1" "$c2" "show without CAP_NET_ADMIN"
	contains "$c2" "Operation not permitted"
	ip link del wge0
	ip link del dume0
}

# awg on a WireGuard kernel link: shows and sets it, refuses AmneziaWG keys
# before sending anything
awg_on_wireguard_links() {
	local before
	ip link add wga0 type wireguard
	write_config "$T_TMP/c.conf" "$(K)" 51820
	"$AWG" setconf wga0 "$T_TMP/c.conf"
	eq "$(wg showconf wga0)" "$("$AWG" showconf wga0)" "awg showconf of a wireguard link"
	run "$AWG" show
	contains "$OUT" "interface: wga0"
	before=$(wg show wga0 dump)
	printf '[Interface]\nListenPort = 4242\nJc = 4\nS1 = 20\n' >"$T_TMP/awg.conf"
	run "$AWG" setconf wga0 "$T_TMP/awg.conf"
	rc_is 1
	contains "$ERR" "Jc: not supported by the kernel's wireguard family"
	eq "$before" "$(wg show wga0 dump)" "device after AmneziaWG keys"
	run "$AWG" set wga0 h1 5-10
	rc_is 1
	eq "$before" "$(wg show wga0 dump)" "device after awg set h1"
	ip link del wga0
}

t "reads of a kernel device agree with Debian's wg" reads_agree
t "setconf, addconf, set, syncconf through each tool give the same kernel device" writes_agree
t "10 000 peers x 4 allowed IPs: set and dump across many messages, syncconf" many_peers
t "traffic through a kernel tunnel set up by our wg" traffic
t "kernel errors (ENODEV, EOPNOTSUPP, EPERM, EINVAL) as Debian's wg words them" errors_as_debian
t "awg on a WireGuard link: shows, sets, refuses AmneziaWG keys unchanged" awg_on_wireguard_links
