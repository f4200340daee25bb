#!/usr/bin/env bash
# timeout: 240
# scripts/vm/run on the host: a guest's lines and status come back, a hung or
# crashed guest is a reported failure, never a hang, and no VM is left.
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd qemu-system-x86_64
compgen -G '/boot/vmlinuz-6.12.*-amd64' >/dev/null || skip_all "needs linux-image-6.12-amd64"

vm() {	# vm NAME TIMEOUT FILE: run FILE in a VM named NAME, results in OUT/RC
	local name=awgvm-$TEST_FILE-$$-$1
	t_made "$name"
	run "$TOP/scripts/vm/run" --name "$name" --timeout "$2" "$3"
	if pgrep -f -- "-name $name " >/dev/null; then fail "qemu $name is still running"; fi
}

lines_and_status() {
	vm report 120 tests/vm/data/report.sh
	rc_is 3
	eq "ok first
# a detail
not ok second: on purpose
skip third: on purpose" "$(grep -v '^# vm: ' <<<"$OUT")" "the guest's lines"
}

hung_guest() {
	local start=$SECONDS
	vm hang 30 tests/vm/data/hang.sh
	rc_is 1
	contains "$OUT" "# hanging"
	contains "$OUT" "not ok vm: no result within 30s: the VM was killed"
	[ $((SECONDS - start)) -lt 60 ] || fail "took $((SECONDS - start)) s"
}

crashed_guest() {
	vm panic 120 tests/vm/data/panic.sh
	rc_is 1
	contains "$OUT" "not ok vm: the VM stopped without a result"
	contains "$OUT" "# the console says: " "the report"
	contains "$OUT" "Kernel panic - not syncing: sysrq triggered crash" "the report"
}

# the image is built once, then only checked
cached_image() {
	local before
	"$TOP/scripts/vm/build"
	before=$(stat -c '%Y %s' "$TOP/build/vm/initramfs.cpio.gz" "$TOP/build/vm/vmlinuz")
	run "$TOP/scripts/vm/build"
	rc_is 0
	eq "" "$ERR" "a second build's messages"
	eq "$before" "$(stat -c '%Y %s' "$TOP/build/vm/initramfs.cpio.gz" "$TOP/build/vm/vmlinuz")" "the image"
	[ -s "$TOP/build/vm/key" ] || fail "no key"
	grep -qx busybox-static "$TOP/build/vm/packages" || fail "busybox-static not in build/vm/packages"
}

t "scripts/vm/build keeps the cached image when nothing changed" cached_image
t "a guest's lines and exit status come back to the host" lines_and_status
t "a hung guest is killed at the timeout and reported as a failure" hung_guest
t "a guest whose kernel panics is reported as a failure" crashed_guest
