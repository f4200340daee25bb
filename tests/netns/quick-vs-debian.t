#!/usr/bin/env bash
# timeout: 900
# Our wg-quick against Debian's bash wg-quick, each in its own namespace with
# the same config (the host kernel has no WireGuard, so both fall back to
# Debian's wireguard-go): after `up` the addresses, routes, rules, nftables or
# iptables rules, link and device are the same, and so are the "[#]" lines;
# `down` leaves each namespace as it was; save/strip agree; a failure at any
# step of `up` leaves nothing behind.
. "$(dirname "$0")/lib.sh"
need_cmd nft iptables-restore
. "$TOP/tests/quick-cases.sh"

t "split tunnel: same state and [#] lines as Debian's wg-quick; down restores" split_tunnel
t "full tunnel v4+v6 (policy routing, nftables)" full_tunnel
t "full tunnel v4+v6 without nft (iptables-restore)" full_tunnel_iptables
t "Table = off / number / main, MTU" tables_and_mtu
t "DNS through resolvconf, hooks with %i" dns_and_hooks
t "SaveConfig on down, strip" save_and_strip
t "a failure at each step of up leaves nothing behind" rollback
t "already up, not up, no such config" existing_and_missing
