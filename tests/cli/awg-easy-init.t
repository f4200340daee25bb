#!/usr/bin/env bash
# awg-easy-init as an ordinary process (a child subreaper): options, stage
# 1 against awg-detect, the prepare stage, what the healthcheck and
# standalone mode say without devices, and the supervision cases of
# tests/awg-easy-init.sh.  The
# same cases as PID 1 of a PID namespace: tests/netns/awg-easy-init.t.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/awg-easy-init.sh"
need_cmd perl script

modes() { stat -c '%a %n' "$@" | sed "s|$T_TMP/||"; }

# Stage 1 is awg-detect's: with the same environment and paths (flags
# here, variables there, or the other way round) the same log lines, and
# the command gets what awg-detect prints.  Debian's wireguard.ko stands
# in for amneziawg.ko, read but never loaded (--no-load); userspace
# implementations are links in a PATH of our own.
R=$(cd /lib/modules 2>/dev/null && ls -d 6.12.*-amd64 2>/dev/null | head -n 1)
WG=/lib/modules/$R/kernel/drivers/net/wireguard/wireguard.ko.xz
U=$T_TMP/ubin
mkdir -p "$U" "$T_TMP/empty" "$T_TMP/sys/module"
ln -s "$(command -v wireguard-go || echo /bin/true)" "$U/wireguard-go"
ln -s "$(command -v wireguard-go || echo /bin/true)" "$U/amneziawg-go"
echo "$R" >"$T_TMP/version-match"
echo 6.12.50-0-lts >"$T_TMP/version-other"

# same_as_detect NAME [VAR=value...] -- [DETECT-PATH-FLAGS...]: awg-detect and
# awg-easy-init -- env in the same clean environment (the flags given to
# awg-easy-init, to awg-detect as variables: both ways must agree)
same_as_detect() {
	local name=$1 envs=(env -i PATH="$U:/usr/bin:/bin" AWG_KERNEL_RELEASE="$R") flags=() vars=() l
	shift
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	while [ $# -gt 0 ]; do
		flags+=("$1" "$2")
		case $1 in
		--module) vars+=(AWG_MODULE="$2") ;;
		--version-file) vars+=(AWG_VERSION_FILE="$2") ;;
		--modules-root) vars+=(AWG_MODULES_ROOT="$2") ;;
		--sysfs-root) vars+=(AWG_SYSFS_ROOT="$2") ;;
		--tun) vars+=(AWG_TUN="$2") ;;
		esac
		shift 2
	done
	run "${envs[@]}" "${vars[@]}" "$BIN/awg-detect" -n
	local want_rc=$RC want_out=$OUT want_err=$ERR
	run "${envs[@]}" "$BIN/awg-easy-init" --no-load "${flags[@]}" --root "$T_TMP/prep" -- env
	rc_is 0
	eq "$want_err" "${ERR//awg-easy-init: /awg-detect: }" "$name: log lines"
	while IFS= read -r l; do
		grep -qxF -- "$l" <<<"$OUT" || fail "$name: '$l' not in the command's environment: $OUT"
	done <<<"$want_out"
	[ "$want_rc" = 0 ] || fail "$name: awg-detect exited $want_rc"
	DETECT_OUT=$want_out
}

stage1_is_awg_detect() {
	mkdir -p "$T_TMP/prep"
	same_as_detect "standard WireGuard, userspace" -- --sysfs-root "$T_TMP/sys" \
		--modules-root "$T_TMP/empty" --tun /dev/null
	contains "$DETECT_OUT" "AWG_IMPL=userspace"
	contains "$DETECT_OUT" "WG_QUICK_USERSPACE_IMPLEMENTATION=$U/wireguard-go"
	same_as_detect "OVERRIDE_AUTO_AWG=wg" EXPERIMENTAL_AWG=true OVERRIDE_AUTO_AWG=wg -- \
		--sysfs-root "$T_TMP/sys" --modules-root "$T_TMP/empty" --tun /dev/null
	contains "$DETECT_OUT" "OVERRIDE_AUTO_AWG=wg"
	same_as_detect "auto, another kernel" EXPERIMENTAL_AWG=true -- --sysfs-root "$T_TMP/sys" \
		--version-file "$T_TMP/version-other" --tun /dev/null
	contains "$DETECT_OUT" "AWG_REASON=version-mismatch"
	contains "$DETECT_OUT" "OVERRIDE_AUTO_AWG=awg"
	if [ -f "$WG" ]; then
		same_as_detect "auto, matching module" EXPERIMENTAL_AWG=true -- --sysfs-root "$T_TMP/sys" \
			--module "$WG" --version-file "$T_TMP/version-match"
		contains "$DETECT_OUT" "AWG_IMPL=kernel"
	else
		echo "# no $WG: the kernel-module row is left to tests/vm/awg-easy-init.t"
	fi
}

# OVERRIDE_AUTO_AWG that is neither awg, wg nor empty: exit 2 before
# anything is prepared or run.
bad_environment_stops() {
	local r=$T_TMP/bad
	mkdir "$r"
	run env EXPERIMENTAL_AWG=true OVERRIDE_AUTO_AWG=kernel "$BIN/awg-easy-init" --root "$r" -- touch "$r/ran"
	rc_is 2
	eq "awg-easy-init: AmneziaWG: OVERRIDE_AUTO_AWG=kernel is invalid: use awg, wg, or leave it unset
awg-easy-init: not starting: fix the environment (exit status 2)" "$ERR"
	eq "" "$(ls -A "$r")" "made or ran"
	# standalone mode too
	run env EXPERIMENTAL_AWG=true OVERRIDE_AUTO_AWG=x "$BIN/awg-easy-init" --root "$r" --config-dir "$T_TMP/empty"
	rc_is 2
	eq "" "$(ls -A "$r")" "made or ran (standalone)"
}

# Nothing usable: said, and the command runs all the same (awg-easy's UI
# can show what is wrong) with AWG_IMPL=none.
nothing_usable_still_runs() {
	run env -i PATH=/usr/bin:/bin EXPERIMENTAL_AWG=true "$BIN/awg-easy-init" --root "$T_TMP" \
		--version-file "$T_TMP/version-other" --sysfs-root "$T_TMP/sys" -- sh -c 'env; exit 5'
	rc_is 5
	contains "$ERR" "awg-easy-init: AmneziaWG: userspace amneziawg-go not found in PATH"
	contains "$ERR" "awg-easy-init: AmneziaWG: no usable AmneziaWG"
	contains "$OUT" "AWG_IMPL=none"
	contains "$OUT" "AWG_REASON=no-userspace"
	contains "$OUT" "OVERRIDE_AUTO_AWG=awg"
	case $OUT in *WG_QUICK_USERSPACE_IMPLEMENTATION*) fail "a userspace program exported: $OUT" ;; esac
}

# --no-detect: no stage 1 at all; the environment passes unchanged, a bad
# OVERRIDE_AUTO_AWG included.
no_detect_passes_the_environment() {
	local want
	want=$(env -i A=1 EXPERIMENTAL_AWG=true OVERRIDE_AUTO_AWG=bogus PATH=/usr/bin:/bin env)
	run env -i A=1 EXPERIMENTAL_AWG=true OVERRIDE_AUTO_AWG=bogus PATH=/usr/bin:/bin \
		"$BIN/awg-easy-init" --no-detect --root "$T_TMP" -- env
	rc_is 0
	eq "$want" "$OUT" environment
	eq "" "$ERR" stderr
}

# The healthcheck as an ordinary user would meet it outside a container:
# what it says about an interface that is missing or not WireGuard, and
# that it starts no program.  (Healthy and the other unhealthy cases need
# WireGuard devices: tests/netns/awg-easy-init.t.)
healthcheck_basics() {
	run "$BIN/awg-easy-init" --healthcheck nosuch0
	rc_is 1
	eq "awg-easy-init: unhealthy: nosuch0: no such interface" "$ERR"
	run "$BIN/awg-easy-init" healthcheck lo
	rc_is 1
	eq "awg-easy-init: unhealthy: lo: not a WireGuard or AmneziaWG device" "$ERR"
	run "$BIN/awg-easy-init" --config-dir "$T_TMP/empty" healthcheck nosuch0
	rc_is 1
	# "healthcheck" after "--" is a command
	run "$BIN/awg-easy-init" --root "$T_TMP" -- healthcheck
	rc_is 127
	contains "$ERR" "cannot run healthcheck: No such file or directory"
	run "$BIN/awg-easy-init" --healthcheck a b
	rc_is 2
	contains "$ERR" "--healthcheck takes one interface at most"
	if command -v strace >/dev/null; then
		# LeakSanitizer's thread (the ASan build) would count: off here
		run env ASAN_OPTIONS=detect_leaks=0 strace -f -qq -o "$T_TMP/strace" \
			-e trace=fork,vfork,clone,clone3,execve "$BIN/awg-easy-init" --healthcheck lo
		rc_is 1
		eq 1 "$(grep -c . "$T_TMP/strace")" "process syscalls: $(cat "$T_TMP/strace")"
		contains "$(cat "$T_TMP/strace")" "execve("
	fi
}

# Standalone mode with nothing to bring up: exit 1, saying why.
standalone_without_configs() {
	run "$BIN/awg-easy-init" --root "$T_TMP" --config-dir "$T_TMP/empty"
	rc_is 1
	eq "awg-easy-init: standalone: $T_TMP/empty: no *.conf: nothing to bring up" "$(init_errors "$ERR")"
	run "$BIN/awg-easy-init" --root "$T_TMP" --config-dir "$T_TMP/nosuch"
	rc_is 1
	eq "awg-easy-init: standalone: $T_TMP/nosuch: No such file or directory" "$(init_errors "$ERR")"
}

usage_errors() {
	run "$BIN/awg-easy-init" --bogus -- true
	rc_is 2
	eq "awg-easy-init: invalid option '--bogus'
awg-easy-init: usage: awg-easy-init [OPTIONS] [--] [CMD [ARGS...]]  (--help for more)" "$ERR"
	run "$BIN/awg-easy-init" -x true
	rc_is 2
	contains "$ERR" "invalid option '-x'"
	run "$BIN/awg-easy-init" --root
	rc_is 2
	contains "$ERR" "awg-easy-init: invalid option '--root'"
	run "$BIN/awg-easy-init" --healthcheck=wg0
	rc_is 2
	contains "$ERR" "awg-easy-init: invalid option '--healthcheck=wg0'"
	run "$BIN/awg-easy-init" --root "$T_TMP/none" -- true
	rc_is 2
	contains "$ERR" "awg-easy-init: --root $T_TMP/none: not a directory"
	: >"$T_TMP/file"
	run "$BIN/awg-easy-init" --root="$T_TMP/file" -- true
	rc_is 2
	contains "$ERR" "--root $T_TMP/file: not a directory"
	# after "--" or the first operand, everything is the command's
	run "$BIN/awg-easy-init" --root "$T_TMP" -- echo --root -x
	rc_is 0
	eq "--root -x" "$OUT"
	run "$BIN/awg-easy-init" --root "$T_TMP" echo --bogus
	rc_is 0
	eq "--bogus" "$OUT"
	run "$BIN/awg-easy-init" --down-on-exit wg0
	rc_is 2
	contains "$ERR" "--down-on-exit needs a command"
	for l in "wg0,,wg1" "wg0," "" "a/b" "averyveryverylongname"; do
		run "$BIN/awg-easy-init" --down-on-exit "$l" -- true
		rc_is 2
		contains "$ERR" "awg-easy-init: --down-on-exit $l: not a list of interface names"
	done
	run "$BIN/awg-easy-init" --help
	rc_is 0
	contains "$OUT" "Usage: awg-easy-init [OPTIONS] [--] [CMD [ARGS...]]"
}

# A bare root gets the run directories (0700, parents 0755 despite umask
# 077) and the config link; a second run changes nothing and says nothing.
prepare_fresh_root() {
	local r=$T_TMP/fresh
	mkdir "$r"
	run "$BIN/awg-easy-init" --root "$r" -- true
	rc_is 0
	eq "" "$(init_errors "$ERR")" "stderr"
	eq "755 fresh/var
755 fresh/var/run
700 fresh/var/run/amneziawg
700 fresh/var/run/wireguard
755 fresh/etc
755 fresh/etc/amnezia" "$(modes "$r/var" "$r/var/run" "$r"/var/run/* "$r/etc" "$r/etc/amnezia")"
	eq /etc/wireguard "$(readlink "$r/etc/amnezia/amneziawg")" "link"
	find "$r" -exec stat -c '%a %Y %N' {} + | sort >"$T_TMP/before"
	sleep 1.1
	run "$BIN/awg-easy-init" --root "$r/" -- true
	rc_is 0
	eq "" "$(init_errors "$ERR")" "stderr on the second run"
	eq "$(cat "$T_TMP/before")" "$(find "$r" -exec stat -c '%a %Y %N' {} + | sort)" "tree after a second run"
}

# What the image or the user put in place is kept: a real directory, a
# link elsewhere, a file (with a warning), run directories with other
# modes; a run directory that cannot be made is a warning, and the
# command still runs with its own exit status.
prepare_keeps_what_exists() {
	local r=$T_TMP/kept
	mkdir -p "$r/etc/amnezia/amneziawg" "$r/var/run/wireguard"
	echo conf >"$r/etc/amnezia/amneziawg/wg0.conf"
	chmod 751 "$r/var/run/wireguard"
	: >"$r/var/run/amneziawg"
	run "$BIN/awg-easy-init" --root "$r" -- sh -c 'exit 4'
	rc_is 4
	eq "awg-easy-init: warning: $r/var/run/amneziawg: Not a directory" "$(init_errors "$ERR")"
	[ -d "$r/etc/amnezia/amneziawg" ] && [ ! -L "$r/etc/amnezia/amneziawg" ] || fail "directory replaced"
	eq conf "$(cat "$r/etc/amnezia/amneziawg/wg0.conf")"
	eq 751 "$(stat -c %a "$r/var/run/wireguard")" "mode of an existing run directory"
	[ -f "$r/var/run/amneziawg" ] || fail "file replaced"

	rm -r "$r/etc/amnezia/amneziawg"
	ln -s /srv/elsewhere "$r/etc/amnezia/amneziawg"
	run "$BIN/awg-easy-init" --root "$r" -- true
	eq /srv/elsewhere "$(readlink "$r/etc/amnezia/amneziawg")" "a link elsewhere"

	rm "$r/etc/amnezia/amneziawg"
	echo x >"$r/etc/amnezia/amneziawg"
	run "$BIN/awg-easy-init" --root "$r" -- true
	rc_is 0
	contains "$ERR" "awg-easy-init: warning: $r/etc/amnezia/amneziawg: not a directory or link; left as it is"
	eq x "$(cat "$r/etc/amnezia/amneziawg")"
}

# Started as the session leader of a terminal (docker run -t): the command
# gets the terminal as its controlling terminal and is its foreground
# process group; the SIGHUP that giving it up raises does not reach it.
hands_over_the_terminal() {
	local f=$T_TMP/tty
	# shellcheck disable=SC2016
	SHELL=/bin/sh script -qec "exec $BIN/awg-easy-init -- sh -c '
		trap \"echo HUP >>$f.hup\" HUP
		read -r pid comm state ppid pgrp sid tty tpgid rest </proc/\$\$/stat
		echo \$pid \$pgrp \$sid \$tty \$tpgid >$f'" /dev/null >"$T_TMP/script.out" 2>&1 ||
		fail "script: $(cat "$T_TMP/script.out")"
	set -- $(cat "$f")
	[ $# = 5 ] && [ "$1" = "$2" ] && [ "$1" = "$3" ] || fail "pid, pgrp, sid: $*"
	[ "$4" != 0 ] || fail "no controlling terminal: $*"
	[ "$5" = "$1" ] || fail "not the foreground process group: $*"
	[ ! -e "$f.hup" ] || fail "the command got SIGHUP"
}

t "stage 1: awg-detect's log lines and variables, flags and variables alike" stage1_is_awg_detect
t "stage 1: a bad OVERRIDE_AUTO_AWG exits 2 before anything is made or run" bad_environment_stops
t "stage 1: nothing usable is logged; the command runs with AWG_IMPL=none" nothing_usable_still_runs
t "--no-detect: no stage 1, the environment unchanged" no_detect_passes_the_environment
t "--healthcheck: missing and non-WireGuard interfaces, no program started" healthcheck_basics
t "standalone: no config, no config directory: exit 1 with the reason" standalone_without_configs
t "usage errors exit 2 with one clear line; options end at the command" usage_errors
t "prepare: run directories 0700, parents 0755, the config link; idempotent" prepare_fresh_root
t "prepare: keeps existing directories, links and files; warns and runs on" prepare_keeps_what_exists
t "forwards TERM INT HUP QUIT USR1 USR2 WINCH to the child's process group" forwards_signals sub
t "drops TSTP TTIN TTOU PIPE ALRM CONT: not stopped, not passed on" drops_other_signals sub
t "a stopped child ends on SIGTERM (SIGCONT follows it)" stopped_child_ends sub
t "exit status: 0, 3, 255, 128+N, 126 not executable, 127 not found" exit_codes sub
t "as a subreaper: re-parented orphans are reaped, no zombies" reaps_orphans sub
t "1000 SIGTERMs from the child's group: status kept, no zombies" sigterm_storm sub
t "the command gets our environment, umask 077, its own session, fds 0-2 only" child_environment sub
t "the session's terminal is handed to the command (job control), without SIGHUP" hands_over_the_terminal
