#!/usr/bin/env bash
# timeout: 420
# awg-detect, lsmod and modinfo with real module loading in the VM (Debian's
# kernel): the decision table's rows with Debian's wireguard.ko standing in
# for amneziawg.ko, dependencies loaded in order, already loaded, patched
# vermagic refused before the syscall, no CAP_SYS_MODULE -> userspace, and
# lsmod/modinfo against kmod's.  The checks are tests/vm/awg-detect.guest.
#
# On the host, before the VM boots: patched copies of wireguard.ko (signature
# stripped -- Debian's kernel refuses unsigned-but-marked modules otherwise --
# and the release or a flag in vermagic changed), made with perl and xz into
# build/vm-detect/, which the guest sees under /src.
if [ "${AWGVM_GUEST:-0}" != 1 ] && [ "$(id -u)" = 0 ] && compgen -G '/boot/vmlinuz-6.12.*-amd64' >/dev/null; then
	top=$(cd "$(dirname "$0")/../.." && pwd)
	rel=$(basename "$(ls -d /lib/modules/6.12.*-amd64 | sort -V | tail -n 1)")
	ko=/lib/modules/$rel/kernel/drivers/net/wireguard/wireguard.ko.xz
	out=$top/build/vm-detect
	mkdir -p "$out"
	xz -dc "$ko" >"$out/wireguard.ko"
	patch_ko() {	# patch_ko IN OUT OLD NEW: strip the signature, OLD -> NEW (same length)
		perl -e '
			local $/; open(my $f, "<", $ARGV[0]) or die; binmode $f; my $d = <$f>;
			my $m = "~Module signature appended~\n";
			if (substr($d, -length $m) eq $m) {
				my $n = unpack("N", substr($d, -length($m) - 4, 4));
				$d = substr($d, 0, length($d) - length($m) - 12 - $n);
			}
			my ($old, $new) = @ARGV[2, 3];
			die "lengths differ\n" if length $old != length $new;
			my $count = () = $d =~ /\Q$old\E/g;
			die "$old found $count times\n" if $count != 1;
			$d =~ s/\Q$old\E/$new/;
			open(my $o, ">", $ARGV[1]) or die; binmode $o; print $o $d;
		' "$@"
	}
	v=$(modinfo -F vermagic "$out/wireguard.ko")
	bad=${v/6.12./6.99.}
	patch_ko "$out/wireguard.ko" "$out/patched.ko" "vermagic=$v" "vermagic=$bad" || exit 1
	xz -f --check=crc32 -k -c "$out/patched.ko" >"$out/patched.ko.xz"
	patch_ko "$out/wireguard.ko" "$out/patched-flags.ko" "vermagic=$v" "vermagic=${v/mod_unload/mod_unlo4d}" || exit 1
fi
. "$(dirname "$0")/lib.sh"

guest_checks() {
	local kmod=$T_TMP/kmod t
	mkdir -p "$kmod"
	for t in lsmod modinfo modprobe insmod; do ln -s "$(command -v kmod)" "$kmod/$t"; done
	PATCHED_KO=$TOP/build/vm-detect/patched.ko PATCHED_KO_XZ=$TOP/build/vm-detect/patched.ko.xz \
	PATCHED_FLAGS_KO=$TOP/build/vm-detect/patched-flags.ko KMOD=$kmod \
	CAPSH=$(command -v capsh) STRACE=$(command -v strace) \
		sh "$TOP/tests/vm/awg-detect.guest"
}


guest_checks
