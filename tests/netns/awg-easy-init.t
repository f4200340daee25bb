#!/usr/bin/env bash
# awg-easy-init as PID 1 of a new PID namespace (unshare --pid --fork
# --mount-proc), the way a container runs it: the cases of
# tests/awg-easy-init.sh, plus a scratch root holding nothing but the
# static awgbox and its links, and a read-only root.  Needs root for the
# namespaces, not the network: it lives in this tier because this is the
# tier that runs as root.
# timeout: 300
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/awg-easy-init.sh"
need_root
need_cmd unshare chroot perl
unshare --pid --fork --mount-proc true 2>/dev/null || skip_all "unshare --pid --fork --mount-proc does not work here"

# A FROM scratch image: /bin/awgbox and the applet links, nothing else (no
# shell, no libc, no /var, no /etc).  Returns 1 unless awgbox is static.
make_scratch_root() {
	local r=$1 a
	mkdir -p "$r/bin" "$r/proc"
	cp "$AWGBOX" "$r/bin/awgbox"
	for a in $("$AWGBOX" --list); do ln "$r/bin/awgbox" "$r/bin/$a"; done
	chroot "$r" /bin/awgbox --version >/dev/null
}

in_scratch_root() {
	local r=$T_TMP/scratch key
	make_scratch_root "$r" || fail "cannot run awgbox in a bare chroot (not static?)"
	PID1_LAUNCH=("$(command -v unshare)" --pid --fork --mount --mount-proc="$r/proc" "$(command -v chroot)" "$r")
	INIT_BIN=/bin/awg-easy-init INIT_EXE=$r/bin/awg-easy-init	# a hard link
	INIT_PREFIX=(env -i PATH=/bin)

	# a command found through PATH, the container prepared around it
	(umask 077; start_init pid1 -- awg genkey >"$T_TMP/key"; wait_job 10; rc_is 0)
	key=$(cat "$T_TMP/key")
	[ ${#key} = 44 ] || fail "awg genkey as PID 1 printed '$key'"
	eq "700 $r/var/run/amneziawg
700 $r/var/run/wireguard" "$(stat -c '%a %n' "$r"/var/run/*)" "run directories"
	eq /etc/wireguard "$(readlink "$r/etc/amnezia/amneziawg")" "config link"

	# not found
	start_init pid1 -- awg-quick-not-here 2>"$T_TMP/err"
	wait_job 10
	rc_is 127
	eq "awg-easy-init: cannot run awg-quick-not-here: No such file or directory" "$(init_errors "$(cat "$T_TMP/err")")"

	# SIGTERM from outside (docker stop) reaches a command blocked on stdin
	mkfifo "$T_TMP/in"
	exec 7<>"$T_TMP/in"
	start_init pid1 -- awg pubkey <&7
	wait_for 5 test -n "$(pgrep -P "$INIT")"
	sleep 0.1
	kill -TERM "$INIT"
	wait_job 10
	rc_is 143
	exec 7<&-
}

# With / read-only (docker run --read-only) prepare can make nothing: it
# says why, once per path, and the command runs all the same.
read_only_root() {
	local r=$T_TMP/ro
	mkdir -p "$r"
	run unshare --mount --pid --fork --mount-proc sh -c '
		mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" &&
		exec "$2" --root "$1" -- sh -c "exit 6"' sh "$r" "$BIN/awg-easy-init"
	rc_is 6
	eq "awg-easy-init: warning: $r/var/run/amneziawg: Read-only file system
awg-easy-init: warning: $r/var/run/wireguard: Read-only file system
awg-easy-init: warning: $r/etc/amnezia/amneziawg -> /etc/wireguard: Read-only file system" "$(init_errors "$ERR")"
	eq "" "$(ls -A "$r")" "files made"
}

# Stage 1 as PID 1, on fake roots: AmneziaWG auto mode with Debian's
# wireguard.ko standing in for a matching prebuilt amneziawg.ko (read, not
# loaded), then a bad OVERRIDE_AUTO_AWG: exit 2, the command never runs.
stage1_as_pid1() {
	local r ko
	r=$(cd /lib/modules 2>/dev/null && ls -d 6.12.*-amd64 2>/dev/null | head -n 1)
	ko=/lib/modules/$r/kernel/drivers/net/wireguard/wireguard.ko.xz
	if [ -f "$ko" ]; then
		echo "$r" >"$T_TMP/version"
		INIT_PREFIX=(env EXPERIMENTAL_AWG=true AWG_MODULE="$ko" AWG_VERSION_FILE="$T_TMP/version" AWG_KERNEL_RELEASE="$r")
		start_init pid1 --no-load -- sh -c 'echo "pid $$"; env' >"$T_TMP/env" 2>"$T_TMP/err"
		wait_job 10
		rc_is 0
		contains "$(cat "$T_TMP/env")" "pid 2"
		local v
		for v in AWG_MODE=awg AWG_IMPL=kernel AWG_REASON=kernel-loadable OVERRIDE_AUTO_AWG=awg \
			 AWG_TOOL=awg AWG_QUICK=awg-quick; do
			grep -qx "$v" "$T_TMP/env" || fail "$v not in the command's environment: $(cat "$T_TMP/env")"
		done
		contains "$(cat "$T_TMP/err")" "awg-easy-init: AmneziaWG: $ko: wireguard module built for kernel $r"
	else
		echo "# no $ko: auto mode left to tests/vm/awg-easy-init.t"
	fi
	INIT_PREFIX=(env EXPERIMENTAL_AWG=true OVERRIDE_AUTO_AWG=both)
	start_init pid1 -- touch "$T_TMP/ran" 2>"$T_TMP/err"
	wait_job 10
	rc_is 2
	[ ! -e "$T_TMP/ran" ] || fail "the command ran"
	contains "$(cat "$T_TMP/err")" "OVERRIDE_AUTO_AWG=both is invalid"
}

t "as PID 1: forwards TERM INT HUP QUIT USR1 USR2 WINCH sent from outside to the child's group" forwards_signals pid1
t "as PID 1: drops TSTP TTIN TTOU PIPE ALRM CONT: not stopped, not passed on" drops_other_signals pid1
t "as PID 1: a stopped child ends on SIGTERM (SIGCONT follows it)" stopped_child_ends pid1
t "as PID 1: exit status: 0, 3, 255, 128+N, 126 not executable, 127 not found" exit_codes pid1
t "as PID 1: orphans of a double fork are reaped, no zombie in the namespace" reaps_orphans pid1
t "as PID 1: 1000 SIGTERMs from inside: status kept, no zombies" sigterm_storm pid1
t "as PID 1: the child exits amid 1000 SIGTERMs: its status is kept (3 runs)" sigterm_storm_child_exits pid1
t "as PID 1: stage 1 (auto mode on fake roots) exported to the command; a bad override exits 2" stage1_as_pid1
t "as PID 1: the command gets our environment, umask 077, its own session, fds 0-2 only" child_environment pid1
scratch_name="as PID 1 of a scratch root (only awgbox and links): prepare, PATH, 127, SIGTERM"
if make_scratch_root "$T_TMP/probe" 2>/dev/null; then
	t "$scratch_name" in_scratch_root
else
	skip "$scratch_name" "$AWGBOX does not run alone in an empty root (not the static build)"
fi
t "read-only root: one warning per path, the command still runs" read_only_root
