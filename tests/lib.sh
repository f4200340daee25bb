# Shared helpers for tests/*/*.t shell tests.  Source it first:
#   . "$TOP/tests/lib.sh"
# A test case is a shell function run by `t NAME FUNCTION [ARGS]` in a subshell
# with `set -e`: it passes when the function returns 0.  Assertions print what
# differed and return 1.
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${AWGBOX_BUILD:=build}"
: "${AWGBOX:=$TOP/$AWGBOX_BUILD/awgbox}"
: "${BIN:=$TOP/$AWGBOX_BUILD/bin}"
export TOP AWGBOX BIN
TEST_FILE=$(basename "$0" .t)

# A private scratch directory per test file, removed on exit.
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/awgbox-test.XXXXXX")
t_cleanup_hooks=()
t_on_exit() { t_cleanup_hooks+=("$*"); }
t_exit() {
	local i
	for ((i = ${#t_cleanup_hooks[@]} - 1; i >= 0; i--)); do eval "${t_cleanup_hooks[$i]}" || true; done
	rm -rf "$T_TMP"
}
trap t_exit EXIT
trap 'exit 130' INT TERM HUP

# t_after_case CMD: run CMD after every test case, in the test file's shell
# (a case runs in a subshell); output and failure count against the case.
t_case_hooks=()
t_after_case() { t_case_hooks+=("$*"); }

t() {	# t NAME FUNCTION [ARGS...]
	local name=$1 out rc h hout
	shift
	out=$( (set -e; "$@") 2>&1 )
	rc=$?
	for h in "${t_case_hooks[@]}"; do
		eval "$h" >"$T_TMP/case-hook.out" 2>&1 || rc=1
		hout=$(cat "$T_TMP/case-hook.out")
		[ -z "$hout" ] || out+=${out:+$'\n'}$hout
	done
	if [ $rc -eq 0 ]; then
		echo "ok $name"
	else
		echo "not ok $name"
		[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/# /'
	fi
	return 0
}
# t_made NAME: record a machine-global name this test made (namespace,
# interface, VM); the runner's leak check reports leftovers carrying it
t_made() { if [ -n "${TEST_RUN_DIR:-}" ] && [ -n "$1" ]; then echo "$1" >>"$TEST_RUN_DIR/names"; fi; }
skip() { echo "skip $1: $2"; }			# skip NAME WHY
skip_all() { echo "skip $TEST_FILE: $1"; exit 0; }	# skip_all WHY
need_root() { [ "$(id -u)" = 0 ] || skip_all "needs root"; }
need_cmd() { local c; for c; do command -v "$c" >/dev/null 2>&1 || skip_all "needs $c"; done; }

# run CMD...: run it, keep stdout in $OUT, stderr in $ERR, status in $RC.
run() {
	local o e
	o=$T_TMP/run.out e=$T_TMP/run.err
	RC=0
	"$@" >"$o" 2>"$e" || RC=$?
	OUT=$(cat "$o") ERR=$(cat "$e")
	return 0
}

fail() { printf '%s\n' "$*"; return 1; }
eq() {	# eq EXPECTED ACTUAL [WHAT]
	[ "$1" = "$2" ] && return 0
	printf '%s differs\n--- expected\n%s\n--- got\n%s\n---\n' "${3:-value}" "$1" "$2"
	if command -v diff >/dev/null; then diff <(printf '%s\n' "$1") <(printf '%s\n' "$2") | head -n 40; fi
	return 1
}
contains() {	# contains HAYSTACK NEEDLE [WHAT]
	case $1 in *"$2"*) return 0 ;; esac
	printf '%s does not contain "%s":\n%s\n' "${3:-output}" "$2" "$1"
	return 1
}
rc_is() { [ "$RC" = "$1" ] || fail "exit status $RC, expected $1 (stderr: $ERR)"; }
# eq_sets A B: the same lines in any order (wireguard-go lists peers in map order)
eq_sets() { eq "$(printf '%s\n' "$1" | sort)" "$(printf '%s\n' "$2" | sort)" "${3:-line set}"; }

# N random 32-byte keys in base64, one a line, with no process per key
# (public keys of peers that need not exist)
random_keys() {	# random_keys N
	head -c $((32 * $1)) /dev/urandom | od -An -v -tx1 | tr -d ' \n' |
		awk -v n="$1" '
		BEGIN { b = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
			for (i = 0; i < 16; i++) hx[substr("0123456789abcdef", i + 1, 1)] = i
			q = 1; for (i = 0; i < 16; i++) { pow2[i] = q; q *= 2 } }
		{ for (p = 0; p < n; p++) {
			s = ""; v = 0; bits = 0
			for (j = 0; j < 32; j++) {
				c = substr($0, 64 * p + 2 * j + 1, 2)
				v = v * 256 + hx[substr(c, 1, 1)] * 16 + hx[substr(c, 2, 1)]; bits += 8
				while (bits >= 6) { bits -= 6; d = int(v / pow2[bits]); s = s substr(b, d + 1, 1); v -= d * pow2[bits] }
			}
			print s substr(b, v * 4 + 1, 1) "="
		} }'
}

# Memory checkers.  A case fails when any run of our binary in it reported a
# memory error or leak, whatever its exit status and output:
# - build/asan: ASan, LSan and UBSan reports go to files, not stderr;
# - AWGBOX_VALGRIND=1 (build/glibc; valgrind cannot check the static build's
#   own malloc): $BIN/* and $AWGBOX become wrappers that run the real binary
#   under valgrind's memcheck (children it spawns are not traced).
t_memcheck_dir=$T_TMP/memcheck
mkdir -p "$t_memcheck_dir"
chmod 1777 "$t_memcheck_dir"	# a case may run the binary as another user
case $AWGBOX_BUILD in
*asan*)
	export ASAN_OPTIONS="log_path=$t_memcheck_dir/asan:detect_leaks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
	export UBSAN_OPTIONS="log_path=$t_memcheck_dir/ubsan:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
	;;
esac
if [ "${AWGBOX_VALGRIND:-0}" = 1 ]; then
	command -v valgrind >/dev/null || { echo "skip $TEST_FILE: AWGBOX_VALGRIND=1 needs valgrind"; exit 0; }
	mkdir -p "$t_memcheck_dir/bin"
	# the unstripped binary, for function names in reports; the applet
	# named as its first argument ("awgbox wg ...")
	t_vg_exe=${AWGBOX%/*}/awgbox_unstripped
	[ -x "$t_vg_exe" ] || t_vg_exe=$AWGBOX
	for t_vg_name in "$BIN"/* awgbox; do
		t_vg_name=${t_vg_name##*/}
		printf '#!/bin/sh\nexec valgrind -q --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --log-file=%s/valgrind.%%p %s %s "$@"\n' \
			"$t_memcheck_dir" "$t_vg_exe" "$([ "$t_vg_name" = awgbox ] || echo "$t_vg_name")" \
			>"$t_memcheck_dir/bin/$t_vg_name"
		chmod +x "$t_memcheck_dir/bin/$t_vg_name"
	done
	BIN=$t_memcheck_dir/bin AWGBOX=$t_memcheck_dir/bin/awgbox
	export BIN AWGBOX
fi
t_memcheck() {	# after each case: print and clear what the checkers logged
	local f bad=0
	for f in "$t_memcheck_dir"/asan.* "$t_memcheck_dir"/ubsan.* "$t_memcheck_dir"/valgrind.*; do
		[ -f "$f" ] || continue
		if [ -s "$f" ]; then
			echo "memory checker report ($f):"
			head -n 60 "$f"
			bad=1
		fi
		rm -f "$f"
	done
	return $bad
}
t_after_case t_memcheck
