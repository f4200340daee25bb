#!/usr/bin/env bash
# timeout: 300
# Run by scripts/vm/check-amneziawg in the VM (not by tests/run: it needs a
# real amneziawg.ko and upstream's awg, which are not built here): our awg
# against upstream awg 3.1 on the AmneziaWG kernel module.
. "$(dirname "$0")/../vm/lib.sh"
M=$TOP/build/vm-amneziawg
UP=$M/awg
AWG=$BIN/awg
umask 077
vm_modload wireguard >/dev/null
insmod "$M/amneziawg.ko" || echo "not ok insmod"
K() { "$AWG" genkey; }
PUB() { "$AWG" pubkey; }
printf '%s\n' "$(K)" > /tmp/hpk
conf() {
cat <<EOC
[Interface]
PrivateKey = $(K)
ListenPort = 51820
Jc = 5
Jmin = 40
Jmax = 70
S1 = 15
S2 = 18
S3 = 20
S4 = 25
H1 = 123456-123500
H2 = 67543-67550
H3 = 123123-123200
H4 = 32345-32350
I1 = <b 0xf6ab3267fa><c><b 0xf6ab><t><r 10>
I2 = <rc 8> <rd 4>
I5 = <b 0x01>
HeaderProtectionKey = $(K)
ContentPaddingAddition = 0-40
RekeyAfterTime = 110-130
RekeyTimeout = 5
RejectAfterTime = 180
KeepaliveTimeout = 10-12
MaxHandshakeAttempts = 18

[Peer]
PublicKey = $(K | PUB)
PresharedKey = $("$AWG" genpsk)
AllowedIPs = 10.0.0.2/32, fd00::2/128
Endpoint = 192.0.2.1:51820
PersistentKeepalive = 20-30

[Peer]
PublicKey = $(K | PUB)
AllowedIPs = 10.0.1.0/24
EOC
}
conf > /tmp/a.conf
# (i3, i4: unset here; upstream prints NULL through printf, which is undefined)
FIELDS="public-key private-key listen-port fwmark peers preshared-keys endpoints allowed-ips latest-handshakes transfer persistent-keepalive dump jc jmin jmax s1 s2 s3 s4 h1 h2 h3 h4 i1 i2 i5 content-padding-addition rekey-after-time rekey-timeout reject-after-time keepalive-timeout random-trailers disable-cookies"
same() {
	local f
	for f in $FIELDS; do eq "$("$UP" show "$1" "$f" 2>&1)" "$("$AWG" show "$1" "$f" 2>&1)" "show $f"; done
	eq "$("$UP" showconf "$1")" "$("$AWG" showconf "$1")" "showconf"
	eq "$(WG_HIDE_KEYS=never "$UP" show "$1")" "$(WG_HIDE_KEYS=never "$AWG" show "$1")" "show"
	eq "$("$UP" show all dump)" "$("$AWG" show all dump)" "show all dump"
}
ours_set() {
	ip link add awg0 type amneziawg
	"$AWG" setconf awg0 /tmp/a.conf
	same awg0
	"$AWG" showconf awg0 > /tmp/back.conf
	# what we set comes back, in showconf's order (the kernel also reports
	# AdvancedSecurity = off for every peer)
	eq "$(grep -v "^AdvancedSecurity" /tmp/back.conf | grep -v "^$" | sort)" "$(grep -v "^$" /tmp/a.conf | sort)" "round trip"
}
upstream_set() {
	ip link add awg1 type amneziawg
	"$UP" setconf awg1 /tmp/a.conf
	same awg1
	eq "$("$UP" showconf awg0 | grep -v Key)" "$("$UP" showconf awg1 | grep -v Key)" "upstream's reading of ours vs its own"
}
set_args() {
	"$AWG" set awg0 jc 7 h1 1000-2000 i3 "<t><r 5>" rekey-timeout 3-4 peer "$(K | PUB)" persistent-keepalive 9-11 advanced-security on
	same awg0
	run "$AWG" set awg0 h2 1500
	rc_is 1
	contains "$ERR" "Invalid argument"
	# a kernel without 3.1's switches: "on" is refused, before anything is sent
	run "$AWG" set awg0 random-trailers on
	rc_is 1
	contains "$ERR" "RandomTrailers"
}
many() {
	ip link add awg2 type amneziawg
	{ conf | sed -n '1,/^$/p'; for i in $(seq 2000); do printf '[Peer]\nPublicKey = %s\nAllowedIPs = 10.%d.%d.0/24, fd00::%x/128\n' "$(K | PUB)" $((i/256)) $((i%256)) $i; done; } > /tmp/big.conf
	"$AWG" setconf awg2 /tmp/big.conf
	eq "$("$UP" show awg2 dump)" "$("$AWG" show awg2 dump)" "2000-peer dump"
	eq 2000 "$("$AWG" show awg2 peers | wc -l)" "peers"
}
t "ours setconf with AWG 2.0/3.x params: upstream reads the same, round trip" ours_set
t "upstream setconf: ours reads the same" upstream_set
t "set arguments, kernel errors" set_args
t "2000 peers on amneziawg" many
