#!/usr/bin/env bash
# timeout: 600
# Our wg/awg against Debian's wg, on Debian's wireguard-go over the UAPI
# socket: the same configuration written by each tool gives the same device,
# and each tool reads a device the same way -- show, dump, showconf and every
# field, byte for byte, with peers compared as sets (wireguard-go lists them
# in map order).
. "$(dirname "$0")/lib.sh"

THEIRS=/usr/bin/wg
umask 077
OURS=$BIN/wg
AWG=$BIN/awg

theirs() { local ns=$1; shift; ip netns exec "$ns" "$THEIRS" "$@"; }
ours() { local ns=$1; shift; ip netns exec "$ns" "$OURS" "$@"; }

# The paragraphs (blank-line separated) after the first, sorted: the peer
# blocks of show and showconf, in any order.
para_sorted() {
	awk 'BEGIN { RS = ""; FS = "\n" } NR == 1 { first = $0; next } { gsub(/\n/, "\001"); print }' \
		| sort | tr '\001' '\n'
}
first_para() { awk 'BEGIN { RS = "" } NR == 1 { print; exit }'; }

K() { "$OURS" genkey; }
PUB() { "$OURS" pubkey; }

# A rich plain-WireGuard config: v4/v6 endpoints, keepalive, PSKs, many IPs.
write_config() {	# write_config FILE PRIVKEY
	local f=$1 i
	{
		echo "[Interface]"
		echo "PrivateKey = $2"
		echo "ListenPort = 51820"
		echo "FwMark = 0x4d2"
		for i in 1 2 3 4 5; do
			echo
			echo "[Peer]"
			echo "PublicKey = $(K | PUB)"
			if [ $((i % 2)) = 1 ]; then echo "PresharedKey = $("$OURS" genpsk)"; fi
			echo "AllowedIPs = 10.$i.0.0/16, fd00:$i::/64, 192.168.$i.7/32"
			if [ $i = 3 ]; then echo "AllowedIPs = ::ffff:10.0.0.0/104, 2001:db8::$i/128"; fi
			case $i in
			1) echo "Endpoint = 192.0.2.$i:51820" ;;
			2) echo "Endpoint = [2001:db8::1:$i]:443" ;;
			3) echo "Endpoint = 127.1:9" ;;
			esac
			if [ $i -le 2 ]; then echo "PersistentKeepalive = $((i * 13))"; fi
		done
	} >"$f"
}

FIELDS="public-key private-key listen-port fwmark peers preshared-keys endpoints allowed-ips latest-handshakes transfer persistent-keepalive"

# every read of one device agrees between the two tools
same_reads() {	# same_reads NS IF
	local ns=$1 if=$2 f a b
	a=$(theirs "$ns" show "$if" dump) b=$(ours "$ns" show "$if" dump)
	eq "$(echo "$a" | head -n 1)" "$(echo "$b" | head -n 1)" "dump: interface line"
	eq "$(echo "$a" | sort)" "$(echo "$b" | sort)" "dump"
	for f in $FIELDS; do
		a=$(theirs "$ns" show "$if" "$f") b=$(ours "$ns" show "$if" "$f")
		eq "$(echo "$a" | sort)" "$(echo "$b" | sort)" "show $f"
	done
	a=$(theirs "$ns" showconf "$if") b=$(ours "$ns" showconf "$if")
	eq "$(echo "$a" | first_para)" "$(echo "$b" | first_para)" "showconf [Interface]"
	eq "$(echo "$a" | para_sorted)" "$(echo "$b" | para_sorted)" "showconf peers"
	# "N seconds ago" may tick between the two reads
	a=$(WG_HIDE_KEYS=never theirs "$ns" show "$if" | sed 's/latest handshake: .* ago/latest handshake: T ago/')
	b=$(WG_HIDE_KEYS=never ours "$ns" show "$if" | sed 's/latest handshake: .* ago/latest handshake: T ago/')
	eq "$(echo "$a" | first_para)" "$(echo "$b" | first_para)" "show: interface part"
	eq "$(echo "$a" | para_sorted)" "$(echo "$b" | para_sorted)" "show: peers"
	a=$(theirs "$ns" show all dump | sort) b=$(ours "$ns" show all dump | sort)
	eq "$a" "$b" "show all dump"
	a=$(theirs "$ns" show interfaces) b=$(ours "$ns" show interfaces)
	eq "$a" "$b" "show interfaces"
}

# a device set up by Debian's wg reads the same with ours
reads_agree() {
	local ns if
	ns_new ns
	ns_ifname if
	ns_wggo "$ns" "$if"
	write_config "$T_TMP/c.conf" "$(K)"
	theirs "$ns" setconf "$if" "$T_TMP/c.conf"
	same_reads "$ns" "$if"
	# colours: on when asked, and the same escapes
	eq "$(WG_COLOR_MODE=always theirs "$ns" show "$if" | first_para)" \
	   "$(WG_COLOR_MODE=always ours "$ns" show "$if" | first_para)" "coloured show"
}

# the same commands through each tool give the same devices
writes_agree() {
	local n1 n2 i1 i2 k step a b
	ns_new n1
	ns_new n2
	ns_ifname i1
	ns_ifname i2
	ns_wggo "$n1" "$i1"
	ns_wggo "$n2" "$i2"
	k=$(K)
	write_config "$T_TMP/c.conf" "$k"
	compare() {
		a=$(theirs "$n1" show "$i1" dump | sort) b=$(theirs "$n2" show "$i2" dump | sort)
		eq "$a" "$b" "device after $1"
	}
	theirs "$n1" setconf "$i1" "$T_TMP/c.conf"
	ours "$n2" setconf "$i2" "$T_TMP/c.conf"
	compare setconf
	# addconf: one more peer, one changed
	p1=$(awk '/^PublicKey/ { print $3; exit }' "$T_TMP/c.conf")
	printf '[Peer]\nPublicKey = %s\nAllowedIPs = 10.77.0.0/16\nEndpoint = 10.1.1.1:1\n\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.200.0.1/32\n' \
		"$(K | PUB)" "$p1" >"$T_TMP/add.conf"
	theirs "$n1" addconf "$i1" "$T_TMP/add.conf"
	ours "$n2" addconf "$i2" "$T_TMP/add.conf"
	compare addconf
	# set: every plain option
	echo "$(K)" >"$T_TMP/pk"
	"$OURS" genpsk >"$T_TMP/psk"
	for step in "listen-port 51999" "fwmark 0x10" "fwmark off" "private-key $T_TMP/pk" \
		    "peer $p1 remove" "peer $(K | PUB) allowed-ips 10.9.9.9/32,fd00::9 endpoint [::1]:5 persistent-keepalive 7 preshared-key $T_TMP/psk" \
		    "peer $(K | PUB) allowed-ips \"\"" "listen-port 4000 peer $(K | PUB) persistent-keepalive off"; do
		eval "theirs \"\$n1\" set \"\$i1\" $step"
		eval "ours \"\$n2\" set \"\$i2\" $step"
		compare "set $step"
	done
	# syncconf to the file: the extra peers go, the file's come back
	theirs "$n1" syncconf "$i1" "$T_TMP/c.conf"
	ours "$n2" syncconf "$i2" "$T_TMP/c.conf"
	compare syncconf
	# private key and fwmark cleared by a setconf without them (upstream)
	printf '[Interface]\nListenPort = 51820\n' >"$T_TMP/bare.conf"
	theirs "$n1" setconf "$i1" "$T_TMP/bare.conf"
	ours "$n2" setconf "$i2" "$T_TMP/bare.conf"
	compare "bare setconf"
}

# syncconf reads the config from a pipe (awg-easy: syncconf IF <(wg-quick strip IF))
stdin_and_fd_paths() {
	local ns if a
	ns_new ns
	ns_ifname if
	ns_wggo "$ns" "$if"
	write_config "$T_TMP/c.conf" "$(K)"
	ours "$ns" setconf "$if" /dev/stdin <"$T_TMP/c.conf"
	a=$(ours "$ns" show "$if" peers | wc -l)
	eq 5 "$a" "peers after setconf /dev/stdin"
	ip netns exec "$ns" bash -c "'$OURS' syncconf '$if' <(head -n 8 '$T_TMP/c.conf')"
	a=$(ours "$ns" show "$if" peers | wc -l)
	eq 1 "$a" "peers after syncconf <(...)"
}

# traffic through a tunnel set up by our wg; handshake and transfer read alike
traffic() {
	local a b a1 a2 wa wb
	ns_new a
	ns_new b
	ns_veth "$a" "$b" a1 a2
	ns_ifname wa
	ns_ifname wb
	ns_wggo "$a" "$wa"
	ns_wggo "$b" "$wb"
	NS_WG=$OURS ns_wg_pair "$a" "$wa" "$a1" "$b" "$wb" "$a2"
	ns_ping "$a" 10.99.0.2
	ns_ping "$b" 10.99.0.1
	ns_wg_used "$a" "$wa"
	sleep 1
	same_reads "$a" "$wa"
	same_reads "$b" "$wb"
	run ours "$a" show "$wa"
	contains "$OUT" "latest handshake: "
	contains "$OUT" "transfer: "
}

# a malformed file is refused with file:line, and the device stays as it was
bad_config_changes_nothing() {
	local ns if before after bad line
	ns_new ns
	ns_ifname if
	ns_wggo "$ns" "$if"
	write_config "$T_TMP/c.conf" "$(K)"
	ours "$ns" setconf "$if" "$T_TMP/c.conf"
	before=$(ours "$ns" show "$if" dump | sort)
	for bad in "Bogus = 1" "AllowedIPs = 10.0.0.1/33" "Endpoint = [fd00::1" "PublicKey = abc" \
		   "PersistentKeepalive = 70000" "ListenPort = 99999" "PresharedKey ="; do
		# the bad line goes last, in the last [Peer]
		{ cat "$T_TMP/c.conf"; echo "$bad"; } >"$T_TMP/bad.conf"
		line=$(wc -l <"$T_TMP/bad.conf")
		run ours "$ns" setconf "$if" "$T_TMP/bad.conf"
		rc_is 1
		contains "$ERR" "$T_TMP/bad.conf:$line:"
		[ "$(printf '%s\n' "$ERR" | wc -l)" = 1 ] || fail "more than one line: $ERR"
		after=$(ours "$ns" show "$if" dump | sort)
		eq "$before" "$after" "device after '$bad'"
	done
	# AmneziaWG keys for a wireguard-go device: refused before anything is sent
	printf '[Interface]\nListenPort = 4242\nJc = 4\n' >"$T_TMP/awg.conf"
	run ip netns exec "$ns" "$AWG" setconf "$if" "$T_TMP/awg.conf"
	rc_is 1
	contains "$ERR" "not an AmneziaWG"
	eq "$before" "$(ours "$ns" show "$if" dump | sort)" "device after AmneziaWG keys"
	run ip netns exec "$ns" "$AWG" set "$if" peer "$(K | PUB)" advanced-security on
	rc_is 1
	contains "$ERR" "AdvancedSecurity"
	eq "$before" "$(ours "$ns" show "$if" dump | sort)" "device after AdvancedSecurity"
}

# awg manages wireguard-go devices too, shown without AmneziaWG lines
awg_on_wireguard_go() {
	local ns if a b
	ns_new ns
	ns_ifname if
	ns_wggo "$ns" "$if"
	write_config "$T_TMP/c.conf" "$(K)"
	ip netns exec "$ns" "$AWG" setconf "$if" "$T_TMP/c.conf"
	a=$(theirs "$ns" showconf "$if" | para_sorted) b=$(ip netns exec "$ns" "$AWG" showconf "$if" | para_sorted)
	eq "$a" "$b" "awg showconf of a wireguard-go device"
	run ip netns exec "$ns" "$AWG" show "$if"
	rc_is 0
	case $OUT in *"h1:"*|*"jc:"*) fail "AmneziaWG lines for a plain device: $OUT";; esac
	run ip netns exec "$ns" "$AWG" show interfaces
	contains "$OUT" "$if"
	# awg's dump has the AmneziaWG columns: 29 on the interface line
	a=$(ip netns exec "$ns" "$AWG" show "$if" dump | head -n 1 | awk -F'\t' '{ print NF }')
	eq 29 "$a" "awg dump interface columns"
}

# 10 000 peers with two allowed IPs each, set and read back
many_peers() {
	local ns if n=10000 a b
	ns_new ns
	ns_ifname if
	ns_wggo "$ns" "$if"
	{
		echo "[Interface]"
		echo "PrivateKey = $(K)"
		random_keys $n | awk '{ p = NR - 1
			printf "[Peer]\nPublicKey = %s\nAllowedIPs = 10.%d.%d.0/24, fd00::%x/128\n", $0, int(p / 256), p % 256, p }'
	} >"$T_TMP/big.conf"
	ours "$ns" setconf "$if" "$T_TMP/big.conf"
	a=$(theirs "$ns" show "$if" dump | sort) b=$(ours "$ns" show "$if" dump | sort)
	eq "$(($n + 1))" "$(echo "$b" | wc -l)" "dump lines"
	[ "$a" = "$b" ] || fail "10 000-peer dumps differ"
	# and syncconf with half the peers removes the other half
	head -n $((2 + 3 * n / 2)) "$T_TMP/big.conf" >"$T_TMP/half.conf"
	ours "$ns" syncconf "$if" "$T_TMP/half.conf"
	eq $((n / 2)) "$(ours "$ns" show "$if" peers | wc -l)" "peers after syncconf to half"
}

t "reads of a device agree with Debian's wg: dump, show, showconf, every field" reads_agree
t "setconf, addconf, set, syncconf through each tool give the same device" writes_agree
t "configs from /dev/stdin and /dev/fd (process substitution)" stdin_and_fd_paths
t "traffic through a tunnel set up by our wg; handshake and transfer as Debian reads them" traffic
t "malformed configs: one line with file:line, device unchanged" bad_config_changes_nothing
t "awg shows and sets wireguard-go devices" awg_on_wireguard_go
t "10 000 peers set and dumped, syncconf removes half" many_peers
