# Cases shared by tests/cli/awg-easy-init.t (awg-easy-init as our child, a
# child subreaper) and tests/netns/awg-easy-init.t (as PID 1 of a new PID
# namespace).  Each case takes the mode, "sub" or "pid1", as $1.
# Source after tests/lib.sh.

# Stage 1 decides on fake roots, the same in every run and never loading
# into this machine's kernel: a sysfs without modules, no modules.dep, a
# TUN that opens (/dev/null), wireguard-go found: standard WireGuard in
# userspace.  What the command gets added to its environment:
mkdir -p "$T_TMP/detect/sys/module" "$T_TMP/detect/modules" "$T_TMP/detect/bin"
ln -s "$(command -v wireguard-go || echo /bin/true)" "$T_TMP/detect/bin/wireguard-go"
export AWG_SYSFS_ROOT=$T_TMP/detect/sys AWG_MODULES_ROOT=$T_TMP/detect/modules AWG_TUN=/dev/null
export WG_QUICK_USERSPACE_IMPLEMENTATION=$T_TMP/detect/bin/wireguard-go
DETECT_ENV=(AWG_SYSFS_ROOT="$AWG_SYSFS_ROOT" AWG_MODULES_ROOT="$AWG_MODULES_ROOT" AWG_TUN=/dev/null
	WG_QUICK_USERSPACE_IMPLEMENTATION="$WG_QUICK_USERSPACE_IMPLEMENTATION")
DETECTED="AWG_MODE=wg
AWG_IMPL=userspace
AWG_REASON=no-module
OVERRIDE_AUTO_AWG=wg
AWG_TOOL=wg
AWG_QUICK=wg-quick
WG_QUICK_USERSPACE_IMPLEMENTATION=$WG_QUICK_USERSPACE_IMPLEMENTATION"
# init_errors TEXT: what awg-easy-init logged, without stage 1's lines
init_errors() { printf '%s\n' "$1" | grep -v '^awg-easy-init: AmneziaWG: ' || true; }

# A child that logs every forwarded signal it gets ("SIG PID" lines in
# DIR/log) and, with a second argument, forks a member of its process group
# that does the same; it says DIR/ready, then runs until DIR/stop exists and
# exits with status $3.  Perl, because a shell cannot trap INT and QUIT in a
# background job, and perl is part of every Debian system (perl-base).
cat >"$T_TMP/siglog.pl" <<'EOF'
use strict; use warnings; use POSIX ();
my ($dir, $member, $code) = @ARGV;
sub note { open(my $f, '>>', "$_[0]") or die "$_[0]: $!"; print $f $_[1]; close $f; }
# until FILE exists; give up when the parent is gone (a failed test) or
# after a minute, so that nothing outlives the test
my ($parent, $end) = (getppid(), time() + 60);
sub wait_file { select(undef, undef, undef, 0.02) until -e $_[0] || getppid() != $parent || time() > $end }
$SIG{$_} = sub { note("$dir/log", "$_[0] $$\n") } for qw(TERM INT HUP QUIT USR1 USR2 WINCH);
my $pid = 0;
if ($member) {
	$pid = fork() // die "fork: $!";
	if (!$pid) {
		$parent = getppid();
		note("$dir/ready2", "$$\n");
		wait_file("$dir/stop");
		POSIX::_exit(0);
	}
	wait_file("$dir/ready2");
}
note("$dir/ready", "$$\n");
wait_file("$dir/stop");
waitpid($pid, 0) if $pid;
exit($code // 0);
EOF

# A child that counts SIGTERMs while an orphan of its process group (so
# that awg-easy-init has to reap it as well) sends COUNT SIGTERMs to
# awg-easy-init (PID 1 or our parent); then it looks for zombies and exits
# with CODE.  With "early", it exits with CODE at its first SIGTERM instead,
# while the storm goes on.
cat >"$T_TMP/storm.pl" <<'EOF'
use strict; use warnings; use POSIX ();
my ($dir, $count, $code, $early) = @ARGV;
sub note { open(my $f, '>>', "$_[0]") or die "$_[0]: $!"; print $f $_[1]; close $f; }
my $n = 0;
$SIG{TERM} = sub { $n++; POSIX::_exit($code) if $early };
my $init = getppid();
my $pid = fork() // die "fork: $!";
if (!$pid) {
	$SIG{TERM} = 'IGNORE';
	POSIX::_exit(0) if fork();	# the stormer is an orphan
	# stop when awg-easy-init is gone (a failed test), not to signal a
	# process that took over its pid
	my ($sent, $end) = (0, time() + 10);
	select(undef, undef, undef, 0.01) until getppid() == $init || time() > $end;
	getppid() == $init && kill('TERM', $init) && $sent++ for 1 .. $count;
	note("$dir/sent", "$sent\n");
	POSIX::_exit(0);
}
waitpid($pid, 0);
my $end = time() + 60;
select(undef, undef, undef, 0.02) until -e "$dir/sent" || getppid() != $init || time() > $end;
select(undef, undef, undef, 0.02) for 1 .. 10;	# the orphan exits, late signals arrive
note("$dir/count", "$n\n");
# zombies of awg-easy-init (as PID 1: any in the namespace)
for my $stat (glob("/proc/[0-9]*/stat")) {
	open(my $s, '<', $stat) or next;
	my @f = split(' ', (<$s> // '') =~ s/.*\) //r);
	note("$dir/zombies", "$stat @f\n") if @f && $f[0] eq 'Z' && ($f[1] == $init || $init == 1);
}
exit($code);
EOF

# orphan.sh FILE: leaves a background process that, once orphaned, writes
# the pid of its new parent to FILE and exits.
cat >"$T_TMP/orphan.sh" <<'EOF'
f=$1
(sleep 0.1; read -r l </proc/self/stat; l=${l#*") "}; set -- $l; echo "$2" >"$f") &
EOF

# start_init MODE ARGS...: run awg-easy-init ARGS in the background, as our
# child (MODE sub) or as PID 1 of a new PID namespace (MODE pid1).  The
# arrays INIT_PREFIX (run before it all, such as env -i) and PID1_LAUNCH
# (what makes the namespace) and INIT_BIN, INIT_EXE (the awg-easy-init to
# run, the file it is) can be changed.  Sets JOB (to wait for) and INIT (its
# pid as seen from here, to signal).  One at a time: if the case fails
# before wait_job, the EXIT trap of its subshell kills what is left.
INIT_PREFIX=()
PID1_LAUNCH=(unshare --pid --fork --mount-proc)
INIT_BIN=$BIN/awg-easy-init
INIT_EXE=$AWGBOX
start_init() {
	local mode=$1 i
	shift
	if [ "$mode" = pid1 ]; then
		# <&0: keep our stdin, not the /dev/null bash gives to "&"
		"${INIT_PREFIX[@]}" "${PID1_LAUNCH[@]}" "$INIT_BIN" "$@" <&0 &
		JOB=$!
		INIT=
		for ((i = 0; i < 500; i++)); do
			INIT=$(pgrep -P "$JOB" || true)
			[ -n "$INIT" ] && [ "$(readlink "/proc/$INIT/exe" 2>/dev/null)" = "$INIT_EXE" ] && break
			INIT=
			case $(proc_state "$JOB") in ""|Z) INIT=gone; break ;; esac	# a short command
			sleep 0.01
		done
	else
		"${INIT_PREFIX[@]}" "$INIT_BIN" "$@" <&0 &
		JOB=$! INIT=$!
	fi
	trap 'kill_tree $JOB; wait $JOB' EXIT	# $JOB only: a case may have other jobs (ns_wggo)
	[ -n "$INIT" ] || fail "awg-easy-init did not start under ${PID1_LAUNCH[*]}"
}

# kill_tree PID: SIGKILL PID and its descendants (only ours: after a test
# failed, to leave nothing behind).
kill_tree() {
	local c
	for c in $(pgrep -P "$1"); do kill_tree "$c"; done
	kill -KILL "$1" 2>/dev/null || true
}

proc_state() { sed 's/.*) //; s/ .*//' "/proc/$1/stat" 2>/dev/null || true; }

# wait_job SECONDS: wait for JOB to end; its exit status in RC.
wait_job() {
	local i s
	for ((i = 0; i < $1 * 50; i++)); do
		s=$(proc_state "$JOB")
		[ -z "$s" ] || [ "$s" = Z ] && break
		sleep 0.02
	done
	s=$(proc_state "$JOB")
	if [ -n "$s" ] && [ "$s" != Z ]; then
		fail "awg-easy-init still running after $1 s"	# the trap kills it
		return 1
	fi
	RC=0
	wait "$JOB" || RC=$?
	trap - EXIT	# reaped: its pid may be reused from now on
}

# wait_for SECONDS COMMAND...: poll until COMMAND succeeds.
wait_for() {
	local i n=$(($1 * 50))
	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.02
	done
	fail "timed out waiting for: $*"
}

lines_with() { grep -c "^$1 " "$2" 2>/dev/null || true; }
has_lines() { [ "$(lines_with "$1" "$3")" = "$2" ]; }

# Every forwarded signal reaches the child and the other member of its
# process group, once each, and the child's exit status comes back.
forwards_signals() {
	local d=$T_TMP/sig.$1 s main member
	mkdir "$d"
	start_init "$1" -- perl "$T_TMP/siglog.pl" "$d" member 5
	wait_for 10 test -s "$d/ready"
	main=$(cat "$d/ready") member=$(cat "$d/ready2")
	for s in TERM INT HUP QUIT USR1 USR2 WINCH; do
		kill -s "$s" "$INIT"
		wait_for 5 has_lines "$s" 2 "$d/log"
	done
	sleep 0.1
	for s in TERM INT HUP QUIT USR1 USR2 WINCH; do
		eq "$(printf '%s\n' "$s $main" "$s $member" | sort)" "$(grep "^$s " "$d/log" | sort)" "$s lines"
	done
	eq 14 "$(wc -l <"$d/log")" "signals logged"
	touch "$d/stop"
	wait_job 10
	rc_is 5
}

# SIGTSTP, SIGTTIN, SIGTTOU, SIGPIPE, SIGALRM and SIGCONT neither stop nor
# end awg-easy-init and are not passed on.
drops_other_signals() {
	local d=$T_TMP/drop.$1 s
	mkdir "$d"
	start_init "$1" -- perl "$T_TMP/siglog.pl" "$d" "" 4
	wait_for 10 test -s "$d/ready"
	for s in TSTP TTIN TTOU PIPE ALRM; do
		kill -s "$s" "$INIT"
		sleep 0.1
		case $(proc_state "$INIT") in
		R|S) ;;
		*) fail "awg-easy-init is in state '$(proc_state "$INIT")' after SIG$s" ;;
		esac
	done
	kill -s CONT "$INIT"
	sleep 0.1
	[ ! -e "$d/log" ] || fail "passed on: $(cat "$d/log")"
	touch "$d/stop"
	wait_job 10
	rc_is 4
}

# A stopped child still ends on SIGTERM: SIGCONT follows it.
stopped_child_ends() {
	local d=$T_TMP/stop.$1 child
	mkdir "$d"
	start_init "$1" -- sh -c 'echo $$ >'"$d"'/pid; kill -STOP $$; exit 0'
	wait_for 10 test -s "$d/pid"
	child=$(cat "$d/pid")
	[ "$1" = pid1 ] && child=$(pgrep -P "$INIT")
	# a stopped child that lost its parent would hold our output forever
	trap 'kill_tree $JOB; kill -KILL '"$child"'; wait' EXIT
	wait_for 5 test "$(proc_state "$child")" = T
	kill -TERM "$INIT"
	wait_job 5
	rc_is 143
	if [ -n "$(proc_state "$child")" ]; then
		kill -KILL "$child"
		fail "the child outlived awg-easy-init"
	fi
}

# The child's exit status, 128+N when a signal killed it, 126 and 127 when
# it cannot be run.
exit_codes() {
	local m=$1 f=$T_TMP/noexec.$1
	printf '#!/bin/sh\nexit 0\n' >"$f"
	chmod 644 "$f"
	printf 'echo no shebang\n' >"$f.x"
	chmod 755 "$f.x"
	start_init "$m" -- true; wait_job 10; rc_is 0
	start_init "$m" -- sh -c 'exit 3'; wait_job 10; rc_is 3
	start_init "$m" -- sh -c 'exit 255'; wait_job 10; rc_is 255
	start_init "$m" -- sh -c 'kill -KILL $$'; wait_job 10; rc_is 137
	start_init "$m" -- sh -c 'kill -USR1 $$'; wait_job 10; rc_is 138
	start_init "$m" -- "$f" 2>"$T_TMP/err"; wait_job 10; rc_is 126
	eq "awg-easy-init: cannot run $f: Permission denied" "$(init_errors "$(cat "$T_TMP/err")")"
	start_init "$m" -- "$f.x" 2>"$T_TMP/err"; wait_job 10; rc_is 126
	eq "awg-easy-init: cannot run $f.x: Exec format error" "$(init_errors "$(cat "$T_TMP/err")")"
	start_init "$m" -- "$T_TMP" 2>"$T_TMP/err"; wait_job 10; rc_is 126
	start_init "$m" -- "$T_TMP/missing" 2>"$T_TMP/err"; wait_job 10; rc_is 127
	eq "awg-easy-init: cannot run $T_TMP/missing: No such file or directory" "$(init_errors "$(cat "$T_TMP/err")")"
	start_init "$m" -- no-such-command-$$ 2>"$T_TMP/err"; wait_job 10; rc_is 127
	eq "awg-easy-init: cannot run no-such-command-$$: No such file or directory" "$(init_errors "$(cat "$T_TMP/err")")"
}

# Orphans re-parented to awg-easy-init are reaped while the child runs:
# the child double-forks 20 short-lived grandchildren, each records its
# parent once orphaned; when all have, the child looks for zombies of
# awg-easy-init (as PID 1: for any zombie in the namespace).
reaps_orphans() {
	local d=$T_TMP/orphans.$1 init_here
	mkdir "$d"
	# shellcheck disable=SC2016
	start_init "$1" -- sh -c '
		for i in $(seq 20); do
			sh '"$T_TMP"'/orphan.sh '"$d"'/ppid.$i
		done
		n=0
		while [ "$(ls '"$d"' | grep -c "^ppid")" != 20 ] && [ $n -lt 500 ]; do
			sleep 0.02; n=$((n + 1))
		done
		sleep 0.3
		echo $PPID >'"$d"'/init
		for s in /proc/[0-9]*/stat; do
			set -- $(sed "s/.*) //" "$s" 2>/dev/null)
			[ "$1" = Z ] && { [ "$2" = "$PPID" ] || [ "$PPID" = 1 ]; } && echo "$s $*" >>'"$d"'/zombies
		done
		exit 0'
	wait_job 20
	rc_is 0
	[ ! -e "$d/zombies" ] || fail "zombies: $(cat "$d/zombies")"
	[ "$(ls "$d" | grep -c '^ppid\.')" = 20 ] || fail "only $(ls "$d" | grep -c '^ppid\.') orphans reported"
	init_here=$(cat "$d/init")
	[ "$(sort -u "$d"/ppid.*)" = "$init_here" ] ||
		fail "orphans' parents: $(sort -u "$d"/ppid.* | tr '\n' ' '), awg-easy-init is $init_here"
}

# A storm of 1000 SIGTERMs sent by the child's own process group: every one
# is forwarded or merged, the child's exit status is not lost, nothing is
# left as a zombie.
sigterm_storm() {
	local d=$T_TMP/storm.$1 n
	mkdir "$d"
	start_init "$1" -- perl "$T_TMP/storm.pl" "$d" 1000 42
	wait_job 60
	rc_is 42
	eq 1000 "$(cat "$d/sent")" "SIGTERMs sent"
	n=$(cat "$d/count")
	[ "$n" -ge 1 ] && [ "$n" -le 1000 ] || fail "child counted $n SIGTERMs"
	[ ! -e "$d/zombies" ] || fail "zombies: $(cat "$d/zombies")"
	echo "# child saw $n of 1000 SIGTERMs (standard signals merge while pending)"
}

# The child exits at the first SIGTERM while the storm goes on: its status
# is still the one we exit with.  As PID 1 only: the storm's sender dies
# with the namespace, where as our child it would signal a pid that may
# have been reused.
sigterm_storm_child_exits() {
	local d=$T_TMP/storm2.$1 i
	mkdir "$d"
	for i in 1 2 3; do
		rm -f "$d"/*
		start_init "$1" -- perl "$T_TMP/storm.pl" "$d" 1000 7 early
		wait_job 60
		rc_is 7
	done
}

# The command gets our environment exactly, stage 1's decision added
# (replacing what we had of it), umask 077 (whatever ours), a session and
# process group of its own, and of our fds only 0-2.
child_environment() {
	local m=$1 want nl='a
b'
	INIT_PREFIX=(env -i A=1 'B=x y' EMPTY= "NL=$nl" '=odd' PATH="$PATH" AWG_MODE=stale "${DETECT_ENV[@]}")
	want=$("${INIT_PREFIX[@]}" env | grep -v '^AWG_MODE=\|^WG_QUICK_USERSPACE_IMPLEMENTATION=')
	want+=$'\n'$DETECTED
	start_init "$m" -- env >"$T_TMP/env"
	wait_job 10
	rc_is 0
	eq "$want" "$(cat "$T_TMP/env")" "environment"
	INIT_PREFIX=()

	(umask 022; start_init "$m" -- sh -c umask >"$T_TMP/umask"; wait_job 10)
	eq 0077 "$(cat "$T_TMP/umask")" "umask"

	# shellcheck disable=SC2016
	start_init "$m" -- sh -c 'set -- $$ $(sed "s/.*) //" /proc/$$/stat); echo $1 $4 $5' >"$T_TMP/ids"
	wait_job 10
	set -- $(cat "$T_TMP/ids")
	[ $# = 3 ] && [ "$1" = "$2" ] && [ "$1" = "$3" ] || fail "pid, pgid, sid: $*"

	# shellcheck disable=SC2016
	local fds='for n in 0 1 2 3 7 9; do [ -e /proc/$$/fd/$n ] && echo $n; done; true'
	eq "0 1 2 7 9" "$(sh -c "$fds" 7</dev/null 9>/dev/null 3<&- | xargs)" "fds without awg-easy-init"
	start_init "$m" -- sh -c "$fds" 7</dev/null 9>/dev/null >"$T_TMP/fds"
	wait_job 10
	eq "0 1 2" "$(xargs <"$T_TMP/fds")" "fds of the command"
}
