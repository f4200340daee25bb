#!/usr/bin/env bash
# bash completion of interfaces and peers (scripts/completion/awgbox.bash)
# with a real device: Debian's wireguard-go in a namespace of our own.
# /var/run/wireguard is shared, so devices of others may be offered too:
# each candidate must be one `awg show interfaces` lists.
# timeout: 120
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/completion.sh"

# offers LINE WORD: WORD is a candidate; every candidate is WORD, one of
# KEYWORDS or an interface `awg show interfaces` lists
offers() {
	local line=$1 want=$2 got ifs c
	shift 2
	got=$(completions "$line")
	ifs=$(ns_exec "$NS" "$BIN/awg" show interfaces | tr ' ' '\n')
	grep -qx -- "$want" <<<"$got" || { echo "'$line': $want not offered:"; echo "$got"; return 1; }
	for c in $got; do
		grep -qx -- "$c" <<<"$ifs" && continue
		case " $* " in *" $c "*) continue ;; esac
		echo "'$line': $c is neither an interface nor a keyword"; return 1
	done
}

interfaces_and_peers() {
	local key pub
	ns_new NS
	ns_ifname IF
	ns_wggo "$NS" "$IF"
	key=$(wg genkey)
	pub=$(wg genkey | wg pubkey)
	ns_exec "$NS" wg set "$IF" private-key <(echo "$key") peer "$pub" allowed-ips 10.99.0.2/32
	COMPLETION_IN=(ip netns exec "$NS")
	offers 'awg show ' "$IF" all interfaces
	offers 'wg show ' "$IF" all interfaces
	offers "awg show ${IF:0:4}" "$IF"
	offers 'awg showconf ' "$IF"
	offers 'wg setconf ' "$IF"
	offers 'awg set ' "$IF"
	offers 'wg-quick down ' "$IF"
	offers 'awg-quick save ' "$IF"
	offers 'awgbox wg show ' "$IF" all interfaces
	completes "wg set $IF peer " "$pub"
	completes "awg set $IF listen-port 1 peer " "$pub"
	completes "wg set $IF peer ${pub:0:3}" "$pub"
}

t "interfaces for show/showconf/set/setconf and down/save; a device's peers after 'peer'" interfaces_and_peers
