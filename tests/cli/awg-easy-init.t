#!/usr/bin/env bash
# awg-easy-init as an ordinary process (a child subreaper): options, the
# prepare stage, and the supervision cases of tests/awg-easy-init.sh.  The
# same cases as PID 1 of a PID namespace: tests/netns/awg-easy-init.t.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/awg-easy-init.sh"
need_cmd perl script

modes() { stat -c '%a %n' "$@" | sed "s|$T_TMP/||"; }

# What is not built yet is refused, clearly, before anything is touched.
rejects_what_is_not_built() {
	local r=$T_TMP/rej o
	mkdir "$r"
	run "$BIN/awg-easy-init" --root "$r"
	rc_is 2
	eq "awg-easy-init: standalone mode (no CMD) is not yet supported in this build" "$ERR"
	for o in --healthcheck "--down-on-exit wg0" "--config-dir /etc/wireguard"; do
		# shellcheck disable=SC2086
		run "$BIN/awg-easy-init" --root "$r" $o -- true
		rc_is 2
		eq "awg-easy-init: ${o%% *} is not yet supported in this build" "$ERR"
	done
	eq "" "$(ls -A "$r")" "files made under --root"
	run "$BIN/awg-easy-init" --help
	rc_is 0
	contains "$OUT" "Usage: awg-easy-init [--root DIR] [--] CMD [ARGS...]"
	contains "$OUT" "Not in this build: AmneziaWG detection"
}

usage_errors() {
	run "$BIN/awg-easy-init" --bogus -- true
	rc_is 2
	eq "awg-easy-init: invalid option '--bogus'
awg-easy-init: usage: awg-easy-init [--root DIR] [--] CMD [ARGS...]  (--help for more)" "$ERR"
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
}

# A bare root gets the run directories (0700, parents 0755 despite umask
# 077) and the config link; a second run changes nothing and says nothing.
prepare_fresh_root() {
	local r=$T_TMP/fresh
	mkdir "$r"
	run "$BIN/awg-easy-init" --root "$r" -- true
	rc_is 0
	eq "" "$ERR" "stderr"
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
	eq "" "$ERR" "stderr on the second run"
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
	eq "awg-easy-init: warning: $r/var/run/amneziawg: Not a directory" "$ERR"
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

t "refuses what is not built yet: standalone, --healthcheck, --down-on-exit, --config-dir" rejects_what_is_not_built
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
