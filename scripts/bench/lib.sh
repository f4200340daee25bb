# Shared by the scripts in scripts/bench/ (sourced with TOP set, or from the
# top of the worktree; also in the test VM).
#
#   bench_put KEY VALUE      record a result: appended as "KEY<TAB>VALUE" to
#                            the file $BENCH_OUT; printed as "@bench KEY VALUE"
#                            when BENCH_OUT is "-" (how the VM's results reach
#                            the host); nothing when BENCH_OUT is unset
#   bench_measure OUT CMD... run CMD once under build/bench/measure (stdout to
#                            /dev/null); appends "wall user sys maxrss status"
#                            to OUT; fails when CMD fails
#   bench_stats OUT PREFIX   bench_put PREFIX.wall_us (median wall time),
#                            PREFIX.cpu_us (median user+sys), PREFIX.maxrss_kib
#                            (largest peak RSS) and PREFIX.runs of OUT's lines
#   bench_config N [ALLOWED] a server config with N peers on stdout, the way
#                            awg-easy writes one: random keys, a preshared key
#                            and one IPv4 /32 plus one IPv6 /128 per peer
#   bench_load               the load average, "1min 5min 15min"
: "${TOP:=$PWD}"
BENCH_MEASURE=${BENCH_MEASURE:-$TOP/build/bench/measure}

bench_put() {
	case ${BENCH_OUT:-} in
	"")	;;
	-)	printf '@bench %s %s\n' "$1" "$2" ;;
	*)	printf '%s\t%s\n' "$1" "$2" >>"$BENCH_OUT" ;;
	esac
}

bench_measure() {
	local out=$1 rc=0
	shift
	"$BENCH_MEASURE" "$out" "$@" >/dev/null || rc=$?
	[ $rc = 0 ] || echo "bench: '$*' failed (status $rc)" >&2
	return $rc
}

bench_stats() {
	local v
	v=$(awk '{ w[NR] = $1; c[NR] = $2 + $3; if ($4 > m) m = $4 }
		function median(a, n,    i, j, t) {
			for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j > 0 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
			return n % 2 ? a[(n + 1) / 2] : int((a[n / 2] + a[n / 2 + 1]) / 2)
		}
		END { print median(w, NR), median(c, NR), m, NR }' "$1")
	set -- "$2" $v
	bench_put "$1.wall_us" "$2"
	bench_put "$1.cpu_us" "$3"
	bench_put "$1.maxrss_kib" "$4"
	bench_put "$1.runs" "$5"
}

# Keys are random bytes from /dev/urandom, in base64, made by awk (mawk and
# busybox awk: no python, no bit operators) so that a 10 000-peer config
# takes well under a second, in the VM too.
bench_config() {	# bench_config N
	local n=$1
	head -c $((32 + 64 * n)) /dev/urandom | od -An -v -tx1 | tr -d ' \n' |
	awk -v n="$n" '
	BEGIN {
		b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
		for (i = 0; i < 16; i++) hex[substr("0123456789abcdef", i + 1, 1)] = i
		for (k = 0; k <= 18; k += 6) pow2[k] = k ? pow2[k - 6] * 64 : 1
	}
	# key(i): the 32 bytes at byte offset i of the hex string, in base64
	function key(i,    s, j, v, k) {
		s = ""
		for (j = 0; j < 30; j += 3) {
			v = byte(i + j) * 65536 + byte(i + j + 1) * 256 + byte(i + j + 2)
			for (k = 18; k >= 0; k -= 6) s = s substr(b64, int(v / pow2[k]) % 64 + 1, 1)
		}
		v = byte(i + 30) * 1024 + byte(i + 31) * 4
		for (k = 12; k >= 0; k -= 6) s = s substr(b64, int(v / pow2[k]) % 64 + 1, 1)
		return s "="
	}
	function byte(i) { return hex[substr(h, 2 * i + 1, 1)] * 16 + hex[substr(h, 2 * i + 2, 1)] }
	{ h = $0 }
	END {
		printf "[Interface]\nPrivateKey = %s\nListenPort = 51820\n", key(0)
		for (p = 0; p < n; p++) {
			a = p + 2
			printf "\n[Peer]\nPublicKey = %s\nPresharedKey = %s\n", key(32 + 64 * p), key(64 + 64 * p)
			printf "AllowedIPs = 10.%d.%d.%d/32, fd00::%x/128\n", int(a / 65536) % 256, int(a / 256) % 256, a % 256, a
		}
	}'
}

bench_load() { cut -d' ' -f1-3 /proc/loadavg; }
