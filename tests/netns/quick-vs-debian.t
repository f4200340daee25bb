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

quick_cases
