#!/usr/bin/env bash
# awg-detect without loading into this machine's kernel: the decision table
# on real files (Debian's wireguard.ko.xz standing in for amneziawg.ko, a
# vermagic-patched copy, version files), userspace fallback, eval-safe and
# JSON output, exit codes, the log.  Real module loading is in the VM tier
# (tests/vm/awg-detect.guest).  LeakSanitizer cannot run under strace: it is
# off there.
. "$(dirname "$0")/../lib.sh"

R=$(cd /lib/modules 2>/dev/null && ls -d 6.12.*-amd64 2>/dev/null | head -n 1)
[ -n "$R" ] || skip_all "needs Debian's linux-image-6.12 modules in /lib/modules"
WG=/lib/modules/$R/kernel/drivers/net/wireguard/wireguard.ko.xz
[ -f "$WG" ] || skip_all "no $WG"

# userspace implementations in a PATH of our own (awg-detect only looks
# them up); a sysfs without modules; version files
U=$T_TMP/bin
mkdir -p "$U" "$T_TMP/sys/module" "$T_TMP/empty"
ln -s "$(command -v wireguard-go || echo /bin/true)" "$U/wireguard-go"
ln -s "$(command -v wireguard-go || echo /bin/true)" "$U/amneziawg-go"
echo "$R" >"$T_TMP/version-match"
printf '  6.12.50-0-lts \n\n' >"$T_TMP/version-other"
# the module with another kernel release in its vermagic, plain, xz and gzip
xz -dc "$WG" | sed 's/vermagic=6\.[0-9]*\./vermagic=6.99./' >"$T_TMP/badmagic.ko"
xz -c "$T_TMP/badmagic.ko" >"$T_TMP/badmagic.ko.xz"
gzip -c "$T_TMP/badmagic.ko" >"$T_TMP/badmagic.ko.gz"
xz -dc "$WG" | gzip -c >"$T_TMP/wireguard.ko.gz"

# the whole output for standard WireGuard with the kernel module loadable
WG_KERNEL_LOADABLE="AWG_MODE=wg
AWG_IMPL=kernel
AWG_REASON=kernel-loadable
OVERRIDE_AUTO_AWG=wg
AWG_TOOL=wg
AWG_QUICK=wg-quick"

# detect [VAR=value...] -- ARGS...: awg-detect in a clean environment
detect() {
	local envs=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	run env -i PATH="$U" AWG_SYSFS_ROOT="$T_TMP/sys" AWG_KERNEL_RELEASE="$R" \
		AWG_TUN=/dev/null "${envs[@]}" "$BIN/awg-detect" "$@"
}
# result MODE IMPL REASON: what eval "$OUT" gives
result() {
	local AWG_MODE= AWG_IMPL= AWG_REASON=
	eval "$OUT"
	eq "$1 $2 $3" "$AWG_MODE $AWG_IMPL $AWG_REASON" "AWG_MODE AWG_IMPL AWG_REASON"
}
log_names_amneziawg() {
	[ -n "$ERR" ] || fail "no log"
	if printf '%s\n' "$ERR" | grep -v -i amnezia | grep -q .; then
		fail "log lines without AmneziaWG: $(printf '%s\n' "$ERR" | grep -v -i amnezia)"
	fi
}

standard_wireguard_by_default() {
	detect -- --no-load
	rc_is 0
	eq "$WG_KERNEL_LOADABLE" "$OUT" stdout
	contains "$ERR" "off (EXPERIMENTAL_AWG unset, not true): standard WireGuard"
	contains "$ERR" "wireguard module: not loaded, in modules.dep"
	log_names_amneziawg
}

experimental_must_be_exactly_true() {
	local v
	for v in TRUE True 1 yes on "true " false ""; do
		detect EXPERIMENTAL_AWG="$v" OVERRIDE_AUTO_AWG=awg -- --no-load
		rc_is 0
		result wg kernel kernel-loadable
	done
	contains "$ERR" "OVERRIDE_AUTO_AWG=awg ignored"
}

standard_wireguard_userspace_when_no_module() {
	detect -- --no-load --modules-root "$T_TMP/empty"
	rc_is 0
	result wg userspace no-module
	contains "$OUT" "WG_QUICK_USERSPACE_IMPLEMENTATION=$U/wireguard-go"
	detect EXPERIMENTAL_AWG=true OVERRIDE_AUTO_AWG=wg AWG_MODULES_ROOT="$T_TMP/empty" -- -n
	rc_is 0
	result wg userspace no-module
}

auto_matching_kernel_and_vermagic() {
	# the vermagic is read from the xz-compressed file
	detect EXPERIMENTAL_AWG=true -- --no-load --module "$WG" --version-file "$T_TMP/version-match"
	rc_is 0
	result awg kernel kernel-loadable
	contains "$OUT" "OVERRIDE_AUTO_AWG=awg"
	contains "$ERR" "kernel $R matches the prebuilt module"
	contains "$ERR" "$WG: wireguard module built for kernel $R"
	log_names_amneziawg
	# gzip, and the environment instead of flags
	detect EXPERIMENTAL_AWG=true AWG_MODULE="$T_TMP/wireguard.ko.gz" AWG_VERSION_FILE="$T_TMP/version-match" -- -n
	rc_is 0
	result awg kernel kernel-loadable
}

auto_version_mismatch_is_userspace() {
	detect EXPERIMENTAL_AWG=true -- --no-load --module "$WG" --version-file "$T_TMP/version-other"
	rc_is 0
	result awg userspace version-mismatch
	contains "$OUT" "WG_QUICK_USERSPACE_IMPLEMENTATION=$U/amneziawg-go"
	# trimmed, quoted in the log; the module is not even read
	contains "$ERR" "kernel $R does not match the prebuilt module's 6.12.50-0-lts"
	case $ERR in *"$WG"*) fail "module read despite the mismatch: $ERR" ;; esac
	log_names_amneziawg
}

auto_without_version_file_is_userspace() {
	detect EXPERIMENTAL_AWG=true -- -n --module "$WG" --version-file "$T_TMP/nosuch"
	rc_is 0
	result awg userspace no-version-file
	contains "$ERR" "$T_TMP/nosuch: No such file or directory"
}

auto_missing_or_bad_module_is_userspace() {
	detect EXPERIMENTAL_AWG=true -- -n --module "$T_TMP/nosuch.ko" --version-file "$T_TMP/version-match"
	rc_is 0
	result awg userspace no-module
	echo "not a module" >"$T_TMP/text.ko"
	detect EXPERIMENTAL_AWG=true -- -n --module "$T_TMP/text.ko" --version-file "$T_TMP/version-match"
	rc_is 0
	result awg userspace bad-module
	contains "$ERR" "not a kernel module for this machine"
	# the module searched for in the modules root: none there
	detect EXPERIMENTAL_AWG=true -- -n --modules-root "$T_TMP/empty" --version-file "$T_TMP/version-match"
	result awg userspace no-module
	contains "$ERR" "no amneziawg module file in $T_TMP/empty"
}

module_found_in_the_modules_root() {
	local root=$T_TMP/root
	mkdir -p "$root/$R/extra" "$root/6.12.50-0-lts/kernel/net" "$root/flat"
	# /lib/modules/PREBUILT/...
	cp "$WG" "$root/6.12.50-0-lts/kernel/net/amneziawg.ko.xz"
	detect EXPERIMENTAL_AWG=true OVERRIDE_AUTO_AWG=awg -- -n --modules-root "$root" \
		--version-file "$T_TMP/version-other"
	result awg kernel kernel-loadable
	contains "$ERR" "$root/6.12.50-0-lts/kernel/net/amneziawg.ko.xz: wireguard module built for kernel $R"
	# /lib/modules/amneziawg.ko comes first
	cp "$T_TMP/badmagic.ko" "$root/amneziawg.ko"
	detect EXPERIMENTAL_AWG=true OVERRIDE_AUTO_AWG=awg -- -n --modules-root "$root" \
		--version-file "$T_TMP/version-other"
	result awg userspace vermagic-mismatch
	contains "$ERR" "$root/amneziawg.ko: wireguard module built for another kernel"
	# /lib/modules/RELEASE/extra
	rm "$root/amneziawg.ko" "$root/6.12.50-0-lts/kernel/net/amneziawg.ko.xz"
	cp "$WG" "$root/$R/extra/amneziawg.ko.xz"
	detect EXPERIMENTAL_AWG=true OVERRIDE_AUTO_AWG=awg -- -n --modules-root "$root" \
		--version-file "$T_TMP/version-match"
	result awg kernel kernel-loadable
	contains "$ERR" "$root/$R/extra/amneziawg.ko.xz"
}

patched_vermagic_refused_before_the_syscall() {
	local f
	for f in badmagic.ko badmagic.ko.xz badmagic.ko.gz; do
		# not --no-load: the module would be loaded if it matched
		if command -v strace >/dev/null; then
			run env -i PATH="$U" AWG_SYSFS_ROOT="$T_TMP/sys" AWG_KERNEL_RELEASE="$R" AWG_TUN=/dev/null \
				ASAN_OPTIONS=detect_leaks=0 EXPERIMENTAL_AWG=true "$(command -v strace)" -f -qq -o "$T_TMP/strace" -e trace=finit_module,init_module \
				"$BIN/awg-detect" --module "$T_TMP/$f" --version-file "$T_TMP/version-match"
			[ -f "$T_TMP/strace" ] || fail "strace wrote nothing"
			if grep -q init_module "$T_TMP/strace"; then fail "$f: module syscall made: $(cat "$T_TMP/strace")"; fi
		else
			detect EXPERIMENTAL_AWG=true -- --module "$T_TMP/$f" --version-file "$T_TMP/version-match"
		fi
		rc_is 0
		result awg userspace vermagic-mismatch
		contains "$ERR" "(vermagic 6.99.${R#6.12.} SMP"
		contains "$ERR" "not $R: not loading it"
	done
	# forcing AmneziaWG does not bypass it
	detect EXPERIMENTAL_AWG=true OVERRIDE_AUTO_AWG=awg -- --module "$T_TMP/badmagic.ko" --version-file "$T_TMP/version-match"
	result awg userspace vermagic-mismatch
}

matching_module_is_loaded_with_dependencies_first() {
	need_syscall_check || return 0
	local sys=$T_TMP/sys-xz c
	mkdir -p "$sys/module"
	echo xz >"$sys/module/compression"
	# without CAP_SYS_MODULE the kernel refuses (EPERM) at the first
	# dependency; nothing is loaded into this machine's kernel.  With
	# /sys/module/compression saying xz the file goes to the kernel as is,
	# without it awgbox decompresses it for init_module.
	for c in "$sys:^[0-9]+ +finit_module\([0-9]+, \"\", MODULE_INIT_COMPRESSED_FILE\)" "$T_TMP/sys:^[0-9]+ +init_module\(0x"; do
		run env -i PATH="$U" AWG_SYSFS_ROOT="${c%%:*}" AWG_KERNEL_RELEASE="$R" AWG_TUN=/dev/null \
			ASAN_OPTIONS=detect_leaks=0 EXPERIMENTAL_AWG=true "$(command -v strace)" -f -qq -o "$T_TMP/strace" \
			-e trace=finit_module,init_module "$(command -v capsh)" --shell=/bin/sh --drop=cap_sys_module -- -c \
			"exec '$BIN/awg-detect' --module '$WG' --version-file '$T_TMP/version-match'"
		rc_is 0
		grep -Eq "${c#*:}" "$T_TMP/strace" || fail "no ${c#*:} in: $(cat "$T_TMP/strace")"
		contains "$ERR" "cannot load libchacha from /lib/modules/$R/kernel/lib/crypto/libchacha.ko.xz"
		if [ -e /proc/modules ]; then
			result awg userspace no-cap-sys-module
			contains "$ERR" "CAP_SYS_MODULE missing"
		else
			# a kernel without module support says ENOSYS before any check
			result awg userspace load-failed
			contains "$ERR" "this kernel cannot load modules"
		fi
		log_names_amneziawg
	done
}
need_syscall_check() {
	command -v strace >/dev/null && command -v capsh >/dev/null && return 0
	echo "needs strace and capsh"; return 1
}

forced_awg_ignores_the_version_file() {
	detect EXPERIMENTAL_AWG=true OVERRIDE_AUTO_AWG=awg -- -n --module "$WG" --version-file "$T_TMP/version-other"
	rc_is 0
	result awg kernel kernel-loadable
	contains "$ERR" "forced by OVERRIDE_AUTO_AWG=awg"
	contains "$ERR" ": trying the module anyway"
	detect EXPERIMENTAL_AWG=true OVERRIDE_AUTO_AWG=awg -- -n --module "$WG" --version-file "$T_TMP/nosuch"
	result awg kernel kernel-loadable
}

forced_wg_uses_the_wireguard_tools() {
	detect EXPERIMENTAL_AWG=true OVERRIDE_AUTO_AWG=wg -- -n --module "$WG" --version-file "$T_TMP/version-match"
	rc_is 0
	eq "$WG_KERNEL_LOADABLE" "$OUT" stdout
	contains "$ERR" "OVERRIDE_AUTO_AWG=wg: standard WireGuard"
}

bad_override_is_a_usage_error() {
	local v
	for v in AWG Wg foo "awg " kernel "x'y"; do
		detect EXPERIMENTAL_AWG=true OVERRIDE_AUTO_AWG="$v" -- -q --module "$WG"
		rc_is 2
		eq "" "$OUT" stdout
		eq "awg-detect: AmneziaWG: OVERRIDE_AUTO_AWG=$v is invalid: use awg, wg, or leave it unset" "$ERR" stderr
	done
	# a newline cannot forge a second log line
	detect EXPERIMENTAL_AWG=true OVERRIDE_AUTO_AWG=$'awg\nawg-detect: forged' -- -q
	rc_is 2
	eq 1 "$(printf '%s\n' "$ERR" | wc -l)" "stderr lines"
	# empty is unset
	detect EXPERIMENTAL_AWG=true OVERRIDE_AUTO_AWG= -- -n --module "$WG" --version-file "$T_TMP/version-match"
	rc_is 0
	result awg kernel kernel-loadable
}

nothing_usable_exits_1() {
	detect EXPERIMENTAL_AWG=true PATH="$T_TMP/empty" -- -n --module "$WG" --version-file "$T_TMP/version-other"
	rc_is 1
	result awg none no-userspace
	contains "$ERR" "userspace amneziawg-go not found in PATH"
	contains "$ERR" "no usable AmneziaWG"
	case $OUT in *WG_QUICK_USERSPACE_IMPLEMENTATION*) fail "userspace printed: $OUT" ;; esac
	# even quiet says why
	detect EXPERIMENTAL_AWG=true PATH="$T_TMP/empty" -- -q -n --module "$WG" --version-file "$T_TMP/version-other"
	rc_is 1
	contains "$ERR" "no usable AmneziaWG"
	eq 1 "$(printf '%s\n' "$ERR" | wc -l)" "stderr lines with -q"
	# a TUN device that does not open
	detect -- -n --modules-root "$T_TMP/empty" --tun "$T_TMP/nosuch-tun"
	rc_is 1
	result wg none no-tun
	contains "$ERR" "$T_TMP/nosuch-tun unusable for userspace: No such file or directory"
}

userspace_from_the_environment() {
	detect WG_QUICK_USERSPACE_IMPLEMENTATION=wireguard-go EXPERIMENTAL_AWG=true -- -n --version-file "$T_TMP/version-other"
	result awg userspace version-mismatch
	contains "$OUT" "WG_QUICK_USERSPACE_IMPLEMENTATION=$U/wireguard-go"
	detect WG_QUICK_USERSPACE_IMPLEMENTATION="$U/amneziawg-go" -- -n --modules-root "$T_TMP/empty"
	contains "$OUT" "WG_QUICK_USERSPACE_IMPLEMENTATION=$U/amneziawg-go"
	detect WG_QUICK_USERSPACE_IMPLEMENTATION="$T_TMP/nosuch-go" -- -n --modules-root "$T_TMP/empty"
	rc_is 1
	contains "$ERR" "userspace $T_TMP/nosuch-go not found"
}

output_is_safe_for_eval() {
	local d="$T_TMP/it's a \"dir\" \$(touch $T_TMP/pwned) \`touch $T_TMP/pwned2\`; x=1" sh v
	mkdir -p "$d"
	ln -s "$U/wireguard-go" "$d/go"
	detect WG_QUICK_USERSPACE_IMPLEMENTATION="$d/go" -- -n --modules-root "$T_TMP/empty"
	rc_is 0
	for sh in sh dash bash "busybox sh"; do
		command -v "${sh%% *}" >/dev/null || continue
		v=$($sh -c "eval \"\$1\"; printf %s \"\$WG_QUICK_USERSPACE_IMPLEMENTATION\"" - "$OUT")
		eq "$d/go" "$v" "$sh: WG_QUICK_USERSPACE_IMPLEMENTATION"
	done
	[ ! -e "$T_TMP/pwned" ] && [ ! -e "$T_TMP/pwned2" ] || fail "eval ran a command"
	contains "$OUT" "WG_QUICK_USERSPACE_IMPLEMENTATION='$T_TMP/it'\\''s a"
}

json_is_the_same_result() {
	local d="$T_TMP/q\"uo\\te	tab"
	mkdir -p "$d"
	ln -sf "$U/wireguard-go" "$d/go"
	detect WG_QUICK_USERSPACE_IMPLEMENTATION="$d/go" -- -n --modules-root "$T_TMP/empty"
	local text=$OUT
	detect WG_QUICK_USERSPACE_IMPLEMENTATION="$d/go" -- -n --modules-root "$T_TMP/empty" --json
	rc_is 0
	eq 1 "$(printf '%s\n' "$OUT" | wc -l)" "JSON lines"
	# the JSON object and the shell assignments say the same
	eq "$(sh -c 'eval "$1"; for k in AWG_MODE AWG_IMPL AWG_REASON OVERRIDE_AUTO_AWG AWG_TOOL AWG_QUICK WG_QUICK_USERSPACE_IMPLEMENTATION; do printf "%s=%s\n" "$k" "$(eval printf %s \"\$$k\")"; done' - "$text")" \
	   "$(python3 -c 'import json, sys
for k, v in json.loads(sys.argv[1]).items(): print(k + "=" + v)' "$OUT")" "JSON vs shell"
}

quiet_and_usage() {
	detect -- -q -n
	rc_is 0
	eq "" "$ERR" "stderr with -q"
	detect -- --nosuch
	rc_is 2
	contains "$ERR" "awg-detect: invalid option '--nosuch'"
	detect -- -n extra
	rc_is 2
	contains "$ERR" "unexpected argument 'extra'"
	detect -- status extra
	rc_is 2
	detect -- --module
	rc_is 2
	detect -- --help
	rc_is 0
	contains "$OUT" "Usage: awg-detect [-n] [-j] [-q] [-m MODULE] [OPTIONS] [status]"
}

status_of_both_modules() {
	local s=$T_TMP/status-sys
	mkdir -p "$s/module/wireguard" "$s/module/amneziawg"
	echo live >"$s/module/wireguard/initstate"
	echo 1.0.0 >"$s/module/wireguard/version"
	echo A20E8613AEC45FF93015222 >"$s/module/wireguard/srcversion"
	detect -- --sysfs-root "$s" --modules-root "$T_TMP/empty" status
	rc_is 0
	eq "amneziawg: built in
amneziawg interfaces: none
wireguard: loaded (version 1.0.0, srcversion A20E8613AEC45FF93015222)
wireguard interfaces: none" "$OUT" status
	detect -- status
	contains "$OUT" "amneziawg: not loaded"
	contains "$OUT" "wireguard: not loaded (loadable: in modules.dep)"
}

t "no EXPERIMENTAL_AWG: standard WireGuard, kernel module loadable" standard_wireguard_by_default
t "EXPERIMENTAL_AWG must be exactly 'true' (TRUE, 1, yes: standard WireGuard)" experimental_must_be_exactly_true
t "standard WireGuard without a module: wireguard-go" standard_wireguard_userspace_when_no_module
t "auto: kernel and vermagic match (xz and gz module read): kernel" auto_matching_kernel_and_vermagic
t "auto: kernel differs from the version file: userspace, module not read" auto_version_mismatch_is_userspace
t "auto: no version file: userspace" auto_without_version_file_is_userspace
t "auto: missing or invalid module file: userspace" auto_missing_or_bad_module_is_userspace
t "the module is found in the modules root: top, PREBUILT/**, RELEASE/extra" module_found_in_the_modules_root
t "patched vermagic (plain, xz, gz) refused before any module syscall" patched_vermagic_refused_before_the_syscall
t "matching module: finit_module tried, refusal without CAP_SYS_MODULE falls back" matching_module_is_loaded_with_dependencies_first
t "OVERRIDE_AUTO_AWG=awg: the version file does not decide" forced_awg_ignores_the_version_file
t "OVERRIDE_AUTO_AWG=wg: standard WireGuard, wg and wg-quick" forced_wg_uses_the_wireguard_tools
t "OVERRIDE_AUTO_AWG neither awg, wg nor empty: exit 2, one line" bad_override_is_a_usage_error
t "nothing usable: exit 1 and why, also with -q" nothing_usable_exits_1
t "WG_QUICK_USERSPACE_IMPLEMENTATION picks the userspace program" userspace_from_the_environment
t "KEY=value output survives eval of hostile paths (sh, dash, bash, busybox)" output_is_safe_for_eval
t "--json: one line, the same result" json_is_the_same_result
t "-q silences the log; bad usage exits 2" quiet_and_usage
t "status: loaded, built in, version and srcversion" status_of_both_modules
