# Shared by tests/netns/quick-vs-debian.t (wireguard-go devices) and
# tests/vm/quick-vs-debian.t (kernel WireGuard): our wg-quick against Debian's
# bash wg-quick, each in its own namespace with the same config.  Sourced after
# the tier's lib.sh; defines the case functions.

OURS=$BIN/wg-quick
umask 077

# resolvconf is not installed on test machines (and would change the host's
# resolv.conf): a stand-in in PATH records what each tool asks of it
mkdir -p "$T_TMP/bin"
cat >"$T_TMP/bin/resolvconf" <<'EOF'
#!/bin/sh
log=${RESOLVCONF_LOG:?}
printf 'resolvconf %s\n' "$*" >>"$log"
case $1 in -a) sed 's/^/  stdin: /' >>"$log" ;; esac
[ -z "${RESOLVCONF_FAIL:-}" ]
EOF
chmod +x "$T_TMP/bin/resolvconf"
# a PATH without nft, for the iptables-restore path
mkdir -p "$T_TMP/nonft"
for d in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do
	for f in "$d"/*; do
		n=${f##*/}
		case $n in nft) continue ;; esac
		[ -e "$T_TMP/nonft/$n" ] || ln -s "$f" "$T_TMP/nonft/$n" 2>/dev/null || true
	done
done
BASEPATH=$T_TMP/bin:$PATH

K() { wg genkey; }
PUB() { wg pubkey; }

# The state of a namespace, with what differs between two equal setups
# (interface indexes, link-local addresses, a random listening port, the
# interface's own name) made neutral.
state() {	# state NS IF
	{
		echo "== links"; ip -n "$1" -d -o link show | sed -E 's/^[0-9]+: //; s/ link\/none.*//; s/ qlen [0-9]+//'
		echo "== addresses"; ip -n "$1" -o addr show | sed -E 's/^[0-9]+: //; s/valid_lft.*//' | grep -v 'inet6 fe80::'
		echo "== routes"; for f in -4 -6; do ip -n "$1" $f route show table all | grep -v '^local\|^multicast\|fe80::\|^broadcast'; done
		echo "== rules"; ip -n "$1" -4 rule; ip -n "$1" -6 rule
		if [ "${STATE_FIREWALL:-all}" = all ]; then
			echo "== nft"; ip netns exec "$1" nft list ruleset
			echo "== iptables"; for t in iptables-save ip6tables-save; do ip netns exec "$1" $t 2>/dev/null | grep -v '^#\|^:'; done
		else
			# iptables-nft leaves its emptied tables behind: count the rules only
			echo "== firewall rules"; ip netns exec "$1" nft list ruleset | grep -c 'wg-quick\|awg-quick\|daddr\|ct mark'
		fi
		echo "== device"; ip netns exec "$1" wg showconf "$2" 2>/dev/null | awk 'BEGIN { RS = "" } NR == 1 { print; next } { gsub(/\n/, "|"); print | "sort" }'
	} | sed -e "s/$2/IF/g" -e 's/fe80::[0-9a-f:]*/fe80::LL/g' -e 's/^ListenPort = [0-9]*$/ListenPort = (random)/'
}

# up_both CONFIG-BODY [ENV...]: the config as IF.conf in two namespaces, up
# with each tool; sets A B (namespaces) IA IB (interfaces)
up_both() {
	local body=$1 ra=0 rb=0
	shift
	ns_new A
	ns_new B
	ns_ifname IA
	ns_ifname IB
	ns_track "$IA"
	ns_track "$IB"
	printf '%s\n' "$body" >"$T_TMP/$IA.conf"
	printf '%s\n' "$body" >"$T_TMP/$IB.conf"
	rm -f "$T_TMP/rc.debian" "$T_TMP/rc.ours"
	before_a=$(STATE_FIREWALL=rules state "$A" "$IA") before_b=$(STATE_FIREWALL=rules state "$B" "$IB")
	ip netns exec "$A" env PATH="$BASEPATH" RESOLVCONF_LOG="$T_TMP/rc.debian" "$@" \
		/usr/bin/wg-quick up "$T_TMP/$IA.conf" >"$T_TMP/out.debian" 2>&1 || ra=$?
	ip netns exec "$B" env PATH="$BASEPATH" RESOLVCONF_LOG="$T_TMP/rc.ours" "$@" \
		"$OURS" up "$T_TMP/$IB.conf" >"$T_TMP/out.ours" 2>&1 || rb=$?
	UP_RC_DEBIAN=$ra UP_RC_OURS=$rb
}

same_after_up() {
	eq "$UP_RC_DEBIAN" "$UP_RC_OURS" "exit status of up ($(cat "$T_TMP/out.ours"))"
	eq "$(state "$A" "$IA")" "$(state "$B" "$IB")" "state after up"
	# the [#] lines, in order (wireguard-go's banner aside)
	eq "$(grep -e '^\[' "$T_TMP/out.debian" | sed "s/$IA/IF/g")" \
	   "$(grep -e '^\[' "$T_TMP/out.ours" | sed "s/$IB/IF/g")" "[#] lines of up"
	if [ -f "$T_TMP/rc.debian" ] || [ -f "$T_TMP/rc.ours" ]; then
		eq "$(sed "s/$IA/IF/g" "$T_TMP/rc.debian")" "$(sed "s/$IB/IF/g" "$T_TMP/rc.ours")" "resolvconf calls"
	fi
}

down_both() {
	local ra=0 rb=0
	rm -f "$T_TMP/rc.debian" "$T_TMP/rc.ours"
	ip netns exec "$A" env PATH="$BASEPATH" RESOLVCONF_LOG="$T_TMP/rc.debian" "$@" \
		/usr/bin/wg-quick down "$T_TMP/$IA.conf" >"$T_TMP/out.debian" 2>&1 || ra=$?
	ip netns exec "$B" env PATH="$BASEPATH" RESOLVCONF_LOG="$T_TMP/rc.ours" "$@" \
		"$OURS" down "$T_TMP/$IB.conf" >"$T_TMP/out.ours" 2>&1 || rb=$?
	eq "$ra" "$rb" "exit status of down ($(cat "$T_TMP/out.ours"))"
	eq "$(grep -e '^\[' "$T_TMP/out.debian" | sed "s/$IA/IF/g")" \
	   "$(grep -e '^\[' "$T_TMP/out.ours" | sed "s/$IB/IF/g")" "[#] lines of down"
	eq "$(state "$A" "$IA")" "$(state "$B" "$IB")" "state after down"
	eq "$before_a" "$(STATE_FIREWALL=rules state "$A" "$IA")" "Debian's down: namespace as before"
	eq "$before_b" "$(STATE_FIREWALL=rules state "$B" "$IB")" "our down: namespace as before"
	if [ -f "$T_TMP/rc.debian" ] || [ -f "$T_TMP/rc.ours" ]; then
		eq "$(sed "s/$IA/IF/g" "$T_TMP/rc.debian")" "$(sed "s/$IB/IF/g" "$T_TMP/rc.ours")" "resolvconf calls of down"
	fi
}

peer() {	# peer ALLOWEDIPS [ENDPOINT]
	printf '\n[Peer]\nPublicKey = %s\nAllowedIPs = %s\n' "$(K | PUB)" "$1"
	if [ -n "${2:-}" ]; then printf 'Endpoint = %s\n' "$2"; fi
}

compare_config() {	# compare_config BODY [ENV...]
	up_both "$@"
	same_after_up
	down_both "${@:2}"
}

split_tunnel() {
	compare_config "[Interface]
PrivateKey = $(K)
ListenPort = 51820
Address = 10.44.0.1/24
Address = fd44::1/64, 10.45.0.1/32
$(peer "10.44.0.2/32, 10.50.0.0/16, fd50::/64" 192.0.2.1:51820)
$(peer "10.60.0.0/24, 10.60.1.0/24" "[2001:db8::1]:51820")"
}

full_tunnel() {
	compare_config "[Interface]
PrivateKey = $(K)
Address = 10.44.0.1/24, fd44::1/64
$(peer "0.0.0.0/0, ::/0" 192.0.2.1:51820)"
}

full_tunnel_iptables() {
	BASEPATH=$T_TMP/bin:$T_TMP/nonft compare_config "[Interface]
PrivateKey = $(K)
Address = 10.44.0.1/24, fd44::1/64
$(peer "0.0.0.0/0, ::/0" 192.0.2.1:51820)"
}

tables_and_mtu() {
	compare_config "[Interface]
PrivateKey = $(K)
Address = 10.44.0.1/24
MTU = 1380
Table = off
$(peer "10.50.0.0/16, 0.0.0.0/0")"
	compare_config "[Interface]
PrivateKey = $(K)
Address = 10.44.0.1/24
Table = 1234
$(peer "10.50.0.0/16, 0.0.0.0/0, ::/0")"
	compare_config "[Interface]
PrivateKey = $(K)
Address = 10.44.0.1/24
Table = main
MTU = 1280
$(peer "10.50.0.0/16")"
}

dns_and_hooks() {
	compare_config "[Interface]
PrivateKey = $(K)
Address = 10.44.0.1/24
DNS = 10.44.0.53, fd44::53, corp.example, lan
PreUp = echo pre-up %i >>$T_TMP/hooks.%i
PostUp = echo post-up %i >>$T_TMP/hooks.%i; ip link show %i >/dev/null
PreDown = echo pre-down %i >>$T_TMP/hooks.%i
PostDown = echo post-down %i >>$T_TMP/hooks.%i
$(peer "10.50.0.0/16")"
	eq "$(sed "s/$IA/IF/g" "$T_TMP/hooks.$IA")" "$(sed "s/$IB/IF/g" "$T_TMP/hooks.$IB")" "hooks ran alike"
	eq 4 "$(wc -l <"$T_TMP/hooks.$IB")" "our hooks"
}

save_and_strip() {
	local body
	body="[Interface]
PrivateKey = $(K)
ListenPort = 51821
Address = 10.44.0.1/24, fd44::1/64
MTU = 1400
Table = 4321
SaveConfig = true
PostUp = true %i
$(peer "10.50.0.0/16" 192.0.2.9:9)"
	up_both "$body"
	same_after_up
	# strip prints what setconf gets
	eq "$(ip netns exec "$A" /usr/bin/wg-quick strip "$T_TMP/$IA.conf")" \
	   "$(ip netns exec "$B" "$OURS" strip "$T_TMP/$IB.conf")" "strip"
	# a change at runtime, then down saves it (SaveConfig = true)
	ip netns exec "$A" wg set "$IA" listen-port 4000
	ip netns exec "$B" wg set "$IB" listen-port 4000
	ip -n "$A" addr add 10.46.0.1/24 dev "$IA"
	ip -n "$B" addr add 10.46.0.1/24 dev "$IB"
	down_both
	# (as upstream, the link-local address wireguard-go's tun got is saved too)
	eq "$(sed -e "s/$IA/IF/g" -e 's/fe80::[0-9a-f:]*/fe80::LL/' "$T_TMP/$IA.conf")" \
	   "$(sed -e "s/$IB/IF/g" -e 's/fe80::[0-9a-f:]*/fe80::LL/' "$T_TMP/$IB.conf")" "saved config"
	contains "$(cat "$T_TMP/$IB.conf")" "ListenPort = 4000"
	contains "$(cat "$T_TMP/$IB.conf")" "Address = 10.46.0.1/24"
	eq 600 "$(stat -c %a "$T_TMP/$IB.conf")" "mode of the saved file"
	ls "$T_TMP" | grep -q "^$IB\.conf\." && fail "temporary file left: $(ls "$T_TMP")"
	return 0
}

# A failure at a step of `up` undoes every earlier step: nothing is left.
rollback() {
	local body failing ns if out rc
	for failing in pre-up address mtu dns route post-up signal; do
		ns_new ns
		ns_ifname if
		ns_track "$if"
		body="[Interface]
PrivateKey = $(K)
Address = 10.44.0.1/24, fd44::1/64
$(peer "10.50.0.0/16, 0.0.0.0/0, ::/0" 192.0.2.1:51820)"
		case $failing in
		pre-up)  body+=$'\nPreUp = false' ;;
		address) body=${body/Address = 10.44.0.1\/24/Address = 10.44.0.1/24, 10.44.0.300/24} ;;
		mtu)     body+=$'\nMTU = lots' ;;
		dns)     body+=$'\nDNS = 10.0.0.53' ;;
		route)   body+=$'\nTable = no-such-table' ;;
		post-up) body+=$'\nPostUp = exit 3' ;;
		signal)  body+=$'\nPostUp = kill -TERM $PPID; sleep 5' ;;
		esac
		# the [Interface] additions go before the peer: rebuild in order
		printf '%s\n' "$body" | awk '/^\[Peer\]/ { p = 1 } p && /^(PreUp|MTU|DNS|Table|PostUp) =/ { extra = extra $0 "\n"; next }
			{ lines = lines $0 "\n" } END { sub(/\n\[Peer\]/, "\n" extra "[Peer]", lines); printf "%s", lines }' \
			>"$T_TMP/$if.conf"
		before=$(STATE_FIREWALL=rules state "$ns" "$if")
		rc=0
		out=$(ip netns exec "$ns" env PATH="$BASEPATH" RESOLVCONF_LOG="$T_TMP/rc.rb" RESOLVCONF_FAIL=1 \
			"$OURS" up "$T_TMP/$if.conf" 2>&1) || rc=$?
		[ "$rc" != 0 ] || fail "up did not fail at $failing: $out"
		# (wg-quick runs PreUp before it makes the link: then there is none to delete)
		if [ $failing != pre-up ]; then
			contains "$out" "[#] ip link delete dev $if" "output when failing at $failing"
		fi
		eq "$before" "$(STATE_FIREWALL=rules state "$ns" "$if")" "namespace after a failure at $failing"
		if ip -n "$ns" link show "$if" >/dev/null 2>&1; then fail "$if left after $failing"; fi
	done
}

existing_and_missing() {
	local ns if
	ns_new ns
	ns_ifname if
	ns_track "$if"
	printf '[Interface]\nPrivateKey = %s\n' "$(K)" >"$T_TMP/$if.conf"
	ip netns exec "$ns" "$OURS" up "$T_TMP/$if.conf" 2>/dev/null
	run ip netns exec "$ns" "$OURS" up "$T_TMP/$if.conf"
	rc_is 1
	eq "wg-quick: \`$if' already exists" "$ERR"
	ip netns exec "$ns" "$OURS" down "$T_TMP/$if.conf" 2>/dev/null
	run ip netns exec "$ns" "$OURS" down "$T_TMP/$if.conf"
	rc_is 1
	eq "wg-quick: \`$if' is not a WireGuard interface" "$ERR"
	run ip netns exec "$ns" "$OURS" up "$T_TMP/nosuch.conf"
	rc_is 1
	eq "wg-quick: \`$T_TMP/nosuch.conf' does not exist" "$ERR"
}

# the cases above, run against whichever backend the sourcing file set up
quick_cases() {
	t "split tunnel: same state and [#] lines as Debian's wg-quick; down restores" split_tunnel
	t "full tunnel v4+v6 (policy routing, nftables)" full_tunnel
	t "full tunnel v4+v6 without nft (iptables-restore)" full_tunnel_iptables
	t "Table = off / number / main, MTU" tables_and_mtu
	t "DNS through resolvconf, hooks with %i" dns_and_hooks
	t "SaveConfig on down, strip" save_and_strip
	t "a failure at each step of up leaves nothing behind" rollback
	t "already up, not up, no such config" existing_and_missing
}
