#!/usr/bin/env bash
# lsmod on a /proc/modules and /sys/module of our making (this machine's
# kernel may load no modules), against Debian's kmod lsmod reading the same
# files in a private mount namespace.  Real modules: tests/vm/awg-detect.guest.
. "$(dirname "$0")/../lib.sh"

P=$T_TMP/proc S=$T_TMP/sys
# mod NAME SIZE REFS HOLDERS...: a loaded module in both files
mod() {
	local name=$1 size=$2 refs=$3 h list=
	shift 3
	mkdir -p "$S/module/$name/holders"
	echo live >"$S/module/$name/initstate"
	echo "$refs" >"$S/module/$name/refcnt"
	echo "$size" >"$S/module/$name/coresize"
	for h; do
		mkdir -p "$S/module/$name/holders/$h"
		list="$list$h,"
	done
	echo "$name $size $refs ${list:--} Live 0x0000000000000000" >>"$P/modules"
}
mkdir -p "$P" "$S/module"
: >"$P/modules"
mod amneziawg 131072 0
mod wireguard 118784 2
mod a_module_name_longer_than_19 123456789 0
mod vxlan 155648 0
mod ip6_udp_tunnel 16384 2 wireguard vxlan amneziawg
mod udp_tunnel 36864 3 amneziawg vxlan wireguard
mod libchacha20poly1305 16384 1 wireguard

lsmod_ours() { AWG_PROC_ROOT=$P AWG_SYSFS_ROOT=$S "$BIN/lsmod"; }

same_as_kmod() {
	command -v lsmod >/dev/null || { echo "# no kmod lsmod"; return 0; }
	# kmod reads /proc/modules and /sys/module: give it ours
	local theirs
	theirs=$(unshare -m sh -c "mount -t tmpfs none /proc && cp '$P/modules' /proc/modules &&
		mount --bind '$S/module' /sys/module && exec lsmod") ||
		{ echo "# cannot make a mount namespace"; return 0; }
	eq "$theirs" "$(lsmod_ours)" "lsmod output"
}

# line NAME SIZE USE [HOLDERS]: a line as kmod prints it
line() { printf '%-19s %8s  %s%s\n' "$1" "$2" "$3" "${4:+ $4}"; }

format() {
	eq "Module                  Size  Used by
$(line amneziawg 131072 0)
$(line wireguard 118784 2)
$(line a_module_name_longer_than_19 123456789 0)" "$(lsmod_ours | head -n 4)"
	contains "$(lsmod_ours)" "a_module_name_longer_than_19 123456789  0"
	# holders in the order of the holders directory (as kmod reads them)
	eq "$(ls -U "$S/module/udp_tunnel/holders" | paste -sd, -)" \
	   "$(lsmod_ours | sed -n 's/^udp_tunnel  *36864  3 //p')" "udp_tunnel holders"
}

proc_only() {
	# no /sys/module: size, use count and holders from /proc/modules
	local out
	out=$(AWG_PROC_ROOT=$P AWG_SYSFS_ROOT=$T_TMP/nosys "$BIN/lsmod")
	contains "$out" "$(line ip6_udp_tunnel 16384 2 wireguard,vxlan,amneziawg)"
	contains "$out" "$(line vxlan 155648 0)"
	# sysfs wins where it has a value
	echo 40960 >"$S/module/vxlan/coresize"
	contains "$(lsmod_ours)" "$(line vxlan 40960 0)"
	echo 155648 >"$S/module/vxlan/coresize"
}

seed_check() {
	eq "$(line amneziawg 131072 0)
$(line wireguard 118784 2)
$(line ip6_udp_tunnel 16384 2 wireguard,vxlan,amneziawg)
$(line udp_tunnel 36864 3 amneziawg,vxlan,wireguard)
$(line libchacha20poly1305 16384 1 wireguard)" \
	   "$(AWG_PROC_ROOT=$P AWG_SYSFS_ROOT=$T_TMP/nosys "$BIN/lsmod" | grep -E 'amneziawg|wireguard')"
}

errors() {
	AWG_PROC_ROOT=$T_TMP/nosuch run "$BIN/lsmod"
	rc_is 1
	eq "lsmod: $T_TMP/nosuch/modules: No such file or directory" "$ERR"
	run "$BIN/lsmod" -x
	rc_is 1
	eq "Usage: lsmod" "$ERR"
	: >"$T_TMP/empty"
	mkdir -p "$T_TMP/p2"
	: >"$T_TMP/p2/modules"
	AWG_PROC_ROOT=$T_TMP/p2 run "$BIN/lsmod"
	rc_is 0
	eq "Module                  Size  Used by" "$OUT"
}

t "same output as kmod's lsmod for the same /proc and /sys" same_as_kmod
t "kmod's columns; long names and sizes; holders in directory order" format
t "without /sys/module: /proc/modules' columns" proc_only
t "the seed's check: lsmod | grep -E 'amneziawg|wireguard'" seed_check
t "no /proc/modules, bad usage, no modules" errors
