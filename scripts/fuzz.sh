#!/bin/sh
# make fuzz: build every libFuzzer target in tests/fuzz/ and run each for a
# bounded time, starting from its seed corpus in tests/fuzz/corpus/NAME/.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]      (default 60 s each, all targets)
#
# New inputs the fuzzer finds go to build/fuzz/corpus/NAME/ (never into the
# tree); a crash leaves its input in build/fuzz/crash-NAME-* and fails the run.
# Prints executions per target and the total.
set -eu
cd "$(dirname "$0")/.."
secs=${1:-${FUZZ_SECONDS:-60}}
[ $# -gt 0 ] && shift
targets=${*:-$(for f in tests/fuzz/*.c; do basename "$f" .c; done)}
command -v clang >/dev/null || { echo "fuzz.sh: clang not found (apt-get install clang)" >&2; exit 1; }
make -s fuzz-build FUZZ_TARGETS="$targets"
total=0 status=0
for t in $targets; do
	c=build/fuzz/corpus/$t
	mkdir -p "$c"
	[ -d "tests/fuzz/corpus/$t" ] && cp -n tests/fuzz/corpus/"$t"/* "$c"/ 2>/dev/null || true
	log=build/fuzz/$t.log
	if ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1 \
	   "build/fuzz/$t" -max_total_time="$secs" -print_final_stats=1 -max_len=65536 \
	   -timeout=10 -rss_limit_mb=1024 -close_fd_mask=3 -artifact_prefix="build/fuzz/crash-$t-" "$c" >"$log" 2>&1; then
		res=clean
	else
		res="FAILED (see $log)"
		status=1
	fi
	n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	n=${n:-0}
	total=$((total + n))
	printf '%-12s %12s executions in %ss: %s\n' "$t" "$n" "$secs" "$res"
done
printf '%-12s %12s executions\n' total "$total"
exit $status
