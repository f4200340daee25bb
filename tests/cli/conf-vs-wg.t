#!/usr/bin/env bash
# Config acceptance against Debian's wg: for each config, our wg accepts it
# exactly when Debian's wg does, and our error carries Debian's message.
# (No device is touched: both tools parse the whole file before they look for
# the interface, which does not exist.)
. "$(dirname "$0")/../lib.sh"
[ -x /usr/bin/wg ] || skip_all "Debian's wg (wireguard-tools) is not installed"

K1=yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=
K2=xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=
export WG_ENDPOINT_RESOLUTION_RETRIES=0
IF=awgboxnx$$

theirs() { (exec -a wg /usr/bin/wg "$@"); }
ours() { (exec -a wg "$BIN/wg" "$@"); }

# same_verdict CONFIG-TEXT
same_verdict() {
	local f=$T_TMP/c.conf e1 e2 r1=0 r2=0 first
	printf '%b' "$1" >"$f"
	theirs setconf "$IF" "$f" 2>"$T_TMP/e1" >/dev/null || r1=$?
	ours setconf "$IF" "$f" 2>"$T_TMP/e2" >/dev/null || r2=$?
	e1=$(cat "$T_TMP/e1") e2=$(cat "$T_TMP/e2")
	[ $r1 != 0 ] || fail "Debian wg set a nonexistent interface?"
	[ $r2 != 0 ] || fail "our wg set a nonexistent interface? ($1)"
	case $e1 in
	*"Configuration parsing error"*|*"Invalid configuration"*)
		first=$(printf '%s\n' "$e1" | head -n 1)
		contains "$e2" "$first" "our error for config '$1'"
		case $e2 in *"Unable to modify interface"*) fail "we accepted '$1' (Debian: $first)";; esac
		;;
	*)
		case $e2 in
		*"Unable to modify interface"*) ;;
		*) fail "Debian accepts '$1', we said: $e2" ;;
		esac
		;;
	esac
}

check_all() {
	local c
	while IFS= read -r c; do
		[ -n "$c" ] || continue
		same_verdict "$c"
	done
}

interface_lines() {
	check_all <<EOF2
[Interface]\nPrivateKey = $K1
[Interface]\nPrivateKey = ${K1%=}
[Interface]\nPrivateKey = ${K1}x
[Interface]\nPrivateKey=
[Interface]\nPrivate Key = $K1
PrivateKey = $K1
[interface]\nprivatekey = $K1 # comment
[Interface]\nListenPort = 51820
[Interface]\nListenPort = 0
[Interface]\nListenPort = 65535
[Interface]\nListenPort = -1
[Interface]\nListenPort = 0x10
[Interface]\nListenPort = 5a
[Interface]\nFwMark = off
[Interface]\nFwMark = OFF
[Interface]\nFwMark = 0
[Interface]\nFwMark = 0x0
[Interface]\nFwMark = 0xffffffff
[Interface]\nFwMark = 0x100000000
[Interface]\nFwMark = 4294967295
[Interface]\nFwMark = 4294967296
[Interface]\nFwMark = 0X10
[Interface]\nFwMark = 0x
[Interface]\nFwMark = -5
[Interface]\nFwMark = +5
[Interface]\nFwMark = 1e3
[Interface]\nJc = 4
[Interface]\nBogus = 1
[Interface]\n[Bogus]
[Interface]\n[Peer]x
EOF2
}

peer_lines() {
	check_all <<EOF2
[Peer]
[Peer]\nAllowedIPs = 10.0.0.1
[Peer]\nPublicKey = $K2
[Peer]\nPublicKey = $K2\nAllowedIPs = 10.0.0.1/32, fd00::1/128
[Peer]\nPublicKey = $K2\nAllowedIPs = 10.0.0.1/33
[Peer]\nPublicKey = $K2\nAllowedIPs = 10.0.0.1/032
[Peer]\nPublicKey = $K2\nAllowedIPs = 10.0.0.1/033
[Peer]\nPublicKey = $K2\nAllowedIPs = 10.0.0.1/
[Peer]\nPublicKey = $K2\nAllowedIPs = 10.0.0.1/-1
[Peer]\nPublicKey = $K2\nAllowedIPs = 10.0.0.1/+1
[Peer]\nPublicKey = $K2\nAllowedIPs = 10.0.0
[Peer]\nPublicKey = $K2\nAllowedIPs = 10.0.0.1.5
[Peer]\nPublicKey = $K2\nAllowedIPs = 010.0.0.1
[Peer]\nPublicKey = $K2\nAllowedIPs = 10.0.0.256
[Peer]\nPublicKey = $K2\nAllowedIPs = 0x0a.0.0.1
[Peer]\nPublicKey = $K2\nAllowedIPs = ::ffff:10.0.0.1/128
[Peer]\nPublicKey = $K2\nAllowedIPs = ::10.0.0.1
[Peer]\nPublicKey = $K2\nAllowedIPs = fe80::1%1
[Peer]\nPublicKey = $K2\nAllowedIPs = fd00::1::2
[Peer]\nPublicKey = $K2\nAllowedIPs = fd00:0:0:0:0:0:0:0:1
[Peer]\nPublicKey = $K2\nAllowedIPs = 1:2:3:4:5:6:7:8
[Peer]\nPublicKey = $K2\nAllowedIPs = 12345::1
[Peer]\nPublicKey = $K2\nAllowedIPs = ,
[Peer]\nPublicKey = $K2\nAllowedIPs = 10.0.0.1,,10.0.0.2
[Peer]\nPublicKey = $K2\nAllowedIPs = fd00::/129
[Peer]\nPublicKey = $K2\nEndpoint = 192.0.2.1:51820
[Peer]\nPublicKey = $K2\nEndpoint = 127.1:51820
[Peer]\nPublicKey = $K2\nEndpoint = [fd00::1]:51820
[Peer]\nPublicKey = $K2\nEndpoint = [fd00::1]51820
[Peer]\nPublicKey = $K2\nEndpoint = [fd00::1
[Peer]\nPublicKey = $K2\nEndpoint = 192.0.2.1
[Peer]\nPublicKey = $K2\nEndpoint = 192.0.2.1:
[Peer]\nPublicKey = $K2\nEndpoint = 192.0.2.1:0
[Peer]\nPublicKey = $K2\nEndpoint = fd00::1:51820
[Peer]\nPublicKey = $K2\nPersistentKeepalive = 25
[Peer]\nPublicKey = $K2\nPersistentKeepalive = off
[Peer]\nPublicKey = $K2\nPersistentKeepalive = 0
[Peer]\nPublicKey = $K2\nPersistentKeepalive = 65535
[Peer]\nPublicKey = $K2\nPersistentKeepalive = 65536
[Peer]\nPublicKey = $K2\nPersistentKeepalive = -1
[Peer]\nPublicKey = $K2\nPersistentKeepalive = 5-10
[Peer]\nPublicKey = $K2\nPresharedKey = $K1
[Peer]\nPublicKey = $K2\nPresharedKey = abc
[Peer]\nPublicKey = $K2\nListenPort = 5
EOF2
}

# Debian's glibc-built wg wraps ports above 65535 (65536 is "any port");
# we refuse them, as the musl-built tools do.
ports_above_65535() {
	local f=$T_TMP/p.conf
	printf '[Interface]\nListenPort = 65536\n' >"$f"
	run ours setconf "$IF" "$f"
	rc_is 1
	contains "$ERR" "ListenPort: Port is neither a number 0-65535 nor a service name: \`65536'"
	printf '[Peer]\nPublicKey = %s\nEndpoint = 192.0.2.1:70000\n' "$K2" >"$f"
	run ours setconf "$IF" "$f"
	rc_is 1
	contains "$ERR" "Endpoint: Port is neither a number 0-65535 nor a service name: \`192.0.2.1:70000'"
	run ours set "$IF" listen-port 99999
	rc_is 1
	eq "Port is neither a number 0-65535 nor a service name: \`99999'" "$ERR"
}

t "interface keys: accepted and refused as Debian's wg" interface_lines
t "ports above 65535 are refused" ports_above_65535
t "peer keys: accepted and refused as Debian's wg" peer_lines
