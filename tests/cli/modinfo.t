#!/usr/bin/env bash
# modinfo against Debian's kmod modinfo on Debian's real modules: by name,
# alias and built-in name, as files (plain, xz, gz), every option.  kmod's
# signature fields (sig_id ... signature) are not printed by awgbox and are
# cut from kmod's output before comparing.
. "$(dirname "$0")/../lib.sh"
need_cmd modinfo
R=$(cd /lib/modules 2>/dev/null && ls -d 6.12.*-amd64 2>/dev/null | head -n 1)
[ -n "$R" ] || skip_all "needs Debian's linux-image-6.12 modules in /lib/modules"
KMODINFO=$(command -v modinfo)

no_signature() {
	awk '/^(sig_id|signer|sig_key|sig_hashalgo)[:=]/ {next} /^signature[:=]/ {s=1; next}
	     s && /^\t\t/ {next} {s=0; print}'
}
# same ARGS...: stdout, stderr and exit status equal kmod's
same() {
	local ours theirs
	ours=$( ("$BIN/modinfo" "$@" 2>"$T_TMP/e1"; echo "exit $?") | tr '\0' '\n')
	theirs=$( ("$KMODINFO" "$@" 2>"$T_TMP/e2"; echo "exit $?") | tr '\0' '\n' | no_signature)
	eq "$theirs" "$ours" "modinfo $* (stdout)"
	eq "$(cat "$T_TMP/e2")" "$(cat "$T_TMP/e1")" "modinfo $* (stderr)"
}

by_name() {
	local m
	# parm with and without description or type, softdep, firmware, the
	# wireguard family, a name with '-' and '_'
	for m in wireguard udp_tunnel ip6_udp_tunnel curve25519-x86_64 curve25519_x86_64 libchacha \
		 e1000 virtio_net wil6210 ext4 drm; do
		same -k "$R" "$m"
	done
}

builtin_and_alias() {
	# built in (modules.builtin.modinfo); an alias naming two modules;
	# aliases with * and [0-2] patterns; nothing at all
	same -k "$R" sha256_generic
	same -k "$R" zbud
	same -k "$R" crc32
	same -k "$R" net-pf-16-proto-16-family-wireguard
	same -k "$R" 'pci:v00008086d0000100Esv00001028sd00000002bc02sc00i00'
	same -k "$R" 'usb:v13FDp3940d0150dc00dsc00dp00ic08isc06ip50in00'
	same -k "$R" 'usb:v13FDp3940d0350dc00dsc00dp00ic08isc06ip50in00'
	same -k "$R" amneziawg
	same -k "$R" nosuchmodule
}

fields_and_options() {
	same -k "$R" -F vermagic wireguard
	same -k "$R" -F depends wireguard
	same -k "$R" -F alias wireguard
	same -k "$R" -F parm e1000
	same -k "$R" -F parmtype e1000
	same -k "$R" -F VERMAGIC wireguard
	same -k "$R" -F name sha256_generic
	same -k "$R" -F filename zbud
	same -k "$R" -F license zbud
	same -k "$R" -p virtio_net
	same -k "$R" -p wil6210
	same -k "$R" -n wireguard
	same -k "$R" -a wireguard
	same -k "$R" -d wireguard
	same -k "$R" -l wireguard
	same -k "$R" --field=vermagic wireguard
	same -k "$R" --field vermagic wireguard
	same --set-version="$R" --filename wireguard
	same -k "$R" -0 wireguard
	same -k "$R" -0 wil6210
	same -k "$R" -0 zbud
	same -k "$R" -0 -F alias wireguard
	same -k "$R" -0 -p e1000
	same -k "$R" wireguard nosuch udp_tunnel
}

module_files() {
	local d=$T_TMP/files
	mkdir -p "$d"
	xz -dc "/lib/modules/$R/kernel/drivers/net/wireguard/wireguard.ko.xz" >"$d/wireguard.ko"
	same "/lib/modules/$R/kernel/drivers/net/wireguard/wireguard.ko.xz"
	same "$d/wireguard.ko"
	(cd "$d" && same wireguard.ko && same ./wireguard.ko && same -F vermagic ./wireguard.ko)
	# not ELF, too short, ELF without .modinfo, truncated ELF
	echo "not a module" >"$d/junk.ko"
	same "$d/junk.ko"
	printf 'abc' >"$d/tiny.ko"
	same "$d/tiny.ko"
	echo 'int x;' >"$d/x.c"
	cc -c -o "$d/object.ko" "$d/x.c"
	same "$d/object.ko"
	head -c 200000 "$d/wireguard.ko" >"$d/trunc.ko"
	same "$d/trunc.ko"
	same -F vermagic "$d/wireguard.ko" "$d/junk.ko" nosuch "$d/wireguard.ko"
	same "$d/nosuch.ko"
	same "$d"
	# kmod here is built without zlib: compare .ko.gz with kmod on the .ko
	gzip -k "$d/wireguard.ko"
	eq "$("$KMODINFO" "$d/wireguard.ko" | no_signature | sed 's|wireguard.ko$|wireguard.ko.gz|')" \
	   "$("$BIN/modinfo" "$d/wireguard.ko.gz")" "modinfo of .ko.gz"
}

basedir() {
	local b=$T_TMP/base m=/lib/modules/$R f
	mkdir -p "$b$m/kernel"
	cp "$m"/modules.dep "$m"/modules.alias "$m"/modules.builtin "$m"/modules.builtin.modinfo "$b$m/"
	cp "$m"/modules.*.bin "$b$m/" 2>/dev/null
	for f in $(sed -n 's|^\(kernel/drivers/net/wireguard/wireguard.ko.xz\):\(.*\)|\1 \2|p' "$m/modules.dep"); do
		mkdir -p "$(dirname "$b$m/$f")"
		cp "$m/$f" "$b$m/$f"
	done
	same -b "$b" -k "$R" wireguard
	same --basedir="$b" -k "$R" -n wireguard
	same -b "$b" -k "$R" udp_tunnel
	same -b "$b" -k "$R" zbud
}

many_modules() {
	# every 40th module of modules.dep
	local m n=0
	for m in $(awk -F: 'NR % 40 == 0 { print $1 }' "/lib/modules/$R/modules.dep"); do
		m=${m##*/}
		same -k "$R" "${m%%.*}"
		n=$((n + 1))
	done
	[ $n -gt 50 ] || fail "only $n modules compared"
}

usage() {
	run "$BIN/modinfo"
	rc_is 1
	eq "modinfo: ERROR: missing module or filename." "$ERR"
	run "$BIN/modinfo" --nosuch wireguard
	rc_is 1
	run "$BIN/modinfo" --help
	rc_is 0
	contains "$OUT" "Usage: modinfo [-0] [-F FIELD|-n|-a|-d|-l|-p]"
}

t "by name: same as kmod" by_name
t "built-in modules and aliases (with * and [..] patterns): same as kmod" builtin_and_alias
t "-F -n -a -d -l -p -0 and long options: same as kmod" fields_and_options
t "module files (plain, xz, gz, relative, not a module, missing): same as kmod" module_files
t "-b BASEDIR: same as kmod" basedir
t "every 40th of Debian's modules: same as kmod" many_modules
t "usage errors" usage
